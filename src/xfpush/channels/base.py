"""What every channel returns: assets with their checks, and the Channel protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import Problem
from ..model.message import Message
from ..render.plan import Plan, outside
from ..render.qr import min_module_px
from ..typeset.fonts import FontSet


@dataclass(frozen=True)
class Check:
    """One check run on a rendered asset."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Asset:
    """One rendered file of a channel profile, with what the manifest says about it."""

    channel: str
    profile: str
    path: str
    media_type: str
    data: bytes = field(repr=False)
    checks: tuple[Check, ...] = ()
    width_px: int | None = None
    height_px: int | None = None
    width_mm: float | None = None
    height_mm: float | None = None
    dpi: int | None = None
    duration_s: float | None = None
    text: str | None = None
    qr_url: str | None = None
    loudness_lufs: float | None = None
    """Integrated loudness measured from the file (EBU R128)."""
    true_peak_dbtp: float | None = None
    """True peak measured from the file."""

    def problems(self) -> list[Problem]:
        return [Problem(self.channel, self.profile, c.name, c.detail)
                for c in self.checks if not c.ok]


class Profile(Protocol):
    """A channel profile: a frozen dataclass of one medium's constraints."""

    @property
    def name(self) -> str: ...

    @property
    def summary(self) -> str: ...


class Channel(Protocol):
    """A channel: named profiles, a dry check and a render."""

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def profiles(self) -> Mapping[str, Profile]: ...

    def check(self, message: Message, profile: str, fonts: FontSet) -> list[Problem]:
        """Problems with this message on this profile, without rendering pixels."""
        ...

    def render(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        """The assets of this profile, each with its checks already run."""
        ...


def safe_area_check(plan: Plan) -> Check:
    """Text, QR codes and images all inside the plan's safe area."""
    stray = [label for label, box in plan.content_boxes() if outside(box, plan.safe)]
    if stray:
        return Check("safe_area", False, f"内容超出安全区：{stray[0]}")
    return Check("safe_area", True, "文字、二维码和图片都在安全区内")


def qr_module_check(plan: Plan, dpi: int | None) -> list[Check]:
    """The QR's module size against what scans at this resolution (none without a QR)."""
    if plan.qr is None:
        return []
    matrix, module, _, _ = plan.qr
    needed = min_module_px(dpi)
    return [Check("qr_module_size", module >= needed,
                  f"二维码 {matrix.modules}×{matrix.modules} 模块，每模块 {module}px（下限 "
                  f"{needed}px），静区 4 模块，纠错等级 {matrix.error_correction}")]

"""What every channel returns: assets carrying the facts their checks read; the Channel protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import Problem
from ..model.message import Message
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText


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
    voice: str | None = None
    """Who speaks in a spoken asset: ``espeak-ng`` (machine), ``recording`` (a person) …"""
    layout: tuple[LaidText, ...] | None = None
    """The laid-out text it shows, field by field (None: it carries no laid-out text)."""
    icons: tuple[str, ...] | None = None
    """The pictograms it shows, in drawing order (None: none)."""
    icons_from: str | None = None
    """``message`` (named in the message) or ``topic`` (picked from its wording)."""
    facts: tuple[object, ...] = field(default=(), repr=False, compare=False)
    """What the checks registry needs to know (plan, pixels, limits …); dropped once checked."""

    def layout_entries(self) -> list[dict[str, object]] | None:
        """The manifest's ``layout``: ``[{"field", "lines", "font_px"}, …]`` or None."""
        return None if self.layout is None else [laid.entry() for laid in self.layout]

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

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        """This profile's assets as far as known without drawing or encoding: no bytes needed,
        only the facts the dry checks of ``xfpush check`` read."""
        ...

    def render(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        """This profile's assets with their bytes and the facts their checks read."""
        ...

"""The ``board`` channel (展板/宣传栏): exhibition boards 120×90 cm and A1 bulletin boards.

Read from 1–1.5 m in a corridor or a community notice case: text no smaller than 8 mm, the QR
scanned from about 1 m (modules ≥ 4 mm). Frames and profiles cover the edge, so content keeps
3 cm in. When the message has an ``evacuation_map`` the board shows it (right of the text on
the landscape board, under it on A1), large enough to read the routes (``evacuation``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from ..model.message import Message
from ..render.plan import Plan
from .base import Asset, Check
from .checks import register
from .printed import PrintedChannel, PrintProfile, print_profile

FRAME_MM = 30.0
BLEED_MM = 5.0
MIN_TEXT_MM = 8.0
SCAN_M = 1.0
PLAN_DPI = 25
MIN_MAP_MM = 200.0
"""Least shorter side of a shown evacuation map: an A4 escape plan as posted in corridors
(21 cm) is read from about 1 m."""
MATERIAL = "KT 板或 PVC 板覆写真（室外宣传栏用户外写真或背胶）"


def _board(name: str, summary: str, template: str, trim: tuple[float, float],
           preview_px: int, dpi: int = PLAN_DPI) -> PrintProfile:
    return print_profile(name, summary, template, trim, dpi=dpi, bleed_mm=BLEED_MM,
                         margins_mm=(FRAME_MM,) * 4, min_text_mm=MIN_TEXT_MM, scan_m=SCAN_M,
                         preview_px=preview_px, material=MATERIAL, read_note="1–1.5 米外阅读")


PROFILES: Mapping[str, PrintProfile] = {
    "120x90cm": _board("120x90cm", "展板 120×90 cm 横版（矢量 PDF/X-4，出血 5 mm；有逃生路线图时放在右栏，"
                                   "PNG 预览）", "board-landscape", (1200.0, 900.0), 1600),
    "a1": _board("a1", "宣传栏 A1 竖版 594×841 mm（矢量 PDF/X-4，出血 5 mm；有逃生路线图时放在提示下方，"
                       "PNG 预览）", "board-portrait", (594.0, 841.0), 1160, dpi=50),
}


class BoardChannel(PrintedChannel):
    """Exhibition and bulletin boards."""

    name = "board"
    title = "展板"
    profiles = PROFILES

    def page_facts(self, message: Message, profile: PrintProfile,
                   plans: Sequence[Plan]) -> tuple[object, ...]:
        assert profile.dpi is not None
        return (BoardMap(plans[0], message.evacuation_map is not None, 25.4 / profile.dpi),)


@dataclass(frozen=True)
class BoardMap:
    """A board's plan, and whether the message gave an evacuation map."""

    plan: Plan
    given: bool
    mm_per_px: float


@register("evacuation", BoardMap)
def board_map(fact: BoardMap, asset: Asset) -> Check | None:
    if not fact.given:
        return None
    plan = fact.plan
    if not plan.images:
        return Check("evacuation", False, "提供了逃生路线图，但版面上没有放下；请缩短正文或提示")
    path, box = plan.images[-1]
    with Image.open(path) as source:
        scale = min((box[2] - box[0]) / source.width, (box[3] - box[1]) / source.height)
        shorter = min(source.width, source.height) * scale * fact.mm_per_px
    return Check("evacuation", shorter >= MIN_MAP_MM,
                 f"逃生路线图短边 {shorter / 10:.0f} cm（下限 {MIN_MAP_MM / 10:g} cm，1 米外可读）")


BOARD = BoardChannel()

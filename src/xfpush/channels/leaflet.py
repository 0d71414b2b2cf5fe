"""The ``leaflet`` channel (宣传单/折页): a two-sided A4 sheet and an A4 three-panel fold.

Both carry the body and every tip (``content_complete`` fails when the fit ladder had to leave
one out). The trifold is A4 landscape folded in three as print shops fold a letter fold: the
panel that folds in is 3 mm narrower (97/100/100 mm), so it tucks in without buckling; folds
are marked in the slug of each side. Read in the hand: type no smaller than 3 mm (about 8.5 pt),
the QR's modules at least 1.2 mm (scanned from 30 cm).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model.message import Message
from ..render.plan import Plan
from .printed import Coverage, PrintedChannel, PrintProfile, print_profile

PLAN_DPI = 200
"""Plan grid: the PDF is vector; 200 dpi keeps the preview and its checks quick."""
BLEED_MM = 3.0
SCAN_M = 0.3
MIN_TEXT_MM = 3.0
PANELS_MM = (97.0, 100.0, 100.0)
"""The outside of the trifold from the left: fold-in panel, back, cover (inside: reversed)."""
PAPER = "157 g 铜版纸，双面四色"


def _profiles() -> dict[str, PrintProfile]:
    flap, back, _ = PANELS_MM
    return {
        "a4-2side": print_profile(
            "a4-2side", "宣传单 A4 双面（正面标题、正文、热线；背面全部提示、二维码；矢量 PDF/X-4 两页，"
                        "出血 3 mm）", "leaflet-front", (210.0, 297.0), dpi=PLAN_DPI,
            bleed_mm=BLEED_MM, margins_mm=(4.0, 10.0, 4.0, 10.0), min_text_mm=MIN_TEXT_MM,
            scan_m=SCAN_M, pages=("leaflet-back",), material=PAPER, read_note="手持阅读"),
        "trifold": print_profile(
            "trifold", "三折页 A4 横向（97/100/100 mm 三栏，内折页窄 3 mm；外面封面、封底、逃生要点，"
                       "里面正文和全部提示；矢量 PDF/X-4 两页，出血 3 mm，折线标记）",
            "trifold-outside", (297.0, 210.0), dpi=PLAN_DPI, bleed_mm=BLEED_MM,
            margins_mm=(8.0, 8.0, 8.0, 8.0), min_text_mm=MIN_TEXT_MM, scan_m=SCAN_M,
            pages=("trifold-inside",), material=PAPER + "，折三折", read_note="手持阅读",
            folds_mm=((flap, flap + back), (PANELS_MM[2], 2 * PANELS_MM[2]))),
    }


PROFILES: Mapping[str, PrintProfile] = _profiles()


class LeafletChannel(PrintedChannel):
    """Leaflets and folders."""

    name = "leaflet"
    title = "宣传单"
    profiles = PROFILES

    def page_facts(self, message: Message, profile: PrintProfile,
                   plans: Sequence[Plan]) -> tuple[object, ...]:
        required = (("body",) if message.body else ()) + tuple(
            f"tips[{i}]" for i in range(len(message.tips)))
        shown = tuple(laid.field for plan in plans for laid in plan.layout)
        return (Coverage(required, shown),)


LEAFLET = LeafletChannel()

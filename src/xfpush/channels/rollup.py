"""The ``rollup`` channel (易拉宝): roll-up stands of 80×200 and 85×200 cm.

The graphic hangs from a clamp bar at the top and rolls out of a cassette at the bottom: the
top 6 cm and the bottom 20 cm (``STAND_MM``, hidden in the cassette) hold no content. The stand
zone is kept one flat colour (the footer's, so the band runs on into the foot) and is checked
twice: nothing of the layout overlaps it, and its pixels are flat. Text is read at arm's length
to 2 m: no smaller than 12 mm; the QR is scanned from about 1.2 m (modules ≥ 4.8 mm).
"""

from __future__ import annotations

from collections.abc import Mapping

from .printed import PrintedChannel, PrintProfile, print_profile

STAND_MM = 200.0
"""Bottom of the graphic that goes into the stand's cassette (stands hide 15–20 cm)."""
CLAMP_MM = 60.0
"""Top: the clamp bar covers about 3 cm; the rest is breathing room."""
SIDES_MM = 40.0
BLEED_MM = 5.0
MIN_TEXT_MM = 12.0
SCAN_M = 1.2
PLAN_DPI = 25
"""Plan grid (about 1 px per mm): the PDF is vector, so this only places things."""
MATERIAL = "易拉宝写真（PP 背胶或防卷曲 PET 相纸），配 80/85 cm 宽铝合金底座"


def _rollup(width_cm: int) -> PrintProfile:
    width, height = width_cm * 10.0, 2000.0
    canvas_h = height + 2 * BLEED_MM
    stand = ((0.0, (BLEED_MM + height - STAND_MM) / canvas_h, 1.0, 1.0),)
    return print_profile(
        f"{width_cm}x200cm", f"易拉宝 {width_cm}×200 cm（矢量 PDF/X-4，出血 5 mm；顶部 6 cm、"
                             f"底部 20 cm 底座区不放内容，PNG 预览）",
        "rollup", (width, height), dpi=PLAN_DPI, bleed_mm=BLEED_MM,
        margins_mm=(CLAMP_MM, SIDES_MM, STAND_MM + 30.0, SIDES_MM), min_text_mm=MIN_TEXT_MM,
        scan_m=SCAN_M, reserved=tuple(("stand", box) for box in stand), preview_px=780,
        material=MATERIAL, read_note="1–2 米外阅读")


PROFILES: Mapping[str, PrintProfile] = {p.name: p for p in (_rollup(80), _rollup(85))}


class RollupChannel(PrintedChannel):
    """Roll-up stands."""

    name = "rollup"
    title = "易拉宝"
    profiles = PROFILES


ROLLUP = RollupChannel()

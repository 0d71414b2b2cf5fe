"""The ``banner`` channel (横幅): cloth street banners, red ground, one line of large white type.

Banners are read from across a street: the line is set no smaller than ``READ_EM_MM`` (a hanzi
whose face is about 25 cm high reads at a glance from 10 m, about 2.5 cm of face per metre),
inside the hem and eyelet margins, with the QR at the right end sized for scanning from
``SCAN_M``. The PDF is at the banner's real size; pages longer than 5.08 m (PDF's limit) carry
``UserUnit`` 10. The text is ``variants.banner`` or the slogan; a line that does not fit fails
naming the field, the size limit, how many characters fit and how many to cut.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import TextFitError
from ..model.message import Message
from ..render.plan import Plan
from ..typeset.fonts import FontSet
from .printed import PrintedChannel, PrintProfile, print_profile

READ_EM_MM = 280.0
"""Smallest type (em) on a banner: a Noto CJK hanzi's face is about 0.9 em, so 25 cm high."""
READ_DISTANCE_M = 10
SCAN_M = 2.5
"""Distance a passer-by scans a banner's QR from (its module ≥ 10 mm)."""
BLEED_MM = 10.0
"""Cloth is cut and hemmed, not trimmed: 10 mm keeps the red ground to the edge."""
HEM_MM = 60.0
"""Top and bottom: a 3–4 cm hem plus room, so no letter is sewn into it."""
ENDS_MM = 100.0
"""Left and right: eyelets and the ropes tied through them."""
PLAN_DPI = 15
"""Plan grid (about 0.6 px per mm): the PDF is vector, so this only places things."""
MATERIAL = "户外横幅布（春亚纺或牛津布），四周卷边，两端及上下边每 50 cm 打扣眼"


def _banner(width_m: float, height_m: float) -> PrintProfile:
    name = f"{width_m:g}x{height_m:g}m"
    return print_profile(
        name, f"横幅 {width_m:g}×{height_m:g} m，红底白字一行（原尺寸矢量 PDF/X-4，出血 10 mm，"
              f"四周留卷边扣眼位，PNG 预览）",
        "banner", (width_m * 1000, height_m * 1000), dpi=PLAN_DPI, bleed_mm=BLEED_MM,
        margins_mm=(HEM_MM, ENDS_MM, HEM_MM, ENDS_MM), min_text_mm=READ_EM_MM, scan_m=SCAN_M,
        read_note=f"{READ_DISTANCE_M} 米外可读：字面高约 25 cm", preview_px=3000,
        material=MATERIAL)


PROFILES: Mapping[str, PrintProfile] = {p.name: p for p in (
    _banner(5, 0.7), _banner(8, 0.9), _banner(10, 1))}


class BannerChannel(PrintedChannel):
    """Street banners."""

    name = "banner"
    title = "横幅"
    profiles = PROFILES

    def plans(self, message: Message, profile: PrintProfile, fonts: FontSet) -> list[Plan]:
        try:
            return super().plans(message, profile, fonts)
        except TextFitError as exc:
            raise too_long(message, profile, exc) from exc


def too_long(message: Message, profile: PrintProfile, exc: TextFitError) -> TextFitError:
    """The banner's own words for a line that does not fit: field, limit, what fits, cut."""
    field = "variants.banner" if message.variants.get("banner") else "slogan"
    text = str(message.variants.get("banner") or message.slogan)
    total = len(text.replace(" ", ""))
    cut = max(1, exc.cut_chars)
    keep = max(0, total - cut)
    return TextFitError(
        f"横幅 {profile.name} 一行放不下{field}：共 {total} 字；{READ_DISTANCE_M} 米外可读要求字号"
        f"不小于 {READ_EM_MM / 10:g} cm，扣除两端扣眼位和二维码后一行约放 {keep} 字；请删减约 "
        f"{cut} 字，或在 variants.banner 写一句不超过 {keep} 字的横幅标语", cut_chars=cut)


BANNER = BannerChannel()

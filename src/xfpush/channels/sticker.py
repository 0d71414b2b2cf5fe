"""The ``sticker`` channel: parcel and delivery-bag stickers for thermal label printers.

Every profile gives the 1-bit bitmap as PNG, the same bitmap as ZPL and as TSPL, and an A4
sheet (vector PDF/X-4 of the same plan) tiling it for office printers; the waybill profile also
gives the 面单备注 text. Each comes at 203 dpi (8 dots/mm) and as ``<profile>-300dpi``
(12 dots/mm). Thermal labels keep ink off their outer 1.5 mm (a die-cut label drifts by about
a millimetre on the roll) and stay mostly white (heavy black wears the head and smears), so
the checks measure both on the bitmap the printer burns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..model.message import Message
from ..render.labels import (
    A4_MM,
    GUTTER_MM,
    PrintSettings,
    read_tspl,
    read_zpl,
    same_bitmap,
    sheet,
    tspl,
    zpl,
)
from ..render.pdf import media_box_mm
from ..render.plan import Plan
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import PrintPage, register
from .templated import ImageProfile, TemplatedChannel, drawn_qr_url

WAYBILL_REMARK_LIMIT = 30
EDGE_CLEAR_MM = 1.5
"""No ink this close to a label's edge: roll and die-cut drift would put it on the liner."""
MAX_INK = 0.35
"""Most of a label that may be black: solid areas wear the head and smear on thermal paper."""
RESOLUTIONS = {8: (203, "", PrintSettings(speed_ips=4)),
               12: (300, "-300dpi", PrintSettings(speed_ips=3))}
"""Dots per mm → (nominal dpi, profile-name suffix, print settings); 300 dpi heads print slower."""


@dataclass(frozen=True)
class StickerProfile(ImageProfile):
    """A thermal label: physical size in mm at 8 dots/mm, printed in pure black and white."""

    width_mm: int = 60
    """Label width; width_px is this × 8 dots."""
    height_mm: int = 40
    """Label height; height_px is this × 8 dots."""
    gap_mm: float = 2.0
    """Gap between labels on the roll (TSPL GAP)."""
    dots_per_mm: int = 8
    """Print head resolution: 8 (203 dpi) or 12 (300 dpi)."""
    settings: PrintSettings = RESOLUTIONS[8][2]
    """Speed, darkness and density written into the ZPL and TSPL files."""


def _profile(name: str, summary: str, width_mm: int, height_mm: int, template: str,
             dots_per_mm: int = 8) -> StickerProfile:
    dpi, suffix, settings = RESOLUTIONS[dots_per_mm]
    # text, codes and pictures keep 3 mm from the edge: the 1.5 mm clear band plus the frame
    safe = (3 / width_mm, 3 / height_mm, 1 - 3 / width_mm, 1 - 3 / height_mm)
    return StickerProfile(name + suffix, summary.replace("203 dpi", f"{dpi} dpi"),
                          width_mm * dots_per_mm, height_mm * dots_per_mm, template, dpi=dpi,
                          safe=safe, min_text_px=round(18 * dots_per_mm / 8),
                          width_mm=width_mm, height_mm=height_mm, dots_per_mm=dots_per_mm,
                          settings=settings)


_LABELS = (
    ("label-60x40", "快递包裹贴纸 60×40 mm，203 dpi 黑白：PNG、ZPL、TSPL、A4 拼版 PDF",
     60, 40, "sticker-landscape"),
    ("label-100x100", "包裹/外卖袋贴纸 100×100 mm，203 dpi 黑白：PNG、ZPL、TSPL、A4 拼版 PDF",
     100, 100, "sticker-square"),
    ("waybill-65x30", "电子面单自定义区 65×30 mm，203 dpi 黑白，另附面单备注（≤30 字）",
     65, 30, "sticker-strip"),
)
PROFILES: Mapping[str, StickerProfile] = {
    profile.name: profile for dots in RESOLUTIONS for profile in
    (_profile(*label, dots_per_mm=dots) for label in _LABELS)}


def waybill_remark(message: Message) -> tuple[str, str]:
    """(remark, source field): the first candidate within the 30-character limit."""
    label, number = message.hotlines[0]
    candidates = [("variants.waybill", str(message.variants.get("waybill") or "")),
                  ("slogan+hotline", f"{message.slogan}，{label}{number}"),
                  ("slogan", message.slogan), ("title", message.title)]
    for source, text in candidates:
        if text and len(text) <= WAYBILL_REMARK_LIMIT:
            return text, source
    shortest = min((t for _, t in candidates if t), key=len)
    return shortest, "none"


class StickerChannel(TemplatedChannel):
    """Thermal stickers."""

    name = "sticker"
    title = "包裹贴纸"
    profiles = PROFILES
    antialias = False

    def plan(self, message: Message, profile_name: str, fonts: FontSet) -> Plan:
        profile = self.profiles[profile_name]
        # Thermal prints black on white whatever the theme; QR modules ≥ 3 dots.
        layout = self.layout(message, profile, fonts)
        layout.theme.update({"primary": "#000000", "accent": "#000000", "ink": "#000000",
                             "paper": "#FFFFFF"})
        return layout.layout()

    def finish(self, image: Image.Image, profile: ImageProfile
               ) -> tuple[Image.Image, tuple[object, ...]]:
        bitmap = image.convert("L").point(lambda v: 255 if v >= 128 else 0).convert("1")
        assert isinstance(profile, StickerProfile)
        return bitmap, (OneBit(bitmap, (profile.width_px, profile.height_px), profile.dpi or 0,
                               profile.dots_per_mm),)

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        bitmap, plan, facts = self.draw(message, profile, fonts)
        qr_url = drawn_qr_url(message, plan)

        def label_file(language: str, media_type: str, data: bytes) -> Asset:
            return Asset(self.name, profile.name, f"sticker/{profile.name}.{language}",
                         media_type, data, facts=(PrinterBitmap(language, bitmap),),
                         width_px=bitmap.width, height_px=bitmap.height,
                         width_mm=float(profile.width_mm), height_mm=float(profile.height_mm),
                         dpi=profile.dpi, qr_url=qr_url, layout=tuple(plan.layout))

        assets = [
            self.png_asset(message, profile, bitmap,
                           (*facts, self.picture(message, plan, bitmap)), plan,
                           mm=(float(profile.width_mm), float(profile.height_mm))),
            label_file("zpl", "application/x-zpl", zpl(bitmap, profile.settings)),
            label_file("tspl", "application/x-tspl",
                       tspl(bitmap, profile.width_mm, profile.height_mm, profile.gap_mm,
                            profile.settings)),
        ]
        if profile.dots_per_mm == 8:  # the sheet is vector: one per label size is enough
            assets.append(self.sheet_asset(message, profile, plan, fonts, qr_url))
        if profile.name == "waybill-65x30":  # one remark text for both resolutions
            remark, source = waybill_remark(message)
            assets.append(Asset(self.name, profile.name, "sticker/waybill-remark.txt",
                                "text/plain; charset=utf-8", (remark + "\n").encode("utf-8"),
                                facts=(Remark(remark, source),), text=remark))
        return assets


    def sheet_asset(self, message: Message, profile: StickerProfile, plan: Plan,
                    fonts: FontSet, qr_url: str | None) -> Asset:
        """The A4 sheet for office printers, labels at their real size."""
        sheet_pdf, count = sheet(plan, fonts, profile.width_mm, profile.height_mm, message.title)
        page_w, page_h = media_box_mm(sheet_pdf)
        return Asset(self.name, profile.name, f"sticker/{profile.name}-sheet.pdf",
                     "application/pdf", sheet_pdf, facts=(Sheet(count), PrintPage(A4_MM, 0.0)),
                     width_mm=round(page_w, 1), height_mm=round(page_h, 1), dpi=profile.dpi,
                     qr_url=qr_url, layout=tuple(plan.layout))


# -- checks that belong to thermal labels ----------------------------------------------------
@dataclass(frozen=True)
class OneBit:
    """The bitmap a thermal printer burns, and the dots it must have."""

    bitmap: Image.Image
    size: tuple[int, int]
    dpi: int
    dots_per_mm: int


@register("one_bit", OneBit)
def one_bit(fact: OneBit, asset: Asset) -> Check:
    bitmap = fact.bitmap
    ok = bitmap.mode == "1" and bitmap.size == fact.size
    return Check("one_bit", ok, f"1 位黑白位图 {bitmap.width}×{bitmap.height} 点"
                                f"（{fact.dpi} dpi，{fact.dots_per_mm} 点/毫米），无灰度")


def ink(bitmap: Image.Image) -> np.ndarray:
    """True where the printer burns a dot."""
    return np.asarray(bitmap.convert("L")) < 128


@register("edge_clear", OneBit)
def edge_clear(fact: OneBit, asset: Asset) -> Check:
    band = math.ceil(EDGE_CLEAR_MM * fact.dots_per_mm)
    dots = ink(fact.bitmap)
    edge = dots.copy()
    edge[band:-band, band:-band] = False
    count = int(edge.sum())
    return Check("edge_clear", count == 0, f"离边 {EDGE_CLEAR_MM:g} mm（{band} 点）内黑点 {count} 个"
                 f"（应为 0，卷标和模切偏差约 1 mm）")


@register("ink_coverage", OneBit)
def ink_coverage(fact: OneBit, asset: Asset) -> Check:
    share = float(ink(fact.bitmap).mean())
    return Check("ink_coverage", share <= MAX_INK, f"黑色覆盖率 {share:.1%}（上限 {MAX_INK:.0%}，"
                 "大面积实地黑磨损打印头）")


@dataclass(frozen=True)
class PrinterBitmap:
    """A label-language file (the asset's bytes) that must carry exactly this bitmap."""

    language: str
    """``zpl`` or ``tspl``."""
    bitmap: Image.Image


_READERS = {"zpl": (read_zpl, "^GFA（Z64 压缩）图形字段与 PNG 逐点一致", "ZPL 图形与 PNG 不一致"),
            "tspl": (read_tspl, "BITMAP 数据与 PNG 逐点一致", "TSPL 位图与 PNG 不一致")}


@register("<language>_bitmap", PrinterBitmap)
def printer_bitmap(fact: PrinterBitmap, asset: Asset) -> Check:
    read, same, different = _READERS[fact.language]
    decoded = read(asset.data)
    ok = same_bitmap(decoded, fact.bitmap)
    size = f"（{decoded.width}×{decoded.height} 点，PNG {fact.bitmap.width}×{fact.bitmap.height} 点）"
    return Check(f"{fact.language}_bitmap", ok, (same if ok else different) + size)


@dataclass(frozen=True)
class Sheet:
    """An A4 sheet (the asset's bytes) tiling ``count`` stickers at their real size."""

    count: int


@register("sheet", Sheet)
def a4_sheet(fact: Sheet, asset: Asset) -> Check:
    page_w, page_h = media_box_mm(asset.data)
    ok = fact.count >= 1 and round(page_w) == 210 and round(page_h) == 297
    return Check("sheet", ok, f"A4（{page_w:.0f}×{page_h:.0f} mm）每页 {fact.count} 枚，原尺寸，"
                             f"间距 {GUTTER_MM:g} mm，间距中线为裁切线，页边有裁切标记")


@dataclass(frozen=True)
class Remark:
    """The 面单备注 text and which candidate it came from."""

    text: str
    source: str


@register("remark_length", Remark)
def remark_length(fact: Remark, asset: Asset) -> Check:
    length = len(fact.text)
    if length <= WAYBILL_REMARK_LIMIT:
        return Check("remark_length", True,
                     f"{length} 字（上限 {WAYBILL_REMARK_LIMIT}），取自 {fact.source}")
    return Check("remark_length", False,
                 f"面单备注过长：最短的候选也有 {length} 字，上限 {WAYBILL_REMARK_LIMIT} 字，"
                 f"请在 variants.waybill 写一条不超过 {WAYBILL_REMARK_LIMIT} 字的备注")


STICKER = StickerChannel()

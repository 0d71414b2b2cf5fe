"""The ``poster`` channel: print posters (A4, A3, A2 with bleed and crop marks) and a phone poster.

The layout is the ``poster`` template; this module only knows the paper: trim size, bleed, print
resolution, and that print profiles get a vector PDF/X-4 (CMYK, fonts embedded, marks outside
the bleed) plus a screen-sized PNG preview of the trim, both drawn from the one plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from PIL import Image

from ..model.message import Message
from ..render.pdf import MM_PER_INCH, bleed_box_mm
from ..render.pdfx import SLUG_MM, PrintSheet
from ..render.vector import poster_pdf
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText
from .base import Asset
from .checks import PrintPage
from .templated import ImageProfile, TemplatedChannel, drawn_qr_url, png_bytes

PREVIEW_WIDTH = 1240
PRINT_DPI = 300
BLEED_MM = 3.0
SAFE = (0.05, 0.015, 0.95, 0.985)  # of the trim: about 10 mm in from the sides of an A4 sheet


@dataclass(frozen=True)
class PosterProfile(ImageProfile):
    """One poster size: a phone screen, or a sheet of paper with its bleed."""

    trim_mm: tuple[float, float] | None = None
    """Finished width and height of a print profile; None for screens."""


def _print(name: str, summary: str, width_mm: float, height_mm: float) -> PosterProfile:
    scale = PRINT_DPI / MM_PER_INCH
    return PosterProfile(name, summary, int((width_mm + 2 * BLEED_MM) * scale),
                         int((height_mm + 2 * BLEED_MM) * scale), "poster", dpi=PRINT_DPI,
                         safe=SAFE, bleed_mm=BLEED_MM, min_text_mm=3.0,
                         trim_mm=(width_mm, height_mm))


PROFILES: Mapping[str, PosterProfile] = {
    "a4": _print("a4", "A4 印刷海报（210×297 mm，出血 3 mm，300 dpi，PDF+PNG 预览）", 210, 297),
    "a3": _print("a3", "A3 印刷海报（297×420 mm，出血 3 mm，300 dpi，PDF+PNG 预览）", 297, 420),
    "a2": _print("a2", "A2 宣传栏海报（420×594 mm，出血 3 mm，300 dpi，PDF+PNG 预览）", 420, 594),
    "phone": PosterProfile("phone", "手机海报（1080×1920 PNG，朋友圈、工作群转发）", 1080, 1920,
                           "poster", safe=SAFE, min_text_px=20),
}


class PosterChannel(TemplatedChannel):
    """Posters for print and for phones."""

    name = "poster"
    title = "海报"
    profiles: Mapping[str, PosterProfile] = PROFILES

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        if profile.trim_mm is None:
            return super().render(message, profile_name, fonts)
        image, plan, facts = self.draw(message, profile, fonts)
        trim_w, trim_h = profile.trim_mm
        assert profile.dpi is not None
        pdf = poster_pdf(plan, fonts, PrintSheet(profile.trim_mm, BLEED_MM, SLUG_MM), profile.dpi,
                         message.title)
        page_w, page_h = bleed_box_mm(pdf)
        qr_url = drawn_qr_url(message, plan)
        page = PrintPage(profile.trim_mm, BLEED_MM)
        pdf_asset = Asset(self.name, profile.name, f"poster/{profile.name}.pdf",
                          "application/pdf", pdf,
                          facts=(*facts, page, self.picture(message, plan, image)),
                          width_px=image.width, height_px=image.height,
                          width_mm=round(page_w, 1), height_mm=round(page_h, 1), dpi=profile.dpi,
                          qr_url=qr_url, layout=tuple(plan.layout))
        trim = image.crop(plan.trim)
        preview = trim.resize((PREVIEW_WIDTH, round(trim.height * PREVIEW_WIDTH / trim.width)),
                              Image.Resampling.LANCZOS)
        preview_dpi = round(PREVIEW_WIDTH / (trim_w / MM_PER_INCH))
        preview_asset = Asset(self.name, profile.name, f"poster/{profile.name}.png", "image/png",
                              png_bytes(preview, preview_dpi),
                              facts=(*facts, self.picture(message, plan, preview)),
                              width_px=preview.width, height_px=preview.height,
                              width_mm=trim_w, height_mm=trim_h, dpi=preview_dpi, qr_url=qr_url,
                              layout=scaled(plan.layout, PREVIEW_WIDTH / trim.width))
        return [pdf_asset, preview_asset]


def scaled(layout: Sequence[LaidText], factor: float) -> tuple[LaidText, ...]:
    """The layout of a scaled copy: the same lines, at the sizes they have there."""
    return tuple(replace(laid, font_px=round(laid.font_px * factor))
                 if laid.font_px is not None else laid for laid in layout)


POSTER = PosterChannel()

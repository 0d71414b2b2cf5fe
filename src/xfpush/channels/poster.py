"""The ``poster`` channel: print posters (A4, A3 with bleed and crop marks) and a phone poster."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from ..errors import Problem, TextFitError
from ..model.message import Message
from ..render.pdf import MM_PER_INCH, PageGeometry, image_pdf, media_box_mm
from ..render.plan import Plan, draw_plan
from ..render.qr import decode_check
from ..typeset.fonts import FontSet
from .base import Asset, Check, qr_module_check, safe_area_check
from .poster_layout import PosterLayout

PREVIEW_WIDTH = 1240


@dataclass(frozen=True)
class PosterProfile:
    """One poster size."""

    name: str
    summary: str
    """One line for ``xfpush channels``."""
    width_mm: float | None = None
    """Trim width for print profiles; None for screen profiles."""
    height_mm: float | None = None
    """Trim height for print profiles."""
    bleed_mm: float = 0.0
    """Bleed on each side of the trim (print: 3 mm)."""
    dpi: int | None = None
    """Raster resolution of print output; None for screens."""
    width_px: int | None = None
    """Screen width for screen profiles."""
    height_px: int | None = None
    """Screen height for screen profiles."""
    min_text_mm: float = 0.0
    """Smallest text allowed on print, as cap height of a hanzi (em) in mm."""

    @property
    def is_print(self) -> bool:
        return self.width_mm is not None

    def canvas(self) -> tuple[tuple[int, int], int]:
        """(canvas pixels including bleed, bleed pixels)."""
        if self.width_mm is None or self.height_mm is None or self.dpi is None:
            assert self.width_px and self.height_px
            return (self.width_px, self.height_px), 0
        page_w, page_h = self.width_mm + 2 * self.bleed_mm, self.height_mm + 2 * self.bleed_mm
        scale = self.dpi / MM_PER_INCH
        return (int(page_w * scale), int(page_h * scale)), round(self.bleed_mm * scale)


PROFILES: Mapping[str, PosterProfile] = {
    "a4": PosterProfile("a4", "A4 印刷海报（210×297 mm，出血 3 mm，300 dpi，PDF+PNG 预览）",
                        210, 297, 3, 300, min_text_mm=3.0),
    "a3": PosterProfile("a3", "A3 印刷海报（297×420 mm，出血 3 mm，300 dpi，PDF+PNG 预览）",
                        297, 420, 3, 300, min_text_mm=3.0),
    "phone": PosterProfile("phone", "手机海报（1080×1920 PNG，朋友圈、工作群转发）",
                           width_px=1080, height_px=1920),
}


def _png(image: Image.Image, dpi: int | None) -> bytes:
    buffer = io.BytesIO()
    options = {"dpi": (dpi, dpi)} if dpi else {}
    # Level 1 gives files within 1% of level 6 on flat poster art, at half the encode time.
    image.save(buffer, "PNG", optimize=False, compress_level=1, **options)
    return buffer.getvalue()


class PosterChannel:
    """Posters for print and for phones."""

    name = "poster"
    title = "海报"
    profiles: Mapping[str, PosterProfile] = PROFILES

    def plan(self, message: Message, profile_name: str, fonts: FontSet) -> Plan:
        profile = self.profiles[profile_name]
        canvas, bleed = profile.canvas()
        return PosterLayout(message, fonts, canvas, bleed, profile.dpi, "").layout()

    def check(self, message: Message, profile: str, fonts: FontSet) -> list[Problem]:
        try:
            plan = self.plan(message, profile, fonts)
        except TextFitError as exc:
            return [Problem(self.name, profile, "text_fit", str(exc))]
        return [Problem(self.name, profile, c.name, c.detail)
                for c in self._plan_checks(plan, self.profiles[profile]) if not c.ok]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        plan = self.plan(message, profile_name, fonts)
        image = draw_plan(plan, fonts)
        checks = [*self._plan_checks(plan, profile)]
        if not profile.is_print:
            return [self._asset(profile, "png", "image/png", _png(image, None), image, checks,
                                message)]
        geometry = PageGeometry((profile.width_mm or 0) + 2 * profile.bleed_mm,
                                (profile.height_mm or 0) + 2 * profile.bleed_mm, profile.bleed_mm)
        pdf = image_pdf(image, geometry, title=message.title)
        page_w, page_h = media_box_mm(pdf)
        expected = (profile.width_mm or 0) + 2 * profile.bleed_mm, (
            profile.height_mm or 0) + 2 * profile.bleed_mm
        size_ok = abs(page_w - expected[0]) < 0.2 and abs(page_h - expected[1]) < 0.2
        pdf_checks = [*checks, Check("page_size", size_ok,
                                     f"页面 {page_w:.1f}×{page_h:.1f} mm（成品 {profile.width_mm:g}×"
                                     f"{profile.height_mm:g} mm + 出血 {profile.bleed_mm:g} mm）")]
        pdf_asset = self._asset(profile, "pdf", "application/pdf", pdf, image, pdf_checks, message,
                                mm=(page_w, page_h))
        trim = image.crop(plan.trim)
        preview = trim.resize((PREVIEW_WIDTH, round(trim.height * PREVIEW_WIDTH / trim.width)),
                              Image.Resampling.LANCZOS)
        preview_dpi = round(PREVIEW_WIDTH / ((profile.width_mm or 1) / MM_PER_INCH))
        preview_asset = self._asset(profile, "png", "image/png", _png(preview, preview_dpi),
                                    preview, checks, message, dpi=preview_dpi,
                                    mm=(profile.width_mm or 0, profile.height_mm or 0))
        return [pdf_asset, preview_asset]

    def _asset(self, profile: PosterProfile, ext: str, media_type: str, data: bytes,
               image: Image.Image, checks: list[Check], message: Message, *,
               dpi: int | None = None, mm: tuple[float, float] | None = None) -> Asset:
        if message.qr:
            ok, detail = decode_check(image, message.qr.url)
            checks = [*checks, Check("qr_decodes", ok, detail)]
        return Asset(self.name, profile.name, f"poster/{profile.name}.{ext}", media_type, data,
                     tuple(checks), width_px=image.width, height_px=image.height,
                     width_mm=round(mm[0], 1) if mm else None,
                     height_mm=round(mm[1], 1) if mm else None, dpi=dpi or profile.dpi,
                     qr_url=message.qr.url if message.qr else None)

    def _plan_checks(self, plan: Plan, profile: PosterProfile) -> list[Check]:
        checks = [Check("text_fit", True, f"全部文字已排入版面，最小字号 {plan.min_text_px}px")]
        if profile.is_print and profile.dpi:
            smallest_mm = plan.min_text_px * MM_PER_INCH / profile.dpi
            checks.append(Check("min_text_size", smallest_mm >= profile.min_text_mm,
                                f"最小文字 {smallest_mm:.1f} mm，下限 {profile.min_text_mm:g} mm"))
        if plan.tips_total:
            checks.append(Check("tips_shown", plan.tips_shown >= 1,
                                f"显示 {plan.tips_shown}/{plan.tips_total} 条提示（按优先级）"))
        checks.append(safe_area_check(plan))
        return checks + qr_module_check(plan, profile.dpi)



POSTER = PosterChannel()

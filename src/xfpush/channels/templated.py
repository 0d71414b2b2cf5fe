"""Image channels whose layout is a template: shared profile fields, planning, checks, PNG output."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from ..errors import Problem, TextFitError
from ..model.message import Message
from ..render.layout import TemplateLayout
from ..render.pdf import MM_PER_INCH
from ..render.plan import Box, Plan, draw_plan, overlaps
from ..render.qr import decode_check
from ..render.templates import load_template
from ..typeset.fonts import FontSet
from .base import Asset, Check, qr_module_check, safe_area_check


@dataclass(frozen=True)
class ImageProfile:
    """A raster medium: its pixel size and the parts of it that content must respect."""

    name: str
    summary: str
    """One line for ``xfpush channels``."""
    width_px: int
    height_px: int
    template: str
    """Layout template under assets/layouts/ (one per aspect ratio)."""
    dpi: int | None = None
    """Print resolution; None for screens."""
    safe: Box = (0.04, 0.04, 0.96, 0.96)
    """Where text and codes must stay, in fractions of the canvas."""
    reserved: tuple[tuple[str, Box], ...] = ()
    """Zones the platform draws over (skip button, app logo), kept free of content."""
    min_text_px: int = 12
    """Smallest text allowed on this medium (screens and labels)."""
    min_text_mm: float | None = None
    """Smallest text allowed on paper, as the em of a hanzi in mm (print at ``dpi``)."""
    bleed_mm: float = 0.0
    """Print bleed on each side; the canvas is the trim plus this, ``safe`` is of the trim."""

    @property
    def bleed_px(self) -> int:
        return round(self.bleed_mm * self.dpi / MM_PER_INCH) if self.dpi else 0


def png_bytes(image: Image.Image, dpi: int | None = None) -> bytes:
    buffer = io.BytesIO()
    options = {"dpi": (dpi, dpi)} if dpi else {}
    image.save(buffer, "PNG", compress_level=1, **options)
    return buffer.getvalue()


def px(box: Box, size: tuple[int, int]) -> Box:
    return (box[0] * size[0], box[1] * size[1], box[2] * size[0], box[3] * size[1])


class TemplatedChannel:
    """Base of the template-driven image channels; subclasses add outputs and checks."""

    name = ""
    title = ""
    profiles: Mapping[str, ImageProfile] = {}
    antialias = True
    """False for 1-bit media: glyphs are rendered as hard dots, not grey edges."""

    def layout(self, message: Message, profile: ImageProfile, fonts: FontSet) -> TemplateLayout:
        return TemplateLayout(message, fonts, load_template(profile.template),
                              (profile.width_px, profile.height_px), dpi=profile.dpi,
                              safe=profile.safe, bleed=profile.bleed_px)

    def plan(self, message: Message, profile_name: str, fonts: FontSet) -> Plan:
        profile = self.profiles[profile_name]
        return self.layout(message, profile, fonts).layout()

    def check(self, message: Message, profile: str, fonts: FontSet) -> list[Problem]:
        chosen = self.profiles.get(profile)
        if not isinstance(chosen, ImageProfile):
            return self.check_other(message, profile, fonts)
        try:
            plan = self.plan(message, profile, fonts)
        except TextFitError as exc:
            return [Problem(self.name, profile, "text_fit", str(exc))]
        return [Problem(self.name, profile, c.name, c.detail)
                for c in self.plan_checks(plan, chosen) if not c.ok]

    def check_other(self, message: Message, profile: str, fonts: FontSet) -> list[Problem]:
        """Checks of non-image profiles (text assets); none by default."""
        assets = self.render(message, profile, fonts)
        return [problem for asset in assets for problem in asset.problems()]

    def plan_checks(self, plan: Plan, profile: ImageProfile) -> list[Check]:
        checks = [Check("text_fit", True, "全部文字已排入版面" + _used(plan))]
        if profile.min_text_mm is not None and profile.dpi:
            smallest_mm = plan.min_text_px * MM_PER_INCH / profile.dpi
            checks.append(Check("min_text_size", smallest_mm >= profile.min_text_mm,
                                f"最小文字 {smallest_mm:.1f} mm，下限 {profile.min_text_mm:g} mm"))
        else:
            checks.append(Check("min_text_size", plan.min_text_px >= profile.min_text_px,
                                f"最小字号 {plan.min_text_px}px，下限 {profile.min_text_px}px"))
        if plan.tips_total:
            checks.append(Check("tips_shown", plan.tips_shown >= 1,
                                f"显示 {plan.tips_shown}/{plan.tips_total} 条提示（按优先级）"))
        checks.append(safe_area_check(plan))
        size = plan.canvas
        for zone_name, zone in profile.reserved:
            hits = [label for label, box in plan.content_boxes() if overlaps(box, px(zone, size))]
            checks.append(Check(f"reserved_{zone_name}", not hits,
                                f"{zone_name} 区域被占用：{hits[0]}" if hits
                                else f"{zone_name} 区域留空"))
        return checks + qr_module_check(plan, profile.dpi)

    def finish(self, image: Image.Image, profile: ImageProfile) -> tuple[Image.Image, list[Check]]:
        """Channel-specific treatment of the drawn image (legal range, 1-bit …)."""
        return image, []

    def render_image(self, message: Message, profile: ImageProfile, fonts: FontSet
                     ) -> tuple[Image.Image, list[Check], Plan]:
        plan = self.plan(message, profile.name, fonts)
        image, extra = self.finish(draw_plan(plan, fonts, self.antialias), profile)
        checks = [*self.plan_checks(plan, profile), *extra]
        checks += self.pixel_checks(image, profile)
        return image, checks, plan

    def qr_checks(self, message: Message, plan: Plan, image: Image.Image) -> list[Check]:
        """The QR read back from the finished pixels (none without a QR)."""
        if message.qr is None or plan.qr is None:
            return []
        return [Check("qr_decodes", *decode_check(image, message.qr.url))]

    def pixel_checks(self, image: Image.Image, profile: ImageProfile) -> list[Check]:
        """Reserved zones must be one flat colour in the finished pixels."""
        checks = []
        for zone_name, zone in profile.reserved:
            box = tuple(round(v) for v in px(zone, image.size))
            region = image.crop(box)  # type: ignore[arg-type]
            flat = all(low == high for low, high in _extrema(region))
            checks.append(Check(f"reserved_{zone_name}_pixels", flat,
                                f"{zone_name} 区域像素{'纯色' if flat else '有内容'}"))
        return checks

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        image, checks, plan = self.render_image(message, profile, fonts)
        checks += self.qr_checks(message, plan, image)
        return [self.png_asset(message, profile, image, checks)]

    def png_asset(self, message: Message, profile: ImageProfile, image: Image.Image,
                  checks: list[Check], mm: tuple[float, float] | None = None) -> Asset:
        width_mm, height_mm = mm or (_mm(image.width, profile.dpi), _mm(image.height, profile.dpi))
        return Asset(self.name, profile.name, f"{self.name}/{profile.name}.png",
                     "image/png", png_bytes(image, profile.dpi), tuple(checks),
                     width_px=image.width, height_px=image.height, dpi=profile.dpi,
                     width_mm=width_mm, height_mm=height_mm,
                     qr_url=message.qr.url if message.qr else None)


def _mm(pixels: int, dpi: int | None) -> float | None:
    return round(pixels * 25.4 / dpi, 1) if dpi else None


def _used(plan: Plan) -> str:
    if not plan.used_fields:
        return ""
    return "；所用文字：" + "、".join(f"{slot}={name}" for slot, name in plan.used_fields.items())


def _extrema(image: Image.Image) -> list[tuple[int, int]]:
    values = image.getextrema()
    if isinstance(values[0], tuple):
        return list(values)
    return [values]  # type: ignore[list-item]

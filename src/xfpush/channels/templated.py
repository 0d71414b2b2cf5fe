"""Image channels whose layout is a template: shared profile fields, planning, PNG output."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from PIL import Image

from ..model.message import Message
from ..render.layout import TemplateLayout
from ..render.pdf import MM_PER_INCH
from ..render.plan import Box, Plan, draw_plan
from ..render.templates import load_template
from ..typeset.fonts import FontSet
from .base import Asset
from .checks import Layout, Picture

AUDIENCE_TEXT_SCALE = {"elderly": 1.25}
"""Audiences that need larger text: every medium's smallest size is raised by this factor."""
AUDIENCE_NAMES = {"elderly": "老年人"}


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
    """Where text and codes must stay, in fractions of the page (the trim)."""
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

    def for_audience(self, audience: str) -> ImageProfile:
        """The profile with its smallest text raised for an audience that needs larger text."""
        scale = AUDIENCE_TEXT_SCALE.get(audience, 1.0)
        if scale == 1.0:
            return self
        return replace(self, min_text_px=math.ceil(self.min_text_px * scale),
                       min_text_mm=None if self.min_text_mm is None else
                       round(self.min_text_mm * scale, 2))

    @property
    def text_floor_px(self) -> int:
        """The smallest text in pixels: from ``min_text_px`` and, on paper, ``min_text_mm``."""
        if self.min_text_mm is not None and self.dpi:
            return max(self.min_text_px, math.ceil(self.min_text_mm * self.dpi / MM_PER_INCH))
        return self.min_text_px


def png_bytes(image: Image.Image, dpi: int | None = None) -> bytes:
    buffer = io.BytesIO()
    options = {"dpi": (dpi, dpi)} if dpi else {}
    image.save(buffer, "PNG", compress_level=1, **options)
    return buffer.getvalue()


class TemplatedChannel:
    """Base of the template-driven image channels; subclasses add outputs and facts."""

    name = ""
    title = ""
    profiles: Mapping[str, ImageProfile] = {}
    antialias = True
    """False for 1-bit media: glyphs are rendered as hard dots, not grey edges."""

    def layout(self, message: Message, profile: ImageProfile, fonts: FontSet) -> TemplateLayout:
        return TemplateLayout(message, fonts, load_template(profile.template),
                              (profile.width_px, profile.height_px), dpi=profile.dpi,
                              safe=profile.safe, bleed=profile.bleed_px,
                              min_text_px=profile.for_audience(message.audience).text_floor_px)

    def plan(self, message: Message, profile_name: str, fonts: FontSet) -> Plan:
        profile = self.profiles[profile_name]
        return self.layout(message, profile, fonts).layout()

    def describe(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        if not isinstance(profile, ImageProfile):
            return self.render(message, profile_name, fonts)  # text profiles: cheap to make
        plan = self.plan(message, profile_name, fonts)
        return [Asset(self.name, profile.name, f"{self.name}/{profile.name}.png", "image/png",
                      b"", facts=self.layout_facts(plan, profile, message.audience),
                      layout=tuple(plan.layout))]

    def layout_facts(self, plan: Plan, profile: ImageProfile,
                     audience: str = "general") -> tuple[object, ...]:
        """What checks read of the layout: the plan and the medium's limits (for the audience)."""
        limits = profile.for_audience(audience)
        note = f"（{AUDIENCE_NAMES.get(audience, audience)}，{profile.min_text_px}px" \
               f"×{AUDIENCE_TEXT_SCALE[audience]:g}）" if limits is not profile else ""
        return (Layout(plan, profile.dpi, limits.min_text_px, limits.min_text_mm,
                       profile.reserved, note),)

    def finish(self, image: Image.Image, profile: ImageProfile
               ) -> tuple[Image.Image, tuple[object, ...]]:
        """Channel-specific treatment of the drawn image (legal range, 1-bit …) and its facts."""
        return image, ()

    def draw(self, message: Message, profile: ImageProfile, fonts: FontSet
             ) -> tuple[Image.Image, Plan, tuple[object, ...]]:
        """The finished image, its plan, and the facts known about it before its pixels."""
        plan = self.plan(message, profile.name, fonts)
        image, treated = self.finish(draw_plan(plan, fonts, self.antialias), profile)
        return image, plan, (*self.layout_facts(plan, profile, message.audience), *treated)

    def picture(self, message: Message, plan: Plan, image: Image.Image,
                reserved: tuple[tuple[str, Box], ...] = ()) -> Picture:
        """The pixels as checks read them: the QR they must decode to, zones to keep flat."""
        return Picture(image, drawn_qr_url(message, plan), reserved)

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        image, plan, facts = self.draw(message, profile, fonts)
        pixels = self.picture(message, plan, image, profile.reserved)
        return [self.png_asset(message, profile, image, (*facts, pixels), plan)]

    def png_asset(self, message: Message, profile: ImageProfile, image: Image.Image,
                  facts: tuple[object, ...], plan: Plan,
                  mm: tuple[float, float] | None = None) -> Asset:
        width_mm, height_mm = mm or (_mm(image.width, profile.dpi), _mm(image.height, profile.dpi))
        return Asset(self.name, profile.name, f"{self.name}/{profile.name}.png",
                     "image/png", png_bytes(image, profile.dpi), facts=facts,
                     width_px=image.width, height_px=image.height, dpi=profile.dpi,
                     width_mm=width_mm, height_mm=height_mm,
                     qr_url=drawn_qr_url(message, plan), layout=tuple(plan.layout))


def drawn_qr_url(message: Message, plan: Plan) -> str | None:
    """The manifest's ``qr_url``: the link only where the plan draws its QR code (a cover
    without one must not promise a scannable link)."""
    return message.qr.url if message.qr and plan.qr else None


def _mm(pixels: int, dpi: int | None) -> float | None:
    return round(pixels * 25.4 / dpi, 1) if dpi else None

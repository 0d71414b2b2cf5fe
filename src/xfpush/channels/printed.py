"""Large print formats (banner, roll-up, leaflet, board): what they share.

A print profile is a finished size in mm, a bleed, the margins its mounting takes (a banner's
hem and eyelets, a roll-up's stand, a board's frame), the distance it is read and scanned from,
and one layout template per page. Each page is laid out by the one layout engine at the
profile's plan resolution (large formats need no 300 dpi grid: the PDF is vector, the plan only
places things) and written as vector PDF/X-4 pages, with a PNG preview of the trim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from ..model.message import Message
from ..render.layout import TemplateLayout
from ..render.pdf import MM_PER_INCH, bleed_box_mm
from ..render.pdfx import SLUG_MM, PrintSheet
from ..render.plan import Box, Plan, draw_plan
from ..render.templates import load_template
from ..render.vector import centred, print_pages
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import Layout, Picture, PrintPage, icons_of, register
from .poster import scaled
from .templated import AUDIENCE_NAMES, ImageProfile, TemplatedChannel, png_bytes

QR_DISTANCE_RATIO = 250
"""Scan distance ÷ smallest QR module: the "one tenth of the distance" rule for a code's side,
taken for a 25-module symbol, so a denser code comes out larger."""
PAGE_GAP_PX = 24
"""Space between the pages of a multi-page preview."""


@dataclass(frozen=True)
class PrintProfile(ImageProfile):
    """A large print format: finished size, mounting margins, viewing and scanning distance."""

    trim_mm: tuple[float, float] = (210.0, 297.0)
    """Finished width and height."""
    pages: tuple[str, ...] = ()
    """Templates of the pages after the first (the first is ``template``)."""
    scan_m: float = 0.3
    """Distance people scan the QR from; its smallest module is this ÷ ``QR_DISTANCE_RATIO``."""
    read_note: str = ""
    """Why the smallest text is what it is (e.g. 10 米外可读), shown in the check."""
    preview_px: int = 1240
    """Width of each page in the PNG preview."""
    material: str = ""
    """What print shops usually print it on (for the 印刷说明 sheet)."""
    folds_mm: tuple[tuple[float, ...], ...] = ()
    """Fold lines of each page, mm from the left of its trim (marked in the slug)."""

    @property
    def templates(self) -> tuple[str, ...]:
        return (self.template, *self.pages)

    @property
    def qr_module_px(self) -> int:
        assert self.dpi is not None
        return math.ceil(self.scan_m * 1000 / QR_DISTANCE_RATIO * self.dpi / MM_PER_INCH)


def print_profile(name: str, summary: str, template: str, trim_mm: tuple[float, float], *,
                  dpi: float, bleed_mm: float, margins_mm: tuple[float, float, float, float],
                  min_text_mm: float, scan_m: float, **more: object) -> PrintProfile:
    """A profile from paper facts: ``margins_mm`` (top, right, bottom, left) inside the trim
    keep content off hems, stands and frames."""
    width, height = trim_mm
    top, right, bottom, left = margins_mm
    safe: Box = (left / width, top / height, 1 - right / width, 1 - bottom / height)
    scale = dpi / MM_PER_INCH
    return PrintProfile(name, summary, round((width + 2 * bleed_mm) * scale),
                        round((height + 2 * bleed_mm) * scale), template, dpi=int(dpi),
                        safe=safe, bleed_mm=bleed_mm, min_text_px=1, min_text_mm=min_text_mm,
                        trim_mm=trim_mm, scan_m=scan_m, **more)  # type: ignore[arg-type]


class PrintedChannel(TemplatedChannel):
    """A channel of print profiles: vector PDF/X-4 pages and a PNG preview."""

    profiles: Mapping[str, PrintProfile] = {}

    def page_layout(self, message: Message, profile: PrintProfile, fonts: FontSet,
                    template: str) -> TemplateLayout:
        return TemplateLayout(message, fonts, load_template(template),
                              (profile.width_px, profile.height_px), dpi=profile.dpi,
                              safe=profile.safe, bleed=profile.bleed_px,
                              min_qr_module=profile.qr_module_px,
                              min_text_px=profile.for_audience(message.audience).text_floor_px)

    def plans(self, message: Message, profile: PrintProfile, fonts: FontSet) -> list[Plan]:
        """One plan per page."""
        return [self.page_layout(message, profile, fonts, template).layout()
                for template in profile.templates]

    def plan(self, message: Message, profile_name: str, fonts: FontSet) -> Plan:
        return self.plans(message, self.profiles[profile_name], fonts)[0]

    def layout_facts(self, plan: Plan, profile: ImageProfile,
                     audience: str = "general") -> tuple[object, ...]:
        limits = profile.for_audience(audience)
        note = getattr(profile, "read_note", "")
        if limits is not profile:
            note += f"，{AUDIENCE_NAMES.get(audience, audience)}放大"
        return (Layout(plan, profile.dpi, limits.min_text_px, limits.min_text_mm,
                       profile.reserved, f"（{note}）" if note else ""),)

    def page_facts(self, message: Message, profile: PrintProfile,
                   plans: Sequence[Plan]) -> tuple[object, ...]:
        """What checks read of all the pages together (channels add their own)."""
        return ()

    def describe(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        plans = self.plans(message, profile, fonts)
        facts = [fact for plan in plans
                 for fact in self.layout_facts(plan, profile, message.audience)]
        return [Asset(self.name, profile.name, f"{self.name}/{profile.name}.pdf",
                      "application/pdf", b"", facts=(*facts, *self.page_facts(
                          message, profile, plans)),
                      layout=tuple(t for plan in plans for t in plan.layout))]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        assert profile.dpi is not None
        plans = self.plans(message, profile, fonts)
        images = [draw_plan(plan, fonts) for plan in plans]
        sheet = PrintSheet(profile.trim_mm, profile.bleed_mm, SLUG_MM)
        pdf = print_pages(sheet, [[centred(plan, sheet, profile.dpi)] for plan in plans], fonts,
                          message.title, page_cuts=[fold_marks(profile, folds)
                                                    for folds in profile.folds_mm])
        layout = tuple(t for plan in plans for t in plan.layout)
        facts = [fact for plan in plans
                 for fact in self.layout_facts(plan, profile, message.audience)]
        pixels = [self.picture(message, plan, image, profile.reserved)
                  for plan, image in zip(plans, images, strict=True)]
        qr_url = message.qr.url if message.qr else None
        page_w, page_h = bleed_box_mm(pdf)
        pdf_asset = Asset(self.name, profile.name, f"{self.name}/{profile.name}.pdf",
                          "application/pdf", pdf, facts=(
                              *facts, *self.page_facts(message, profile, plans),
                              PrintPage(profile.trim_mm, profile.bleed_mm), *pixels),
                          width_px=images[0].width, height_px=images[0].height,
                          width_mm=round(page_w, 1), height_mm=round(page_h, 1),
                          dpi=profile.dpi, qr_url=qr_url, layout=layout)
        preview, factor = self.preview(profile, plans, images)
        preview_dpi = round(profile.preview_px / (profile.trim_mm[0] / MM_PER_INCH))
        reserved = tuple((zone, trim_fraction(box, profile)) for zone, box in profile.reserved)
        preview_asset = Asset(self.name, profile.name, f"{self.name}/{profile.name}.png",
                              "image/png", png_bytes(preview, preview_dpi), facts=(
                                  Picture(preview, qr_url if any(p.qr for p in plans) else None,
                                           reserved if len(plans) == 1 else ()),),
                              width_px=preview.width, height_px=preview.height,
                              width_mm=profile.trim_mm[0], height_mm=profile.trim_mm[1],
                              dpi=preview_dpi, qr_url=qr_url, layout=scaled(layout, factor),
                              **icons_of(plans))
        return [pdf_asset, preview_asset]

    def preview(self, profile: PrintProfile, plans: Sequence[Plan],
                images: Sequence[Image.Image]) -> tuple[Image.Image, float]:
        """The trims shrunk to ``preview_px`` wide, pages one under the other; the scale."""
        trims = [image.crop(plan.trim) for plan, image in zip(plans, images, strict=True)]
        factor = profile.preview_px / trims[0].width
        shrunk = [trim.resize((profile.preview_px, round(trim.height * factor)),
                              Image.Resampling.LANCZOS) for trim in trims]
        height = sum(page.height for page in shrunk) + PAGE_GAP_PX * (len(shrunk) - 1)
        sheet = Image.new("RGB", (profile.preview_px, height), "#9A9A9A")
        top = 0
        for page in shrunk:
            sheet.paste(page, (0, top))
            top += page.height + PAGE_GAP_PX
        return sheet, factor


def trim_fraction(box: Box, profile: PrintProfile) -> Box:
    """A zone given in fractions of the canvas (bleed included) in fractions of the trim."""
    bleed_x = profile.bleed_px / profile.width_px
    bleed_y = profile.bleed_px / profile.height_px
    span_x, span_y = 1 - 2 * bleed_x, 1 - 2 * bleed_y

    def clamp(value: float) -> float:
        return min(1.0, max(0.0, value))

    return (clamp((box[0] - bleed_x) / span_x), clamp((box[1] - bleed_y) / span_y),
            clamp((box[2] - bleed_x) / span_x), clamp((box[3] - bleed_y) / span_y))


def fold_marks(profile: PrintProfile, folds: Sequence[float]
               ) -> list[tuple[float, float, float, float]]:
    """Short fold lines in the slug, above and below the sheet, on each fold (mm, page)."""
    start, bleed = SLUG_MM + profile.bleed_mm, profile.bleed_mm
    height = profile.trim_mm[1] + 2 * (SLUG_MM + bleed)
    marks = []
    for fold in folds:
        x = start + fold
        marks += [(x, 1.0, x, SLUG_MM - 1.0), (x, height - SLUG_MM + 1.0, x, height - 1.0)]
    return marks


@dataclass(frozen=True)
class Coverage:
    """Fields every page of a print piece together must show (a leaflet: body and all tips)."""

    required: tuple[str, ...]
    shown: tuple[str, ...]


@register("content_complete", Coverage)
def content_complete(fact: Coverage, asset: Asset) -> Check:
    missing = [name for name in fact.required if name not in fact.shown]
    if missing:
        return Check("content_complete", False,
                     f"版面放不下全部内容，缺少 {'、'.join(missing)}；请缩短正文或提示")
    tips = sum(1 for name in fact.required if name.startswith("tips["))
    body = "正文和" if "body" in fact.required else ""
    return Check("content_complete", True, f"{body}全部 {tips} 条提示都已排入")


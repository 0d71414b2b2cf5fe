"""A drawing plan (what goes where, in pixels) and the one function that draws it.

Layouts produce a Plan without touching pixels, so ``xfpush check`` can run them alone;
``draw_plan`` turns any Plan into an image the same way for every image channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from ..model.images import open_image
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText
from .icons import paste_icon
from .qr import QrMatrix
from .qr import render as render_qr
from .raster import TextBlock, draw_block

Box = tuple[float, float, float, float]


@dataclass
class Plan:
    """Everything a renderer draws, in canvas pixels, plus what the checks need."""

    canvas: tuple[int, int]
    trim: tuple[int, int, int, int]
    """The finished area (the canvas less any bleed)."""
    safe: Box
    """Where text and codes must stay."""
    background: str = "#FFFFFF"
    rects: list[tuple[Box, str, float]] = field(default_factory=list)
    circles: list[tuple[float, float, float, str]] = field(default_factory=list)
    texts: list[TextBlock] = field(default_factory=list)
    qr: tuple[QrMatrix, int, int, int] | None = None
    """(matrix, module pixels, left, top) of the QR code, quiet zone included."""
    images: list[tuple[Path, Box]] = field(default_factory=list)
    """User images (logo, evacuation map), each fitted inside its box."""
    icons: list[tuple[str, Box, str, str]] = field(default_factory=list)
    """Pictograms: (name, square box, colour of a plain pictogram, colour behind it)."""
    icons_from: str = ""
    """Where the icons came from: ``message`` (named in it) or ``topic`` (picked)."""
    tips_shown: int = 0
    tips_total: int = 0
    used_fields: dict[str, str] = field(default_factory=dict)
    """Which message field each text slot ended up using (variants and fallbacks)."""
    layout: list[LaidText] = field(default_factory=list)
    """Every text as set, field by field, in drawing order (the manifest's ``layout``)."""
    omitted: list[str] = field(default_factory=list)
    """Fields the fit ladder left out to make room (``body``, ``tips[5]`` …)."""
    list_px: list[int] = field(default_factory=list)
    """The size each list (tips, reminders) was set at."""
    strained: bool = False
    """A list had to shrink well below its largest size."""

    @property
    def min_text_px(self) -> int:
        return min((block.size for block in self.texts), default=0)

    @property
    def smallest_field(self) -> str:
        """The field set at the smallest size ('' when no text was set)."""
        laid = [text for text in self.layout if text.font_px is not None]
        return min(laid, key=lambda text: text.font_px or 0).field if laid else ""

    def content_boxes(self) -> list[tuple[str, Box]]:
        """(label, box) of everything that carries information: text, QR, images."""
        boxes = [(block.lines[0] if block.lines else "", block.box()) for block in self.texts]
        if self.qr:
            matrix, module, x, y = self.qr
            side = matrix.side_px(module)
            boxes.append(("二维码", (x, y, x + side, y + side)))
        boxes += [(path.name, box) for path, box in self.images]
        boxes += [(f"图标 {name}", box) for name, box, _, _ in self.icons]
        return boxes


@lru_cache(maxsize=16)
def _user_image(path: Path, mtime: float) -> Image.Image:
    del mtime  # part of the cache key only
    return open_image(path)


def fitted_image(path: Path, box: Box) -> tuple[Image.Image, tuple[int, int]]:
    """The image scaled to fit ``box`` (keeping its shape) and its top-left corner."""
    source = _user_image(path, path.stat().st_mtime)
    width, height = box[2] - box[0], box[3] - box[1]
    scale = min(width / source.width, height / source.height)
    size = (max(1, round(source.width * scale)), max(1, round(source.height * scale)))
    scaled = source.resize(size, Image.Resampling.LANCZOS)
    left = round(box[0] + (width - size[0]) / 2)
    top = round(box[1] + (height - size[1]) / 2)
    return scaled, (left, top)


def draw_plan(plan: Plan, fonts: FontSet, antialias: bool = True) -> Image.Image:
    """Draw a plan onto a new RGB image; without antialiasing for 1-bit media."""
    image = Image.new("RGB", plan.canvas, plan.background)
    draw = ImageDraw.Draw(image)
    if not antialias:
        draw.fontmode = "1"
    for box, colour, radius in plan.rects:
        if radius:
            draw.rounded_rectangle(box, radius=radius, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    for cx, cy, radius, colour in plan.circles:
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
    for path, box in plan.images:
        picture, corner = fitted_image(path, box)
        image.paste(picture, corner, picture)
    for name, box, fg, bg in plan.icons:
        paste_icon(image, name, box, fg, bg)
    for block in plan.texts:
        draw_block(draw, block, fonts)
    if plan.qr:
        matrix, module, x, y = plan.qr
        image.paste(render_qr(matrix, module).convert("RGB"), (x, y))
    return image


def outside(box: Box, area: Box, tolerance: float = 1.0) -> bool:
    return (box[0] < area[0] - tolerance or box[1] < area[1] - tolerance
            or box[2] > area[2] + tolerance or box[3] > area[3] + tolerance)


def overlaps(box: Box, zone: Box) -> bool:
    return box[0] < zone[2] and zone[0] < box[2] and box[1] < zone[3] and zone[1] < box[3]

"""The vector print backend: the drawing plan Pillow rasterises, written as a PDF/X-4 page.

Same plan, same positions: text is text in the bundled fonts (embedded as subsets; the CFF
``.otf`` files have TrueType twins made by ``scripts/otf_to_ttf.py`` because reportlab embeds
TrueType), placed line by line where ``raster.line_origins`` puts it for Pillow; rectangles,
circles and the QR modules are paths; user images keep their own pixels. Every colour is CMYK
(``render.cmyk``): solid black (text, QR, rules) is black ink alone and overprints. A fallback
font that cannot be embedded (CFF, or licensed not to embed) is drawn as glyph outlines.

reportlab (BSD) writes the page with ``invariant=1``; ``render.pdfx`` adds the PDF/X parts.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont as FontToolsFont
from PIL import Image
from reportlab import rl_config
from reportlab.lib.colors import CMYKColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from ..model.images import open_image
from ..typeset.fonts import FontFace, FontSet, bundled_fonts
from .cmyk import PAPER, Cmyk, cmyk, cmyk_image, is_solid_black
from .icons import pdf_icon
from .pdf import PT_PER_MM
from .pdfx import OVERPRINT, PrintSheet, cut_line, draw_marks, finish
from .plan import Box, Plan
from .raster import TextBlock, line_origins

_INVISIBLE = frozenset("\n\t\u200b")
EDGE_SNAP_PX = 1.0
"""A shape this close to the canvas edge runs on to the edge of the bleed (or tile)."""


_REPORTLAB = threading.Lock()


@dataclass(frozen=True)
class Placement:
    """Where a plan's canvas goes on the page."""

    plan: Plan
    left_mm: float
    """Position of the canvas's top-left corner, from the top-left of the page (MediaBox)."""
    top_mm: float
    mm_per_px: float
    extent: Box | None = None
    """The area (canvas pixels) the background and edge-touching shapes fill: the bleed box
    for a poster; None for the canvas itself."""


def print_pdf(sheet: PrintSheet, placements: Sequence[Placement], fonts: FontSet, title: str,
              *, cuts: Sequence[tuple[float, float, float, float]] = (),
              date: tuple[int, int, int] | None = None) -> bytes:
    """One PDF/X-4 page: the plans placed, marks in the slug, ``cuts`` (mm lines) as cut marks.

    A plan placed several times (a sheet of labels) is drawn once as a form and reused.
    One page at a time per process: reportlab keeps font subsets and its settings in shared
    objects, so two threads writing at once would change each other's bytes.
    """
    return print_pages(sheet, [placements], fonts, title, cuts=cuts, date=date)


def print_pages(sheet: PrintSheet, pages: Sequence[Sequence[Placement]], fonts: FontSet,
                title: str, *, cuts: Sequence[tuple[float, float, float, float]] = (),
                page_cuts: Sequence[Sequence[tuple[float, float, float, float]]] = (),
                date: tuple[int, int, int] | None = None) -> bytes:
    """PDF/X-4 pages of one sheet size (a leaflet's front and back), each with its marks:
    ``cuts`` on every page, ``page_cuts[i]`` on page i only (a folded leaflet's folds)."""
    with _REPORTLAB:
        return _print_pdf(sheet, pages, fonts, title, cuts, page_cuts, date)


def _print_pdf(sheet: PrintSheet, pages: Sequence[Sequence[Placement]], fonts: FontSet,
               title: str, cuts: Sequence[tuple[float, float, float, float]],
               page_cuts: Sequence[Sequence[tuple[float, float, float, float]]],
               date: tuple[int, int, int] | None) -> bytes:
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, sheet)
    height_mm = sheet.media_pt[1] / PT_PER_MM
    forms: dict[int, str] = {}
    for index, placements in enumerate(pages):
        canvas.saveState()
        if sheet.user_unit != 1:  # beyond 5.08 m a user unit is several points (``UserUnit``)
            canvas.scale(1 / sheet.user_unit, 1 / sheet.user_unit)
        for placement in placements:
            plan = placement.plan
            if id(plan) not in forms:
                forms[id(plan)] = f"plan{len(forms)}"
                canvas.beginForm(forms[id(plan)], 0, -plan.canvas[1], plan.canvas[0], 0)
                canvas.transform(1, 0, 0, -1, 0, 0)
                draw_plan(canvas, plan, fonts, placement.extent)
                canvas.endForm()
            scale = placement.mm_per_px * PT_PER_MM
            canvas.saveState()
            canvas.transform(scale, 0, 0, scale, placement.left_mm * PT_PER_MM,
                             (height_mm - placement.top_mm) * PT_PER_MM)
            canvas.doForm(forms[id(plan)])
            canvas.restoreState()
        draw_marks(canvas, sheet)
        for x0, y0, x1, y1 in (*cuts, *(page_cuts[index] if index < len(page_cuts) else ())):
            cut_line(canvas, (x0 * PT_PER_MM, (height_mm - y0) * PT_PER_MM),
                     (x1 * PT_PER_MM, (height_mm - y1) * PT_PER_MM))
        canvas.restoreState()
        canvas.showPage()
    with _binary_streams():
        canvas.save()
    return finish(buffer.getvalue(), sheet, title, date)


def poster_pdf(plan: Plan, fonts: FontSet, sheet: PrintSheet, dpi: int, title: str,
               date: tuple[int, int, int] | None = None) -> bytes:
    """A print page of one plan at ``dpi``, its trim centred on the sheet's trim box."""
    return print_pdf(sheet, [centred(plan, sheet, dpi)], fonts, title, date=date)


def centred(plan: Plan, sheet: PrintSheet, dpi: float) -> Placement:
    """A plan drawn at ``dpi`` with its trim centred on the sheet's trim box.

    Rounding the canvas to whole pixels leaves it a fraction of a pixel off the paper size;
    centring spreads that evenly, and the background and full-bleed bands run to the bleed box.
    """
    mm_per_px = 25.4 / dpi
    trim_left, trim_top, trim_right, trim_bottom = plan.trim
    centre_x = sheet.slug_mm + sheet.bleed_mm + sheet.trim_mm[0] / 2
    centre_y = sheet.slug_mm + sheet.bleed_mm + sheet.trim_mm[1] / 2
    left = centre_x - (trim_left + trim_right) / 2 * mm_per_px
    top = centre_y - (trim_top + trim_bottom) / 2 * mm_per_px
    bleed = (sheet.slug_mm - left) / mm_per_px, (sheet.slug_mm - top) / mm_per_px
    extent = (bleed[0], bleed[1],
              bleed[0] + (sheet.trim_mm[0] + 2 * sheet.bleed_mm) / mm_per_px,
              bleed[1] + (sheet.trim_mm[1] + 2 * sheet.bleed_mm) / mm_per_px)
    return Placement(plan, left, top, mm_per_px, extent)


# -- drawing one plan (in canvas pixels, y down) -------------------------------------------------
def draw_plan(canvas: Canvas, plan: Plan, fonts: FontSet, extent: Box | None = None) -> None:
    """Draw ``plan`` in the current coordinates (canvas pixels, y down): the order of
    ``plan.draw_plan`` — background, rectangles, circles, images, icons, text, QR."""
    area = extent or (0.0, 0.0, float(plan.canvas[0]), float(plan.canvas[1]))
    _fill(canvas, plan.background)
    canvas.rect(area[0], area[1], area[2] - area[0], area[3] - area[1], stroke=0, fill=1)
    for box, colour, radius in plan.rects:
        x0, y0, x1, y1 = _snap(box, plan.canvas, area)
        _fill(canvas, colour)
        corner = min(radius, (x1 - x0) / 2, (y1 - y0) / 2)
        if corner > 0:
            canvas.roundRect(x0, y0, x1 - x0, y1 - y0, corner, stroke=0, fill=1)
        else:
            canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=0, fill=1)
    for cx, cy, radius, colour in plan.circles:
        _fill(canvas, colour)
        canvas.circle(cx, cy, radius, stroke=0, fill=1)
    for path, box in plan.images:
        _draw_image(canvas, path, box)
    for name, box, fg, bg in plan.icons:
        pdf_icon(canvas, name, box, fg, bg, lambda colour: _inks(canvas, colour))
    for block in plan.texts:
        _draw_text(canvas, block, fonts)
    if plan.qr:
        _draw_qr(canvas, *plan.qr)


def _snap(box: Box, size: tuple[int, int], area: Box) -> Box:
    x0, y0, x1, y1 = box
    return (area[0] if x0 <= EDGE_SNAP_PX else x0, area[1] if y0 <= EDGE_SNAP_PX else y0,
            area[2] if x1 >= size[0] - EDGE_SNAP_PX else x1,
            area[3] if y1 >= size[1] - EDGE_SNAP_PX else y1)


def _fill(canvas: Any, colour: str | Cmyk) -> Cmyk:
    """Set the fill colour; solid black overprints (set inside saveState only)."""
    inks = cmyk(colour) if isinstance(colour, str) else colour
    canvas.setFillColorCMYK(*inks)
    return inks


@contextmanager
def _inks(canvas: Canvas, colour: str) -> Iterator[None]:
    """Fill and stroke in one colour's inks (solid black overprints) until the block ends."""
    inks = cmyk(colour)
    with _black_overprints(canvas, inks):
        canvas.setFillColorCMYK(*inks)
        canvas.setStrokeColorCMYK(*inks)
        yield


@contextmanager
def _black_overprints(canvas: Canvas, inks: Cmyk) -> Iterator[None]:
    canvas.saveState()
    if is_solid_black(inks):
        canvas.addLiteral(f"/{OVERPRINT} gs")
    try:
        yield
    finally:
        canvas.restoreState()


def _draw_qr(canvas: Canvas, matrix: Any, module: int, left: int, top: int) -> None:
    """The quiet zone as paper, then every run of dark modules of a row as one rectangle of
    a single path, so no seams show between modules."""
    quiet = (matrix.side_px(module) - matrix.modules * module) // 2
    side = matrix.side_px(module)
    _fill(canvas, PAPER)
    canvas.rect(left, top, side, side, stroke=0, fill=1)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix.rows):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(left + quiet + start * module, top + quiet + row_index * module,
                      (column - start) * module, module)
    with _black_overprints(canvas, cmyk("#000000")):
        _fill(canvas, "#000000")
        canvas.drawPath(path, stroke=0, fill=1)


def _draw_image(canvas: Canvas, path: Path, box: Box) -> None:
    """The user's image at its own resolution, fitted in ``box`` as ``plan.fitted_image`` does."""
    source = open_image(path)
    width, height = box[2] - box[0], box[3] - box[1]
    scale = min(width / source.width, height / source.height)
    shown_w, shown_h = source.width * scale, source.height * scale
    left, top = box[0] + (width - shown_w) / 2, box[1] + (height - shown_h) / 2
    pixels, alpha = cmyk_image(source)
    canvas.saveState()
    canvas.transform(1, 0, 0, -1, left, top + shown_h)
    canvas.drawImage(_CmykReader(pixels, alpha), 0, 0, shown_w, shown_h,
                     mask="auto" if alpha is not None else None)
    canvas.restoreState()


class _CmykReader(ImageReader):  # type: ignore[misc]
    """A CMYK image for reportlab, with its alpha as a soft mask."""

    def __init__(self, pixels: Image.Image, alpha: Image.Image | None) -> None:
        super().__init__(pixels)
        self._alpha = alpha

    def getRGBData(self) -> bytes:
        if getattr(self, "_data", None) is None:
            self.mode = "CMYK"
            self._dataA = ImageReader(self._alpha) if self._alpha is not None else None
            self._data = self._image.tobytes()
        return bytes(self._data)


# -- text ------------------------------------------------------------------------------------
def _draw_text(canvas: Canvas, block: TextBlock, fonts: FontSet) -> None:
    inks = cmyk(block.fill)
    outlined: list[tuple[FontFace, str, float, float]] = []
    with _black_overprints(canvas, inks):
        text = canvas.beginText()
        text.setFillColor(CMYKColor(*inks, alpha=None))
        for x, baseline, line in line_origins(block, fonts):
            for face, run in fonts.runs(line, block.bold):
                visible = "".join(ch for ch in run if ch not in _INVISIBLE)
                name = embedded_font(face.path) if visible else None
                if name:
                    text.setTextTransform(1, 0, 0, -1, x, baseline)
                    text.setFont(name, block.size)
                    text.textOut(visible)
                elif visible:
                    outlined.append((face, visible, x, baseline))
                x += fonts.width(run, block.size, block.bold)
        canvas.drawText(text)
        if outlined:
            _fill(canvas, inks)
            for face, run, x, baseline in outlined:
                _draw_outlines(canvas, face, run, x, baseline, block.size)


@cache
def embedded_font(path: Path) -> str | None:
    """The reportlab name of the TrueType font to embed for a face, or None to draw outlines.

    A bundled ``.otf`` is embedded through its ``.ttf`` twin; other CFF fonts, and fonts whose
    licence forbids embedding, are drawn as outlines.
    """
    twin = path.with_suffix(".ttf")
    candidate = twin if path.suffix.lower() == ".otf" and twin.exists() else path
    name = "xf-" + hashlib.sha256(str(candidate.resolve()).encode("utf-8")).hexdigest()[:12]
    try:
        pdfmetrics.registerFont(TTFont(name, str(candidate), subfontIndex=0))
    except (TTFError, OSError, KeyError, AssertionError, ValueError):
        return None
    return name


class _OutlinePen(BasePen):  # type: ignore[misc]
    """Glyph outlines (font units, y up) into a reportlab path (canvas pixels, y down)."""

    def __init__(self, glyph_set: Any, path: Any, scale: float, x: float, y: float) -> None:
        super().__init__(glyph_set)
        self.path, self.scale, self.x, self.y = path, scale, x, y

    def _point(self, point: tuple[float, float]) -> tuple[float, float]:
        return self.x + point[0] * self.scale, self.y - point[1] * self.scale

    def _moveTo(self, point: tuple[float, float]) -> None:
        self.path.moveTo(*self._point(point))

    def _lineTo(self, point: tuple[float, float]) -> None:
        self.path.lineTo(*self._point(point))

    def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float],
                    p3: tuple[float, float]) -> None:
        self.path.curveTo(*self._point(p1), *self._point(p2), *self._point(p3))

    def _closePath(self) -> None:
        self.path.close()


@cache
def _outline_font(path: Path) -> tuple[Any, dict[int, str], int]:
    font = FontToolsFont(str(path), lazy=True, fontNumber=0)
    return font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm


def _draw_outlines(canvas: Canvas, face: FontFace, run: str, x: float, baseline: float,
                   size: int) -> None:
    glyph_set, cmap, units = _outline_font(face.path)
    path = canvas.beginPath()
    for char in run:
        name = cmap.get(ord(char))
        if name is not None:
            glyph_set[name].draw(_OutlinePen(glyph_set, path, size / units, x, baseline))
        x += face.advances.get(ord(char), 1.0) * size
    canvas.drawPath(path, stroke=0, fill=1)


# -- the reportlab canvas ----------------------------------------------------------------------
def _only_cmyk(colour: Any) -> Any:
    if not isinstance(colour, CMYKColor) and not (isinstance(colour, tuple) and len(colour) == 4):
        raise TypeError(f"印刷 PDF 只用 CMYK 颜色，收到 {colour!r}")
    return colour


def _new_canvas(buffer: io.BytesIO, sheet: PrintSheet) -> Canvas:
    initial = embedded_font(bundled_fonts().regular.path)
    unit = sheet.user_unit
    size = (sheet.media_pt[0] / unit, sheet.media_pt[1] / unit)
    return Canvas(buffer, pagesize=size, invariant=1, pageCompression=1,
                  pdfVersion=(1, 6), initialFontName=initial, enforceColorSpace=_only_cmyk)


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Flate only, no ASCII85 layer: a third smaller, and qpdf keeps the streams as they are."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before

"""Pictograms as data: the shapes under ``assets/icons/`` and how both backends draw them.

An icon file (``assets/icons/<name>.toml``) is a list of ``[[shapes]]`` in a 0–100 unit square,
drawn in order. A shape is filled (``fill``) or stroked (``stroke`` with ``width``, round caps
and joins) and is made of any of:

- ``d``: path data as in SVG: ``M``/``L``/``H``/``V``/``C``/``Z`` (lower case: relative);
- ``circles = [[cx, cy, r], …]`` and ``rects = [[x, y, w, h], …]`` (``[x, y, w, h, r]``:
  rounded corners).

All the outlines of one filled shape are filled together by the even-odd rule, so a shape's
inner outline cuts a hole (a ring is two circles). ``rotate = [degrees, cx, cy]`` turns a shape
clockwise about a point, then ``at = [x, y, scale]`` scales its outline and moves it (a symbol
drawn once and placed smaller on a sign); a stroke keeps the ``width`` written for it. Colours are roles: ``fg`` (the layout's colour for plain pictograms),
``bg`` (the tile behind a plain pictogram, or the page), and the fixed safety colours of
GB 2893 used by the GB 13495.1 signs: ``red`` (#C8102E), ``green`` (#00833E), ``white``,
``black`` (prints as black ink alone).

Pillow fills the outlines at ``SUPERSAMPLE`` times the size and scales down by area averaging,
which is what a PDF viewer does with the same curves; the vector backend writes real paths.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from itertools import pairwise
from typing import Any

from PIL import Image, ImageChops, ImageDraw

from ..errors import InputError
from ..resources import asset_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SAFETY_COLOURS = {"red": "#C8102E", "green": "#00833E", "white": "#FFFFFF", "black": "#000000"}
"""GB 2893 safety colours as printed here: red ≈ Pantone 186 C, green ≈ Pantone 356 C."""
ROLES = ("fg", "bg", *SAFETY_COLOURS)
SUPERSAMPLE = 4
CURVE_STEPS = 16
"""Straight pieces a cubic curve is cut into for Pillow (per curve, at any size)."""
KAPPA = 0.5522847498
_TOKEN = re.compile(r"[MLHVCZmlhvcz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE]-?\d+)?")

Point = tuple[float, float]
Segment = tuple[str, tuple[Point, ...]]
"""("M", (p,)), ("L", (p,)), ("C", (c1, c2, p)) or ("Z", ())."""


@dataclass(frozen=True)
class Shape:
    """One filled or stroked shape of an icon, in icon units (0–100, y down)."""

    segments: tuple[Segment, ...]
    colour: str
    """A role: fg, bg, red, green, white, black."""
    stroke: float = 0.0
    """Line width in icon units; 0 for a filled shape."""


@dataclass(frozen=True)
class Icon:
    name: str
    shapes: tuple[Shape, ...]


def colour_for(role: str, fg: str, bg: str) -> str:
    return fg if role == "fg" else bg if role == "bg" else SAFETY_COLOURS[role]


@cache
def load_icon(name: str) -> Icon:
    """``assets/icons/<name>.toml``, read once per process."""
    path = asset_path("icons", f"{name}.toml")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"图标 {name} 无法读取：{exc}") from exc
    shapes = []
    for index, raw in enumerate(data.get("shapes", [])):
        try:
            shapes.append(_shape(raw))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputError(f"图标 {name} 第 {index + 1} 个 shape 格式不对：{exc}") from exc
    return Icon(name, tuple(shapes))


def _shape(raw: dict[str, Any]) -> Shape:
    stroked = "stroke" in raw
    role = str(raw["stroke"] if stroked else raw.get("fill", "fg"))
    if role not in ROLES:
        raise ValueError(f"颜色 {role} 不认识，可用 {'、'.join(ROLES)}")
    segments: list[Segment] = list(parse_path(str(raw.get("d", ""))))
    for cx, cy, r in raw.get("circles", []):
        segments += circle(float(cx), float(cy), float(r))
    for rect in raw.get("rects", []):
        segments += rounded_rect(*(float(v) for v in rect))
    if "rotate" in raw:
        degrees, cx, cy = (float(v) for v in raw["rotate"])
        segments = [(op, tuple(_turn(p, degrees, cx, cy) for p in points))
                    for op, points in segments]
    if "at" in raw:
        dx, dy, size = (float(v) for v in raw["at"])
        segments = [(op, tuple((dx + x * size, dy + y * size) for x, y in points))
                    for op, points in segments]
    if not segments:
        raise ValueError("没有 d、circles 或 rects")
    return Shape(tuple(segments), role, float(raw.get("width", 4.0)) if stroked else 0.0)


def _turn(point: Point, degrees: float, cx: float, cy: float) -> Point:
    angle = math.radians(degrees)
    x, y = point[0] - cx, point[1] - cy
    return (cx + x * math.cos(angle) - y * math.sin(angle),
            cy + x * math.sin(angle) + y * math.cos(angle))


def parse_path(data: str) -> list[Segment]:
    """SVG-style path data (M, L, H, V, C, Z and their relative forms) as absolute segments."""
    tokens = _TOKEN.findall(data)
    if "".join(tokens).replace(" ", "") == "" and data.strip():
        raise ValueError(f"路径无法解析：{data[:20]}")
    segments: list[Segment] = []
    index, op = 0, ""
    x = y = start_x = start_y = 0.0

    def number() -> float:
        nonlocal index
        value = float(tokens[index])
        index += 1
        return value

    while index < len(tokens):
        if tokens[index].isalpha():
            op = tokens[index]
            index += 1
        elif not op:
            raise ValueError(f"路径应以 M 开头：{data[:20]}")
        relative, kind = op.islower(), op.upper()
        dx, dy = (x, y) if relative else (0.0, 0.0)
        if kind == "Z":
            segments.append(("Z", ()))
            x, y = start_x, start_y
            op = ""
            continue
        if kind in ("M", "L"):
            x, y = dx + number(), dy + number()
            if kind == "M":
                start_x, start_y = x, y
                op = "l" if relative else "L"  # further pairs after a move are lines
            segments.append((kind, ((x, y),)))
        elif kind == "H":
            x = dx + number()
            segments.append(("L", ((x, y),)))
        elif kind == "V":
            y = dy + number()
            segments.append(("L", ((x, y),)))
        else:  # C
            c1 = (dx + number(), dy + number())
            c2 = (dx + number(), dy + number())
            x, y = dx + number(), dy + number()
            segments.append(("C", (c1, c2, (x, y))))
    return segments


def circle(cx: float, cy: float, r: float) -> list[Segment]:
    k = r * KAPPA
    return [("M", ((cx + r, cy),)),
            ("C", ((cx + r, cy + k), (cx + k, cy + r), (cx, cy + r))),
            ("C", ((cx - k, cy + r), (cx - r, cy + k), (cx - r, cy))),
            ("C", ((cx - r, cy - k), (cx - k, cy - r), (cx, cy - r))),
            ("C", ((cx + k, cy - r), (cx + r, cy - k), (cx + r, cy))), ("Z", ())]


def rounded_rect(x: float, y: float, w: float, h: float, r: float = 0.0) -> list[Segment]:
    r = min(r, w / 2, h / 2)
    if r <= 0:
        return [("M", ((x, y),)), ("L", ((x + w, y),)), ("L", ((x + w, y + h),)),
                ("L", ((x, y + h),)), ("Z", ())]
    k = r * (1 - KAPPA)
    right, bottom = x + w, y + h
    return [("M", ((x + r, y),)), ("L", ((right - r, y),)),
            ("C", ((right - k, y), (right, y + k), (right, y + r))),
            ("L", ((right, bottom - r),)),
            ("C", ((right, bottom - k), (right - k, bottom), (right - r, bottom))),
            ("L", ((x + r, bottom),)),
            ("C", ((x + k, bottom), (x, bottom - k), (x, bottom - r))),
            ("L", ((x, y + r),)), ("C", ((x, y + k), (x + k, y), (x + r, y))), ("Z", ())]


def outlines(segments: tuple[Segment, ...]) -> list[tuple[list[Point], bool]]:
    """Each subpath as (points with curves flattened, closed)."""
    result: list[tuple[list[Point], bool]] = []
    points: list[Point] = []
    for op, coords in segments:
        if op == "M":
            if len(points) > 1:
                result.append((points, False))
            points = [coords[0]]
        elif op == "L":
            points.append(coords[0])
        elif op == "C":
            p0 = points[-1]
            (x1, y1), (x2, y2), (x3, y3) = coords
            for step in range(1, CURVE_STEPS + 1):
                t = step / CURVE_STEPS
                u = 1 - t
                points.append((u ** 3 * p0[0] + 3 * u * u * t * x1 + 3 * u * t * t * x2
                               + t ** 3 * x3,
                               u ** 3 * p0[1] + 3 * u * u * t * y1 + 3 * u * t * t * y2
                               + t ** 3 * y3))
        elif op == "Z" and points:
            result.append((points, True))
            points = [points[0]]
    if len(points) > 1:
        result.append((points, False))
    return result


# -- Pillow -------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def icon_image(name: str, side: int, fg: str, bg: str) -> Image.Image:
    """The icon as an RGBA square ``side`` pixels wide, antialiased by supersampling."""
    big = side * SUPERSAMPLE
    scale = big / 100
    tile = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    for shape in load_icon(name).shapes:
        mask = Image.new("L", (big, big), 0)
        if shape.stroke:
            _stroke_mask(mask, shape, scale)
        else:
            _fill_mask(mask, shape, scale)
        tile.paste(colour_for(shape.colour, fg, bg), (0, 0), mask)
    return tile.resize((side, side), Image.Resampling.BOX)


def _fill_mask(mask: Image.Image, shape: Shape, scale: float) -> None:
    """Even-odd fill: every outline flips the pixels it covers."""
    for points, _ in outlines(shape.segments):
        if len(points) < 3:
            continue
        flat = [(x * scale, y * scale) for x, y in points]
        if mask.getbbox() is None:
            ImageDraw.Draw(mask).polygon(flat, fill=255)
            continue
        layer = Image.new("L", mask.size, 0)
        ImageDraw.Draw(layer).polygon(flat, fill=255)
        mask.paste(ImageChops.difference(mask, layer))


def _stroke_mask(mask: Image.Image, shape: Shape, scale: float) -> None:
    """A round-capped, round-joined line: a quad per piece and a disc at every point."""
    draw = ImageDraw.Draw(mask)
    half = shape.stroke * scale / 2
    for points, closed in outlines(shape.segments):
        flat = [(x * scale, y * scale) for x, y in points]
        if closed:
            flat.append(flat[0])
        for (x0, y0), (x1, y1) in pairwise(flat):
            length = math.hypot(x1 - x0, y1 - y0)
            if length:
                nx, ny = -(y1 - y0) / length * half, (x1 - x0) / length * half
                draw.polygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny),
                              (x0 - nx, y0 - ny)], fill=255)
        for x, y in flat:
            draw.ellipse((x - half, y - half, x + half, y + half), fill=255)


def paste_icon(image: Image.Image, name: str, box: tuple[float, float, float, float],
               fg: str, bg: str) -> None:
    """Draw an icon into ``image`` at the whole-pixel square of ``box``."""
    left, top, side = pixel_square(box)
    tile = icon_image(name, side, fg, bg)
    image.paste(tile, (left, top), tile)


def pixel_square(box: tuple[float, float, float, float]) -> tuple[int, int, int]:
    """(left, top, side) in whole pixels: where both backends draw an icon."""
    side = max(1, round(min(box[2] - box[0], box[3] - box[1])))
    return round(box[0]), round(box[1]), side


# -- reportlab ----------------------------------------------------------------------------------
def pdf_icon(canvas: Any, name: str, box: tuple[float, float, float, float], fg: str, bg: str,
             paint: Callable[[str], Any]) -> None:
    """Draw an icon as vector paths on a reportlab canvas in canvas pixels (y down).

    ``paint(colour)`` is a context manager that sets fill and stroke inks for a colour.
    """
    left, top, side = pixel_square(box)
    scale = side / 100
    for shape in load_icon(name).shapes:
        path = canvas.beginPath()
        for op, coords in shape.segments:
            points = [(left + x * scale, top + y * scale) for x, y in coords]
            if op == "M":
                path.moveTo(*points[0])
            elif op == "L":
                path.lineTo(*points[0])
            elif op == "C":
                path.curveTo(*points[0], *points[1], *points[2])
            else:
                path.close()
        with paint(colour_for(shape.colour, fg, bg)):
            if shape.stroke:
                canvas.setLineWidth(shape.stroke * scale)
                canvas.setLineCap(1)
                canvas.setLineJoin(1)
                canvas.drawPath(path, stroke=1, fill=0)
            else:
                canvas.drawPath(path, stroke=0, fill=1, fillMode=0)  # 0: even-odd


# -- SVG (the proof page and the workbench show icons as pictures) ------------------------------
def icon_svg(name: str, fg: str, bg: str, side: int = 40) -> str:
    """The icon as an inline ``<svg>`` of the same paths the PDF gets (even-odd fills)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{side}" '
             f'height="{side}" role="img" aria-hidden="true">']
    for shape in load_icon(name).shapes:
        data = " ".join(op + " ".join(f"{x:g} {y:g}" for x, y in coords)
                        for op, coords in shape.segments)
        colour = escape(colour_for(shape.colour, fg, bg), quote=True)
        if shape.stroke:
            parts.append(f'<path d="{data}" fill="none" stroke="{colour}" '
                         f'stroke-width="{shape.stroke:g}" stroke-linecap="round" '
                         'stroke-linejoin="round"/>')
        else:
            parts.append(f'<path d="{data}" fill="{colour}" fill-rule="evenodd"/>')
    return "".join(parts) + "</svg>"

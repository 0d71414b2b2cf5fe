"""Drawing primitives shared by image channels: text lines through the font set, colours."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PIL import ImageDraw

from ..typeset.fonts import FontSet


@dataclass(frozen=True)
class TextBlock:
    """Lines of text set at one size, placed in a box of known width."""

    lines: tuple[str, ...]
    x: float
    """Left edge of the box."""
    y: float
    """Top of the first line box."""
    width: float
    """Box width; lines are aligned inside it."""
    size: int
    """Font size in pixels per em."""
    fill: str
    bold: bool = False
    align: str = "left"
    line_height: float = 1.3
    """Distance between baselines, in em."""

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * self.line_height

    def box(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)


def draw_block(draw: ImageDraw.ImageDraw, block: TextBlock, fonts: FontSet) -> None:
    """Draw every line of ``block``, each character with the face that has its glyph."""
    for x, baseline, line in line_origins(block, fonts):
        draw_line(draw, x, baseline, line, block.size, block.fill, fonts, block.bold)


def line_origins(block: TextBlock, fonts: FontSet) -> Iterator[tuple[float, float, str]]:
    """(left, baseline, text) of each line of ``block``: where every backend starts a line."""
    leading = (block.line_height - 1.0) * block.size / 2
    for index, line in enumerate(block.lines):
        line_width = fonts.width(line, block.size, block.bold)
        if block.align == "center":
            x = block.x + (block.width - line_width) / 2
        elif block.align == "right":
            x = block.x + block.width - line_width
        else:
            x = block.x
        baseline = block.y + index * block.size * block.line_height + leading + 0.88 * block.size
        yield x, baseline, line


def draw_line(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, size: int,
              fill: str, fonts: FontSet, bold: bool = False) -> None:
    """Draw one line on a baseline, run by run, advancing by the fonts' own widths."""
    for face, run in fonts.runs(text, bold):
        draw.text((round(x), round(baseline)), run, font=face.pil(size), fill=fill, anchor="ls")
        x += fonts.width(run, size, bold)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(colour: str, other: str, amount: float) -> str:
    """``colour`` moved ``amount`` (0–1) of the way towards ``other``."""
    a, b = hex_rgb(colour), hex_rgb(other)
    mixed = (round(x + (y - x) * amount) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{v:02X}" for v in mixed)

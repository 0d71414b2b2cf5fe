"""Layouts as data: TOML templates under ``assets/layouts/`` turned into drawing plans.

A template is a list of blocks, each with a box in fractions of the canvas and sizes in
fractions of the canvas's shorter side. A new size of an existing medium is a profile that
names a template; a new composition is a new TOML file, not a new renderer.

Text blocks name the message fields they may use in priority order (``fields = ["variants.led",
"slogan", "title"]``): the first that fits is set; when none fits the block fails saying which
text and by how much, and nothing is ever clipped.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError, TextFitError
from ..model.message import Message
from ..resources import asset_path
from ..typeset.fonts import FontSet
from ..typeset.text import balanced_wrap, fit_text
from .plan import Box, Plan
from .qr import build_matrix, module_px_for
from .raster import TextBlock, mix

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BLOCK_TYPES = ("rect", "text", "tips", "list", "hotlines", "qr", "image")
_BLOCK_KEYS = {"type", "box", "fill", "radius", "fields", "size", "bold", "color", "align",
               "valign", "max_lines", "balanced", "line_height", "optional", "count",
               "label_color", "when", "items", "style", "source", "what", "stage"}


@dataclass(frozen=True)
class Block:
    """One element of a template; unused keys keep their defaults."""

    type: str
    box: Box
    fill: str = "primary"
    radius: float = 0.0
    fields: tuple[str, ...] = ()
    size: tuple[float, float] = (0.08, 0.04)
    bold: bool = False
    color: str = "ink"
    align: str = "left"
    valign: str = "top"
    max_lines: int | None = None
    balanced: bool = True
    line_height: float = 1.3
    optional: bool = False
    count: int = 3
    label_color: str = "ink"
    when: str | None = None
    items: str | None = None
    style: str = "stack"
    source: str = "logo"
    what: str = "文字"
    stage: int = 0
    """Animation stage at which the block appears (video title cards)."""


@dataclass(frozen=True)
class Template:
    """A named composition for one aspect ratio."""

    name: str
    description: str
    background: str
    blocks: tuple[Block, ...]


@cache
def load_template(name: str) -> Template:
    """Read ``assets/layouts/<name>.toml``; a wrong key fails here, naming file and block."""
    path = asset_path("layouts", f"{name}.toml")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"版式模板 {path} 无法读取：{exc}") from exc
    blocks = []
    for index, raw in enumerate(data.get("blocks", [])):
        unknown = set(raw) - _BLOCK_KEYS
        if unknown or raw.get("type") not in BLOCK_TYPES or len(raw.get("box", ())) != 4:
            raise InputError(f"版式模板 {path.name} 第 {index + 1} 个 block 有误："
                             f"未知键 {sorted(unknown)} 或 type/box 不对")
        values = dict(raw)
        values["box"] = tuple(float(v) for v in raw["box"])
        if "fields" in raw:
            values["fields"] = tuple(raw["fields"])
        if "size" in raw:
            values["size"] = tuple(float(v) for v in raw["size"])
        blocks.append(Block(**values))
    return Template(name, data.get("description", ""), data.get("background", "paper"),
                    tuple(blocks))


@cache
def library() -> dict[str, Any]:
    """Fixed wording shared by layouts (e.g. general evacuation reminders)."""
    loaded: dict[str, Any] = tomllib.loads(asset_path("library.toml").read_text("utf-8"))
    return loaded


def field_text(message: Message, name: str) -> str:
    """The text of a message field by template name ('' when absent)."""
    if name.startswith("text:"):
        return name[5:]
    if name.startswith("variants."):
        value: Any = message.variants
        for part in name.split(".")[1:]:
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) else ""
    if name == "campaign.name":
        return message.campaign.name if message.campaign else ""
    if name == "qr.caption":
        return message.qr.caption if message.qr else ""
    if name == "hotline":
        label, number = message.hotlines[0]
        return f"{label}{number}"
    if name == "hotlines":
        return "  ".join(f"{label} {number}" for label, number in message.hotlines)
    value = getattr(message, name, "")
    return value if isinstance(value, str) else ""


def colour(name: str, theme: dict[str, str]) -> str:
    """A theme colour by name, a derived one (shade, tint, muted) or a literal #RRGGBB."""
    if name.startswith("#"):
        return name
    derived = {"shade": mix(theme["primary"], "#000000", 0.35),
               "tint": mix(theme["primary"], theme["paper"], 0.92),
               "muted": mix(theme["ink"], theme["paper"], 0.35),
               "white": "#FFFFFF", "black": "#000000"}
    return theme.get(name) or derived[name]


class TemplateLayout:
    """Lays one message out on one canvas following one template."""

    def __init__(self, message: Message, fonts: FontSet, template: Template,
                 canvas: tuple[int, int], *, dpi: int | None = None,
                 safe: Box = (0.04, 0.04, 0.96, 0.96), theme: dict[str, str] | None = None,
                 min_qr_module: int | None = None, stage: int | None = None) -> None:
        self.message, self.fonts, self.template, self.dpi = message, fonts, template, dpi
        self.width, self.height = canvas
        self.unit = min(canvas)
        self.theme = theme or dict(message.theme)
        self.min_qr_module = min_qr_module
        self.stage = stage
        safe_px = (safe[0] * self.width, safe[1] * self.height, safe[2] * self.width,
                   safe[3] * self.height)
        self.plan = Plan(canvas, (0, 0, *canvas), safe_px,
                         background=colour(template.background, self.theme))

    def px_box(self, box: Box) -> Box:
        return (box[0] * self.width, box[1] * self.height, box[2] * self.width,
                box[3] * self.height)

    def layout(self) -> Plan:
        for block in self.template.blocks:
            if self._applies(block):
                getattr(self, f"_{block.type}")(block, self.px_box(block.box))
        return self.plan

    def _applies(self, block: Block) -> bool:
        if self.stage is not None and block.stage > self.stage:
            return False
        if block.when is None:
            return True
        negate = block.when.startswith("!")
        present = {"qr": self.message.qr is not None, "logo": self.message.logo is not None,
                   "evacuation": self.message.evacuation_map is not None,
                   "tips": bool(self.message.tips), "issuer": bool(self.message.issuer)}
        return present[block.when.lstrip("!")] != negate

    def _size_range(self, block: Block) -> tuple[int, int]:
        return max(1, round(block.size[0] * self.unit)), max(1, round(block.size[1] * self.unit))

    def _rect(self, block: Block, box: Box) -> None:
        self.plan.rects.append((box, colour(block.fill, self.theme), block.radius * self.unit))

    def _text(self, block: Block, box: Box) -> None:
        largest, smallest = self._size_range(block)
        width, height = box[2] - box[0], box[3] - box[1]
        failure: TextFitError | None = None
        for name in block.fields:
            text = field_text(self.message, name)
            if not text:
                continue
            try:
                fitted = fit_text(text, box_width=width, box_height=height, max_size=largest,
                                  min_size=smallest, line_height=block.line_height,
                                  width_at=lambda s, size: self.fonts.width(s, size, block.bold),
                                  max_lines=block.max_lines, balanced=block.balanced,
                                  what=f"{block.what}（{name}）")
            except TextFitError as exc:
                failure = failure or exc
                continue
            self.plan.used_fields[block.what] = name
            self._place(block, box, fitted.lines, fitted.size)
            return
        if failure and not block.optional:
            tried = "、".join(block.fields)
            raise TextFitError(f"{failure}（依次尝试了 {tried}，都放不下）",
                               cut_chars=failure.cut_chars)

    def _place(self, block: Block, box: Box, lines: tuple[str, ...], size: int) -> TextBlock:
        height = len(lines) * size * block.line_height
        top = box[1]
        if block.valign == "middle":
            top = box[1] + (box[3] - box[1] - height) / 2
        elif block.valign == "bottom":
            top = box[3] - height
        text = TextBlock(lines, box[0], top, box[2] - box[0], size,
                         colour(block.color, self.theme), bold=block.bold, align=block.align,
                         line_height=block.line_height)
        self.plan.texts.append(text)
        return text

    def _tips(self, block: Block, box: Box) -> None:
        self._numbered(block, box, list(self.message.tips[: block.count]), numbered=True)

    def _list(self, block: Block, box: Box) -> None:
        items = list(library()[block.items or ""])[: block.count]
        self._numbered(block, box, items, numbered=False)

    def _numbered(self, block: Block, box: Box, items: list[str], numbered: bool) -> None:
        """As many items as fit (first ones first), at the largest size that fits them."""
        if numbered:
            self.plan.tips_total = len(items)
        largest, smallest = self._size_range(block)
        for count in range(len(items), 0, -1):
            for size in range(largest, smallest - 1, -1):
                placed = self._stack(block, box, items[:count], size, numbered)
                if placed is not None:
                    if numbered:
                        self.plan.tips_shown = count
                    return
        raise TextFitError(f"{block.what}过长：最小字号 {smallest}px 下连第一条"
                           f"“{items[0] if items else ''}”也放不下，请缩短这一条",
                           cut_chars=max(1, len(items[0]) // 3) if items else 0)

    def _stack(self, block: Block, box: Box, items: list[str], size: int,
               numbered: bool) -> list[TextBlock] | None:
        marker = 1.25 * size
        indent = marker + 0.45 * size
        width = box[2] - box[0] - indent
        y, blocks = box[1], []
        try:
            for item in items:
                lines = tuple(balanced_wrap(item, width,
                                            lambda s: self.fonts.width(s, size, block.bold)))
                blocks.append(TextBlock(lines, box[0] + indent, y, width, size,
                                        colour(block.color, self.theme), bold=block.bold,
                                        line_height=block.line_height))
                y += blocks[-1].height + 0.3 * size
        except TextFitError:
            return None
        if y - 0.3 * size > box[3] + 0.5:
            return None
        accent = colour(block.label_color, self.theme)
        for number, text in enumerate(blocks, start=1):
            cy = text.y + size * block.line_height / 2
            self.plan.circles.append((box[0] + marker / 2, cy, marker / 2 if numbered else
                                      marker / 5, accent))
            if numbered:
                digit = round(size * 0.78)
                self.plan.texts.append(TextBlock((str(number),), box[0], cy - digit * 0.62,
                                                 marker, digit, colour("paper", self.theme),
                                                 bold=True, align="center", line_height=1.2))
        self.plan.texts.extend(blocks)
        return blocks

    def _hotlines(self, block: Block, box: Box) -> None:
        hotlines = self.message.hotlines[: block.count]
        largest, smallest = self._size_range(block)
        width, height = box[2] - box[0], box[3] - box[1]
        if block.style == "inline":
            inline = Block("text", block.box, fields=("hotlines",), size=block.size, bold=True,
                           color=block.color, align=block.align, valign=block.valign,
                           max_lines=1, what="热线")
            self._text(inline, box)
            return
        column = width / len(hotlines)
        label_share = 0.5
        number = min(
            fit_text(num, box_width=column * 0.92, box_height=height / (1 + label_share * 1.2),
                     max_size=largest, min_size=smallest, line_height=1.05, max_lines=1,
                     width_at=lambda s, size: self.fonts.width(s, size, True),
                     what=f"热线“{label}”").size
            for label, num in hotlines)
        label_size = max(1, round(number * label_share))
        total = label_size * 1.2 + number * 1.05
        top = box[1] + (height - total) / 2 if block.valign == "middle" else box[1]
        for index, (label, num) in enumerate(hotlines):
            x = box[0] + index * column
            self.plan.texts.append(TextBlock((label,), x, top, column, label_size,
                                             colour(block.label_color, self.theme), bold=True,
                                             align=block.align, line_height=1.2))
            self.plan.texts.append(TextBlock((num,), x, top + label_size * 1.2, column, number,
                                             colour(block.color, self.theme), bold=True,
                                             align=block.align, line_height=1.05))

    def _qr(self, block: Block, box: Box) -> None:
        link = self.message.qr
        if link is None:
            return
        matrix = build_matrix(link.url)
        side = math.floor(min(box[2] - box[0], box[3] - box[1]))
        module = module_px_for(matrix, side, self.dpi)
        if self.min_qr_module:
            module = max(module, self.min_qr_module)
        drawn = matrix.side_px(module)
        if drawn > side + 1:
            raise TextFitError(f"二维码放不下：{matrix.modules} 模块加静区需要 {drawn}px，"
                               f"区域只有 {side}px；请缩短链接（现 {len(link.url)} 个字符）",
                               cut_chars=0)
        x = box[0] + (box[2] - box[0] - drawn) / 2 if block.align == "center" else (
            box[2] - drawn if block.align == "right" else box[0])
        y = box[1] + (box[3] - box[1] - drawn) / 2 if block.valign == "middle" else box[1]
        self.plan.qr = (matrix, module, round(x), round(y))

    def _image(self, block: Block, box: Box) -> None:
        path: Path | None = (self.message.logo if block.source == "logo"
                             else self.message.evacuation_map)
        if path is not None:
            self.plan.images.append((path, box))

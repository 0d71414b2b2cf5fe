"""The one layout engine: a message, a template and a page → a drawing plan.

Every block kind is measured the same way (``measure``: how big it is for a slot, and how to add
it to the plan once placed), so a block sits in a fixed box or in a stack alike. The template
language itself is described in ``render.templates``; stacks are in ``render.stack``.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import TextFitError
from ..model.message import Message
from ..typeset.fonts import FontSet
from ..typeset.text import balanced_wrap, fit_text, wrap
from .plan import Box, Plan
from .qr import build_matrix, module_px_for
from .raster import TextBlock
from .stack import UNBOUNDED, Piece, place_in_box
from .templates import Block, Template, colour, field_text, library

LEAD_GAP_EM = 0.8  # between a lead paragraph and the first item, in em of the shared size
ITEM_GAP_EM = 0.3  # between list items


class TemplateLayout:
    """Lays one message out on one canvas following one template."""

    def __init__(self, message: Message, fonts: FontSet, template: Template,
                 canvas: tuple[int, int], *, dpi: int | None = None,
                 safe: Box = (0.04, 0.04, 0.96, 0.96), theme: dict[str, str] | None = None,
                 min_qr_module: int | None = None, stage: int | None = None,
                 bleed: int = 0) -> None:
        self.message, self.fonts, self.template, self.dpi = message, fonts, template, dpi
        self.bleed = bleed
        self.width, self.height = canvas[0] - 2 * bleed, canvas[1] - 2 * bleed
        design_w, design_h = template.design
        # (1, 1): lengths are fractions of the shorter side; else pixels of the design page
        self.unit = min(self.width / design_w, self.height / design_h)
        self.theme = theme or dict(message.theme)
        self.min_qr_module = min_qr_module
        self.stage = stage
        self.plan = Plan(canvas, (bleed, bleed, bleed + self.width, bleed + self.height),
                         self.px_box(safe), background=colour(template.background, self.theme))

    def px_box(self, box: Box) -> Box:
        """A box in fractions of the page (the trim) in canvas pixels."""
        b = self.bleed
        return (b + box[0] * self.width, b + box[1] * self.height, b + box[2] * self.width,
                b + box[3] * self.height)

    def layout(self) -> Plan:
        for block in self.blocks(""):
            assert block.box is not None
            box = self.px_box(block.box)
            if block.type == "stack" or block.style == "grid":
                place_in_box(self, block, box)
            else:
                getattr(self, f"_{block.type}")(block, box)
        return self.plan

    def blocks(self, stack: str) -> list[Block]:
        """The blocks of a stack ('' for the page) that apply to this message, this audience."""
        chosen = (b.for_audience(self.message.audience) for b in self.template.children(stack))
        return [block for block in chosen if self._applies(block)]

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

    def length(self, value: float) -> float:
        """Template units → pixels."""
        return value * self.unit

    def colour(self, name: str) -> str:
        return colour(name, self.theme)

    def size_range(self, block: Block) -> tuple[int, int]:
        return max(1, round(block.size[0] * self.unit)), max(1, round(block.size[1] * self.unit))

    # -- fixed boxes -------------------------------------------------------------------------
    def _rect(self, block: Block, box: Box) -> None:
        self.plan.rects.append((box, self.colour(block.fill or "primary"),
                                block.radius * self.unit))

    def _text(self, block: Block, box: Box) -> None:
        piece = self.measure_text(block, box[2] - box[0], box[3] - box[1])
        if piece is None:
            return
        top = box[1]
        if block.valign == "middle":
            top = box[1] + (box[3] - box[1] - piece.height) / 2
        elif block.valign == "bottom":
            top = box[3] - piece.height
        piece.place(box[0], top)

    def _tips(self, block: Block, box: Box) -> None:
        self.measure_list(block, box[2] - box[0], box[3] - box[1], top=box[1]).place(box[0], box[1])

    _list = _tips

    def _qr(self, block: Block, box: Box) -> None:
        piece = self.measure_qr(block, box[2] - box[0], box[3] - box[1])
        if piece is None:
            return
        x = box[0] + (box[2] - box[0] - piece.width) / 2 if block.align == "center" else (
            box[2] - piece.width if block.align == "right" else box[0])
        y = box[1] + (box[3] - box[1] - piece.height) / 2 if block.valign == "middle" else box[1]
        piece.place(x, y)

    def _image(self, block: Block, box: Box) -> None:
        path = self.image_path(block)
        if path is not None:
            self.plan.images.append((path, box))

    def _hotlines(self, block: Block, box: Box) -> None:
        hotlines = self.message.hotlines[: block.count]
        largest, smallest = self.size_range(block)
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
                                             self.colour(block.label_color), bold=True,
                                             align=block.align, line_height=1.2))
            self.plan.texts.append(TextBlock((num,), x, top + label_size * 1.2, column, number,
                                             self.colour(block.color), bold=True,
                                             align=block.align, line_height=1.05))

    # -- measuring ---------------------------------------------------------------------------
    def measure_text(self, block: Block, width: float, height: float | None) -> Piece | None:
        """The first field that fits, at its largest size; None for an optional misfit."""
        largest, smallest = self.size_range(block)
        failure: TextFitError | None = None
        tried = [name for name in block.fields if field_text(self.message, name)]
        for name in tried:
            what = block.what if len(block.fields) == 1 else f"{block.what}（{name}）"
            try:
                fitted = fit_text(field_text(self.message, name), box_width=width,
                                  box_height=UNBOUNDED if height is None else height,
                                  max_size=largest, min_size=smallest,
                                  line_height=block.line_height,
                                  width_at=lambda s, size: self.fonts.width(s, size, block.bold),
                                  max_lines=block.max_lines, balanced=block.balanced, what=what)
            except TextFitError as exc:
                failure = failure or exc
                continue
            self.plan.used_fields[block.what] = name
            return self._text_piece(block, width, fitted.lines, fitted.size)
        if failure and not block.optional:
            if len(block.fields) == 1:
                raise failure
            raise TextFitError(f"{failure}（依次尝试了 {'、'.join(block.fields)}，都放不下）",
                               cut_chars=failure.cut_chars)
        return None

    def _text_piece(self, block: Block, width: float, lines: tuple[str, ...],
                    size: int) -> Piece:
        if block.hug:
            width = max(self.fonts.width(line, size, block.bold) for line in lines)

        def place(x: float, y: float) -> None:
            self.plan.texts.append(TextBlock(lines, x, y, width, size, self.colour(block.color),
                                             bold=block.bold, align=block.align,
                                             line_height=block.line_height))

        return Piece(width, len(lines) * size * block.line_height, place)

    def measure_list(self, block: Block, width: float, height: float | None,
                     top: float = 0.0) -> Piece:
        """As many items as fit (first ones first), at the largest size that fits them all."""
        numbered = block.type == "tips"
        items = list(self.message.tips[: block.count] if numbered
                     else library()[block.items or ""][: block.count])
        lead = field_text(self.message, block.lead) if block.lead else ""
        bottom = math.inf if height is None else top + height
        largest, smallest = self.size_range(block)
        if not items and not lead:  # a message without tips: the block stays empty
            return Piece(width, 0.0, lambda x, y: None)
        for count in range(len(items), 0 if items else -1, -1):
            for size in range(largest, smallest - 1, -1):
                drawn = self._list_at(block, 0.0, top, width, size, lead, items[:count])
                if drawn is not None and drawn[2] <= bottom + 0.5:
                    return self._list_piece(block, width, size, lead, items, count,
                                            drawn[2] - top)
        if lead:
            chars = len(lead) + (len(items[0]) if items else 0)
            raise TextFitError(f"{block.what}过长：最小字号 {smallest}px 下只保留第一条也放不下"
                               f"（共 {chars} 字），请缩短正文", cut_chars=chars // 3)
        raise TextFitError(f"{block.what}过长：最小字号 {smallest}px 下连第一条"
                           f"“{items[0] if items else ''}”也放不下，请缩短这一条",
                           cut_chars=max(1, len(items[0]) // 3) if items else 0)

    def _list_piece(self, block: Block, width: float, size: int, lead: str, items: list[str],
                    count: int, used: float) -> Piece:
        def place(x: float, y: float) -> None:
            drawn = self._list_at(block, x, y, width, size, lead, items[:count])
            assert drawn is not None
            texts, circles, _ = drawn
            self.plan.circles.extend(circles)
            self.plan.texts.extend(texts)
            if block.type == "tips":
                self.plan.tips_total, self.plan.tips_shown = len(items), count

        return Piece(width, used, place)

    def _list_at(self, block: Block, x: float, y: float, width: float, size: int, lead: str,
                 items: list[str]) -> tuple[list[TextBlock], list[tuple[float, float, float, str]],
                                            float] | None:
        """(texts, marker discs, bottom) of the items set at ``size``; None if a word won't fit."""
        numbered = block.type == "tips"
        marker = 1.25 * size
        indent = marker + 0.45 * size
        ink, accent = self.colour(block.color), self.colour(block.label_color)
        texts: list[TextBlock] = []
        markers: list[TextBlock] = []
        circles: list[tuple[float, float, float, str]] = []
        try:
            if lead:
                lines = tuple(wrap(lead, width, lambda s: self.fonts.width(s, size, block.bold)))
                texts.append(TextBlock(lines, x, y, width, size, self.colour("body"),
                                       bold=block.bold, line_height=block.line_height))
                y += texts[-1].height + LEAD_GAP_EM * size
            for number, item in enumerate(items, start=1):
                lines = tuple(balanced_wrap(item, width - indent,
                                            lambda s: self.fonts.width(s, size, block.bold)))
                text = TextBlock(lines, x + indent, y, width - indent, size, ink,
                                 bold=block.bold, line_height=block.line_height)
                texts.append(text)
                cy = text.y + size * block.line_height / 2
                circles.append((x + marker / 2, cy, marker / 2 if numbered else marker / 5,
                                accent))
                if numbered:
                    digit = round(size * 0.78)
                    markers.append(TextBlock((str(number),), x, cy - digit * 0.62, marker, digit,
                                             self.colour("paper"), bold=True, align="center",
                                             line_height=1.2))
                y += text.height + ITEM_GAP_EM * size
        except TextFitError:
            return None
        # digits first, then the items: the order the plan has always drawn them in
        return markers + texts, circles, y - ITEM_GAP_EM * size

    def measure_qr(self, block: Block, width: float, height: float | None) -> Piece | None:
        link = self.message.qr
        if link is None:
            return None
        matrix = build_matrix(link.url)
        side = math.floor(min(width, math.inf if height is None else height))
        module = module_px_for(matrix, side, self.dpi)
        if self.min_qr_module:
            module = max(module, self.min_qr_module)
        drawn = matrix.side_px(module)
        if drawn > side + 1:
            raise TextFitError(f"二维码放不下：{matrix.modules} 模块加静区需要 {drawn}px，"
                               f"区域只有 {side}px；请缩短链接（现 {len(link.url)} 个字符）",
                               cut_chars=0)

        def place(x: float, y: float) -> None:
            self.plan.qr = (matrix, module, round(x), round(y))

        return Piece(drawn, drawn, place)

    def image_path(self, block: Block) -> Path | None:
        return self.message.logo if block.source == "logo" else self.message.evacuation_map

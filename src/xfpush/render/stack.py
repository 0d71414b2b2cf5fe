"""Stacks: blocks measured and placed one after another, on optional panels.

A stack lays its blocks down the page (or across it), each as tall as its content measures; the
one block that may ``grow`` takes the room the others leave, gaps with a range share what is
still spare, and a stack that fills its box puts the rest before its last block. Panels (fill,
border, padding, hugging the text, bleeding off the page) work for any block in a stack. The
keys are described in ``render.templates``; every block kind is measured by ``render.layout``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError, TextFitError
from ..typeset.text import fit_text
from .plan import Box
from .templates import Block

if TYPE_CHECKING:
    from .layout import TemplateLayout

UNBOUNDED = 1e6  # the height of a slot with no limit (finite: fitting divides by it)


@dataclass(frozen=True)
class Piece:
    """A block measured for a slot: its size, and how to add it to the plan at a position."""

    width: float
    height: float
    place: Callable[[float, float], None]
    """Adds the block to the plan with its top-left corner at (x, y)."""


def place_in_box(layout: TemplateLayout, block: Block, box: Box) -> None:
    """A measured block (a stack, a hotline grid) placed in a fixed box of the page."""
    width, height = box[2] - box[0], box[3] - box[1]
    piece = measure(layout, block, width, height)
    if piece is None:
        return
    top = box[1]
    if block.valign == "middle":
        top += (height - piece.height) / 2
    elif block.valign == "bottom":
        top = box[3] - piece.height
    piece.place(box[0] + _offset(block.align, width - piece.width), top)


def measure(layout: TemplateLayout, block: Block, width: float, height: float | None,
            hug: bool = False) -> Piece | None:
    """Any block on its panel, for a slot ``width`` wide and at most ``height`` high.

    The piece spans the slot's width unless it hugs its content (``hug``: side by side in an
    ``across`` stack). None when the block has nothing to show (no QR, no logo, an optional text
    that won't fit).
    """
    if block.width is not None:  # a fixed width (a side column, a map beside the text)
        width = min(width, layout.length(block.width))
    if block.type == "rect":
        tall = layout.length(block.height or 0.0)
        return Piece(width, tall, lambda x, y: panel(layout, block, (x, y, x + width, y + tall),
                                                     block.fill or "primary"))
    top, right, bottom, left = (layout.length(v) for v in block.padding)
    inner_w = width - left - right
    inner_h = None if height is None else height - top - bottom
    try:
        inner = _measure_content(layout, block, inner_w, inner_h)
    except TextFitError:
        if block.optional:
            return None
        raise
    if inner is None:
        return None
    outer_w = inner.width + left + right if block.hug or hug else width
    outer_h = inner.height + top + bottom

    def place(x: float, y: float) -> None:
        if block.fill or block.border:
            panel(layout, block, (x, y, x + outer_w, y + outer_h), block.fill)
        room = outer_w - left - right
        inner.place(x + left + _offset(block.align, room - inner.width), y + top)

    return Piece(outer_w, outer_h, place)


def _measure_content(layout: TemplateLayout, block: Block, width: float,
                     height: float | None) -> Piece | None:
    if block.type == "text":
        return layout.measure_text(block, width, height)
    if block.type in ("tips", "list"):
        return layout.measure_list(block, width, height)
    if block.type == "qr":
        return layout.measure_qr(block, width, height)
    if block.type == "hotlines":
        return measure_grid(layout, block, width)
    if block.type == "icons":
        return layout.measure_icons(block, width, height)
    if block.type == "image":
        path = layout.image_path(block)
        tall = layout.length(block.height) if block.height else (height or 0.0)
        if path is None:
            return None
        return Piece(width, tall, lambda x, y: layout.plan.images.append(
            (path, (x, y, x + width, y + tall))))
    return _measure_stack(layout, block, width, height)


def _measure_stack(layout: TemplateLayout, block: Block, width: float,
                   height: float | None) -> Piece:
    items = layout.blocks(block.name)
    growing = [item for item in items if item.grow]
    if len(growing) > 1 or (growing and height is None):
        raise InputError(f"版式模板 {layout.template.name}：stack {block.name} 最多一个 grow，"
                         f"且它自己要有确定的高度")
    across = block.direction == "across"
    slots: list[tuple[Block, Piece | None]] = []
    for item in items:
        limit = layout.length(item.height) if item.height is not None else None
        piece = None if item.grow else measure(layout, item, width, height if across else limit,
                                               hug=across)
        if item.grow or piece is not None:
            slots.append((item, piece))
    if across:
        return _across(layout, slots, width, height)
    return _down(layout, block, slots, width, height)


def _down(layout: TemplateLayout, block: Block, slots: list[tuple[Block, Piece | None]],
          width: float, height: float | None) -> Piece:
    grow = next((index for index, (_, piece) in enumerate(slots) if piece is None), None)
    if grow is not None and height is not None:
        room = height - _total(layout, slots)
        what = slots[grow][0].what
        if room <= 0:
            raise TextFitError(f"版面不足：其余内容已占满，{what}没有位置，请缩短标题等文字")
        slots[grow] = (slots[grow][0], measure(layout, slots[grow][0], width, room))
    pieces = [(item, piece) for item, piece in slots if piece is not None]
    while height is not None and grow is None and _total(layout, pieces) > height + 0.5:
        optional = [index for index, (item, _) in enumerate(pieces) if item.optional]
        if not optional:
            raise TextFitError(f"{block.what}放不下：内容高 {_total(layout, pieces):.0f}px，"
                               f"区域只有 {height:.0f}px，请缩短其中的文字")
        del pieces[optional[-1]]
    # the spare room goes before the last block (a footer stays at the bottom), unless the
    # growing block is the last: a column of text then starts right under its heading
    gaps = _spread(layout, pieces, height, fill=grow is not None and grow != len(slots) - 1)

    def place(x: float, y: float) -> None:
        for (item, piece), gap in zip(pieces, gaps, strict=True):
            y += gap
            piece.place(x + _offset(item.align, width - piece.width), y)
            y += piece.height

    used = sum(p.height for _, p in pieces) + sum(gaps)
    return Piece(width, height if grow is not None and height is not None else used, place)


def _across(layout: TemplateLayout, slots: list[tuple[Block, Piece | None]], width: float,
            height: float | None) -> Piece:
    grow = next((index for index, (_, piece) in enumerate(slots) if piece is None), None)
    if grow is not None:
        room = width - sum(p.width for _, p in slots if p is not None) - _least_gaps(
            layout, [item for item, _ in slots])
        slots[grow] = (slots[grow][0], measure(layout, slots[grow][0], room, height))
    pieces = [(item, piece) for item, piece in slots if piece is not None]
    gaps = [0.0 if i == 0 else layout.length(item.gap[0]) for i, (item, _) in enumerate(pieces)]
    tall = height if height is not None else max((p.height for _, p in pieces), default=0.0)

    def place(x: float, y: float) -> None:
        for (item, piece), gap in zip(pieces, gaps, strict=True):
            x += gap
            drop = {"middle": 0.5, "bottom": 1.0}.get(item.valign, 0.0)
            piece.place(x, y + max(0.0, tall - piece.height) * drop)
            x += piece.width

    return Piece(width, tall, place)


def _least_gaps(layout: TemplateLayout, items: list[Block]) -> float:
    return sum(layout.length(item.gap[0]) for item in items[1:])


def _total(layout: TemplateLayout, pieces: Sequence[tuple[Block, Piece | None]]) -> float:
    """Height of the pieces measured so far with their least gaps."""
    return sum(p.height for _, p in pieces if p is not None) + _least_gaps(
        layout, [item for item, _ in pieces])


def _spread(layout: TemplateLayout, pieces: list[tuple[Block, Piece]], height: float | None,
            fill: bool) -> list[float]:
    """The gap before each piece: its least, plus a share of the spare room up to its most."""
    least = [0.0 if i == 0 else layout.length(item.gap[0]) for i, (item, _) in enumerate(pieces)]
    rooms = [0.0 if i == 0 else max(0.0, layout.length(item.gap[1]) - least[i])
             for i, (item, _) in enumerate(pieces)]
    spare = 0.0 if height is None else max(0.0, height - _total(layout, pieces))
    shared = min(spare, sum(rooms))
    gaps = [low + (room / sum(rooms) * shared if shared else 0.0)
            for low, room in zip(least, rooms, strict=True)]
    if fill and len(gaps) > 1:
        gaps[-1] += spare - shared  # a stack that fills its box keeps its last block at the end
    return gaps


def measure_grid(layout: TemplateLayout, block: Block, width: float) -> Piece:
    """Hotlines in as many columns as fit every number at a size within the block's range."""
    if block.style == "inline":
        inline = Block("text", fields=("hotlines",), size=block.size, bold=True,
                       color=block.color, align=block.align, max_lines=1, what="热线")
        piece = layout.measure_text(inline, width, None)
        assert piece is not None
        return piece
    hotlines = layout.message.hotlines[: block.count]
    largest, smallest = layout.size_range(block)
    failure: TextFitError | None = None
    for columns in sorted({len(hotlines), min(2, len(hotlines)), 1}, reverse=True):
        column = width / columns
        try:
            number = min(fit_text(num, box_width=column * 0.9, box_height=UNBOUNDED,
                                  max_size=largest, min_size=smallest, line_height=1.1,
                                  max_lines=1, what=f"热线“{label}”的号码（hotlines.{label}）",
                                  width_at=lambda s, size: layout.fonts.width(s, size, True)).size
                         for label, num in hotlines)
        except TextFitError as exc:
            failure = failure or exc
            continue
        return _grid(layout, block, width, columns, number)
    assert failure is not None
    raise failure


def _grid(layout: TemplateLayout, block: Block, width: float, columns: int,
          number: int) -> Piece:
    hotlines = layout.message.hotlines[: block.count]
    label = round(layout.length(block.label_size)) if block.label_size else round(number * 0.5)
    label = max(label, layout.min_text_px)
    row = label * 1.3 + number * 1.1
    row_gap = label * 0.5
    rows = -(-len(hotlines) // columns)
    column = width / columns

    def place(x: float, y: float) -> None:
        for index, (name, num) in enumerate(hotlines):
            line, col = divmod(index, columns)
            in_row = min(columns, len(hotlines) - line * columns)
            left = x + (width - in_row * column) / 2 + col * column
            top = y + line * (row + row_gap)
            layout.text(f"hotlines[{index}].label", (name,), left, top, column, label,
                        layout.colour(block.label_color), bold=True, align="center",
                        line_height=1.2)
            layout.text(f"hotlines[{index}].number", (num,), left, top + label * 1.3, column,
                        number, layout.colour(block.color), bold=True, align="center",
                        line_height=1.1)
            if col and block.divider:
                rule = max(1.0, label * 0.08) / 2
                layout.plan.rects.append(((left - rule, top + label * 0.2, left + rule,
                                           top + row - label * 0.2),
                                          layout.colour(block.divider), 0.0))

    return Piece(width, rows * row + (rows - 1) * row_gap, place)


def panel(layout: TemplateLayout, block: Block, box: Box, fill: str) -> None:
    """The block's panel: a border ring if any, the fill inside it; bleeding off the page."""
    x0, y0, x1, y1 = box
    if block.bleed:
        trim = layout.plan.trim
        x0, x1 = 0.0, float(layout.plan.canvas[0])
        y0 = 0.0 if abs(y0 - trim[1]) < 0.5 else y0
        y1 = float(layout.plan.canvas[1]) if abs(y1 - trim[3]) < 0.5 else y1
    radius = min(layout.length(block.radius), (y1 - y0) / 2, (x1 - x0) / 2)
    ring = layout.length(block.border_width) if block.border else 0.0
    if ring:
        layout.plan.rects.append(((x0, y0, x1, y1), layout.colour(block.border), radius))
    if fill:
        layout.plan.rects.append(((x0 + ring, y0 + ring, x1 - ring, y1 - ring),
                                  layout.colour(fill), max(0.0, radius - ring)))


def _offset(align: str, room: float) -> float:
    """How far a narrower piece moves right inside ``room`` spare pixels."""
    return {"center": room / 2, "right": room}.get(align, 0.0) if room > 0 else 0.0

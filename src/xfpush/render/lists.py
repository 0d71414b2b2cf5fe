"""Lists: numbered tips (or bulleted library items), after an optional lead paragraph.

A list is set at one size for all its items, the largest between the block's limits at which
they fit. Its rung of the fit ladder: the lead paragraph and every item; then every item without
the lead (the tips are what people act on, the paragraph explains); then one item fewer, from
the last, down to the first. Only when the first item alone cannot be set at the smallest size
does the list fail, saying how much of that item to cut.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import TextFitError
from ..typeset.text import balanced_wrap, clusters, wrap
from .raster import TextBlock
from .stack import Piece
from .templates import Block, field_text, library

if TYPE_CHECKING:
    from .layout import TemplateLayout

LEAD_GAP_EM = 0.8  # between a lead paragraph and the first item, in em of the shared size
ITEM_GAP_EM = 0.3  # between list items
DIGIT_EM = 0.78  # the number inside a tip's disc
STRAINED = 0.8
"""A list set below this share of its largest size asks for the page's compact pass."""


@dataclass(frozen=True)
class Item:
    """One text of a list: the field it comes from (``body``, ``tips[2]``) and its words."""

    field: str
    text: str


@dataclass
class Drawn:
    """A list set at one size: texts with their fields ('' for the numbers), discs, bottom."""

    texts: list[tuple[str, TextBlock]]
    circles: list[tuple[float, float, float, str]]
    bottom: float


def list_items(layout: TemplateLayout, block: Block) -> list[Item]:
    """The items a list block may show, first ones first."""
    if block.type == "tips":
        tips = layout.message.tips
        window = [Item(f"tips[{i}]", tips[i])
                  for i in range(block.first, min(len(tips), block.first + block.count))]
        which, parts = block.part
        share = -(-len(window) // parts)  # the first parts take the odd ones: they read first
        return window[(which - 1) * share: which * share]
    key = block.items or ""
    return [Item(f"{key}[{i}]", text) for i, text in enumerate(library()[key][: block.count])]


def measure_list(layout: TemplateLayout, block: Block, width: float, height: float | None,
                 top: float = 0.0) -> Piece:
    """As many items as fit (the lead first to go), at the largest size that fits them all."""
    items = list_items(layout, block)
    text = field_text(layout.message, block.lead) if block.lead else ""
    lead = Item(block.lead, text) if text else None
    bottom = math.inf if height is None else top + height
    largest, smallest = layout.size_range(block)
    for with_lead, count in _candidates(lead is not None, len(items)):
        shown = ([lead] if with_lead and lead else []) + items[:count]

        def fits(size: int, shown: list[Item] = shown) -> bool:
            drawn = _draw(layout, block, 0.0, top, width, size, shown)
            return drawn is not None and drawn.bottom <= bottom + 0.5

        if not fits(smallest):
            continue
        size = next((s for s in range(largest, smallest, -1) if fits(s)), smallest)
        used = _draw(layout, block, 0.0, top, width, size, shown)
        assert used is not None
        return _piece(layout, block, width, (size, size < STRAINED * largest), shown, items,
                      lead, used.bottom - top)
    raise _failure(layout, block, items, width, height, smallest)


def _candidates(has_lead: bool, count: int) -> Iterator[tuple[bool, int]]:
    """(with the lead?, how many items) in the order the ladder tries them."""
    if has_lead:
        yield True, count
    yield from ((False, n) for n in range(count, 0, -1))
    if count == 0:
        yield False, 0


def _piece(layout: TemplateLayout, block: Block, width: float, sized: tuple[int, bool],
           shown: list[Item], items: list[Item], lead: Item | None, used: float) -> Piece:
    size, strained = sized

    def place(x: float, y: float) -> None:
        drawn = _draw(layout, block, x, y, width, size, shown)
        assert drawn is not None
        layout.plan.circles.extend(drawn.circles)
        for field, text in drawn.texts:
            if field:
                layout.text(field, text.lines, text.x, text.y, text.width, text.size, text.fill,
                            bold=text.bold, align=text.align, line_height=text.line_height)
            else:
                layout.plan.texts.append(text)
        left_out = [item.field for item in ([lead] if lead else []) + items
                    if item not in shown]
        layout.plan.omitted.extend(left_out)
        layout.plan.list_px.append(size)
        layout.plan.strained = layout.plan.strained or strained
        if block.type == "tips":
            layout.plan.tips_total = len(items)
            layout.plan.tips_shown = sum(1 for item in shown if item in items)

    return Piece(width, used, place)


def _draw(layout: TemplateLayout, block: Block, x: float, y: float, width: float, size: int,
          shown: list[Item]) -> Drawn | None:
    """The items set at ``size`` from (x, y); None if a word is wider than the line."""
    numbered = block.type == "tips"
    marker = 1.25 * size
    indent = marker + 0.45 * size
    ink, accent = layout.colour(block.color), layout.colour(block.label_color)
    digit = min(size, max(layout.min_text_px, round(size * DIGIT_EM)))
    texts: list[tuple[str, TextBlock]] = []
    markers: list[tuple[str, TextBlock]] = []
    circles: list[tuple[float, float, float, str]] = []

    def measure(s: str) -> float:
        return layout.fonts.width(s, size, block.bold)

    number = block.first if numbered else 0  # a list that starts at tip 3 is numbered from 3
    try:
        for item in shown:
            if item.field == block.lead:
                lines = tuple(wrap(item.text, width, measure))
                texts.append((item.field, TextBlock(lines, x, y, width, size, layout.colour(
                    "body"), bold=block.bold, line_height=block.line_height)))
                y += texts[-1][1].height + LEAD_GAP_EM * size
                continue
            # a tip keeps its number when a folded leaflet shows the tips in parts
            number = int(item.field[5:-1]) + 1 if item.field.startswith("tips[") else number + 1
            lines = tuple(balanced_wrap(item.text, width - indent, measure))
            text = TextBlock(lines, x + indent, y, width - indent, size, ink, bold=block.bold,
                             line_height=block.line_height)
            texts.append((item.field, text))
            cy = text.y + size * block.line_height / 2
            circles.append((x + marker / 2, cy, marker / 2 if numbered else marker / 5, accent))
            if numbered:
                markers.append(("", TextBlock((str(number),), x, cy - digit * 0.62, marker,
                                              digit, layout.colour("paper"), bold=True,
                                              align="center", line_height=1.2)))
            y += text.height + ITEM_GAP_EM * size
    except TextFitError:
        return None
    gap = LEAD_GAP_EM if shown and shown[-1].field == block.lead else ITEM_GAP_EM
    # digits first, then the items: the order the plan has always drawn them in
    return Drawn(markers + texts, circles, y - gap * size if shown else y)


def _failure(layout: TemplateLayout, block: Block, items: list[Item], width: float,
             height: float | None, smallest: int) -> TextFitError:
    """Why not even the first item fits: its field, the size limit, the room, what to cut."""
    first = items[0]
    room = f"{width:.0f}×{height:.0f}px" if height is not None else f"宽 {width:.0f}px"
    pieces = clusters(first.text)
    keep = 0
    for count in range(len(pieces), 0, -1):
        shown = [Item(first.field, "".join(pieces[:count]))]
        drawn = _draw(layout, block, 0.0, 0.0, width, smallest, shown)
        if drawn is not None and (height is None or drawn.bottom <= height + 0.5):
            keep = len("".join(pieces[:count]))
            break
    total = len(first.text)
    if keep == 0:
        return TextFitError(
            f"{block.what}（{first.field}）放不下：区域只有 {room}，最小字号 {smallest}px 下一行也"
            f"放不下；请缩短同一版面上的其他文字（如标题）", cut_chars=total)
    cut = total - keep
    return TextFitError(
        f"{block.what}（{first.field}）过长：共 {total} 字，最小字号 {smallest}px、区域 {room} 内"
        f"只保留这一条也只放得下约 {keep} 字，请删减约 {cut} 字", cut_chars=cut)

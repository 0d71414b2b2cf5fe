"""The ``icons`` block: a row (or, with ``style = "column"``, a column) of pictograms.

The icons are the message's own (``icons:``) or picked by topic (``model.icons``). The row
takes at most ``count`` of them, each a square between the block's ``size`` (largest,
smallest, template units), ``spacing`` apart; it drops icons from the end (keeping the fire
phone sign) until the rest fit at the smallest size, and leaves the row out when not even one
does. ``tile`` puts a disc of that colour behind each plain pictogram (the safety signs keep
their own square); ``label_size`` sets each icon's Chinese name under it. A column beside a
text costs the page width instead of height: on a wide page the text keeps its size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.icons import chosen_icons, fit_icons, icon_label
from .stack import Piece
from .templates import Block

if TYPE_CHECKING:
    from .layout import TemplateLayout

PICTOGRAM_SHARE = 0.7
"""A plain pictogram's share of its tile (the disc behind it)."""
SIGN_SHARE = 0.84
"""A safety sign's share of its cell: a full square looks larger than a pictogram on a disc."""
LABEL_GAP = 0.35
"""Space between an icon and its name, in em of the name."""


def measure_icons(layout: TemplateLayout, block: Block, width: float,
                  height: float | None) -> Piece | None:
    """The row for a slot ``width`` wide and at most ``height`` high; None when none fit."""
    if layout.icons_off:
        return None
    names, source = chosen_icons(layout.message)
    if not names or block.count < 1:
        return None
    largest, smallest = layout.length(block.size[0]), layout.length(block.size[1])
    spacing = layout.length(block.spacing)
    label = max(layout.min_text_px, round(layout.length(block.label_size or 0)))
    below = label * (1.2 + LABEL_GAP) if block.label_size else 0.0
    column = block.style == "column"
    for count in range(min(block.count, len(names)), 0, -1):
        shown = fit_icons(names, count)
        if column:
            side = min(largest, width)
            if height is not None:
                side = min(side, (height - (count - 1) * spacing) / count - below)
            room = width
        else:
            side = _row_side(layout, block, shown, width, largest, spacing, label)
            if height is not None:
                side = min(side, height - below)
            room = side + spacing * 0.8
        if side < smallest or not _labels_fit(layout, block, shown, room, label):
            continue
        if column:
            return _column(layout, block, shown, source, side, spacing, label, below)
        return _row(layout, block, shown, source, side, spacing, label, below)
    return None


def _labels_fit(layout: TemplateLayout, block: Block, names: tuple[str, ...], column: float,
                label: int) -> bool:
    return not block.label_size or all(
        layout.fonts.width(icon_label(name), label, block.bold) <= column for name in names)


def _label_width(layout: TemplateLayout, block: Block, name: str, label: int) -> float:
    return layout.fonts.width(icon_label(name), label, block.bold) if block.label_size else 0.0


def _overhang(layout: TemplateLayout, block: Block, names: tuple[str, ...], side: float,
              label: int) -> tuple[float, float]:
    """How far the first and the last names reach beyond their icons (left, right)."""
    return (max(0.0, (_label_width(layout, block, names[0], label) - side) / 2),
            max(0.0, (_label_width(layout, block, names[-1], label) - side) / 2))


def _row_side(layout: TemplateLayout, block: Block, names: tuple[str, ...], width: float,
              largest: float, spacing: float, label: int) -> float:
    """The largest icon side (up to ``largest``) at which the row, names included, fits
    ``width``; 0 when none does (a single name wider than the slot)."""
    def row_width(side: float) -> float:
        left, right = _overhang(layout, block, names, side, label)
        return len(names) * side + (len(names) - 1) * spacing + left + right

    if row_width(largest) <= width:
        return largest
    low, high = 0.0, largest  # the row only widens as the icons grow: bisect
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if row_width(middle) <= width else (low, middle)
    return low if row_width(low) <= width else 0.0


def _row(layout: TemplateLayout, block: Block, names: tuple[str, ...], source: str,
         side: float, spacing: float, label: int, below: float) -> Piece:
    left, right = _overhang(layout, block, names, side, label)

    def place(x: float, y: float) -> None:
        layout.plan.icons_from = source
        for index, name in enumerate(names):
            _cell(layout, block, index, name, x + left + index * (side + spacing), y, side,
                  max(side, _label_width(layout, block, name, label)), label)

    width = left + len(names) * side + (len(names) - 1) * spacing + right
    return Piece(width, side + below, place)


def _column(layout: TemplateLayout, block: Block, names: tuple[str, ...], source: str,
            side: float, spacing: float, label: int, below: float) -> Piece:
    width = max(side, *(_label_width(layout, block, name, label) for name in names))

    def place(x: float, y: float) -> None:
        layout.plan.icons_from = source
        for index, name in enumerate(names):
            _cell(layout, block, index, name, x + (width - side) / 2,
                  y + index * (side + below + spacing), side,
                  max(side, _label_width(layout, block, name, label)), label)

    count = len(names)
    return Piece(width, count * (side + below) + (count - 1) * spacing, place)


def _cell(layout: TemplateLayout, block: Block, index: int, name: str, left: float, top: float,
          side: float, column: float, label: int) -> None:
    """One icon (on its tile) with its top-left at (left, top), its name centred under it."""
    fg, tile = layout.colour(block.color), layout.colour(block.tile) if block.tile else ""
    cx, cy = left + side / 2, top + side / 2
    sign = name.startswith("sign-")
    if tile and not sign:
        layout.plan.circles.append((cx, cy, side / 2, tile))
    inner = side * (SIGN_SHARE if sign else PICTOGRAM_SHARE if tile else 1.0)
    layout.plan.icons.append((name, (cx - inner / 2, cy - inner / 2, cx + inner / 2,
                                     cy + inner / 2), fg,
                              tile or layout.colour(layout.template.background)))
    if block.label_size:
        layout.text(f"icons[{index}]", (icon_label(name),), cx - column / 2,
                    top + side + label * LABEL_GAP, column, label,
                    layout.colour(block.label_color), bold=block.bold, align="center",
                    line_height=1.2)

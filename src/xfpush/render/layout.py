"""The one layout engine: a message, a template and a page → a drawing plan.

Every block kind is measured the same way (``measure``: how big it is for a slot, and how to add
it to the plan once placed), so a block sits in a fixed box or in a stack alike. The template
language and the fit ladder are described in ``render.templates``; stacks are in
``render.stack``, lists (tips, a lead paragraph) in ``render.lists``.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import TextFitError
from ..model.message import Message
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText, fit_text
from .iconrow import measure_icons as _measure_icons
from .lists import measure_list as _measure_list
from .plan import Box, Plan
from .qr import build_matrix, min_module_px, module_px_for
from .raster import TextBlock
from .stack import UNBOUNDED, Piece, place_in_box
from .templates import Block, Template, colour, field_text

LABEL_SHARE = 0.5  # a hotline's label, in em of its number
GAIN = 1.15
"""How much larger the compact pass must set the lists to be chosen for that alone."""
ICON_GAIN = 1.3
"""How much larger the lists must be without icons for the page to leave its icons out."""


class TemplateLayout:
    """Lays one message out on one canvas following one template."""

    def __init__(self, message: Message, fonts: FontSet, template: Template,
                 canvas: tuple[int, int], *, dpi: int | None = None,
                 safe: Box = (0.04, 0.04, 0.96, 0.96), theme: dict[str, str] | None = None,
                 min_qr_module: int | None = None, stage: int | None = None,
                 bleed: int = 0, min_text_px: int = 1) -> None:
        self.message, self.fonts, self.template, self.dpi = message, fonts, template, dpi
        self.bleed = bleed
        self.width, self.height = canvas[0] - 2 * bleed, canvas[1] - 2 * bleed
        design_w, design_h = template.design
        # (1, 1): lengths are fractions of the shorter side; else pixels of the design page
        self.unit = min(self.width / design_w, self.height / design_h)
        self.theme = theme or dict(message.theme)
        self.min_qr_module = min_qr_module
        self.stage = stage
        self.min_text_px = max(1, min_text_px)
        """No text is set smaller than this (the medium's limit, raised for the audience)."""
        self.canvas, self.safe = canvas, safe
        self.compact = False
        self.icons_off = False
        """Set for the fit ladder's last step: every icons row left out."""
        self.plan = self._new_plan()

    def _new_plan(self) -> Plan:
        b = self.bleed
        return Plan(self.canvas, (b, b, b + self.width, b + self.height), self.px_box(self.safe),
                    background=colour(self.template.background, self.theme))

    def px_box(self, box: Box) -> Box:
        """A box in fractions of the page (the trim) in canvas pixels."""
        b = self.bleed
        return (b + box[0] * self.width, b + box[1] * self.height, b + box[2] * self.width,
                b + box[3] * self.height)

    def layout(self) -> Plan:
        """The plan; laid out again with ``compact`` keys when something was left out or a
        list went down to its smallest size, keeping that if it shows more, or larger; and
        once more without icons when text was left out or squeezed, keeping that if it shows
        more text, or sets the lists ``ICON_GAIN`` times larger."""
        try:
            plan = self._fitted()
        except TextFitError:
            if not self._has_icons():
                raise
            return self._without_icons()
        if (plan.omitted or plan.strained) and plan.icons:
            try:
                bare = self._without_icons()
            except TextFitError:
                return plan
            if len(bare.omitted) != len(plan.omitted):
                return bare if len(bare.omitted) < len(plan.omitted) else plan
            if min(bare.list_px, default=0) >= ICON_GAIN * min(plan.list_px, default=0) > 0:
                return bare
        return plan

    def _fitted(self) -> Plan:
        try:
            plan = self._attempt(compact=False)
        except TextFitError:
            if not self.template.has_compact:
                raise
            return self._attempt(compact=True)
        if (plan.omitted or plan.strained) and self.template.has_compact:
            try:
                roomier = self._attempt(compact=True)
            except TextFitError:
                return plan
            if _roomier(roomier, plan):
                return roomier
        return plan

    def _has_icons(self) -> bool:
        return any(block.type == "icons" for block in self.template.blocks)

    def _without_icons(self) -> Plan:
        self.icons_off = True
        try:
            return self._fitted()
        finally:
            self.icons_off = False

    def _attempt(self, compact: bool) -> Plan:
        self.compact, self.plan = compact, self._new_plan()
        for block in self.blocks(""):
            box = self.px_box(block.box or self.safe)
            if block.type in ("stack", "icons") or block.style == "grid":
                place_in_box(self, block, box)
            else:
                getattr(self, f"_{block.type}")(block, box)
        return self.plan

    def blocks(self, stack: str) -> list[Block]:
        """The blocks of a stack ('' for the page) that apply to this message, this audience."""
        chosen = (b.adapted(self.message.audience, self.compact)
                  for b in self.template.children(stack))
        return [block for block in chosen if self._applies(block)]

    def _applies(self, block: Block) -> bool:
        if self.stage is not None and not block.stage <= self.stage <= block.until:
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
        """(largest, smallest) text size in pixels, never below the medium's smallest."""
        smallest = max(self.min_text_px, round(block.size[1] * self.unit))
        return max(smallest, round(block.size[0] * self.unit)), smallest

    def text(self, field: str, lines: tuple[str, ...], x: float, y: float, width: float,
             size: int, fill: str, *, bold: bool = False, align: str = "left",
             line_height: float = 1.3) -> TextBlock:
        """Add lines of one field to the plan, and to its record of the layout."""
        block = TextBlock(lines, x, y, width, size, fill, bold, align, line_height)
        self.plan.texts.append(block)
        self.plan.layout.append(LaidText(field, lines, size))
        return block

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
        self.measure_list(block, box[2] - box[0], box[3] - box[1], top=box[1]).place(
            box[0], box[1])

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
        if block.style == "inline":
            inline = Block("text", block.box, fields=("hotlines",), size=block.size, bold=True,
                           color=block.color, align=block.align, valign=block.valign,
                           max_lines=1, what="热线")
            self._text(inline, box)
            return
        hotlines = self.message.hotlines[: block.count]
        width, height = box[2] - box[0], box[3] - box[1]
        column = width / len(hotlines)
        number, label = self._hotline_sizes(block, column, height)
        total = label * 1.2 + number * 1.05
        top = box[1] + (height - total) / 2 if block.valign == "middle" else box[1]
        for index, (name, num) in enumerate(hotlines):
            x = box[0] + index * column
            self.text(f"hotlines[{index}].label", (name,), x, top, column, label,
                      self.colour(block.label_color), bold=True, align=block.align,
                      line_height=1.2)
            self.text(f"hotlines[{index}].number", (num,), x, top + label * 1.2, column,
                      number, self.colour(block.color), bold=True, align=block.align,
                      line_height=1.05)

    def _hotline_sizes(self, block: Block, column: float, height: float) -> tuple[int, int]:
        """(number, label) sizes: numbers as large as the column and the box allow."""
        largest, smallest = self.size_range(block)
        number = min(
            fit_text(num, box_width=column * 0.92, box_height=UNBOUNDED, max_size=largest,
                     min_size=smallest, line_height=1.05, max_lines=1,
                     width_at=lambda s, size: self.fonts.width(s, size, True),
                     what=f"热线“{label}”的号码（hotlines.{label}）").size
            for label, num in self.message.hotlines[: block.count])
        while True:
            label = max(self.min_text_px, round(number * LABEL_SHARE))
            if label * 1.2 + number * 1.05 <= height + 0.5 or number <= smallest:
                return number, label
            number -= 1

    # -- measuring ---------------------------------------------------------------------------
    def measure_text(self, block: Block, width: float, height: float | None) -> Piece | None:
        """The first field that fits, at its largest size; None for an optional misfit.

        A field an earlier block already shows is skipped (a title that fell back to the
        slogan leaves the slogan block out rather than saying it twice).
        """
        largest, smallest = self.size_range(block)
        shown = set(self.plan.used_fields.values())
        tried = [name for name in block.fields if field_text(self.message, name)
                 and (name.startswith("text:") or name not in shown)]
        failures: list[TextFitError] = []
        for name in tried:
            try:
                fitted = fit_text(field_text(self.message, name), box_width=width,
                                  box_height=UNBOUNDED if height is None else height,
                                  max_size=largest, min_size=smallest,
                                  line_height=block.line_height,
                                  width_at=lambda s, size: self.fonts.width(s, size, block.bold),
                                  max_lines=block.max_lines, balanced=block.balanced,
                                  what=f"{block.what}（{name}）")
            except TextFitError as exc:
                failures.append(exc)
                continue
            self.plan.used_fields[block.what] = name
            return self._text_piece(block, width, field_label(name), fitted.lines, fitted.size)
        if failures and not block.optional:
            first = failures[0]
            if len(failures) == 1:
                raise first
            others = "、".join(tried[1:len(failures)])
            raise TextFitError(f"{first}（备用的 {others} 也放不下）", cut_chars=first.cut_chars)
        return None

    def _text_piece(self, block: Block, width: float, field: str, lines: tuple[str, ...],
                    size: int) -> Piece:
        if block.hug:
            width = max(self.fonts.width(line, size, block.bold) for line in lines)

        def place(x: float, y: float) -> None:
            self.text(field, lines, x, y, width, size, self.colour(block.color),
                      bold=block.bold, align=block.align, line_height=block.line_height)

        return Piece(width, len(lines) * size * block.line_height, place)

    def measure_list(self, block: Block, width: float, height: float | None,
                     top: float = 0.0) -> Piece:
        """A tips or list block: see ``render.lists``."""
        return _measure_list(self, block, width, height, top)

    def measure_icons(self, block: Block, width: float, height: float | None) -> Piece | None:
        """An icons row: see ``render.iconrow``."""
        return _measure_icons(self, block, width, height)

    def measure_qr(self, block: Block, width: float, height: float | None) -> Piece | None:
        """The QR as large as the slot allows, never below the module size that scans."""
        link = self.message.qr
        if link is None:
            return None
        matrix = build_matrix(link.url)
        side = math.floor(min(width, math.inf if height is None else height))
        module = module_px_for(matrix, side, self.dpi)
        least = max(min_module_px(self.dpi), self.min_qr_module or 0)
        module = max(module, least)
        drawn = matrix.side_px(module)
        if drawn > side + 1:
            raise TextFitError(f"二维码放不下：{matrix.modules} 模块加静区、每模块至少 {least}px，"
                               f"需要 {drawn}px，区域只有 {side}px；请缩短链接"
                               f"（qr.url，现 {len(link.url)} 个字符）", cut_chars=0)

        def place(x: float, y: float) -> None:
            self.plan.qr = (matrix, module, round(x), round(y))

        return Piece(drawn, drawn, place)

    def image_path(self, block: Block) -> Path | None:
        return self.message.logo if block.source == "logo" else self.message.evacuation_map


def _roomier(compact: Plan, plan: Plan) -> bool:
    """Whether the compact pass is worth its smaller title and QR: it leaves less out, or
    sets the lists markedly larger (``GAIN``)."""
    if len(compact.omitted) != len(plan.omitted):
        return len(compact.omitted) < len(plan.omitted)
    return min(compact.list_px, default=0) >= GAIN * min(plan.list_px, default=0) > 0


def field_label(name: str) -> str:
    """The field name the manifest uses for a template field (``hotline`` is the first one)."""
    if name.startswith("text:"):
        return "text"
    return "hotlines[0]" if name == "hotline" else name

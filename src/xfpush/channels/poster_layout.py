"""Poster layout: from a message and a page to a list of drawing operations.

Sizes are designed on a 1080-unit-wide phone screen and scaled by ``u`` (pixels per unit),
taken so the design fits both the width and the height of the page; A-series pages are
relatively wider than a phone, so their lines are longer and the same content fits.
Nothing here draws pixels: ``xfpush check`` runs this alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TextFitError
from ..model.message import Message
from ..render.plan import Plan
from ..render.qr import build_matrix, module_px_for
from ..render.raster import TextBlock, mix
from ..typeset.fonts import FontSet
from ..typeset.text import Fitted, fit_text, wrap

DESIGN_WIDTH = 1080
DESIGN_HEIGHT = 1920


@dataclass(frozen=True)
class Sizes:
    """Text size ranges in design units (1 unit = 1 px on a 1080-wide phone)."""

    title: tuple[int, int] = (132, 72)
    slogan: tuple[int, int] = (48, 32)
    content: tuple[int, int] = (46, 30)
    hotline_number: tuple[int, int] = (128, 80)
    hotline_number_crowded: int = 56
    """Smallest hotline number when three or more share one row (better than dropping tips)."""
    small: int = 28


ELDERLY_SIZES = Sizes(title=(140, 84), slogan=(54, 40), content=(56, 40),
                      hotline_number=(150, 96), hotline_number_crowded=56, small=34)


@dataclass(frozen=True)
class Disc:
    """A numbered disc in front of a tip."""

    cx: float
    cy: float
    radius: float
    label: str
    size: int


class PosterLayout:
    """Lays a message out on a canvas of ``canvas`` pixels with ``bleed`` pixels each side."""

    def __init__(self, message: Message, fonts: FontSet, canvas: tuple[int, int], bleed: int,
                 dpi: int | None, where: str) -> None:
        self.message, self.fonts, self.dpi, self.where = message, fonts, dpi, where
        self.bleed = bleed
        self.trim_w, self.trim_h = canvas[0] - 2 * bleed, canvas[1] - 2 * bleed
        self.u = min(self.trim_w / DESIGN_WIDTH, self.trim_h / DESIGN_HEIGHT)
        self.sizes = ELDERLY_SIZES if message.audience == "elderly" else Sizes()
        self.margin = 72 * self.u
        self._grid: tuple[int, int] | None = None
        self.left = bleed + self.margin
        self.inner = self.trim_w - 2 * self.margin
        theme = message.theme
        self.primary, self.accent = theme["primary"], theme["accent"]
        self.ink, self.paper = theme["ink"], theme["paper"]
        self.plan = Plan(canvas, (bleed, bleed, bleed + self.trim_w, bleed + self.trim_h),
                         (self.left, bleed + self.margin * 0.5, self.left + self.inner,
                          bleed + self.trim_h - self.margin * 0.5), background=self.paper)

    def px(self, units: float) -> int:
        return max(1, round(units * self.u))

    def fit(self, text: str, sizes: tuple[int, int], width: float, height: float, *,
            bold: bool = False, max_lines: int | None = None, line_height: float = 1.3,
            balanced: bool = False, what: str = "文字") -> Fitted:
        return fit_text(text, box_width=width, box_height=height, max_size=self.px(sizes[0]),
                        min_size=self.px(sizes[1]), line_height=line_height,
                        width_at=lambda s, size: self.fonts.width(s, size, bold),
                        max_lines=max_lines, balanced=balanced, what=what, where=self.where)

    # -- the sections, top to bottom -------------------------------------------------------
    def layout(self) -> Plan:
        header_bottom = self.header()
        footer_top = self.plan.canvas[1] - self.footer_height()
        qr_height = self.qr_height()
        hotline_height = self.hotline_height()
        gap = 32 * self.u
        content_top = header_bottom + 12 * self.u + gap
        content_bottom = footer_top - gap - qr_height - gap - hotline_height - gap
        used = self.content(content_top, content_bottom - content_top)
        spare = max(0.0, content_bottom - content_top - used)
        shift = min(spare / 4, 60 * self.u)
        hotline_top = content_top + used + gap + shift * 2
        self.hotlines(hotline_top, hotline_height)
        self.qr_block(hotline_top + hotline_height + gap + shift, qr_height)
        self.footer(footer_top)
        return self.plan

    def header(self) -> float:
        plan, top = self.plan, float(self.bleed) + 56 * self.u
        campaign = self.message.campaign.name if self.message.campaign else "消防安全提示"
        label = self.fit(campaign, (self.sizes.small + 4, self.sizes.small), self.inner, 80 * self.u,
                         max_lines=1, what="活动名称")
        label_block = TextBlock(label.lines, self.left, top, self.inner, label.size,
                                mix(self.paper, self.primary, 0.12), align="center")
        top += label_block.height + 24 * self.u
        title = self.fit(self.message.title, self.sizes.title, self.inner, 460 * self.u, bold=True,
                         max_lines=3, line_height=1.2, balanced=True, what="标题")
        title_block = TextBlock(title.lines, self.left, top, self.inner, title.size, self.paper,
                                bold=True, align="center", line_height=1.2)
        top += title_block.height + 32 * self.u
        pad_x, pad_y = 40 * self.u, 16 * self.u
        slogan = self.fit(self.message.slogan, self.sizes.slogan, self.inner - 2 * pad_x,
                          200 * self.u, bold=True, max_lines=1, line_height=1.25, what="口号")
        pill_w = self.fonts.width(slogan.lines[0], slogan.size, True) + 2 * pad_x
        pill_h = slogan.height + 2 * pad_y
        pill_x = self.left + (self.inner - pill_w) / 2
        bottom = top + pill_h + 60 * self.u
        plan.rects.append(((0, 0, plan.canvas[0], bottom), self.primary, 0))
        plan.rects.append(((0, bottom, plan.canvas[0], bottom + 12 * self.u), self.accent, 0))
        plan.rects.append(((pill_x, top, pill_x + pill_w, top + pill_h), self.accent, pill_h / 2))
        plan.texts += [label_block, title_block,
                       TextBlock(slogan.lines, pill_x, top + pad_y, pill_w, slogan.size, self.ink,
                                 bold=True, align="center", line_height=1.25)]
        self._logo(float(self.bleed) + 40 * self.u)
        return bottom

    def _logo(self, top: float) -> None:
        if self.message.logo is None:
            return
        side = self.px(96)
        self.plan.images.append((self.message.logo, (self.left, top, self.left + side, top + side)))

    def content(self, top: float, height: float) -> float:
        """Body and tips at the largest shared size that fits; low-priority tips go last."""
        tips = list(self.message.tips)
        self.plan.tips_total = len(tips)
        if height <= 0:
            raise TextFitError(f"{self.where}版面不足：标题、热线和二维码已占满页面，请缩短标题")
        while True:
            for size in range(self.px(self.sizes.content[0]), self.px(self.sizes.content[1]) - 1,
                              -1):
                blocks = self._content_blocks(tips, top, size)
                if blocks is not None and blocks[1] <= height:
                    return self._commit_content(blocks[0], len(tips))
            if len(tips) <= 1:
                break
            tips.pop()
        body_chars = len(self.message.body) + sum(len(t) for t in tips)
        raise TextFitError(f"{self.where}正文和提示过长：最小字号 {self.px(self.sizes.content[1])}px "
                           f"下只保留第一条提示也放不下（共 {body_chars} 字），请缩短正文",
                           cut_chars=body_chars // 3)

    def _content_blocks(self, tips: list[str], top: float, size: int
                        ) -> tuple[list[TextBlock | Disc], float] | None:
        def width(s: str) -> float:
            return self.fonts.width(s, size)

        items: list[TextBlock | Disc] = []
        y = top
        try:
            if self.message.body:
                lines = tuple(wrap(self.message.body, self.inner, width))
                block = TextBlock(lines, self.left, y, self.inner, size,
                                  mix(self.ink, self.paper, 0.2), line_height=1.5)
                items.append(block)
                y += block.height + 0.8 * size
            disc = 1.3 * size
            indent = disc + 0.55 * size
            for index, tip in enumerate(tips):
                lines = tuple(wrap(tip, self.inner - indent, width))
                block = TextBlock(lines, self.left + indent, y, self.inner - indent, size, self.ink,
                                  line_height=1.45)
                items.append(Disc(self.left + disc / 2, y + 0.725 * size, disc / 2,
                                  str(index + 1), size))
                items.append(block)
                y += block.height + 0.35 * size
        except TextFitError:
            return None
        return items, y - top

    def _commit_content(self, items: list[TextBlock | Disc], shown: int) -> float:
        tops, bottom = [], 0.0
        for item in items:
            if isinstance(item, TextBlock):
                self.plan.texts.append(item)
                tops.append(item.y)
                bottom = max(bottom, item.y + item.height)
                continue
            self.plan.circles.append((item.cx, item.cy, item.radius, self.primary))
            number_size = round(item.size * 0.8)
            self.plan.texts.append(TextBlock((item.label,), item.cx - item.radius,
                                             item.cy - number_size * 0.62, 2 * item.radius,
                                             number_size, self.paper, bold=True, align="center",
                                             line_height=1.2))
        self.plan.tips_shown = shown
        return bottom - min(tops, default=bottom)

    def hotline_grid(self) -> tuple[int, int]:
        """(columns, number size): as many columns as fit the numbers at a legible size."""
        if self._grid is not None:
            return self._grid
        hotlines = self.message.hotlines
        failure: TextFitError | None = None
        for columns in sorted({len(hotlines), min(2, len(hotlines)), 1}, reverse=True):
            width = self.inner / columns - 48 * self.u
            largest, smallest = self.sizes.hotline_number
            if columns >= 3:
                smallest = self.sizes.hotline_number_crowded
            try:
                size = min(self.fit(number, (largest, smallest), width, 400 * self.u,
                                    bold=True, max_lines=1, line_height=1.1,
                                    what=f"热线“{label}”的号码").size
                           for label, number in hotlines)
            except TextFitError as exc:
                failure = exc
                continue
            self._grid = (columns, size)
            return self._grid
        assert failure is not None
        raise failure

    def hotline_row_height(self) -> float:
        _, number_size = self.hotline_grid()
        return (self.sizes.small + 10) * 1.2 * self.u + 4 * self.u + number_size * 1.1

    def hotline_height(self) -> float:
        columns, _ = self.hotline_grid()
        rows = -(-len(self.message.hotlines) // columns)
        return rows * self.hotline_row_height() + (rows - 1) * 20 * self.u + 56 * self.u

    def hotlines(self, top: float, height: float) -> None:
        plan, hotlines = self.plan, self.message.hotlines
        columns, number_size = self.hotline_grid()
        border = 5 * self.u
        plan.rects.append(((self.left, top, self.left + self.inner, top + height), self.primary,
                           28 * self.u))
        plan.rects.append(((self.left + border, top + border, self.left + self.inner - border,
                            top + height - border), mix(self.primary, self.paper, 0.93), 24 * self.u))
        column = self.inner / columns
        label_size = self.px(self.sizes.small + 10)
        for index, (label, number) in enumerate(hotlines):
            row, col = divmod(index, columns)
            in_row = min(columns, len(hotlines) - row * columns)
            x = self.left + (self.inner - in_row * column) / 2 + col * column
            y = top + 28 * self.u + row * (self.hotline_row_height() + 20 * self.u)
            plan.texts.append(TextBlock((label,), x, y, column, label_size, self.ink, bold=True,
                                        align="center", line_height=1.2))
            plan.texts.append(TextBlock((number,), x, y + label_size * 1.2 + 4 * self.u, column,
                                        number_size, self.primary, bold=True, align="center",
                                        line_height=1.1))
            if col:
                plan.rects.append(((x - 1.5 * self.u, y + 8 * self.u, x + 1.5 * self.u,
                                    y + self.hotline_row_height() - 8 * self.u),
                                   mix(self.primary, self.paper, 0.6), 0))

    def qr_height(self) -> float:
        return 256 * self.u if self.message.qr else 0.0

    def qr_block(self, top: float, height: float) -> None:
        link = self.message.qr
        if link is None:
            return
        matrix = build_matrix(link.url, with_logo=False)
        module = module_px_for(matrix, round(height), self.dpi)
        side = matrix.side_px(module)
        x = round(self.left)
        self.plan.qr = (matrix, module, x, round(top))
        text_x = x + side + 36 * self.u
        text_w = self.left + self.inner - text_x
        y = top + 30 * self.u
        parts = [(self.message.cta, (46, 32), True, self.ink, "行动号召"),
                 (link.caption, (self.sizes.small + 4, self.sizes.small), False,
                  mix(self.ink, self.paper, 0.3), "二维码说明")]
        for text, sizes, bold, colour, what in parts:
            if not text:
                continue
            fitted = self.fit(text, sizes, text_w, 140 * self.u, bold=bold, max_lines=2,
                              what=what)
            block = TextBlock(fitted.lines, text_x, y, text_w, fitted.size, colour, bold=bold)
            self.plan.texts.append(block)
            y += block.height + 14 * self.u
        url_size = self.px(self.sizes.small - 6)
        if self.fonts.width(link.url, url_size) <= text_w and y + url_size * 1.3 <= top + height:
            self.plan.texts.append(TextBlock((link.url,), text_x, y, text_w, url_size,
                                             mix(self.ink, self.paper, 0.45)))

    def footer_height(self) -> float:
        small = self.sizes.small
        heights = [(small + 4) * 1.3 + 6] if self.message.issuer else []
        if self.message.campaign and self.message.campaign.start:
            heights.append(small * 1.3 + 6)
        # 28 above the text; below it, at least the safe margin plus a little air
        return self.bleed + (28 + sum(heights or [small]) + 48) * self.u

    def footer(self, top: float) -> None:
        plan = self.plan
        plan.rects.append(((0, top, plan.canvas[0], plan.canvas[1]), mix(self.primary, "#000000", 0.35),
                           0))
        y = top + 28 * self.u
        campaign = self.message.campaign
        dates = campaign.dates_text if campaign else ""
        for text, bold in ((self.message.issuer, True), (dates, False)):
            if not text:
                continue
            small = self.sizes.small
            fitted = self.fit(text, (small + 4, small - 6) if bold else (small, small - 6),
                              self.inner, 80 * self.u, bold=bold, max_lines=1,
                              what="发布单位" if bold else "活动日期")
            plan.texts.append(TextBlock(fitted.lines, self.left, y, self.inner, fitted.size,
                                        self.paper, bold=bold, align="center"))
            y += fitted.height + 6 * self.u

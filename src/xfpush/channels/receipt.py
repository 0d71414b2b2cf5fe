"""The ``receipt`` channel: 安全餐 tips on food-delivery order slips (58 mm and 80 mm printers).

The ESC/POS stream: GB18030 text in Chinese mode, the QR code printed by the printer itself
(``GS ( k``, via python-escpos), then a feed and a cut. Enlarged lines use ``GS !`` and
``FS !`` together, because many printers apply ``ESC !`` only to ASCII and print enlarged
Chinese titles at normal size. Centring is done with spaces, so every character sits on the
printer's column grid; the stream fixes the line pitch (``ESC 3``) so the PNG preview can draw
that grid exactly: fixed 12×24-dot cells, a hanzi two of them, the QR at its module size.
Lines are wrapped by printer columns with the same 避头尾 rules as everything else; the .txt
preview is exactly those lines.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from escpos.printer import Dummy
from PIL import Image, ImageDraw

from ..model.message import Message
from ..render.qr import QUIET_ZONE_MODULES, build_matrix, payload
from ..render.qr import render as render_qr
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText, balanced_wrap
from .base import Asset, Check
from .checks import Picture, register

CHINESE_MODE = b"\x1c\x26"  # FS &: Chinese character mode, for printers that start in ANK
CELL_DOTS = (12, 24)
"""One printer column: ASCII takes one cell, a hanzi two (the standard 12×24 / 24×24 fonts)."""
PITCH_DOTS = 30
"""Line pitch set with ``ESC 3`` (a taller line, e.g. double height, takes its own height)."""
FEED_LINES = 6
"""Lines fed before the cut (``ESC d 6``) so the last text clears the cutter."""
DOUBLE_ASCII, DOUBLE_CHINESE = b"\x1d!\x11", b"\x1c!\x0c"  # GS ! / FS !: double width+height
NORMAL_ASCII, NORMAL_CHINESE = b"\x1d!\x00", b"\x1c!\x00"


@dataclass(frozen=True)
class ReceiptProfile:
    """A thermal receipt printer."""

    name: str
    summary: str
    dots: int
    """Printable width in dots (203 dpi)."""
    columns: int
    """Characters per line in the normal font: ASCII one column, hanzi two."""
    qr_module_dots: int = 6
    """Module size of the printer's own QR code (``GS ( k`` size)."""
    tips: int = 3
    """How many tips fit a slip (the first ones, by priority)."""


PROFILES: Mapping[str, ReceiptProfile] = {
    "58mm": ReceiptProfile("58mm", "58 mm 小票：384 点，每行 32 列（16 个汉字），GB18030，打印机原生二维码",
                           384, 32, qr_module_dots=5),
    "80mm": ReceiptProfile("80mm", "80 mm 小票：576 点，每行 48 列（24 个汉字），GB18030，打印机原生二维码",
                           576, 48, qr_module_dots=6),
}


def columns(text: str) -> int:
    """Printer columns: one per single-byte GB18030 character, two for every other."""
    return sum(1 if ord(char) < 0x80 else 2 for char in text)


@dataclass(frozen=True)
class Line:
    """One printed line: its text and how the printer sets it."""

    text: str
    align: str = "left"
    bold: bool = False
    double: bool = False
    """Double width and height: half as many columns."""
    field: str = "text"
    """The message field it comes from (``text`` for fixed wording)."""
    lead: int = 0
    """Characters before the field's words (a tip's number or its indent)."""


def layout(message: Message, profile: ReceiptProfile) -> list[Line | str]:
    """The slip from top to bottom: Lines, '-' rules and 'QR' where the code goes."""
    cols = profile.columns

    def centred(text: str, field: str, bold: bool = False) -> list[Line | str]:
        return [Line(t, "center", bold=bold, field=field)
                for t in balanced_wrap(text, cols, columns)]

    out: list[Line | str] = [Line("消防安全提示", "center", bold=True, double=True)]
    if message.campaign:
        out += centred(message.campaign.name, "campaign.name")
    out.append("-")
    variant = message.variants.get("receipt")
    out += centred(str(variant or message.title), "variants.receipt" if variant else "title",
                   bold=True)
    for index, tip in enumerate(message.tips[: profile.tips], start=1):
        marker, field = f"{index}.", f"tips[{index - 1}]"
        body = balanced_wrap(tip, cols - len(marker), columns)
        out.append(Line(marker + body[0], field=field, lead=len(marker)))
        out += [Line(" " * len(marker) + rest, field=field, lead=len(marker))
                for rest in body[1:]]
    out.append("-")
    for label, number in message.hotlines[:1]:
        out.append(Line(f"{label} {number}", "center", bold=True, double=True,
                        field="hotlines[0]"))
    for index, (label, number) in enumerate(message.hotlines[1:], start=1):
        out += centred(f"{label} {number}", f"hotlines[{index}]")
    if message.qr:
        out.append("QR")
        for text, field in ((message.cta, "cta"), (message.qr.caption, "qr.caption")):
            if text:
                out += centred(text, field)
    if message.issuer:
        out += centred(message.issuer, "issuer")
    return out


def laid_out(items: Sequence[Line | str], profile: ReceiptProfile) -> tuple[LaidText, ...]:
    """The slip's lines by field, at the printer's glyph size in dots (the manifest's layout)."""
    glyph = profile.dots // profile.columns * 2
    laid: list[LaidText] = []
    for item in items:
        if not isinstance(item, Line):
            continue
        size, words = glyph * (2 if item.double else 1), item.text[item.lead:]
        if laid and laid[-1].field == item.field and laid[-1].font_px == size:
            laid[-1] = LaidText(item.field, (*laid[-1].lines, words), size)
        else:
            laid.append(LaidText(item.field, (words,), size))
    return tuple(laid)


def preview_lines(items: list[Line | str], profile: ReceiptProfile) -> list[str]:
    """The slip as text: alignment by spaces, double-size lines counted twice as wide."""
    text = []
    for item in items:
        if item == "-":
            text.append("-" * profile.columns)
        elif item == "QR":
            label = "[二维码]"
            text.append(" " * ((profile.columns - columns(label)) // 2) + label)
        else:
            assert isinstance(item, Line)
            pad = max(0, _room(item, profile) - columns(item.text))
            left = pad // 2 if item.align == "center" else 0
            text.append(" " * (left * (2 if item.double else 1)) + item.text)
    return text


def _room(item: Line, profile: ReceiptProfile) -> int:
    """Columns a line may take: double-size lines have half as many."""
    return profile.columns // 2 if item.double else profile.columns


def on_grid(item: Line, profile: ReceiptProfile) -> str:
    """The line as printed: centred with spaces in its own character size."""
    pad = max(0, _room(item, profile) - columns(item.text))
    return " " * (pad // 2 if item.align == "center" else 0) + item.text


def escpos_bytes(items: list[Line | str], profile: ReceiptProfile, url: str | None) -> bytes:
    stream = bytearray(b"\x1b@" + CHINESE_MODE + bytes((0x1B, 0x33, PITCH_DOTS)) + b"\x1ba\x00")
    for item in items:
        if item == "-":
            stream += b"\x1bE\x00" + NORMAL_ASCII + NORMAL_CHINESE
            stream += b"-" * profile.columns + b"\n"
        elif item == "QR" and url:
            printer = Dummy()
            printer.qr(payload(url), ec=1, size=profile.qr_module_dots, native=True)
            # blank lines above and below keep the 4-module quiet zone clear of text
            stream += b"\n\x1ba\x01" + printer.output + b"\x1ba\x00\n"
        elif isinstance(item, Line):
            stream += b"\x1bE" + bytes((1 if item.bold else 0,))
            stream += DOUBLE_ASCII + DOUBLE_CHINESE if item.double else NORMAL_ASCII + NORMAL_CHINESE
            stream += on_grid(item, profile).encode("gb18030") + b"\n"
    stream += b"\x1bE\x00" + NORMAL_ASCII + NORMAL_CHINESE
    stream += bytes((0x1B, 0x64, FEED_LINES)) + b"\x1dV\x00"
    return bytes(stream)


def preview_png(items: list[Line | str], profile: ReceiptProfile, fonts: FontSet,
                url: str | None) -> Image.Image:
    """The slip as the stream prints it: text on the printer's cell grid, row by row."""
    rows: list[tuple[int, Line | Image.Image | None]] = []
    for item in items:
        if item == "QR" and url:
            symbol = render_qr(build_matrix(url), profile.qr_module_dots)
            quiet = QUIET_ZONE_MODULES * profile.qr_module_dots
            symbol = symbol.crop((quiet, quiet, symbol.width - quiet, symbol.height - quiet))
            rows += [(PITCH_DOTS, None), (symbol.height, symbol), (PITCH_DOTS, None)]
        elif item == "-":
            rows.append((PITCH_DOTS, Line("-" * profile.columns)))
        elif isinstance(item, Line):
            scale = 2 if item.double else 1
            rows.append((max(PITCH_DOTS, CELL_DOTS[1] * scale), item))
    rows += [(PITCH_DOTS, None)] * FEED_LINES
    image = Image.new("L", (profile.dots, sum(height for height, _ in rows)), 255)
    y = 0
    for height, row in rows:
        if isinstance(row, Image.Image):
            image.paste(row, ((profile.dots - row.width) // 2, y))
        elif isinstance(row, Line):
            draw_cells(image, on_grid(row, profile), y, 2 if row.double else 1, row.bold, fonts)
        y += height
    return image


def draw_cells(image: Image.Image, text: str, top: int, scale: int, bold: bool,
               fonts: FontSet) -> None:
    """Each character centred in its own cell (one column ASCII, two a hanzi), as the printer
    places them, whatever the proportional advance of the preview font."""
    draw = ImageDraw.Draw(image)
    cell_w, cell_h = CELL_DOTS[0] * scale, CELL_DOTS[1] * scale
    x = 0
    for char in text:
        width = cell_w * columns(char)
        if not char.isspace():
            face = next(face for face, _ in fonts.runs(char, bold))
            # a printer's 24-dot font leaves a dot or so around each glyph; so does the preview
            room = cell_h - 2 * scale
            size = max(1, min(room, round(room * width / max(1.0, fonts.width(char, room, bold)))))
            draw.text((x + width / 2, top + cell_h / 2), char, font=face.pil(size), fill=0,
                      anchor="mm")
        x += width


class ReceiptChannel:
    """Food-delivery receipts."""

    name = "receipt"
    title = "外卖小票"
    profiles = PROFILES

    def describe(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        items = layout(message, profile)
        return [Asset(self.name, profile.name, f"receipt/{profile.name}.txt",
                      "text/plain; charset=utf-8", b"", facts=(Columns(tuple(items), profile),),
                      layout=laid_out(items, profile))]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        items = layout(message, profile)
        lines = preview_lines(items, profile)
        url = message.qr.url if message.qr else None
        stream = escpos_bytes(items, profile, url)
        width = Columns(tuple(items), profile)
        png = preview_png(items, profile, fonts, url)
        buffer = io.BytesIO()
        png.save(buffer, "PNG", compress_level=1, dpi=(203, 203))
        preview = "\n".join(lines)
        base = (self.name, profile.name)
        laid = laid_out(items, profile)
        return [
            Asset(*base, f"receipt/{profile.name}.bin", "application/vnd.escpos", stream,
                  facts=(width, EscPos(tuple(items), profile, url)), width_px=profile.dots,
                  dpi=203, qr_url=url, layout=laid),
            Asset(*base, f"receipt/{profile.name}.txt", "text/plain; charset=utf-8",
                  (preview + "\n").encode("utf-8"), facts=(width,), text=preview, layout=laid),
            Asset(*base, f"receipt/{profile.name}.png", "image/png", buffer.getvalue(),
                  facts=(Picture(png, url),), width_px=png.width, height_px=png.height, dpi=203,
                  qr_url=url, layout=laid),
        ]


# -- checks that belong to receipt printers --------------------------------------------------
@dataclass(frozen=True)
class Columns:
    """The slip's lines, which must each fit the printer's columns."""

    items: tuple[Line | str, ...]
    profile: ReceiptProfile


@register("columns", Columns)
def fits_columns(fact: Columns, asset: Asset) -> Check:
    profile = fact.profile
    for item in fact.items:
        if isinstance(item, Line) and columns(item.text) > _room(item, profile):
            return Check("columns", False, f"小票一行放不下：“{item.text}” 占 {columns(item.text)} "
                                           f"列，上限 {_room(item, profile)} 列，请删减约 "
                                           f"{(columns(item.text) - _room(item, profile) + 1) // 2} 字")
    widest = max(columns(line) for line in preview_lines(list(fact.items), profile))
    return Check("columns", widest <= profile.columns,
                 f"最宽一行 {widest} 列，上限 {profile.columns} 列（汉字占 2 列）")


@dataclass(frozen=True)
class EscPos:
    """An ESC/POS stream (the asset's bytes) and what it must print."""

    items: tuple[Line | str, ...]
    profile: ReceiptProfile
    url: str | None


@register("gb18030", EscPos)
def gb18030(fact: EscPos, asset: Asset) -> Check:
    texts = [item.text for item in fact.items if isinstance(item, Line)]
    missing = [t for t in texts if t.encode("gb18030") not in asset.data]
    return Check("gb18030", not missing, "每行文字都以 GB18030 编码写入" if not missing
                 else f"未按 GB18030 写入：{missing[0]}")


@register("native_qr", EscPos)
def native_qr(fact: EscPos, asset: Asset) -> Check | None:
    if not fact.url:
        return None
    native = b"\x1d(k" in asset.data and payload(fact.url).encode("ascii") in asset.data
    return Check("native_qr", native, "二维码由打印机原生打印（GS ( k），模块 "
                 f"{fact.profile.qr_module_dots} 点，静区 {QUIET_ZONE_MODULES} 模块")


@register("cut", EscPos)
def cut(fact: EscPos, asset: Asset) -> Check:
    stream = asset.data
    at = stream.rfind(b"\x1dV")
    ok = at >= 0 and len(stream) - at <= 8
    return Check("cut", ok, f"切纸指令 GS V 在流末第 {len(stream) - at} 字节" if ok else
                 "流末 8 字节内没有切纸指令 GS V")


RECEIPT = ReceiptChannel()

"""Receipts print as previewed (issue 13, item 8).

An ESC/POS interpreter written here, independently of xfpush, replays the .bin stream the way a
Chinese receipt printer does (GS ! and FS ! size Chinese characters, ESC ! only ASCII; ESC 3
line pitch; ESC a alignment; GS ( k QR; ESC d feed) and rebuilds the printed grid: rows, and
in each row the cells of its characters. The PNG preview must have ink in every printed
character's cell and nowhere else, the QR where the printer puts it, and the same height.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import qrcode
import qrcode.constants
import zxingcpp
from PIL import Image

from xfpush import load_message
from xfpush.channels import CHANNELS
from xfpush.pack.build import prepare_fonts

DEMO = Path(__file__).resolve().parents[1] / "assets" / "examples" / "demo.yaml"
URL = "https://example.gov.cn/xf/ebike"
DOTS = {"58mm": 384, "80mm": 576}
EC = {0x30: qrcode.constants.ERROR_CORRECT_L, 0x31: qrcode.constants.ERROR_CORRECT_M,
      0x32: qrcode.constants.ERROR_CORRECT_Q, 0x33: qrcode.constants.ERROR_CORRECT_H}


@dataclass
class Cell:
    char: str
    x: int
    width: int
    height: int


@dataclass
class Row:
    top: int
    height: int
    cells: list[Cell] = field(default_factory=list)
    qr: tuple[int, int, str] | None = None  # (left, side, data)

    @property
    def text(self) -> str:
        return "".join(cell.char for cell in self.cells)


@dataclass
class Printer:
    """A 203 dpi printer in Chinese mode with a 12×24 ASCII and 24×24 hanzi font."""

    dots: int
    pitch: int = 30
    align: int = 0
    ascii_size: tuple[int, int] = (1, 1)
    chinese_size: tuple[int, int] = (1, 1)
    esc_bang_size: bool = False
    y: int = 0
    line: list[tuple[str, int, int]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    qr: dict[str, object] = field(default_factory=dict)

    def char(self, char: str) -> None:
        wide = ord(char) >= 0x80
        w, h = self.chinese_size if wide else self.ascii_size
        self.line.append((char, (24 if wide else 12) * w, 24 * h))

    def feed(self) -> None:
        used = sum(width for _, width, _ in self.line)
        x = (self.dots - used) // 2 if self.align == 1 else self.dots - used if self.align == 2 else 0
        height = max([self.pitch] + [h for _, _, h in self.line])
        row = Row(self.y, height)
        for char, width, tall in self.line:
            row.cells.append(Cell(char, x, width, tall))
            x += width
        self.rows.append(row)
        self.y += height
        self.line = []

    def print_qr(self) -> None:
        code = qrcode.QRCode(error_correction=EC[int(self.qr["ec"])], border=0, box_size=1)
        code.add_data(self.qr["data"])
        code.make(fit=True)
        side = code.modules_count * int(self.qr["size"])
        left = (self.dots - side) // 2 if self.align == 1 else 0
        self.rows.append(Row(self.y, side, qr=(left, side, bytes(self.qr["data"]).decode())))
        self.y += side


def replay(stream: bytes, dots: int) -> Printer:
    printer, i = Printer(dots), 0
    while i < len(stream):
        byte = stream[i]
        if byte == 0x0A:
            printer.feed()
            i += 1
        elif byte == 0x1B:
            command, arg = stream[i + 1], stream[i + 2] if i + 2 < len(stream) else 0
            if command == 0x40:  # ESC @
                printer = Printer(dots, y=printer.y, rows=printer.rows)
                i += 2
                continue
            if command == 0x33:
                printer.pitch = arg
            elif command == 0x61:
                printer.align = arg % 48 if arg >= 48 else arg
            elif command == 0x21:  # ESC !: ASCII only on Chinese printers
                printer.esc_bang_size = printer.esc_bang_size or bool(arg & 0x30)
                printer.ascii_size = (1 + bool(arg & 0x20), 1 + bool(arg & 0x10))
            elif command == 0x64:
                for _ in range(arg):
                    printer.feed()
            elif command not in (0x45, 0x74, 0x32):
                raise AssertionError(f"unknown ESC {command:#x} at {i}")
            i += 3 if command != 0x32 else 2
        elif byte == 0x1C:
            command = stream[i + 1]
            if command == 0x26:  # FS &: Chinese mode
                i += 2
            elif command == 0x21:  # FS !: Chinese character size
                arg = stream[i + 2]
                printer.chinese_size = (1 + bool(arg & 0x04), 1 + bool(arg & 0x08))
                i += 3
            else:
                raise AssertionError(f"unknown FS {command:#x} at {i}")
        elif byte == 0x1D:
            command = stream[i + 1]
            if command == 0x21:  # GS !: both fonts
                arg = stream[i + 2]
                size = ((arg >> 4) + 1, (arg & 0x0F) + 1)
                printer.ascii_size = printer.chinese_size = size
                i += 3
            elif command == 0x56:  # GS V: cut, the end of the slip
                return printer
            elif command == 0x28 and stream[i + 2] == 0x6B:  # GS ( k
                length = stream[i + 3] + 256 * stream[i + 4]
                body = stream[i + 5:i + 5 + length]
                function = body[1]
                if function == 0x43:
                    printer.qr["size"] = body[2]
                elif function == 0x45:
                    printer.qr["ec"] = body[2]
                elif function == 0x50:
                    printer.qr["data"] = body[3:]
                elif function == 0x51:
                    printer.print_qr()
                i += 5 + length
            else:
                raise AssertionError(f"unknown GS {command:#x} at {i}")
        elif byte < 0x80:
            printer.char(chr(byte))
            i += 1
        else:
            size = 4 if 0x30 <= stream[i + 1] <= 0x39 else 2
            printer.char(stream[i:i + size].decode("gb18030"))
            i += size
    raise AssertionError("stream does not end with a cut")


@pytest.fixture(scope="module")
def receipts() -> dict[str, dict[str, bytes]]:
    message = load_message(DEMO)
    fonts = prepare_fonts(message)
    return {name: {asset.path.rsplit(".", 1)[1]: asset.data
                   for asset in CHANNELS["receipt"].render(message, name, fonts)}
            for name in DOTS}


@pytest.mark.parametrize("name", list(DOTS))
def test_enlarged_chinese_titles_use_gs_or_fs(receipts, name: str) -> None:
    printer = replay(receipts[name]["bin"], DOTS[name])
    assert not printer.esc_bang_size  # ESC ! is ignored for hanzi by many printers
    titles = [row for row in printer.rows if row.cells and row.cells[-1].height == 48]
    assert [row.text.strip() for row in titles][:1] == ["消防安全提示"]
    hanzi = [cell for row in titles for cell in row.cells if ord(cell.char) >= 0x80]
    assert hanzi and all(cell.width == 48 for cell in hanzi)


@pytest.mark.parametrize("name", list(DOTS))
def test_preview_png_is_the_printed_grid(receipts, name: str) -> None:
    printer = replay(receipts[name]["bin"], DOTS[name])
    image = Image.open(io.BytesIO(receipts[name]["png"])).convert("L")
    ink = np.asarray(image) < 128
    assert image.size == (DOTS[name], printer.y)
    expected = np.zeros_like(ink)
    for row in printer.rows:
        if row.qr:
            left, side, data = row.qr
            expected[row.top:row.top + side, left:left + side] = True
            symbol = image.crop((left, row.top, left + side, row.top + side))
            framed = Image.new("L", (side + 80, side + 80), 255)
            framed.paste(symbol, (40, 40))  # the symbol alone, where the printer puts it
            assert data == URL
            assert [found.text for found in zxingcpp.read_barcodes(framed)] == [URL]
            continue
        for cell in row.cells:
            if cell.char.isspace():
                continue
            box = ink[row.top:row.top + cell.height, cell.x:cell.x + cell.width]
            assert box.any(), (row.text, cell.char)
            expected[row.top:row.top + cell.height, cell.x:cell.x + cell.width] = True
    stray = ink & ~expected
    assert not stray.any(), np.argwhere(stray)[:5]


@pytest.mark.parametrize("name", list(DOTS))
def test_text_preview_lists_the_printed_lines(receipts, name: str) -> None:
    printer = replay(receipts[name]["bin"], DOTS[name])
    printed = [row.text.strip() for row in printer.rows if row.text.strip()]
    shown = [line.strip() for line in receipts[name]["txt"].decode().splitlines()
             if line.strip() != "[二维码]"]
    assert printed == shown

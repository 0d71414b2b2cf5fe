"""Thermal label printer languages (ZPL, TSPL) for a 1-bit bitmap, and office-printer sheets.

The A4 sheet is a vector PDF/X-4 of the label's plan tiled at its physical size with a gap
between labels, a cut line along the middle of every gap and cut marks in the page margin.
Both languages get the exact bitmap of the PNG. ZPL sets media tracking (``^MN``), print
speed (``^PR``) and darkness (``^MD``) and sends the graphic field compressed (``^GFA`` with
``:Z64:`` — zlib, base64 and a CRC-16 of the base64 text; bit 1 = dot burned), a fraction of
the ASCII-hex size. TSPL sets ``SPEED`` and ``DENSITY`` and sends a binary ``BITMAP`` in
overwrite mode (bit 0 = dot burned, the same packing Pillow uses for mode "1"). Rows are
padded with white to whole bytes. The readers here parse the files back for the checks.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass

from PIL import Image, ImageChops

from ..typeset.fonts import FontSet
from .pdfx import PrintSheet
from .plan import Plan
from .vector import Placement, print_pdf

DOTS_PER_MM = 8  # 203 dpi print heads


@dataclass(frozen=True)
class PrintSettings:
    """How a thermal printer is told to print one label."""

    speed_ips: int = 4
    """Print speed in inches per second (ZPL ``^PR``, TSPL ``SPEED``)."""
    darkness: int = 0
    """ZPL ``^MD``: darkness relative to the printer's calibrated setting (−30…30)."""
    density: int = 8
    """TSPL ``DENSITY`` (0–15)."""


def _padded(bitmap: Image.Image) -> tuple[bytes, int]:
    """Rows packed 8 dots to a byte, the last byte of each row filled up with white."""
    if bitmap.mode != "1":
        raise ValueError("标签位图须为 1 位黑白")
    row_bytes = -(-bitmap.width // 8)
    if bitmap.width % 8:
        padded = Image.new("1", (row_bytes * 8, bitmap.height), 1)
        padded.paste(bitmap, (0, 0))
        bitmap = padded
    return bitmap.tobytes(), row_bytes


def crc16(data: bytes) -> int:
    """CRC-16/XMODEM (polynomial 0x1021, initial 0), the check ZPL puts after Z64 data."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def z64(raw: bytes) -> str:
    """``:Z64:`` graphic data: zlib-deflated, base64-encoded, followed by the CRC."""
    encoded = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    return f":Z64:{encoded}:{crc16(encoded.encode('ascii')):04X}"


def zpl(bitmap: Image.Image, settings: PrintSettings = PrintSettings(), copies: int = 1) -> bytes:
    """A complete ZPL label (``^XA…^XZ``) printing ``bitmap`` at the origin."""
    packed, row_bytes = _padded(bitmap)
    inverted = bytes(b ^ 0xFF for b in packed)  # Pillow: 1 = white; ZPL: 1 = black
    total, speed = len(inverted), settings.speed_ips
    lines = [
        "^XA", "^CI28", "^MNY", f"^PR{speed},{speed},{speed}", f"^MD{settings.darkness}",
        f"^PW{bitmap.width}", f"^LL{bitmap.height}", "^LH0,0",
        f"^FO0,0^GFA,{total},{total},{row_bytes},{z64(inverted)}^FS", f"^PQ{copies}", "^XZ", ""]
    return "\n".join(lines).encode("ascii")


def tspl(bitmap: Image.Image, width_mm: float, height_mm: float, gap_mm: float = 2.0,
         settings: PrintSettings = PrintSettings(), copies: int = 1) -> bytes:
    """A TSPL job: label size, gap, speed and density, then the bitmap, then PRINT."""
    packed, row_bytes = _padded(bitmap)
    head = (f"SIZE {width_mm:g} mm,{height_mm:g} mm\r\nGAP {gap_mm:g} mm,0 mm\r\n"
            f"SPEED {settings.speed_ips}\r\nDENSITY {settings.density}\r\n"
            "DIRECTION 1,0\r\nREFERENCE 0,0\r\nCLS\r\n"
            f"BITMAP 0,0,{row_bytes},{bitmap.height},0,").encode("ascii")
    return head + packed + f"\r\nPRINT 1,{copies}\r\n".encode("ascii")


def _graphic_bytes(data: str) -> bytes:
    """The bytes of a ``^GF`` data field: ``:Z64:…:crc`` or ASCII hex."""
    if not data.startswith(":Z64:"):
        return bytes.fromhex(data)
    encoded, _, crc = data[5:].rpartition(":")
    if int(crc, 16) != crc16(encoded.encode("ascii")):
        raise ValueError("ZPL 图形字段的 CRC 校验不符")
    return zlib.decompress(base64.b64decode(encoded))


def read_zpl(data: bytes) -> Image.Image:
    """The bitmap of the first ``^GFA`` field of a ZPL label (padding columns included)."""
    match = re.search(rb"\^GFA,(\d+),(\d+),(\d+),([^\^]+)\^FS", data)
    if not match:
        raise ValueError("ZPL 中没有 ^GFA 图形字段")
    total, row_bytes = int(match.group(1)), int(match.group(3))
    raw = _graphic_bytes(match.group(4).decode("ascii").strip())
    if len(raw) != total or total % row_bytes:
        raise ValueError("ZPL 图形字段长度与声明不符")
    return Image.frombytes("1", (row_bytes * 8, total // row_bytes),
                           bytes(b ^ 0xFF for b in raw))


def read_tspl(data: bytes) -> Image.Image:
    """The bitmap of the ``BITMAP`` command of a TSPL job (padding columns included)."""
    match = re.search(rb"BITMAP (\d+),(\d+),(\d+),(\d+),(\d+),", data)
    if not match:
        raise ValueError("TSPL 中没有 BITMAP 命令")
    row_bytes, height = int(match.group(3)), int(match.group(4))
    start = match.end()
    raw = data[start:start + row_bytes * height]
    if len(raw) != row_bytes * height or not data[start + len(raw):].startswith(b"\r\nPRINT"):
        raise ValueError("TSPL 位图数据长度与声明不符")
    return Image.frombytes("1", (row_bytes * 8, height), raw)


def same_bitmap(decoded: Image.Image, bitmap: Image.Image) -> bool:
    """The printer file's bitmap is the PNG, its byte padding (under 8 columns) all white."""
    if decoded.height != bitmap.height or not 0 <= decoded.width - bitmap.width < 8:
        return False
    padding = decoded.crop((bitmap.width, 0, decoded.width, decoded.height))
    if decoded.width > bitmap.width and padding.convert("L").getextrema()[0] == 0:
        return False
    return ImageChops.difference(decoded.crop((0, 0, *bitmap.size)).convert("L"),
                                 bitmap.convert("L")).getbbox() is None


A4_MM = (210.0, 297.0)
CUT_GAP_MM = 1.0
"""Space between a label's edge and its cut mark."""
GUTTER_MM = 4.0
"""Gap between labels on a sheet, with a cut line along its middle."""


def sheet(plan: Plan, fonts: FontSet, width_mm: float, height_mm: float, title: str,
          margin_mm: float = 5.0, gutter_mm: float = GUTTER_MM) -> tuple[bytes, int]:
    """An A4 PDF tiling the label n-up at its real size with gaps and cut lines; (pdf, n).

    A cut line runs along the middle of every gap, so scissors leave each label a white
    border; cut marks sit in the page margin on every label edge for a guillotine.
    """
    page_w, page_h = A4_MM
    columns = int((page_w - 2 * margin_mm + gutter_mm) // (width_mm + gutter_mm))
    rows = int((page_h - 2 * margin_mm + gutter_mm) // (height_mm + gutter_mm))
    if columns < 1 or rows < 1:
        raise ValueError(f"{width_mm}×{height_mm} mm 的标签放不进 A4")
    block_w = columns * (width_mm + gutter_mm) - gutter_mm
    block_h = rows * (height_mm + gutter_mm) - gutter_mm
    left, top = (page_w - block_w) / 2, (page_h - block_h) / 2
    lefts = [left + c * (width_mm + gutter_mm) for c in range(columns)]
    tops = [top + r * (height_mm + gutter_mm) for r in range(rows)]
    mm_per_px = width_mm / plan.canvas[0]
    placements = [Placement(plan, x, y, mm_per_px) for y in tops for x in lefts]
    pdf = print_pdf(PrintSheet(A4_MM), placements, fonts, title,
                    cuts=_cut_marks(lefts, tops, width_mm, height_mm, block_w, block_h)
                    + _cut_lines(lefts, tops, width_mm, height_mm, gutter_mm, block_w, block_h))
    return pdf, columns * rows


Line = tuple[float, float, float, float]


def _cut_marks(lefts: list[float], tops: list[float], width_mm: float, height_mm: float,
               block_w: float, block_h: float) -> list[Line]:
    left, top = lefts[0], tops[0]
    reach = min(left, top) - CUT_GAP_MM
    cuts: list[Line] = []
    for x in sorted({v for x0 in lefts for v in (x0, x0 + width_mm)}):
        cuts += [(x, top - CUT_GAP_MM, x, top - reach),
                 (x, top + block_h + CUT_GAP_MM, x, top + block_h + reach)]
    for y in sorted({v for y0 in tops for v in (y0, y0 + height_mm)}):
        cuts += [(left - CUT_GAP_MM, y, left - reach, y),
                 (left + block_w + CUT_GAP_MM, y, left + block_w + reach, y)]
    return cuts


def _cut_lines(lefts: list[float], tops: list[float], width_mm: float, height_mm: float,
               gutter_mm: float, block_w: float, block_h: float) -> list[Line]:
    """Lines along the middle of each gap between labels, the length of the block."""
    left, top = lefts[0], tops[0]
    xs = [x0 + width_mm + gutter_mm / 2 for x0 in lefts[:-1]]
    ys = [y0 + height_mm + gutter_mm / 2 for y0 in tops[:-1]]
    return ([(x, top, x, top + block_h) for x in xs] +
            [(left, y, left + block_w, y) for y in ys])

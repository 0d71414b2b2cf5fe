"""Thermal label printer languages (ZPL, TSPL) for a 1-bit bitmap, and office-printer sheets.

The A4 sheet is a vector PDF/X-4 of the label's plan tiled at its physical size, with the gutter
between labels and cut marks in the page margin on every cut line. Both languages get the exact bitmap of the PNG: ZPL as an ASCII-hex graphic field (``^GFA``,
bit 1 = dot burned), TSPL as a binary ``BITMAP`` in overwrite mode (bit 0 = dot burned, the
same packing Pillow uses for mode "1"). The readers here parse the files back for the checks.
"""

from __future__ import annotations

import re

from PIL import Image, ImageChops

from ..typeset.fonts import FontSet
from .pdfx import PrintSheet
from .plan import Plan
from .vector import Placement, print_pdf

DOTS_PER_MM = 8  # 203 dpi print heads


def _packed_rows(bitmap: Image.Image) -> tuple[bytes, int]:
    if bitmap.mode != "1" or bitmap.width % 8:
        raise ValueError("标签位图须为 1 位黑白且宽度是 8 的倍数")
    return bitmap.tobytes(), bitmap.width // 8


def zpl(bitmap: Image.Image, copies: int = 1) -> bytes:
    """A complete ZPL label (``^XA…^XZ``) printing ``bitmap`` at the origin."""
    packed, row_bytes = _packed_rows(bitmap)
    inverted = bytes(b ^ 0xFF for b in packed)  # Pillow: 1 = white; ZPL: 1 = black
    total = len(inverted)
    body = inverted.hex().upper()
    lines = [
        "^XA", "^CI28", f"^PW{bitmap.width}", f"^LL{bitmap.height}", "^LH0,0",
        f"^FO0,0^GFA,{total},{total},{row_bytes},{body}^FS", f"^PQ{copies}", "^XZ", ""]
    return "\n".join(lines).encode("ascii")


def tspl(bitmap: Image.Image, width_mm: float, height_mm: float, gap_mm: float = 2.0,
         copies: int = 1) -> bytes:
    """A TSPL job: label size and gap, then the bitmap in overwrite mode, then PRINT."""
    packed, row_bytes = _packed_rows(bitmap)
    head = (f"SIZE {width_mm:g} mm,{height_mm:g} mm\r\nGAP {gap_mm:g} mm,0 mm\r\n"
            "DIRECTION 1,0\r\nREFERENCE 0,0\r\nDENSITY 8\r\nCLS\r\n"
            f"BITMAP 0,0,{row_bytes},{bitmap.height},0,").encode("ascii")
    return head + packed + f"\r\nPRINT 1,{copies}\r\n".encode("ascii")


def read_zpl(data: bytes) -> Image.Image:
    """The bitmap of the first ``^GFA`` field of a ZPL label."""
    match = re.search(rb"\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS", data)
    if not match:
        raise ValueError("ZPL 中没有 ^GFA 图形字段")
    total, row_bytes = int(match.group(1)), int(match.group(3))
    raw = bytes.fromhex(match.group(4).decode("ascii"))
    if len(raw) != total or total % row_bytes:
        raise ValueError("ZPL 图形字段长度与声明不符")
    return Image.frombytes("1", (row_bytes * 8, total // row_bytes),
                           bytes(b ^ 0xFF for b in raw))


def read_tspl(data: bytes) -> Image.Image:
    """The bitmap of the ``BITMAP`` command of a TSPL job."""
    match = re.search(rb"BITMAP (\d+),(\d+),(\d+),(\d+),(\d+),", data)
    if not match:
        raise ValueError("TSPL 中没有 BITMAP 命令")
    row_bytes, height = int(match.group(3)), int(match.group(4))
    start = match.end()
    raw = data[start:start + row_bytes * height]
    if len(raw) != row_bytes * height or not data[start + len(raw):].startswith(b"\r\nPRINT"):
        raise ValueError("TSPL 位图数据长度与声明不符")
    return Image.frombytes("1", (row_bytes * 8, height), raw)


def same_bitmap(first: Image.Image, second: Image.Image) -> bool:
    return first.size == second.size and ImageChops.difference(
        first.convert("L"), second.convert("L")).getbbox() is None


A4_MM = (210.0, 297.0)
CUT_GAP_MM = 1.0
"""Space between a label's edge and its cut mark."""


def sheet(plan: Plan, fonts: FontSet, width_mm: float, height_mm: float, title: str,
          margin_mm: float = 4.0, gutter_mm: float = 2.0) -> tuple[bytes, int]:
    """An A4 PDF tiling the label n-up at its real size, with cut marks; returns (pdf, n).

    Cut marks sit in the page margin on every cut line, so a guillotine or a ruler finds
    them without marks running into neighbouring labels.
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
    reach = min(left, top) - CUT_GAP_MM
    cuts = []
    for x in sorted({v for x0 in lefts for v in (x0, x0 + width_mm)}):
        cuts += [(x, top - CUT_GAP_MM, x, top - reach),
                 (x, top + block_h + CUT_GAP_MM, x, top + block_h + reach)]
    for y in sorted({v for y0 in tops for v in (y0, y0 + height_mm)}):
        cuts += [(left - CUT_GAP_MM, y, left - reach, y),
                 (left + block_w + CUT_GAP_MM, y, left + block_w + reach, y)]
    pdf = print_pdf(PrintSheet(A4_MM), placements, fonts, title, cuts=cuts)
    return pdf, columns * rows

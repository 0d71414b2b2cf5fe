"""QR codes: built with ``qrcode``, drawn on whole pixels, and always decoded back.

A QR is only as good as the scan, so every asset that carries one decodes it from its own
rendered pixels (``zxing-cpp``) and fails its ``qr_decodes`` check otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import qrcode
import qrcode.constants
import zxingcpp
from PIL import Image

from ..model.links import LinkError, ascii_link

QUIET_ZONE_MODULES = 4
MIN_PRINT_MODULE_MM = 0.5
MIN_THERMAL_MODULE_DOTS = 3
_QR_ONLY: Any = zxingcpp.BarcodeFormat.QRCode
_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass(frozen=True)
class QrMatrix:
    """The dark/light modules of a symbol, without quiet zone."""

    rows: tuple[tuple[bool, ...], ...]
    error_correction: str

    @property
    def modules(self) -> int:
        return len(self.rows)

    def side_px(self, module_px: int) -> int:
        """Side of the drawn symbol including the 4-module quiet zone."""
        return (self.modules + 2 * QUIET_ZONE_MODULES) * module_px


@lru_cache(maxsize=256)
def build_matrix(data: str, with_logo: bool = False) -> QrMatrix:
    """Encode the link ``data`` in its ASCII form (``model.links.ascii_link``: punycode host,
    percent-encoded path), which every scanner reads alike; error correction M, or H when a
    logo will cover the middle."""
    level = "H" if with_logo else "M"
    code = qrcode.QRCode(error_correction=_LEVELS[level], border=0, box_size=1)
    code.add_data(payload(data).encode("utf-8"))
    code.make(fit=True)
    rows = tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())
    return QrMatrix(rows, level)


def min_module_px(dpi: float | None) -> int:
    """Smallest module size, in pixels, that still scans at this resolution."""
    if dpi is None:
        return 4  # screens: 4 px modules scan from a phone held at arm's length
    if dpi <= 210:
        return MIN_THERMAL_MODULE_DOTS
    return math.ceil(MIN_PRINT_MODULE_MM * dpi / 25.4)


def module_px_for(matrix: QrMatrix, side_px: int, dpi: float | None) -> int:
    """Largest whole-pixel module that keeps the symbol (with quiet zone) within ``side_px``."""
    module = side_px // (matrix.modules + 2 * QUIET_ZONE_MODULES)
    return max(module, min_module_px(dpi))


def render(matrix: QrMatrix, module_px: int, dark: int = 0, light: int = 255) -> Image.Image:
    """Greyscale image of the symbol, quiet zone included, on exact pixel boundaries."""
    count = matrix.modules
    small = Image.new("L", (count + 2 * QUIET_ZONE_MODULES,) * 2, light)
    pixels = small.load()
    assert pixels is not None
    for y, row in enumerate(matrix.rows):
        for x, cell in enumerate(row):
            if cell:
                pixels[x + QUIET_ZONE_MODULES, y + QUIET_ZONE_MODULES] = dark
    side = small.width * module_px
    return small.resize((side, side), Image.Resampling.NEAREST)


def decode(image: Image.Image) -> list[str]:
    """Every QR text found in ``image``."""
    grey = image if image.mode == "L" else image.convert("L")
    results = zxingcpp.read_barcodes(grey, formats=_QR_ONLY)
    return [result.text for result in results]


def payload(link: str) -> str:
    """What a QR code for ``link`` holds: its ASCII form (the link itself when ASCII)."""
    try:
        return ascii_link(link)
    except LinkError:  # refused by message validation; a direct caller keeps its text
        return link


def decode_check(image: Image.Image, expected: str) -> tuple[bool, str]:
    """(ok, detail) for the ``qr_decodes`` check: the symbol must hold ``expected`` in the
    ASCII form ``build_matrix`` encodes."""
    found = decode(image)
    wanted = payload(expected)
    if wanted in found:
        return True, f"识别出 {len(found)} 个二维码，解码得到 {wanted}" + (
            f"（即 {expected}）" if wanted != expected else "")
    if found:
        return False, f"解码得到 {found[0]!r}，应为 {wanted!r}"
    return False, "成品图上没有识别出二维码"

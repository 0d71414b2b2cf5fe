"""Labels a thermal printer prints well (issue 13, item 7), measured without xfpush's readers.

Ink is counted on the PNG with numpy; the ZPL graphic field is decoded here (base64, zlib and
the CRC-16 via ``binascii.crc_hqx``) and by zebrafy; the TSPL bitmap is read here; the A4 sheet
is rasterised with pdfium and its gaps and cut lines are found in the pixels.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image
from zebrafy import ZebrafyZPL

from xfpush import load_message
from xfpush.channels import CHANNELS
from xfpush.channels.checks import run_checks
from xfpush.pack.build import prepare_fonts

DEMO = Path(__file__).resolve().parents[1] / "assets" / "examples" / "demo.yaml"
SIZES = {"label-60x40": (60, 40), "label-100x100": (100, 100), "waybill-65x30": (65, 30)}
PROFILES = [f"{name}{suffix}" for name in SIZES for suffix in ("", "-300dpi")]


@pytest.fixture(scope="module")
def labels() -> dict[str, dict[str, bytes]]:
    message = load_message(DEMO)
    fonts = prepare_fonts(message)
    found: dict[str, dict[str, bytes]] = {}
    for profile in PROFILES:
        for asset in map(run_checks, CHANNELS["sticker"].render(message, profile, fonts)):
            assert all(check.ok for check in asset.checks), (asset.path, asset.checks)
            kind = "sheet" if asset.path.endswith("-sheet.pdf") else asset.path.rsplit(".", 1)[1]
            found.setdefault(profile, {})[kind] = asset.data
    return found


def dots_per_mm(profile: str) -> int:
    return 12 if profile.endswith("-300dpi") else 8


def png_ink(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L")) < 128


@pytest.mark.parametrize("profile", PROFILES)
def test_no_ink_near_the_edge_and_little_black(labels, profile: str) -> None:
    image = Image.open(io.BytesIO(labels[profile]["png"]))
    width_mm, height_mm = SIZES[profile.removesuffix("-300dpi")]
    per_mm = dots_per_mm(profile)
    assert image.size == (width_mm * per_mm, height_mm * per_mm)
    assert round(image.info["dpi"][0]) == (300 if per_mm == 12 else 203)
    ink = png_ink(labels[profile]["png"])
    band = int(np.ceil(1.5 * per_mm))
    inner = np.zeros_like(ink)
    inner[band:-band, band:-band] = True
    assert not (ink & ~inner).any()  # nothing within 1.5 mm of the edge
    assert ink.mean() <= 0.35
    assert ink.mean() >= 0.05  # still a label, not a blank


def z64_bitmap(zpl: bytes) -> tuple[np.ndarray, int]:
    """Ink of the ^GFA field, decoded by hand: (dots, printed width from ^PW)."""
    field = re.search(rb"\^GFA,(\d+),(\d+),(\d+),:Z64:([A-Za-z0-9+/=]+):([0-9A-F]{4})\^FS", zpl)
    assert field, "graphic field is not :Z64: compressed"
    total, row_bytes = int(field.group(1)), int(field.group(3))
    assert binascii.crc_hqx(field.group(4), 0) == int(field.group(5), 16)
    raw = zlib.decompress(base64.b64decode(field.group(4)))
    assert len(raw) == total
    bits = np.unpackbits(np.frombuffer(raw, np.uint8)).reshape(total // row_bytes, row_bytes * 8)
    width = int(re.search(rb"\^PW(\d+)", zpl).group(1))  # type: ignore[union-attr]
    assert not bits[:, width:].any()  # byte padding prints nothing
    return bits[:, :width].astype(bool), width


@pytest.mark.parametrize("profile", PROFILES)
def test_zpl_sets_the_printer_and_carries_the_png_compressed(labels, profile: str) -> None:
    zpl = labels[profile]["zpl"]
    speed = 3 if profile.endswith("-300dpi") else 4
    assert f"^PR{speed},{speed},{speed}".encode() in zpl
    assert re.search(rb"\^MD-?\d+", zpl) and b"^MNY" in zpl
    bits, _ = z64_bitmap(zpl)
    assert np.array_equal(bits, png_ink(labels[profile]["png"]))
    (decoded,) = ZebrafyZPL(zpl.decode("ascii")).to_images()
    dots = np.asarray(decoded.convert("L")) < 128
    assert np.array_equal(dots[:, : bits.shape[1]], bits)
    hex_size = bits.shape[0] * -(-bits.shape[1] // 8) * 2
    assert len(zpl) < hex_size / 5  # uncompressed ^GFA hex was the whole file


@pytest.mark.parametrize("profile", PROFILES)
def test_tspl_sets_speed_and_carries_the_png(labels, profile: str) -> None:
    tspl = labels[profile]["tspl"]
    speed = 3 if profile.endswith("-300dpi") else 4
    assert f"\r\nSPEED {speed}\r\n".encode() in tspl and b"\r\nDENSITY " in tspl
    width_mm, height_mm = SIZES[profile.removesuffix("-300dpi")]
    assert f"SIZE {width_mm} mm,{height_mm} mm".encode() in tspl
    head = re.search(rb"BITMAP 0,0,(\d+),(\d+),0,", tspl)
    assert head
    row_bytes, height = int(head.group(1)), int(head.group(2))
    raw = tspl[head.end():head.end() + row_bytes * height]
    bits = ~np.unpackbits(np.frombuffer(raw, np.uint8)).reshape(height, -1).astype(bool)
    ink = png_ink(labels[profile]["png"])
    assert np.array_equal(bits[:, : ink.shape[1]], ink) and not bits[:, ink.shape[1]:].any()


def long_lines(ink: np.ndarray, min_px: int) -> list[int]:
    """Columns holding an unbroken run of ink at least ``min_px`` long, grouped into lines."""
    found = []
    for x in range(ink.shape[1]):
        column = np.concatenate(([0], ink[:, x].astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(column))
        if len(edges) and (edges[1::2] - edges[::2]).max() >= min_px:
            found.append(x)
    return [group[0] for group in np.split(np.array(found), np.flatnonzero(np.diff(found) > 1) + 1)
            if len(group)]


@pytest.mark.parametrize(("profile", "across", "down"), [
    ("label-60x40", 3, 6), ("label-100x100", 1, 2), ("waybill-65x30", 2, 8)])
def test_sheet_has_gaps_and_cut_lines_between_labels(labels, profile: str, across: int,
                                                     down: int) -> None:
    assert "sheet" not in labels[f"{profile}-300dpi"]  # vector: one sheet per size
    page = pdfium.PdfDocument(labels[profile]["sheet"])[0]
    per_mm = 10
    image = page.render(scale=per_mm * 25.4 / 72, grayscale=True).to_pil().convert("L")
    ink = np.asarray(image) < 160
    width_mm, height_mm = SIZES[profile]
    block_w = across * width_mm + (across - 1) * 4
    block_h = down * height_mm + (down - 1) * 4
    vertical = long_lines(ink, int((block_h - 1) * per_mm))  # cut lines run the whole block
    horizontal = long_lines(ink.T, int((block_w - 1) * per_mm))
    assert (len(vertical), len(horizontal)) == (across - 1, down - 1), (vertical, horizontal)
    labels_only = ink.copy()
    for x in vertical:
        labels_only[:, x - 3:x + 4] = False
    for y in horizontal:
        labels_only[y - 3:y + 4, :] = False
    for axis, lines in ((labels_only, vertical), (labels_only.T, horizontal)):
        for line in lines:  # white beside each cut line: a real gap between labels
            gap = axis[:, line - int(1.6 * per_mm):line + int(1.6 * per_mm) + 1]
            assert not gap.any(), (profile, line)

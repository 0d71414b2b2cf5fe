"""Page sizes of print PDFs, and the single-bitmap PDF (office proofs, and the baseline that
``benchmarks/print.py`` measures the vector backend against; print assets use ``render.vector``).

The image goes in as the PNG encoder's own zlib stream with PDF's PNG predictor, so a 300 dpi A3
page is compressed by Pillow's C encoder once and never re-encoded. No dates are written, so the
same pixels give the same bytes.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import pikepdf
from PIL import Image

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH


@dataclass(frozen=True)
class PageGeometry:
    """Physical page of a print PDF."""

    width_mm: float
    """Page width including bleed on both sides."""
    height_mm: float
    """Page height including bleed on both sides."""
    bleed_mm: float
    """Bleed on each side; the trim box is the page inset by this much."""


def _png_stream(image: Image.Image) -> tuple[bytes, int]:
    """(concatenated IDAT data, colour channels) of a PNG encode of ``image``."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    data = buffer.getvalue()
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8:position + 8 + length])
        position += 12 + length
    return b"".join(chunks), 1 if image.mode == "L" else 3


def _crop_marks(geometry: PageGeometry) -> bytes:
    """Marks on the trim lines, inside the bleed, stopping 1 mm short of the trim."""
    bleed = geometry.bleed_mm * PT_PER_MM
    gap = min(1.0, geometry.bleed_mm / 3) * PT_PER_MM
    width, height = geometry.width_mm * PT_PER_MM, geometry.height_mm * PT_PER_MM
    segments = []
    for x in (bleed, width - bleed):
        segments += [(x, 0, x, bleed - gap), (x, height, x, height - bleed + gap)]
    for y in (bleed, height - bleed):
        segments += [(0, y, bleed - gap, y), (width, y, width - bleed + gap, y)]
    path = "".join(f"{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l S\n" for a, b, c, d in segments)
    # A white halo under the black hairline keeps the marks visible on any background.
    return (f"q 1 1 1 RG 0.9 w\n{path}Q\nq 0 0 0 RG 0.3 w\n{path}Q\n").encode("ascii")


def _text_string(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def image_pdf(image: Image.Image, geometry: PageGeometry, title: str = "",
              crop_marks: bool = True) -> bytes:
    """A one-page PDF showing ``image`` over the whole page, with trim/bleed boxes."""
    rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
    stream, colours = _png_stream(rgb)
    width_pt, height_pt = geometry.width_mm * PT_PER_MM, geometry.height_mm * PT_PER_MM
    bleed = geometry.bleed_mm * PT_PER_MM
    content = f"q {width_pt:.4f} 0 0 {height_pt:.4f} 0 0 cm /Im0 Do Q\n".encode("ascii")
    if crop_marks and geometry.bleed_mm > 0:
        content += _crop_marks(geometry)
    trim = f"[{bleed:.4f} {bleed:.4f} {width_pt - bleed:.4f} {height_pt - bleed:.4f}]"
    media = f"[0 0 {width_pt:.4f} {height_pt:.4f}]"
    space = "/DeviceGray" if colours == 1 else "/DeviceRGB"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox {media} /BleedBox {media} /TrimBox {trim} "
         f"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>").encode("ascii"),
        (f"<< /Type /XObject /Subtype /Image /Width {rgb.width} /Height {rgb.height} "
         f"/ColorSpace {space} /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms "
         f"<< /Predictor 15 /Colors {colours} /BitsPerComponent 8 /Columns {rgb.width} >> "
         f"/Length {len(stream)} >>\nstream\n").encode("ascii") + stream + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode("ascii") + content + b"endstream",
        b"<< /Producer (xfpush) /Title " + _text_string(title) + b" >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii"))
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode("ascii"))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode("ascii"))
    return out.getvalue()


def page_box_mm(pdf: bytes, box: str = "MediaBox") -> tuple[float, float]:
    """Width and height in mm of a box (``MediaBox``, ``BleedBox``, ``TrimBox``) of the first
    page; a missing box is the MediaBox (PDF's default when there is no CropBox)."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            page = document.pages[0].obj
            found = page.get(f"/{box}") or page.MediaBox
            unit = float(page.get("/UserUnit", 1))  # points per unit, PDF 1.6 large pages
            left, bottom, right, top = (float(v) * unit for v in found)
    except (pikepdf.PdfError, IndexError, AttributeError, ValueError) as exc:
        raise ValueError(f"PDF 中没有找到页面尺寸（{box}）：{exc}") from exc
    return (right - left) / PT_PER_MM, (top - bottom) / PT_PER_MM


def media_box_mm(pdf: bytes) -> tuple[float, float]:
    """Page width and height in mm (the MediaBox: the whole sheet, marks included)."""
    return page_box_mm(pdf, "MediaBox")


def bleed_box_mm(pdf: bytes) -> tuple[float, float]:
    """The printed area in mm: the finished size plus the bleed (the BleedBox)."""
    return page_box_mm(pdf, "BleedBox")

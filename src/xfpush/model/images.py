"""Reading user files safely: images bounded in bytes and pixels and fully decoded, fonts
loaded whole; refused with a Chinese reason if damaged."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..errors import InputError
from .reading import FileRefused, read_bounded

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_SIDE = 8000


def check_image_file(path: Path) -> tuple[int, int]:
    """(width, height) of an image file, or ValueError with a Chinese reason.

    The file is read with a byte limit (never more than ``MAX_IMAGE_BYTES + 1`` bytes, whatever
    ``stat`` says; folders, devices and FIFOs refused), its header is checked before any pixel
    is decoded (a 50k×50k bomb is refused there), and then every pixel is decoded, so a
    truncated or damaged file fails here, at ``check``, not later while rendering.
    """
    size: tuple[int, int] = _decoded(path).size
    return size


def open_image(path: Path) -> Image.Image:
    """Decode an image accepted by ``check_image_file``, as RGBA."""
    return _decoded(path).convert("RGBA")


def _decoded(path: Path) -> Image.Image:
    try:
        data = read_bounded(path, MAX_IMAGE_BYTES)
    except FileRefused as exc:
        raise ValueError(f"图片无法读取：{path.name}：{exc}"
                         + (f"（上限 {MAX_IMAGE_BYTES >> 20} MB）" if exc.too_large else "")
                         ) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if image.format not in ("PNG", "JPEG", "WEBP"):
                raise ValueError(f"图片格式 {image.format} 不支持，请用 PNG 或 JPEG：{path.name}")
            if max(width, height) > MAX_IMAGE_SIDE:
                raise ValueError(f"图片尺寸过大：{width}×{height} 像素，边长上限 {MAX_IMAGE_SIDE}")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(found.group(1)):,} 像素" if found else "像素数"
        raise ValueError(f"图片尺寸过大：{pixels}，超出安全上限（边长上限 {MAX_IMAGE_SIDE}）"
                         f"：{path.name}") from None
    except UnidentifiedImageError:
        raise ValueError(f"不是可用的图片文件（PNG/JPEG）：{path.name}") from None
    except (OSError, SyntaxError, EOFError, struct.error, zlib.error) as exc:
        # Pillow says "image file is truncated", "broken data stream", "Truncated File Read"…
        raise ValueError(f"图片文件不完整或已损坏，无法解码：{path.name}"
                         f"（{len(data):,} 字节）；请重新导出这张图片") from exc
    return image


def check_font_file(path: Path) -> None:
    """Refuse a fallback font that is too large, not a regular file, or not fully readable
    (its character map, widths and outlines are loaded, and one glyph is drawn)."""
    from PIL import ImageFont

    from ..typeset.fonts import MAX_FALLBACK_BYTES, load_face

    try:
        data = read_bounded(path, MAX_FALLBACK_BYTES)
    except FileRefused as exc:
        raise ValueError(f"字体文件无法读取：{exc}"
                         + (f"（上限 {MAX_FALLBACK_BYTES >> 20} MB）" if exc.too_large else "")
                         ) from None
    try:
        face = load_face(path.resolve())
        font = ImageFont.truetype(io.BytesIO(data), 32)
        sample = chr(next(iter(sorted(face.advances))))
        font.getmask(sample)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    except (OSError, ValueError, StopIteration) as exc:
        raise ValueError(f"字体文件已损坏或不是 TrueType/OpenType 字体（{exc}）") from None

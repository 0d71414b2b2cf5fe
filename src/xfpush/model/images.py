"""Reading user-supplied images safely: bounded in bytes and pixels, refused if not an image."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_SIDE = 8000


def check_image_file(path: Path) -> tuple[int, int]:
    """(width, height) of an image file, or ValueError with a Chinese reason.

    Only the header is read, so a 50k×50k bomb is refused before it is decoded.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValueError(f"文件不存在或无法读取：{path}") from exc
    if size > MAX_IMAGE_BYTES:
        raise ValueError(f"图片文件过大：{size / 1e6:.1f} MB，上限 {MAX_IMAGE_BYTES >> 20} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                image_format = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(found.group(1)):,} 像素" if found else "像素数"
        raise ValueError(f"图片尺寸过大：{pixels}，超出安全上限（边长上限 {MAX_IMAGE_SIDE}）"
                         f"：{path.name}") from exc
    except UnidentifiedImageError as exc:
        raise ValueError(f"不是可用的图片文件（PNG/JPEG）：{path.name}") from exc
    except OSError as exc:
        raise ValueError(f"图片无法读取：{path.name}（{exc}）") from exc
    if image_format not in ("PNG", "JPEG", "WEBP"):
        raise ValueError(f"图片格式 {image_format} 不支持，请用 PNG 或 JPEG")
    if max(width, height) > MAX_IMAGE_SIDE:
        raise ValueError(f"图片尺寸过大：{width}×{height} 像素，边长上限 {MAX_IMAGE_SIDE}")
    return width, height


def open_image(path: Path) -> Image.Image:
    """Decode an image already accepted by ``check_image_file``, as RGBA."""
    check_image_file(path)
    with Image.open(path) as image:
        converted: Image.Image = image.convert("RGBA")
    return converted

"""Print colour: screen colours (sRGB hex) converted once to CMYK for offset printing.

Chromatic colours go through the bundled FOGRA39 profile (``ISO Coated v2 300% (basICColor)``,
zlib licence, see ``assets/icc/``), relative colorimetric with black-point compensation, so a
theme red prints as the nearest red the press can make, within 300 % total ink. Neutral colours
(greys, the theme's near-black ink) never go through the profile: they become black ink alone,
and anything dark enough to be text becomes solid black (0/0/0/100). A profile would turn black
into four-colour black (≈ 300 % ink): slow to dry, and every colour plate must register exactly
for small text to stay sharp.
"""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageCms

from ..resources import asset_path
from .raster import hex_rgb

PROFILE_FILE = "ISOcoated_v2_300_bas.icc"
OUTPUT_CONDITION = "FOGRA39"
"""The characterized printing condition of the profile (ICC registry name)."""
OUTPUT_CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004)"
MAX_INK = 3.0
"""Total area coverage allowed (300 %): coated stock on a sheet-fed press."""
NEUTRAL_SPREAD = 10
"""Largest difference between R, G and B (0–255) that still counts as a grey."""
SOLID_BLACK_FROM = 0.75
"""A grey at least this dark (as black ink) prints as solid black: text ink, never a screen."""

Cmyk = tuple[float, float, float, float]
"""Ink amounts 0–1 of cyan, magenta, yellow and black."""

PAPER: Cmyk = (0.0, 0.0, 0.0, 0.0)
SOLID_K: Cmyk = (0.0, 0.0, 0.0, 1.0)


def profile_path() -> str:
    return str(asset_path("icc", PROFILE_FILE))


@cache
def _transform() -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(profile_path()), "RGB", "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def _percent(value: float) -> float:
    """Ink in whole percent, as printers specify it."""
    return round(value * 100) / 100


def limit_ink(colour: Cmyk) -> Cmyk:
    """``colour`` with cyan, magenta and yellow reduced so the total stays within 300 %."""
    c, m, y, k = colour
    coloured = c + m + y
    if coloured + k <= MAX_INK or coloured == 0:
        return colour
    scale = (MAX_INK - k) / coloured
    return (_floor(c * scale), _floor(m * scale), _floor(y * scale), k)


def _floor(value: float) -> float:
    return int(value * 100) / 100


@cache
def cmyk(colour: str) -> Cmyk:
    """The printing inks for a ``#RRGGBB`` screen colour."""
    r, g, b = hex_rgb(colour)
    if max(r, g, b) - min(r, g, b) <= NEUTRAL_SPREAD:
        black = 1 - (r + g + b) / (3 * 255)
        if black >= SOLID_BLACK_FROM:
            return SOLID_K
        return (0.0, 0.0, 0.0, _percent(black))
    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), (r, g, b)), _transform())
    assert pixel is not None
    inks = pixel.getpixel((0, 0))
    assert isinstance(inks, tuple)
    c, m, y, k = (_percent(v / 255) for v in inks)
    return limit_ink((c, m, y, k))


def is_solid_black(colour: Cmyk) -> bool:
    return colour == SOLID_K


def cmyk_image(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """(CMYK pixels, alpha mask or None) of an RGB or RGBA image, through the profile."""
    alpha = None
    if image.mode in ("RGBA", "LA"):
        alpha = image.getchannel("A")
        if alpha.getextrema() == (255, 255):
            alpha = None
    converted = ImageCms.applyTransform(image.convert("RGB"), _transform())
    assert converted is not None
    return converted, alpha


def total_ink(colour: Cmyk) -> float:
    return sum(colour)

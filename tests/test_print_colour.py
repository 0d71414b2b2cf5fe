"""Print colour and the fonts the print PDFs embed (issue 14): CMYK through the FOGRA39 profile,
black as black ink alone, ink limits; TrueType twins identical in characters and advances."""

from __future__ import annotations

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from xfpush.model.message import DEFAULT_THEME
from xfpush.render.cmyk import MAX_INK, cmyk, cmyk_image, limit_ink, profile_path
from xfpush.resources import asset_path


def test_the_profile_is_fogra39_cmyk_output() -> None:
    profile = ImageCms.getOpenProfile(profile_path())
    assert profile.profile.xcolor_space.strip() == "CMYK"
    assert "ISO Coated v2 300%" in ImageCms.getProfileDescription(profile)
    licence = asset_path("icc", "ISOcoated_v2_300_bas.txt").read_text("utf-8")
    assert "zlib" in licence and "basICColor" in licence


@pytest.mark.parametrize("colour", ["#000000", "#1F1F1F", DEFAULT_THEME["ink"], "#333333"])
def test_black_and_near_black_are_black_ink_alone(colour: str) -> None:
    assert cmyk(colour) == (0.0, 0.0, 0.0, 1.0)


def test_greys_are_black_ink_tints_and_white_is_paper() -> None:
    assert cmyk("#808080") == (0.0, 0.0, 0.0, 0.5)
    assert cmyk("#FFFFFF") == (0.0, 0.0, 0.0, 0.0)


def test_theme_red_goes_through_the_profile() -> None:
    c, m, y, k = cmyk(DEFAULT_THEME["primary"])
    assert m > 0.9 and y > 0.6 and c < 0.2 and k < 0.2
    # an independent conversion with the same profile agrees to the percent
    transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"),
                                        ImageCms.getOpenProfile(profile_path()), "RGB", "CMYK",
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), DEFAULT_THEME["primary"]), transform)
    assert pixel is not None
    expected = tuple(v / 255 for v in pixel.getpixel((0, 0)))
    assert all(abs(a - b) <= 0.01 for a, b in zip((c, m, y, k), expected, strict=True))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 0xFFFFFF))
def test_every_colour_stays_within_300_percent_and_greys_use_black_only(value: int) -> None:
    colour = f"#{value:06X}"
    inks = cmyk(colour)
    assert sum(inks) <= MAX_INK + 1e-9
    assert all(0 <= v <= 1 for v in inks)
    r, g, b = (value >> 16) & 255, (value >> 8) & 255, value & 255
    if max(r, g, b) - min(r, g, b) <= 8:
        assert inks[:3] == (0.0, 0.0, 0.0)


def test_limit_ink_keeps_black_and_trims_the_colours() -> None:
    c, m, y, k = limit_ink((0.9, 0.9, 0.9, 0.9))
    assert k == 0.9 and c + m + y + k <= MAX_INK and c == m == y
    assert limit_ink((0.5, 0.4, 0.4, 0.2)) == (0.5, 0.4, 0.4, 0.2)


def test_images_become_cmyk_with_their_alpha_as_mask() -> None:
    picture = Image.new("RGBA", (4, 3), (200, 16, 46, 255))
    pixels, mask = cmyk_image(picture)
    assert pixels.mode == "CMYK" and pixels.size == (4, 3) and mask is None
    picture.putpixel((0, 0), (0, 0, 0, 0))
    pixels, mask = cmyk_image(picture)
    assert mask is not None and mask.getpixel((0, 0)) == 0 and mask.getpixel((1, 0)) == 255


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_truetype_twins_have_the_same_characters_and_advances(weight: str) -> None:
    cff = TTFont(str(asset_path("fonts", f"NotoSansSC-{weight}.otf")), lazy=True)
    ttf = TTFont(str(asset_path("fonts", f"NotoSansSC-{weight}.ttf")), lazy=True)
    assert "glyf" in ttf and "CFF " not in ttf
    assert cff.getBestCmap() == ttf.getBestCmap()
    assert cff["hmtx"].metrics == ttf["hmtx"].metrics
    assert cff["head"].unitsPerEm == ttf["head"].unitsPerEm
    # the same outline: the bounding box of a complex glyph agrees within the cu2qu tolerance
    name = cff.getBestCmap()[ord("警")]
    bounds = []
    for font in (cff, ttf):
        pen = BoundsPen(font.getGlyphSet())
        font.getGlyphSet()[name].draw(pen)
        bounds.append(pen.bounds)
    assert all(abs(a - b) <= 2 for a, b in zip(*bounds, strict=True))

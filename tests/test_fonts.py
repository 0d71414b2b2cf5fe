from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from conftest import RARE, make_fallback_font
from xfpush.errors import GlyphError
from xfpush.resources import asset_path
from xfpush.typeset.fonts import BOLD_FILE, REGULAR_FILE, bundled_fonts, check_glyphs, font_set


def tongyong() -> list[str]:
    lines = asset_path("fonts", "tongyong-guifan-hanzi-8105.txt").read_text("utf-8").splitlines()
    return [line.split("\t")[1] for line in lines if line.startswith("U+")]


def test_bundled_fonts_are_small_and_licensed() -> None:
    for name in (REGULAR_FILE, BOLD_FILE):
        assert asset_path("fonts", name).stat().st_size <= 5_000_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in asset_path("fonts", "OFL.txt").read_text("utf-8")


def test_bundled_fonts_cover_the_8105_characters_and_symbols() -> None:
    chars = tongyong()
    assert len(chars) == 8105
    fonts = bundled_fonts()
    wanted = "".join(chars) + "".join(map(chr, range(0x20, 0x7F))) + "，。、；：？！“”‘’（）《》【】…—·℃①②③●■▲☎"
    wanted += "".join(chr(c) for c in range(0xFF01, 0xFF5F))
    assert fonts.missing(wanted) == []


def test_every_gb2312_character_has_a_glyph() -> None:
    fonts = bundled_fonts()
    chars = []
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([lead, trail]).decode("gb2312"))
    assert len(chars) == 6763
    assert fonts.missing("".join(chars)) == []


def test_missing_glyph_names_character_code_point_and_field() -> None:
    with pytest.raises(GlyphError) as raised:
        check_glyphs([("title", "消防"), ("tips[1]", f"不在{RARE}停放")], bundled_fonts(),
                     file="m.yaml", lines={"tips[1]": 9})
    message = str(raised.value)
    assert "m.yaml:9" in message and "tips[1]" in message
    assert "U+20000" in message and RARE in message


def test_fallback_font_supplies_missing_glyphs(tmp_path: Path) -> None:
    fallback = make_fallback_font(tmp_path / "fallback.ttf")
    fonts = font_set(fallback)
    assert fonts.missing(f"消防{RARE}") == []
    runs = list(fonts.runs(f"消防{RARE}站"))
    assert [text for _, text in runs] == ["消防", RARE, "站"]
    assert runs[1][0].path == fallback.resolve()

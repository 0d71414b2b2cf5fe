"""Bundled fonts and the glyph-coverage check that keeps tofu boxes out of every asset.

Widths come from the font's own advance table (``hmtx``), scaled by the font size, so text is
measured without rasterizing. Pillow draws the same advances, one run of characters per font.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont

from ..errors import GlyphError, InputError
from ..resources import asset_path

REGULAR_FILE = "NotoSansSC-Regular.otf"
BOLD_FILE = "NotoSansSC-Bold.otf"
MAX_FALLBACK_BYTES = 64 * 1024 * 1024
# Characters that are layout, not ink: never looked up in a font.
_INVISIBLE = frozenset("\n\t\u200b")


@dataclass(frozen=True)
class FontFace:
    """One font file: which characters it has and how wide each one is (in em)."""

    path: Path
    advances: dict[int, float] = field(repr=False, compare=False, hash=False)
    ascender: float = 0.88
    descender: float = -0.12

    def covers(self, char: str) -> bool:
        return ord(char) in self.advances

    def advance(self, char: str) -> float:
        return self.advances[ord(char)]

    def pil(self, size: int) -> ImageFont.FreeTypeFont:
        return _pil_font(str(self.path), size)


@cache
def _pil_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@cache
def load_face(path: Path) -> FontFace:
    """Read the character map and advances of a font file (TTF/OTF, first face of a TTC)."""
    try:
        font = TTFont(str(path), lazy=True, fontNumber=0)
        cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        units = font["head"].unitsPerEm
        hhea = font["hhea"]
    except (OSError, TTLibError, KeyError, AssertionError) as exc:
        raise InputError(f"字体文件无法读取：{path}（{exc}）") from exc
    if not cmap:
        raise InputError(f"字体文件没有 Unicode 字符表：{path}")
    advances = {code: metrics[name][0] / units for code, name in cmap.items() if name in metrics}
    return FontFace(path, advances, hhea.ascent / units, hhea.descent / units)


@dataclass(frozen=True)
class FontSet:
    """The faces a rendering may use: bundled regular and bold, plus an optional fallback."""

    regular: FontFace
    bold: FontFace
    fallback: FontFace | None = None
    _widths: tuple[dict[str, float], dict[str, float]] = field(
        default_factory=lambda: ({}, {}), repr=False, compare=False, hash=False)

    def face_for(self, char: str, bold: bool = False) -> FontFace:
        primary = self.bold if bold else self.regular
        if primary.covers(char) or self.fallback is None or not self.fallback.covers(char):
            return primary
        return self.fallback

    def advance(self, char: str, bold: bool = False) -> float:
        """Width of one character in em; 0 for characters that take no room."""
        if char in _INVISIBLE:
            return 0.0
        face = self.face_for(char, bold)
        return face.advances.get(ord(char), 1.0)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """Width of ``text`` in pixels at ``size`` pixels per em."""
        return size * self.em_width(text, bold)

    def em_width(self, text: str, bold: bool = False) -> float:
        """Width of ``text`` in em; advances add up because layout applies no kerning."""
        cache = self._widths[bold]
        found = cache.get(text)
        if found is None:
            found = sum(self.advance(ch, bold) for ch in text)
            if len(cache) < 200_000:
                cache[text] = found
        return found

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` (in order, once each) that no face of this set can draw."""
        seen: dict[str, None] = {}
        for char in text:
            if char in _INVISIBLE or char in seen:
                continue
            if not (self.regular.covers(char) and self.bold.covers(char)) and not (
                self.fallback is not None and self.fallback.covers(char)
            ):
                seen[char] = None
        return list(seen)

    def runs(self, text: str, bold: bool = False) -> Iterator[tuple[FontFace, str]]:
        """Split ``text`` into maximal runs drawn by the same face."""
        current: FontFace | None = None
        start = 0
        for index, char in enumerate(text):
            face = self.face_for(char, bold)
            if face is not current:
                if current is not None:
                    yield current, text[start:index]
                current, start = face, index
        if current is not None and start < len(text):
            yield current, text[start:]


def bundled_fonts() -> FontSet:
    """The bundled Noto Sans SC regular and bold (OFL-1.1, see assets/fonts/OFL.txt)."""
    return _bundled()


@cache
def _bundled() -> FontSet:
    return FontSet(load_face(asset_path("fonts", REGULAR_FILE)),
                   load_face(asset_path("fonts", BOLD_FILE)))


def font_set(fallback: Path | None = None) -> FontSet:
    """The bundled fonts, with ``fallback`` used for the characters they lack."""
    base = bundled_fonts()
    if fallback is None:
        return base
    if fallback.stat().st_size > MAX_FALLBACK_BYTES:
        raise InputError(f"备用字体文件过大：{fallback}（上限 {MAX_FALLBACK_BYTES >> 20} MB）")
    return FontSet(base.regular, base.bold, load_face(fallback.resolve()))


def describe_char(char: str) -> str:
    """``“𠀀”（U+20000）`` — how an error names a character."""
    return f"“{char}”（U+{ord(char):04X}）"


def check_glyphs(fields: Iterable[tuple[str, str]], fonts: FontSet, *, file: str | None = None,
                 lines: dict[str, int] | None = None) -> None:
    """Raise GlyphError for the first field holding a character no font can draw."""
    for name, text in fields:
        absent = fonts.missing(text)
        if absent:
            listed = "、".join(describe_char(c) for c in absent[:8])
            more = f" 等 {len(absent)} 个字符" if len(absent) > 8 else ""
            raise GlyphError(
                f"字体中没有 {listed}{more}，无法排版（不会用方框代替）。请换用常用字，"
                "或在消息中用 fonts.fallback 指定含该字的字体文件",
                file=file, line=(lines or {}).get(name), field=name)

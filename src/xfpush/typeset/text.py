"""Chinese text: display widths, charsets, and the one entry point to breaking and fitting.

Breaking lives in ``breaking`` (words, 避头尾, orphans), fitting in ``fit``; both are re-exported
here so channels import one module.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .breaking import (
    MIN_LAST_LINE,
    NO_LINE_END,
    NO_LINE_START,
    WidthFn,
    atoms,
    balanced_wrap,
    clusters,
    wrap,
)
from .fit import Fitted, fit_text

SUPPORTED_CHARSETS = ("gb2312", "gbk", "gb18030")

__all__ = [
    "MIN_LAST_LINE", "NO_LINE_END", "NO_LINE_START", "SUPPORTED_CHARSETS", "Fitted", "LaidText",
    "WidthFn",
    "atoms", "balanced_wrap", "char_columns", "charset_violations", "clusters",
    "describe_violations", "display_width", "fit_text", "join_cjk_lines", "wrap",
]


@dataclass(frozen=True)
class LaidText:
    """Text as it was set: the field it came from, its lines, and the size they were set at.

    ``field`` names where the words came from (``title``, ``tips[0]``, ``variants.led`` …);
    ``font_px`` is pixels per em, dots on dot-matrix media, None where the reader's device sets
    the size.
    """

    field: str
    lines: tuple[str, ...]
    font_px: int | None = None

    def entry(self) -> dict[str, object]:
        """As the manifest lists it."""
        return {"field": self.field, "lines": list(self.lines), "font_px": self.font_px}


def char_columns(char: str, ambiguous: int = 2) -> int:
    """Columns a character takes on a fixed-pitch CJK device (receipts, terminals)."""
    if unicodedata.combining(char) or char in "\u200b\n":
        return 0
    kind = unicodedata.east_asian_width(char)
    if kind in ("W", "F"):
        return 2
    if kind == "A":
        return ambiguous
    return 1


def display_width(text: str, ambiguous: int = 2) -> int:
    """Columns ``text`` takes where a hanzi is two columns and ASCII one."""
    return sum(char_columns(ch, ambiguous) for ch in text)


def join_cjk_lines(text: str) -> str:
    """Collapse whitespace; drop the spaces that line joins leave between Chinese characters.

    A space the author typed between two phrases of Latin text (or after a digit) is kept.
    """
    words = text.split()
    if not words:
        return ""
    joined = words[0]
    for word in words[1:]:
        if char_columns(joined[-1], 1) == 2 or char_columns(word[0], 1) == 2:
            joined += word
        else:
            joined += " " + word
    return joined


def charset_violations(text: str, charset: str) -> list[tuple[int, str]]:
    """(position, character) of every character ``charset`` cannot encode."""
    if charset not in SUPPORTED_CHARSETS:
        raise ValueError(f"不支持的字符集 {charset}（可选 {', '.join(SUPPORTED_CHARSETS)}）")
    bad: list[tuple[int, str]] = []
    for position, char in enumerate(text):
        try:
            char.encode(charset)
        except UnicodeEncodeError:
            bad.append((position, char))
    return bad


def describe_violations(violations: Sequence[tuple[int, str]], charset: str) -> str:
    """Chinese description: which characters at which positions are outside ``charset``."""
    listed = "、".join(f"第{pos + 1}字“{ch}”（U+{ord(ch):04X}）" for pos, ch in violations[:10])
    more = f" 等 {len(violations)} 处" if len(violations) > 10 else ""
    return f"{listed}{more} 不在 {charset.upper()} 字符集内"

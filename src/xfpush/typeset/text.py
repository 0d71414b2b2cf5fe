"""Chinese typesetting: display widths, line breaking with 避头尾 rules, fit-to-box, charsets.

Text is broken into *atoms* (one hanzi or punctuation mark; a whole run of Latin letters and
digits such as ``119``, ``96119`` or a URL; a space), and atoms are glued into *clusters* that
a line break may never split: a mark that may not start a line (，。）》…) sticks to the atom
before it, a mark that may not end a line (（《「…) sticks to the atom after it. Lines are then
filled cluster by cluster, so every rule holds by construction and no character is ever lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..errors import TextFitError

WidthFn = Callable[[str], float]

# 行首禁则: characters that must not begin a line.
NO_LINE_START = frozenset(
    "，。、；：？！）》」』】〕〉〗〙〛”’…—～·・%‰℃°"
    ",.;:?!)]}>"
    "ー々〻ゝゞ"
    "﹚﹜﹞！％），．：；？］｝～"
)
# 行尾禁则: characters that must not end a line.
NO_LINE_END = frozenset("（《「『【〔〈〖〘〚“‘([{<（［｛＜＄$￥¥#＃")
# A run of these is one unbreakable word: digits, Latin letters, URLs, e-mail addresses.
_WORD_RUN = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ][0-9A-Za-z０-９Ａ-Ｚａ-ｚ\-_.:/?=&%#@+~]*")
SUPPORTED_CHARSETS = ("gb2312", "gbk", "gb18030")
_CLAUSE_END = re.compile(r"(?<=[，、；：,;])(?=[^，。、；：？！）》」』”’…—,.;:?!)\]])")


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


def atoms(text: str) -> list[str]:
    """Split text into the smallest pieces a line may break between."""
    found: list[str] = []
    index = 0
    while index < len(text):
        match = _WORD_RUN.match(text, index)
        if match:
            word = match.group()
            # A trailing full stop or colon belongs to the sentence, not to the word.
            stripped = word.rstrip(".:?")
            found.append(stripped)
            found.extend(word[len(stripped):])
            index = match.end()
        else:
            found.append(text[index])
            index += 1
    return found


@lru_cache(maxsize=4096)
def clusters(text: str) -> tuple[str, ...]:
    """Glue atoms that a line break must not separate (避头尾, whole numbers and words)."""
    glued: list[str] = []
    for atom in atoms(text):
        previous = glued[-1] if glued else ""
        ink = previous.rstrip()
        opens = bool(ink) and ink[-1] in NO_LINE_END
        if not glued:
            glued.append(atom)
        elif atom.isspace():
            # "（ 119": the space may not become a break after an opening mark.
            if opens or previous.isspace():
                glued[-1] += atom
            else:
                glued.append(atom)
        elif opens:
            glued[-1] += atom
        elif atom[0] in NO_LINE_START:
            # "119 ，": a space before a closing mark is no place to break either.
            if previous.isspace() and len(glued) > 1:
                glued.pop()
                glued[-1] += previous + atom
            else:
                glued[-1] += atom
        else:
            glued.append(atom)
    return tuple(glued)


def wrap(text: str, max_width: float, width: WidthFn) -> list[str]:
    """Fill lines greedily up to ``max_width``; paragraphs split on newlines.

    Raises TextFitError when one unbreakable cluster alone is wider than the line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(clusters(paragraph), max_width, width))
    return lines


def _wrap_paragraph(pieces: Sequence[str], max_width: float, width: WidthFn) -> list[str]:
    # Widths are additive (every medium here sums per-character advances), so a line's width
    # is kept as a running total instead of re-measuring the line for every piece.
    lines: list[str] = []
    line, line_width = "", 0.0
    for piece in pieces:
        if not line:
            piece = piece.lstrip()
            if not piece:
                continue
        ink = piece.rstrip()
        if line_width + (width(ink) if ink else 0.0) <= max_width + 1e-9:
            line += piece
            line_width += width(piece)
            continue
        if not ink:
            lines.append(line.rstrip())
            line, line_width = "", 0.0
            continue
        if width(ink) > max_width + 1e-9:
            raise TextFitError(f"“{ink}”不能拆行，单独一行也放不下（需要 {width(ink):.0f}，"
                               f"行宽只有 {max_width:.0f}）", cut_chars=len(ink))
        if line.strip():
            lines.append(line.rstrip())
        line = piece.lstrip()
        line_width = width(line)
    if line.strip():
        lines.append(line.rstrip())
    return lines


def balanced_wrap(text: str, max_width: float, width: WidthFn) -> list[str]:
    """Wrap into as few lines as ``wrap`` would, but with lines as even as possible.

    For headlines: a phrase split at the spaces the author typed is preferred when it takes no
    more lines; otherwise the narrowest width giving the same line count is used, which keeps a
    lone character off the last line.
    """
    greedy = wrap(text, max_width, width)
    if len(greedy) <= 1:
        return greedy
    phrases = text.split()
    if len(phrases) > 1 and _breakable(phrases) and all(width(p) <= max_width for p in phrases):
        by_phrase = _narrowest(phrases, max_width, width, len(greedy), " ")
        if by_phrase is not None:
            return by_phrase
    # Next best: break after a comma or enumeration mark, if that costs no extra line.
    clauses = [c for c in _CLAUSE_END.split(text) if c]
    starts_ok = all(c.strip() and c.strip()[0] not in NO_LINE_START for c in clauses[1:])
    if len(clauses) > 1 and starts_ok and all(width(c) <= max_width for c in clauses):
        by_clause = _narrowest(clauses, max_width, width, len(greedy), "")
        if by_clause is not None:
            return by_clause
    return _narrowest(clusters(text), max_width, width, len(greedy), "") or greedy


def _breakable(phrases: Sequence[str]) -> bool:
    """Whether lines may break between these phrases without breaking 避头尾."""
    return all(p[0] not in NO_LINE_START for p in phrases[1:]) and all(
        p[-1] not in NO_LINE_END for p in phrases[:-1])


def _narrowest(pieces: Sequence[str], max_width: float, width: WidthFn, line_count: int,
               joiner: str) -> list[str] | None:
    def fill(limit: float) -> list[str] | None:
        try:
            return [line.strip() for line in
                    _wrap_paragraph(_joined(pieces, joiner), limit, width)]
        except TextFitError:
            return None

    best = fill(max_width)
    if best is None or len(best) > line_count:
        return None
    low, high = max_width / line_count * 0.5, max_width
    for _ in range(14):
        middle = (low + high) / 2
        attempt = fill(middle)
        if attempt is not None and len(attempt) <= line_count:
            best, high = attempt, middle
        else:
            low = middle
    return best


def _joined(pieces: Sequence[str], joiner: str) -> list[str]:
    if not joiner:
        return list(pieces)
    result: list[str] = []
    for piece in pieces:
        if result:
            result.append(joiner)
        result.append(piece)
    return result


@dataclass(frozen=True)
class Fitted:
    """Text set into a box: the size chosen and the lines at that size."""

    size: int
    lines: tuple[str, ...]
    line_height: float

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * self.line_height


def fit_text(text: str, *, box_width: float, box_height: float, max_size: int, min_size: int,
             width_at: Callable[[str, int], float], line_height: float = 1.3,
             max_lines: int | None = None, balanced: bool = False, what: str = "文字",
             where: str = "") -> Fitted:
    """Largest size in [min_size, max_size] at which ``text`` fits the box.

    Raises TextFitError saying how many characters to cut when even ``min_size`` is too big.
    """
    # A headline the author split with spaces keeps its phrases whole if any size allows it.
    attempts = [True, False] if balanced and len(text.split()) > 1 else [False]
    for whole_phrases in attempts:
        for size in range(max_size, min_size - 1, -1):
            lines = _lines_at(text, size, box_width, width_at, balanced, whole_phrases)
            if lines is None:
                continue
            if max_lines is not None and len(lines) > max_lines:
                continue
            if len(lines) * size * line_height <= box_height + 0.5:
                return Fitted(size, tuple(lines), line_height)
    keep = _fitting_prefix(text, box_width, box_height, min_size, width_at, line_height,
                           max_lines)
    total = len(text.replace(" ", ""))
    cut = max(1, total - keep)
    raise TextFitError(
        f"{where}{what}过长：共 {total} 字，在最小字号 {min_size}px、区域 {box_width:.0f}×"
        f"{box_height:.0f}px 内最多放得下约 {keep} 字，请删减约 {cut} 字", cut_chars=cut)


def _lines_at(text: str, size: int, box_width: float, width_at: Callable[[str, int], float],
              balanced: bool, whole_phrases: bool = False) -> list[str] | None:
    def measure(s: str) -> float:
        return width_at(s, size)

    try:
        if whole_phrases:
            phrases = text.split()
            if not _breakable(phrases) or any(measure(p) > box_width for p in phrases):
                return None
            greedy = _wrap_paragraph(_joined(phrases, " "), box_width, measure)
            return _narrowest(phrases, box_width, measure, len(greedy), " ")
        return (balanced_wrap if balanced else wrap)(text, box_width, measure)
    except TextFitError:
        return None


def _fitting_prefix(text: str, box_width: float, box_height: float, size: int,
                    width_at: Callable[[str, int], float], line_height: float,
                    max_lines: int | None) -> int:
    pieces = clusters(text)
    allowed = int(box_height // (size * line_height))
    if max_lines is not None:
        allowed = min(allowed, max_lines)
    low, high = 0, len(pieces)
    while low < high:
        middle = (low + high + 1) // 2
        lines = _lines_at("".join(pieces[:middle]), size, box_width, width_at, False)
        if lines is not None and len(lines) <= allowed:
            low = middle
        else:
            high = middle - 1
    return len("".join(pieces[:low]).replace(" ", ""))


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

"""Line breaking: clusters that a break never splits, greedy and balanced wrapping.

Text is broken into *atoms* (one hanzi or punctuation mark; a whole run of Latin letters and
digits such as ``119``, ``96119`` or a URL; a space), and atoms are glued into *clusters* that
a line break may never split: the hanzi of one word (``words``: 当心, 睡前, 消防通道) stay
together, a mark that may not start a line (，。）》…) sticks to the atom before it, a mark that
may not end a line (（《「…) sticks to the atom after it. Lines are then filled cluster by cluster,
so every rule holds by construction and no character is ever lost. Only a word wider than the
whole line is split between its characters. The last line of a paragraph keeps at least
``MIN_LAST_LINE`` characters (no orphan such as "回家。") when the text is longer than that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from ..errors import TextFitError
from .words import sub_words, word_starts

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
MIN_LAST_LINE = 3
"""Characters (besides closing punctuation) the last line of a paragraph must hold."""
_CLAUSE_END = re.compile(r"(?<=[，、；：,;])(?=[^，。、；：？！）》」』”’…—,.;:?!)\]])")


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
def clusters(text: str, keep_words: bool = True) -> tuple[str, ...]:
    """Glue atoms that a line break must not separate (words, 避头尾, whole numbers)."""
    starts = word_starts(text) if keep_words else frozenset()
    glued: list[str] = []
    offset = 0
    for atom in atoms(text):
        previous = glued[-1] if glued else ""
        ink = previous.rstrip()
        opens = bool(ink) and ink[-1] in NO_LINE_END
        inside_word = keep_words and offset not in starts and _is_word_char(atom[0]) and bool(
            ink) and ink == previous and _is_word_char(ink[-1])
        offset += len(atom)
        if not glued:
            glued.append(atom)
        elif atom.isspace():
            # "（ 119": the space may not become a break after an opening mark.
            if opens or previous.isspace():
                glued[-1] += atom
            else:
                glued.append(atom)
        elif opens or inside_word:
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


def _is_word_char(char: str) -> bool:
    """Hanzi, letters and digits: what words are made of (not marks or spaces)."""
    return char.isalnum()


def wrap(text: str, max_width: float, width: WidthFn) -> list[str]:
    """Fill lines greedily up to ``max_width``; paragraphs split on newlines.

    Raises TextFitError when one unbreakable cluster alone is wider than the line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(clusters(paragraph), max_width, width))
    return lines


def _wrap_paragraph(pieces: Sequence[str], max_width: float, width: WidthFn,
                    split_wide: bool = True) -> list[str]:
    # Widths are additive (every medium here sums per-character advances), so a line's width
    # is kept as a running total instead of re-measuring the line for every piece.
    lines: list[list[str]] = []
    line: list[str] = []
    line_width = 0.0
    queue = list(reversed(pieces))
    while queue:
        piece = queue.pop()
        if not line:
            piece = piece.lstrip()
            if not piece:
                continue
        ink = piece.rstrip()
        if line_width + (width(ink) if ink else 0.0) <= max_width + 1e-9:
            line.append(piece)
            line_width += width(piece)
            continue
        if not ink:  # a space at the break stays with the line (stripped when joined)
            lines.append([*line, piece])
            line, line_width = [], 0.0
            continue
        if width(ink) > max_width + 1e-9:
            smaller = _split_word(ink)
            if split_wide and len(smaller) > 1:  # a word wider than the line: split it
                queue.extend(reversed(smaller))
                continue
            raise TextFitError(f"“{ink}”不能拆行，单独一行也放不下（需要 {width(ink):.0f}，"
                               f"行宽只有 {max_width:.0f}）", cut_chars=len(ink))
        if "".join(line).strip():
            lines.append(line)
        line = [piece.lstrip()]
        line_width = width(line[0])
    if "".join(line).strip():
        lines.append(line)
    _keep_last_line_full(lines, max_width, width)
    return ["".join(pieces_of_line).rstrip() for pieces_of_line in lines]


def _split_word(cluster: str) -> tuple[str, ...]:
    """A cluster too wide for a line, cut into its compound parts, else into characters."""
    parts = sub_words(cluster)
    if len(parts) > 1:
        glued = clusters("".join(parts), keep_words=False)  # 避头尾 still holds
        pieces: list[str] = []
        position = 0
        starts = set()
        for part in parts:
            starts.add(position)
            position += len(part)
        position = 0
        for piece in glued:
            if pieces and position not in starts:
                pieces[-1] += piece
            else:
                pieces.append(piece)
            position += len(piece)
        if len(pieces) > 1:
            return tuple(pieces)
    return clusters(cluster, keep_words=False)


def _ink_chars(text: str) -> int:
    """Characters that count for an orphan: not spaces, not closing punctuation."""
    return sum(1 for char in text if not char.isspace() and char not in NO_LINE_START)


def _keep_last_line_full(lines: list[list[str]], max_width: float, width: WidthFn) -> None:
    """Move pieces down from the line before until the last line is no orphan.

    Spaces at a break stay at the end of the line before (``_wrap_paragraph`` keeps them
    there), so moving a piece down carries them along and no character is lost.
    """
    if len(lines) < 2:
        return
    last, before = lines[-1], lines[-2]
    while _ink_chars("".join(last)) < MIN_LAST_LINE:
        spaces: list[str] = []
        while before and before[-1].isspace():
            spaces.insert(0, before.pop())
        if sum(1 for piece in before if not piece.isspace()) < 2:
            before.extend(spaces)
            return
        moved = [before[-1], *spaces, *last]
        if width("".join(moved).rstrip()) > max_width + 1e-9:
            before.extend(spaces)
            return
        before.pop()
        last[:] = moved


def balanced_wrap(text: str, max_width: float, width: WidthFn,
                  lines: int | None = None) -> list[str]:
    """Wrap into as few lines as ``wrap`` would, but with lines as even as possible.

    For headlines: a phrase split at the spaces the author typed is preferred when it takes no
    more lines; otherwise the narrowest width giving the same line count is used, which keeps a
    lone character off the last line. ``lines`` asks for up to that many lines instead (to
    fill the rows of LED pages evenly); fewer come back when the text has fewer breaks.
    """
    greedy = wrap(text, max_width, width)
    count = max(len(greedy), lines or 0)
    if count <= 1:
        return greedy
    phrases = text.split()
    if len(phrases) > 1 and _breakable(phrases) and all(width(p) <= max_width for p in phrases):
        by_phrase = _narrowest(phrases, max_width, width, count, " ")
        if by_phrase is not None:
            return by_phrase
    # Next best: break after a comma or enumeration mark, if that costs no extra line.
    clauses = [c for c in _CLAUSE_END.split(text) if c]
    starts_ok = all(c.strip() and c.strip()[0] not in NO_LINE_START for c in clauses[1:])
    if len(clauses) > 1 and starts_ok and all(width(c) <= max_width for c in clauses):
        by_clause = _narrowest(clauses, max_width, width, count, "")
        # a short last clause ("玩电") would be an orphan: the clause gives way to the rule
        if by_clause is not None and _ink_chars(by_clause[-1]) >= MIN_LAST_LINE:
            return by_clause
    return _narrowest(clusters(text), max_width, width, count, "") or greedy


def _breakable(phrases: Sequence[str]) -> bool:
    """Whether lines may break between these phrases without breaking 避头尾."""
    return all(p[0] not in NO_LINE_START for p in phrases[1:]) and all(
        p[-1] not in NO_LINE_END for p in phrases[:-1])


def _narrowest(pieces: Sequence[str], max_width: float, width: WidthFn, line_count: int,
               joiner: str) -> list[str] | None:
    def fill(limit: float) -> list[str] | None:
        try:
            return [line.strip() for line in
                    _wrap_paragraph(_joined(pieces, joiner), limit, width, False)]
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



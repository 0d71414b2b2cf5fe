"""Fitting text to a box: the largest size between two limits at which the text fits.

A headline the author split with spaces keeps its phrases whole if any size allows it; failing
that, each phrase still starts a new line; failing that, the phrases that fit a line stay whole
while a longer one breaks between its words; only then are the spaces ignored. A headline may
be set a little smaller to save a line. When nothing fits, the error says how many characters
to cut.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import TextFitError
from .breaking import (
    _breakable,
    _joined,
    _narrowest,
    _wrap_paragraph,
    balanced_wrap,
    clusters,
    wrap,
)

UNLIMITED = 1e5
"""A box at least this high has no height limit to speak of (only its lines count)."""


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
    # A headline the author split with spaces keeps its phrases whole if any size allows it;
    # failing that, each phrase still starts a new line; only then are the spaces ignored.
    phrased = balanced and len(text.split()) > 1
    modes = ["whole_phrases", "phrase_lines", "short_phrases", "free"] if phrased else ["free"]
    for mode in modes:
        def attempt(size: int, mode: str = mode) -> list[str] | None:
            lines = _lines_at(text, size, box_width, width_at, balanced, mode)
            if lines is None or (max_lines is not None and len(lines) > max_lines):
                return None
            return lines if len(lines) * size * line_height <= box_height + 0.5 else None

        for size in range(max_size, min_size - 1, -1):
            lines = attempt(size)
            if lines is not None:
                return _fewer_lines(attempt, size, lines, min_size, line_height)
    keep = _fitting_prefix(text, box_width, box_height, min_size, width_at, line_height,
                           max_lines)
    total = len(text.replace(" ", ""))
    cut = max(1, total - keep)
    most = f"、最多 {max_lines} 行" if max_lines else ""
    room = (f"{box_width:.0f}×{box_height:.0f}px" if box_height < UNLIMITED
            else f"宽 {box_width:.0f}px")
    raise TextFitError(
        f"{where}{what}过长：共 {total} 字，在最小字号 {min_size}px、{room}{most}的区域内最多"
        f"放得下约 {keep} 字，请删减约 {cut} 字", cut_chars=cut)


FEWER_LINES_SHRINK = 0.88
"""A headline may be set this much smaller if that saves a line (厨房用火安全 on one line
rather than 厨房 / 用火安全)."""


def _fewer_lines(attempt: Callable[[int], list[str] | None], size: int, lines: list[str],
                 min_size: int, line_height: float) -> Fitted:
    """The fit at ``size``, or a slightly smaller size that needs fewer lines."""
    floor = max(min_size, math.ceil(size * FEWER_LINES_SHRINK))
    for smaller in range(size - 1, floor - 1, -1):
        fewer = attempt(smaller) if len(lines) > 1 else None
        if fewer is not None and len(fewer) < len(lines):
            return Fitted(smaller, tuple(fewer), line_height)
    return Fitted(size, tuple(lines), line_height)


def _lines_at(text: str, size: int, box_width: float, width_at: Callable[[str, int], float],
              balanced: bool, mode: str = "free") -> list[str] | None:
    def measure(s: str) -> float:
        return width_at(s, size)

    try:
        if mode == "whole_phrases":
            phrases = text.split()
            if not _breakable(phrases) or any(measure(p) > box_width for p in phrases):
                return None
            greedy = _wrap_paragraph(_joined(phrases, " "), box_width, measure, False)
            return _narrowest(phrases, box_width, measure, len(greedy), " ")
        if mode == "phrase_lines":
            if not _breakable(text.split()):
                return None
            return [line for phrase in text.split()
                    for line in balanced_wrap(phrase, box_width, measure)]
        if mode == "short_phrases":
            phrases = text.split()
            if not _breakable(phrases):
                return None
            pieces = _spaced(phrases, [piece for phrase in phrases for piece in (
                [phrase] if measure(phrase) <= box_width else list(clusters(phrase)))])
            greedy = _wrap_paragraph(pieces, box_width, measure, False)
            return _narrowest(pieces, box_width, measure, len(greedy), "")
        return (balanced_wrap if balanced else wrap)(text, box_width, measure)
    except TextFitError:
        return None


def _spaced(phrases: list[str], pieces: list[str]) -> list[str]:
    """``pieces`` (whole phrases, or the clusters of a long one) with the author's spaces put
    back between the phrases."""
    spaced: list[str] = []
    ends, position = set(), 0
    for phrase in phrases:
        position += len(phrase)
        ends.add(position)
    position = 0
    for piece in pieces:
        spaced.append(piece)
        position += len(piece)
        if position in ends and position < sum(len(p) for p in phrases):
            spaced.append(" ")
    return spaced


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



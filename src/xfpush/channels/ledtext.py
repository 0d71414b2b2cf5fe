"""What an LED show says: its programs, the card's forms of characters, and its pages.

A program is one line of the controller's text file (the main line, the slogan, the first tip,
the hotlines). Boards with two dot fonts set the whole show in one of them, so the screen never
jumps between sizes, and fill the rows of every page evenly with words kept whole.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import TextFitError
from ..model.message import Message
from ..typeset.text import balanced_wrap

if TYPE_CHECKING:
    from .led import LedProfile

_FULLWIDTH_PUNCT = str.maketrans({",": "，", ".": "。", "!": "！", "?": "？", ";": "；",
                                  ":": "：", "(": "（", ")": "）"})
PAGE_ALLOWANCE = 1.5
"""How many times the pages a larger font may take to fill the rows the smaller leaves empty."""


def normalize(text: str, charset: str = "gbk") -> str:
    """Controller conventions: half-width letters and digits, full-width Chinese punctuation,
    and the card's own form of a character it has under another code point (``charset``)."""
    converted = []
    for index, char in enumerate(text):
        code = ord(char)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            char = chr(code - 0xFEE0)
        elif char in ",.!?;:()":
            neighbours = text[max(0, index - 1):index] + text[index + 1:index + 2]
            if any(unicodedata.east_asian_width(n) in "WF" for n in neighbours):
                char = char.translate(_FULLWIDTH_PUNCT)
        converted.append(card_form(char, charset))
    return " ".join("".join(converted).split())


@lru_cache(maxsize=1024)
def card_form(char: str, charset: str) -> str:
    """The character as ``charset`` has it: "·" (U+00B7, as in 3·30) is GB2312's A1A4, which
    Python's gb2312 codec calls "・" (U+30FB); likewise "—" (A1AA). Unchanged otherwise."""
    try:
        char.encode(charset)
        return char
    except UnicodeEncodeError:
        pass
    try:
        return char.encode("gbk").decode(charset)
    except (UnicodeEncodeError, UnicodeDecodeError):
        return char


def dots(text: str, profile: LedProfile, font: int | None = None) -> int:
    """Width in dots: ASCII half a character cell, everything else a full one."""
    cell = font or profile.font_dots
    return sum(cell // 2 if ord(c) < 0x80 else cell for c in text)


@dataclass(frozen=True)
class Program:
    """One caption program (one line of the controller's text file) and where it comes from."""

    field: str
    text: str
    phrases_whole: bool = False
    """Break only between the phrases (a hotline's name stays with its number)."""


def programs(message: Message, charset: str = "gbk") -> list[Program]:
    """The caption programs: the main line, the slogan, the first tip, the hotlines."""
    variant = message.variants.get("led")
    items = [("variants.led", str(variant)) if variant else ("title", message.title)]
    if message.slogan and message.slogan not in items[0][1]:
        items.append(("slogan", message.slogan))
    if message.tips:
        items.append(("tips[0]", message.tips[0]))
    items.append(("hotlines", " ".join(f"{label}{number}" for label, number in message.hotlines)))
    return [Program(field, normalize(text, charset), field == "hotlines")
            for field, text in items]


def show_pages(shown: Sequence[Program], profile: LedProfile) -> tuple[int, list[list[list[str]]]]:
    """(font, pages of lines of every program): one font for the whole show, so the screen
    never jumps between sizes. The larger font when it fills more of the rows and takes at
    most ``PAGE_ALLOWANCE`` times the pages; otherwise the font needing the fewest pages."""
    options: list[tuple[int, float, int, list[list[list[str]]]]] = []
    failure: TextFitError | None = None
    for font in (f for f in (profile.large_font_dots, profile.font_dots) if f):
        try:
            laid = [pages_of(program, profile, font) for program in shown]
        except TextFitError as exc:
            failure = failure or exc
            continue
        pages = [program_pages for _, program_pages in laid]
        count = sum(len(p) for p in pages)
        options.append((font, sum(rows for rows, _ in laid) / (count * profile.lines(font)),
                        count, pages))
    if not options:
        assert failure is not None
        raise failure
    fewest = min(options, key=lambda option: (option[2], -option[0]))
    larger = options[0]
    if larger[1] > fewest[1] and larger[2] <= PAGE_ALLOWANCE * fewest[2]:
        return larger[0], larger[3]
    return fewest[0], fewest[3]


def pages_of(program: Program, profile: LedProfile, font: int) -> tuple[int, list[list[str]]]:
    """(rows the program needs, its pages): words kept whole, the author's phrases too where
    that costs at most one more page, the rows of every page filled as evenly as the words
    allow, so no page carries a fragment."""

    def width(piece: str) -> float:
        return dots(piece, profile, font)

    rows, screen = profile.lines(font), profile.width_dots
    try:
        lines, spreads = _lines(program, screen, width, rows)
    except TextFitError as exc:
        raise TextFitError(f"LED 节目（{program.field}）：{exc}，请删减或改用更短的 "
                           f"variants.led", cut_chars=exc.cut_chars) from exc
    natural = len(lines)
    count = math.ceil(natural / rows)
    if count > 1 and spreads:
        spread = balanced_wrap(program.text, screen, width, lines=count * rows)
        if math.ceil(len(spread) / rows) == count:
            lines = spread
    sizes = [len(lines) // count + (1 if index < len(lines) % count else 0)
             for index in range(count)]
    pages, start = [], 0
    for size in sizes:
        pages.append(lines[start:start + size])
        start += size
    return natural, pages


def _lines(program: Program, screen: int, width: Callable[[str], float],
           rows: int) -> tuple[list[str], bool]:
    """(the program's lines, whether they may be spread over more rows): whole phrases packed,
    else every phrase on new lines, if either costs at most a page more than lines balanced
    at word boundaries; a hotline's phrases always stay whole."""
    phrases = program.text.split()
    if program.phrases_whole:
        return _packed(phrases, screen, width), False
    free = balanced_wrap(program.text, screen, width)
    if len(phrases) > 1:
        for arrange in (_packed, _phrase_lines):
            try:
                lines = arrange(phrases, screen, width)
            except TextFitError:
                continue
            if math.ceil(len(lines) / rows) <= math.ceil(len(free) / rows) + 1:
                return lines, False
    return free, True


def _packed(phrases: list[str], screen: int, width: Callable[[str], float]) -> list[str]:
    """Whole phrases, as many to a line as fit."""
    packed: list[str] = []
    for phrase in phrases:
        if width(phrase) > screen:
            raise TextFitError(f"“{phrase}”要在一行内显示，需要 {width(phrase):.0f} 点，屏宽只有 "
                               f"{screen} 点", cut_chars=1)
        joined = f"{packed[-1]} {phrase}" if packed else phrase
        if packed and width(joined) <= screen:
            packed[-1] = joined
        else:
            packed.append(phrase)
    return packed


def _phrase_lines(phrases: list[str], screen: int, width: Callable[[str], float]) -> list[str]:
    """Every phrase starting a new line, each balanced at word boundaries."""
    return [line for phrase in phrases for line in balanced_wrap(phrase, screen, width)]

"""Chinese words for line breaking: where a line may break without splitting a word.

Segmentation uses rjieba (jieba's algorithm in Rust, its dictionary inside the wheel: about 25
times faster than the Python jieba on our copy) plus the fire-safety user dictionary in
``assets/dictionaries/xiaofang.txt`` (消防通道, 电动自行车, 灭火器 …), so "扫码学习更多消防知识"
may break after 学习 or 更多 but never inside 更多 or 消防.

The segmenter is loaded on first use (about 0.2 s), never at import time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from ..resources import asset_path

USER_DICTIONARY = ("dictionaries", "xiaofang.txt")
# High enough that a user word always wins over the words it could be cut into.
_USER_FREQUENCY = 200_000
_LOCK = threading.Lock()
_SEGMENTERS: dict[bool, Any] = {}


def user_words() -> tuple[str, ...]:
    """The words of the bundled fire-safety dictionary, in file order."""
    words = []
    for line in asset_path(*USER_DICTIONARY).read_text("utf-8").splitlines():
        entry = line.split("#", 1)[0].split()
        if entry:
            words.append(entry[0])
    return tuple(words)


def _segmenter(with_user_words: bool) -> Any:
    with _LOCK:
        if with_user_words not in _SEGMENTERS:
            import rjieba

            segmenter = rjieba.Jieba()
            if with_user_words:
                for word in user_words():
                    segmenter.add_word(word, _USER_FREQUENCY, None)
            _SEGMENTERS[with_user_words] = segmenter
        return _SEGMENTERS[with_user_words]


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """``text`` cut into words; joining them gives ``text`` back exactly."""
    return _cut(text, True)


@lru_cache(maxsize=1024)
def sub_words(word: str) -> tuple[str, ...]:
    """The parts of a compound word (烟感报警器 → 烟感, 报警器): where to split a word that
    is wider than a whole line before falling back to single characters."""
    return _cut(word, False)


def _cut(text: str, with_user_words: bool) -> tuple[str, ...]:
    if not text:
        return ()
    # HMM joins unknown pairs (睡前, 进楼) for the full text; parts use the dictionary only.
    cut: list[str] = _segmenter(with_user_words).cut(text, with_user_words)
    if "".join(cut) != text:  # the segmenter must never drop or change a character
        return tuple(text)
    return tuple(cut)


# One-character words that lean on the word after them: a line never ends on them
# ("电动车不/进楼入户", "老人更/需防范", "要/当心" read as broken; "不进楼", "更需", "要当心" stay).
BINDS_FORWARD = frozenset("不没别勿莫未非更最很太都也还再就才只请要需应须会能可均")


def word_starts(text: str) -> frozenset[int]:
    """Offsets in ``text`` where a line may break before a word (0 included): every word
    start, except after a one-character word that leans on the next (``BINDS_FORWARD``)."""
    starts, offset, previous = set(), 0, ""
    for word in words(text):
        if previous not in BINDS_FORWARD:
            starts.add(offset)
        offset += len(word)
        previous = word
    return frozenset(starts)

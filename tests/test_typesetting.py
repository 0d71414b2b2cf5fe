"""Word-aware line breaking, judged by an independent segmenter (the Python jieba).

xfpush breaks lines with rjieba (Rust) plus its fire-safety dictionary; these tests count breaks
inside words with jieba's own dictionary and code, which xfpush does not use at run time.
"""

from __future__ import annotations

import jieba
import pytest

from xfpush.typeset.text import MIN_LAST_LINE, NO_LINE_START, balanced_wrap, fit_text, wrap
from xfpush.typeset.words import user_words, words

jieba.setLogLevel(60)


def columns(text: str) -> float:
    return float(sum(2 if ord(c) > 0x2E80 else 1 for c in text))


def breaks_inside_words(lines: list[str]) -> list[str]:
    """Each line break that falls inside a word of the independent segmenter."""
    text = "".join(lines)
    offsets, position = set(), 0
    for line in lines[:-1]:
        position += len(line)
        offsets.add(position)
    inside, start = [], 0
    for word in jieba.lcut(text, HMM=False):
        end = start + len(word)
        inside += [f"{word[: o - start]}/{word[o - start:]}" for o in offsets if start < o < end]
        start = end
    return inside


COPY = [
    "扫码学习更多消防知识",
    "电动车不进楼入户",
    "冬季取暖用电用火要当心",
    "独居老人睡前检查电器是否断电",
    "外出时关闭燃气阀门，拔掉电器插头",
    "不在楼道、楼梯间停放电动自行车或为其充电",
    "发现火灾隐患请拨打96119举报",
    "保持消防通道畅通，严禁占用堵塞",
    "家中配备灭火器和烟感报警器，学会使用方法",
    "使用燃气热水器要保持通风，谨防一氧化碳中毒",
]


@pytest.mark.parametrize("text", COPY)
def test_lines_never_break_inside_a_word(text: str) -> None:
    for width in range(8, int(columns(text)) + 2, 2):
        if any(columns(w) + 2 > width for w in words(text)):
            continue  # a word (with its comma) wider than the line may be split
        lines = wrap(text, width, columns)
        assert "".join(lines) == text
        assert breaks_inside_words(lines) == [], (width, lines)


def test_the_reported_breaks_are_gone() -> None:
    assert balanced_wrap("扫码学习更多消防知识", 12, columns) in (
        ["扫码学习", "更多消防知识"], ["扫码学习更多", "消防知识"])
    assert "更/多" not in "|".join(breaks_inside_words(wrap("扫码学习更多消防知识", 10, columns)))
    # a line never ends on a word that leans on the next (不, 更, 要 …)
    assert balanced_wrap("电动车不进楼入户", 10, columns) == ["电动车", "不进楼入户"]
    assert balanced_wrap("老人独居家中更需防范火灾隐患", 16, columns) == [
        "老人独居家中", "更需防范火灾隐患"]
    assert wrap("独居老人要当心用火安全", 10, columns) == ["独居老人", "要当心", "用火安全"]


def test_fire_safety_words_are_one_piece() -> None:
    for word in ("消防通道", "电动自行车", "灭火器", "烟感报警器", "一氧化碳"):
        assert word in user_words()
        assert word in words(f"请注意{word}的使用")


def test_a_word_wider_than_the_line_is_split_rather_than_refused() -> None:
    lines = wrap("电动自行车", 6, columns)
    assert "".join(lines) == "电动自行车"
    assert all(columns(line) <= 6 for line in lines)
    # a compound is split between its parts first: 烟感/报警器, not 烟感报/警器
    assert wrap("烟感报警器，", 10, columns) == ["烟感", "报警器，"]


def test_last_line_is_never_an_orphan() -> None:
    body = "冬季天干物燥，老人独居家中更需防范火灾隐患，出门前请检查门窗并关好燃气后再安心回家。"
    for width in range(16, 80, 2):
        lines = wrap(body, width, columns)
        if len(lines) > 1:
            last = [c for c in lines[-1] if c not in NO_LINE_START]
            assert len(last) >= MIN_LAST_LINE, (width, lines)


def test_author_space_is_a_line_break_even_when_phrases_need_more_lines() -> None:
    headline = "冬季取暖用电用火要当心 老人独居家中更需防范火灾隐患"

    def width_at(text: str, size: int) -> float:
        return columns(text) / 2 * size

    fitted = fit_text(headline, box_width=1000, box_height=400, max_size=100, min_size=90,
                      width_at=width_at, balanced=True, max_lines=4, line_height=1.0)
    joined = "|".join(fitted.lines)
    assert "当心|老人" in joined  # the space is kept as a break
    assert breaks_inside_words(list(fitted.lines)) == []

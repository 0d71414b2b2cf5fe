from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from xfpush.errors import TextFitError
from xfpush.typeset.text import (
    NO_LINE_END,
    NO_LINE_START,
    balanced_wrap,
    charset_violations,
    clusters,
    describe_violations,
    display_width,
    fit_text,
    join_cjk_lines,
    wrap,
)


def columns(text: str) -> float:
    return display_width(text)


def test_display_width_counts_hanzi_as_two_columns() -> None:
    assert display_width("火警119") == 7
    assert display_width("，。") == 4
    assert display_width("abc") == 3


def test_numbers_and_urls_stay_whole() -> None:
    text = "请拨打96119举报，或访问https://example.gov.cn/xf了解更多。"
    pieces = clusters(text)
    assert "96119" in pieces
    assert any(p.startswith("https://example.gov.cn/xf") for p in pieces)
    for width in range(30, 60):
        lines = wrap(text, width, columns)
        assert any("96119" in line for line in lines)


def test_no_line_starts_with_closing_punctuation() -> None:
    lines = wrap("不私拉电线充电，不将电池带回家中充电。", 14, columns)
    assert lines == ["不私拉电线", "充电，不将电池", "带回家中充电。"]
    assert all(line[0] not in NO_LINE_START for line in lines)


def test_opening_mark_moves_with_the_next_character() -> None:
    lines = wrap("电动车不进楼（入户）", 12, columns)
    assert all(line[-1] not in NO_LINE_END for line in lines)
    assert "".join(lines) == "电动车不进楼（入户）"


def test_unbreakable_piece_wider_than_line_is_an_error() -> None:
    with pytest.raises(TextFitError, match="不能拆行"):
        wrap("访问https://example.gov.cn/very/long/path", 20, columns)


def test_balanced_headline_prefers_author_spaces_and_avoids_lone_last_char() -> None:
    assert balanced_wrap("电动车不进楼 充电安全记心间", 20, columns) == ["电动车不进楼", "充电安全记心间"]
    lines = balanced_wrap("消防安全人人有责平安幸福家家共享", 30, columns)
    assert len(lines) == 2
    assert abs(len(lines[0]) - len(lines[1])) <= 1
    no_orphan = wrap("一二三四五六七八九", 16, columns)
    assert len(no_orphan[-1]) >= 3
    assert len(balanced_wrap("一二三四五六七八九", 16, columns)[-1]) >= 4


def test_join_cjk_lines_drops_spaces_left_by_line_joins_only() -> None:
    assert join_cjk_lines("楼道和室内一旦起火，\n  烟气会迅速") == "楼道和室内一旦起火，烟气会迅速"
    assert join_cjk_lines("Fire  safety\nweek") == "Fire safety week"


def test_fit_text_picks_largest_size_and_says_how_much_to_cut() -> None:
    def width_at(text: str, size: int) -> float:
        return display_width(text) * size / 2

    fitted = fit_text("电动车不进楼", box_width=600, box_height=200, max_size=120, min_size=40,
                      width_at=width_at, max_lines=1)
    assert fitted.size == 100 and fitted.lines == ("电动车不进楼",)
    text = "电动自行车不进楼入户不在楼道充电不私拉电线飞线充电" * 2
    with pytest.raises(TextFitError) as raised:
        fit_text(text, box_width=400, box_height=100, max_size=60, min_size=40,
                 width_at=width_at, what="标题")
    message = str(raised.value)
    assert "标题过长" in message and f"共 {len(text)} 字" in message
    cut = raised.value.cut_chars
    assert 0 < cut < len(text)
    fit_text(text[: len(text) - cut], box_width=400, box_height=100, max_size=60, min_size=40,
             width_at=width_at)


def test_charset_violations_name_position_and_character() -> None:
    text = "电动车镕铓充电"  # 镕 and 铓 are in 通用规范汉字表 but not in GB2312
    assert charset_violations(text, "gb18030") == []
    gb2312 = charset_violations(text, "gb2312")
    assert gb2312 == [(3, "镕"), (4, "铓")]
    assert "第5字“铓”（U+94D3）" in describe_violations(gb2312, "gb2312")
    assert charset_violations("喆", "gbk") == []
    assert charset_violations("喆", "gb2312") == [(0, "喆")]
    with pytest.raises(ValueError):
        charset_violations("x", "big5")


HANZI = "电动车不进楼充电安全记心间火警消防"
ALPHABET = HANZI + "，。、；：？！）》」』…—" + "（《「『“" + "0123456789" + "abcXYZ" + "  "
texts = st.text(alphabet=ALPHABET, min_size=1, max_size=80)
WORD = re.compile(r"[0-9A-Za-z]")


def break_points(text: str, lines: list[str]) -> list[int]:
    """Index in ``text`` where each line after the first begins."""
    points, position = [], 0
    for number, line in enumerate(lines):
        while text[position].isspace():
            position += 1
        if number:
            points.append(position)
        assert text.startswith(line, position)
        position += len(line)
    return points


def assert_well_broken(text: str, lines: list[str], width: float) -> None:
    """Nothing lost, nothing too wide, no 避头尾 violation, no blank edges."""
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for number, line in enumerate(lines):
        assert line and line == line.strip() and display_width(line) <= width
        if number:
            assert line[0] not in NO_LINE_START
        if number < len(lines) - 1:
            assert line[-1] not in NO_LINE_END


@settings(max_examples=1500, deadline=None)
@given(texts, st.integers(min_value=4, max_value=40))
@example("0  —", 4)
def test_wrap_properties(text: str, width: int) -> None:
    try:
        lines = wrap(text, width, columns)
    except TextFitError:
        assert any(display_width(piece) > width for piece in clusters(text))
        return
    assert_well_broken(text, lines, width)
    for point in break_points(text, lines):
        before, after = text[point - 1], text[point]
        assert not (WORD.match(before) and WORD.match(after)), "a number or word was split"


@settings(max_examples=600, deadline=None)
@given(texts, st.integers(min_value=6, max_value=40))
@example("0《0 ——0", 8)
@example("0————， —0", 14)
def test_balanced_wrap_keeps_line_count_and_content(text: str, width: int) -> None:
    try:
        greedy = wrap(text, width, columns)
    except TextFitError:
        return
    balanced = balanced_wrap(text, width, columns)
    assert len(balanced) <= len(greedy)
    assert_well_broken(text, balanced, width)


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=8, max_value=60))
@example("《 —", 8)
def test_fit_text_headlines_obey_the_same_rules(text: str, columns: int) -> None:
    def width_at(piece: str, size: int) -> float:
        return display_width(piece) * size

    try:
        fitted = fit_text(text, box_width=columns * 10, box_height=10_000, max_size=20,
                          min_size=10, width_at=width_at, balanced=True, max_lines=6)
    except TextFitError:
        return
    assert_well_broken(text, list(fitted.lines), columns * 10 / fitted.size)

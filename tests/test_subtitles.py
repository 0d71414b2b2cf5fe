"""Subtitle cues (TV ticker SRT, short-video SRT): split evenly, at word boundaries."""

from __future__ import annotations

import jieba

from xfpush import load_message
from xfpush.channels.storyboard import CUE_LINES, storyboard
from xfpush.channels.tv import TV, cues, ticker_parts, ticker_text
from xfpush.channels.video import VIDEO
from xfpush.pack.build import prepare_fonts
from xfpush.typeset.text import display_width

jieba.setLogLevel(60)
LONG_TIP = "电动自行车电池充电时间不宜过长，充满后及时断电，不在楼道、楼梯间等公共区域充电"


def cuts_inside_words(lines: list[str]) -> list[str]:
    text, offset, cuts = "".join(lines), 0, set()
    for line in lines[:-1]:
        offset += len(line)
        cuts.add(offset)
    inside, start = [], 0
    for word in jieba.lcut(text, HMM=False):
        inside += [word for cut in cuts if start < cut < start + len(word)]
        start += len(word)
    return inside


def long_tip_message(write_message):
    text = write_message().read_text("utf-8").replace(
        "  - 不在楼道、楼梯间、安全出口停放和充电", f"  - {LONG_TIP}")
    return load_message(write_message(text=text))


def test_ticker_cues_are_even_and_break_between_words(write_message) -> None:
    message = long_tip_message(write_message)
    profile = TV.profiles["ticker"]
    timed = cues(ticker_parts(message), profile)
    assert "".join(line for _, _, line, _ in timed) == ticker_text(message)
    tip = [line for _, _, line, field in timed if field == "tips[0]"]
    assert len(tip) == 3 and "".join(tip) == LONG_TIP + "。"  # 80 columns, 36 a cue
    widths = [display_width(line) for line in tip]
    assert max(widths) <= profile.cue_columns and max(widths) - min(widths) <= 12
    for field in {field for *_, field in timed}:
        assert cuts_inside_words([line for *_, line, f in timed if f == field]) == []


def test_a_ticker_sentence_is_split_into_even_cues_not_a_full_one_and_a_fragment() -> None:
    sentence = "电动车不要在楼道里停放，不飞线充电，切勿私拉电线。"
    timed = cues([("tips[0]", sentence)], TV.profiles["ticker"])
    assert [line for _, _, line, _ in timed] == ["电动车不要在楼道里停放，", "不飞线充电，切勿私拉电线。"]


def test_ticker_layout_lists_cues_by_field(demo_path) -> None:
    message = load_message(demo_path)
    assets = TV.render(message, "ticker", prepare_fonts(message))
    srt = next(a for a in assets if a.path.endswith(".srt"))
    ass = next(a for a in assets if a.path.endswith(".ass"))
    assert srt.layout is not None and ass.layout is not None
    fields = [laid.field for laid in srt.layout]
    assert fields == ["title", "tips[0]", "tips[1]", "tips[2]", "hotlines[0]"]
    assert [laid.font_px for laid in ass.layout] == [54] * 5  # the crawl's size
    for laid in srt.layout:
        assert all(line in srt.text for line in laid.lines)  # type: ignore[operator]


def test_video_cues_hold_two_even_lines_within_the_width(write_message) -> None:
    message = long_tip_message(write_message)
    fonts = prepare_fonts(message)
    for profile in VIDEO.profiles.values():
        # 30 s at most: the long tip (7 s to read) gets a card in every profile
        board = storyboard(message, fonts, profile.template, (profile.width, profile.height),
                           (profile.least_s, 30.0), None, spread=profile.exact)
        timed = board.cues(profile.subtitle_columns)
        for index, (start, end, group) in enumerate(timed):
            assert 1 <= len(group) <= CUE_LINES and start < end
            assert all(display_width(line) <= profile.subtitle_columns for _, line in group)
            if index:
                assert start == timed[index - 1][1]  # contiguous
        lines = [(field, line) for _, _, group in timed for field, line in group]
        tip = [line for field, line in lines if field == "tips[0]"]
        assert "".join(tip) == LONG_TIP and len(tip) >= 2
        assert max(map(display_width, tip)) - min(map(display_width, tip)) <= 12
        assert cuts_inside_words(tip) == []
        assert [line for field, line in lines if field == "hotlines"] == ["火警119 隐患举报96119"]

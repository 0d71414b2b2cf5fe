"""LED shows: one dot font for the whole show, pages filled evenly, words whole, GB2312 forms."""

from __future__ import annotations

import json

import jieba
import pytest
from click.testing import CliRunner

from xfpush import load_message
from xfpush.channels.checks import run_checks
from xfpush.channels.led import LED
from xfpush.channels.ledtext import card_form, programs
from xfpush.cli import main
from xfpush.pack.build import prepare_fonts

jieba.setLogLevel(60)
BOARDS = ("strip-192x32", "board-256x64")


def segments(message, profile: str) -> list[dict]:
    return LED.segments(message, LED.profiles[profile], prepare_fonts(message))


@pytest.mark.parametrize("profile", BOARDS)
def test_one_font_for_the_whole_show(demo_path, profile: str) -> None:
    fonts = {s["font_dots"] for s in segments(load_message(demo_path), profile)}
    assert len(fonts) == 1
    # the board fills its two 32-dot rows; the strip would need three times the pages for it
    assert fonts == {32 if profile == "board-256x64" else 16}


def test_pages_are_filled_evenly_and_never_end_on_a_fragment(write_message) -> None:
    tip = "不在楼道、楼梯间、安全出口停放电动自行车，也不要在室内充电"
    text = write_message().read_text("utf-8").replace(
        "  - 不在楼道、楼梯间、安全出口停放和充电", f"  - {tip}")
    message = load_message(write_message(text=text))
    for profile in BOARDS:
        shown = [s for s in segments(message, profile) if s["field"] == "tips[0]"]
        rows = [len(s["lines"]) for s in shown]
        assert len(rows) > 1, profile  # the tip takes more than one page
        assert max(rows) - min(rows) <= 1, (profile, rows)
        assert rows[-1] >= rows[0] - 1
        assert "".join(line for s in shown for line in s["lines"]) == tip
        lit = [len(line) for s in shown for line in s["lines"]]
        assert min(lit) >= 3  # no lone word of one or two characters on a row


def test_pages_break_between_words_and_keep_a_hotline_with_its_number(demo_path) -> None:
    message = load_message(demo_path)
    for profile in BOARDS:
        for segment in segments(message, profile):
            lines = segment["lines"]
            if segment["field"] == "hotlines":
                for label, number in message.hotlines:
                    assert any(f"{label}{number}" in line for line in lines)
                continue
            text, offset, cuts = "".join(lines), 0, set()
            for line in lines[:-1]:
                offset += len(line)
                cuts.add(offset)
            start = 0
            for word in jieba.lcut(text, HMM=False):
                assert not any(start < cut < start + len(word) for cut in cuts), (word, lines)
                start += len(word)


def test_a_middle_dot_is_set_in_its_gb2312_form(write_message) -> None:
    path = write_message({"title": "title: 11·9全国消防日 全民消防 生命至上"})
    text = path.read_text("utf-8").replace("  led: 电动车不进楼入户 充电安全记心间\n", "")
    message = load_message(write_message(text=text))
    assert card_form("·", "gb2312") == "・" and card_form("·", "gbk") == "·"
    assert programs(message, "gb2312")[0].text.startswith("11・9")
    fonts = prepare_fonts(message)
    assets = [run_checks(a) for a in LED.render(message, "board-256x64", fonts)]
    assert all(c.ok for a in assets for c in a.checks), [c for a in assets for c in a.checks]
    caption = assets[0].data
    assert caption.startswith("11・9".encode("gb2312")) and b"\xa1\xa4" in caption[:6]
    assert caption.decode("gbk").startswith("11·9")  # the same code, read as GBK
    twin = LED.render(message, "board-256x64-gbk", fonts)[0].data
    assert twin[:6] == caption[:6]
    result = CliRunner().invoke(main, ["check", str(write_message(text=text)), "-c", "led"])
    assert result.exit_code == 0, result.output


def test_the_layout_lists_every_page(demo_path) -> None:
    message = load_message(demo_path)
    assets = LED.render(message, "board-256x64", prepare_fonts(message))
    timing = json.loads(assets[1].text or "")
    assert assets[0].layout is not None and assets[0].layout == assets[2].layout
    pages = [(s["field"], tuple(s["lines"]), s["font_dots"]) for s in timing["segments"]]
    assert [(laid.field, laid.lines, laid.font_px) for laid in assets[0].layout] == pages


def test_the_authors_phrases_are_kept_for_at_most_one_more_page(write_message) -> None:
    text = write_message().read_text("utf-8").replace(
        "  led: 电动车不进楼入户 充电安全记心间", "  led: 清明祭扫 文明低碳 防火第一")
    message = load_message(write_message(text=text))
    board = [s["lines"] for s in segments(message, "board-256x64") if s["program"] == 1]
    assert board == [["清明祭扫", "文明低碳"], ["防火第一"]]  # not 清明祭扫 文明 / 低碳 防火第一
    strip = [s["lines"] for s in segments(message, "strip-192x32") if s["program"] == 1]
    assert strip == [["清明祭扫 文明低碳", "防火第一"]]

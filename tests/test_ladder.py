"""The fit ladder: variant → reflow → shrink → shorter field → fewer tips → fail one asset.

The elderly get larger text by being given more room (the body paragraph, then the last tips,
a smaller QR), never by failing; a failure names field, size limit, room and what to cut.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from xfpush import load_message
from xfpush.channels import CHANNELS
from xfpush.channels.poster import POSTER
from xfpush.channels.templated import ImageProfile, TemplatedChannel
from xfpush.errors import InputError, TextFitError
from xfpush.pack.build import check_message
from xfpush.render.templates import read_template
from xfpush.typeset.fonts import font_set

TITLE_20 = "冬季取暖用电用火要当心 独居老人更需防火灾"  # 20 hanzi and the author's space
ORDINARY_TIPS = ["不私拉电线“飞线”充电，不将电池带回家中充电",
                 "使用原厂充电器，充满即断电，充电时间不超过8小时",
                 "购买合格车辆和电池，不私自改装、不加装大容量电池"]
IMAGE_CHANNELS = ("poster", "sticker", "tv", "splash", "social", "screen")


def elderly(write_message, title: str = TITLE_20, tips: list[str] = ORDINARY_TIPS):
    text = write_message().read_text("utf-8")
    head, rest = text.split("tips:\n", 1)
    rest = rest[rest.index("cta:"):]
    listed = "".join(f"  - {tip}\n" for tip in tips)
    path = write_message(text=head + "tips:\n" + listed + rest)
    return load_message(write_message({"title": f"title: {title}", "audience": "audience: elderly"},
                                      text=path.read_text("utf-8")))


def test_the_reported_elderly_message_makes_every_image_asset(write_message) -> None:
    message = elderly(write_message)
    assert len(TITLE_20.replace(" ", "")) == 20
    assert check_message(message, ",".join(IMAGE_CHANNELS)) == []
    plan = POSTER.plan(message, "phone", font_set())
    assert (plan.tips_shown, plan.tips_total) == (3, 3)  # was 1 of 6 with the demo's tips


def test_elderly_text_is_never_below_the_raised_floor(write_message) -> None:
    message, fonts = elderly(write_message), font_set()
    for name in IMAGE_CHANNELS:
        channel = CHANNELS[name]
        assert isinstance(channel, TemplatedChannel)
        for profile in channel.profiles.values():
            if not isinstance(profile, ImageProfile):
                continue
            floor = profile.for_audience("elderly").text_floor_px
            assert floor > profile.text_floor_px
            plan = channel.plan(message, profile.name, fonts)
            assert plan.min_text_px >= floor, (name, profile.name, plan.smallest_field)


def test_demo_elderly_phone_poster_shows_every_tip_without_the_body(demo_path) -> None:
    message = load_message(demo_path)
    fonts = font_set()
    general = POSTER.plan(replace(message, icons=()), "phone", fonts)
    assert general.tips_shown == 6 and general.omitted == []
    older = POSTER.plan(replace(message, audience="elderly"), "phone", fonts)
    assert (older.tips_shown, older.tips_total) == (6, 6)
    assert "body" in older.omitted
    assert older.icons == []  # the icons went first, before any tip
    # the compact pass made the room: a smaller QR, still at a module size that scans
    assert older.qr is not None and general.qr is not None
    assert 4 <= older.qr[1] < general.qr[1]


def test_a_tip_too_long_for_any_size_fails_naming_field_limit_and_cut(tmp_path: Path,
                                                                       write_message) -> None:
    path = tmp_path / "band.toml"
    path.write_text("""
[[blocks]]
type = "tips"
what = "提示"
box = [0.05, 0.05, 0.95, 0.15]
size = [0.04, 0.03]
""", "utf-8")
    from xfpush.render.layout import TemplateLayout

    long_tip = "不在楼道楼梯间安全出口停放电动自行车和为电动自行车充电" * 2 + "，违者依法处理"
    message = elderly(write_message, tips=[long_tip, "第二条"])
    with pytest.raises(TextFitError) as caught:
        TemplateLayout(message, font_set(), read_template(path), (1000, 1000)).layout()
    reason = str(caught.value)
    assert "提示（tips[0]）过长" in reason and "最小字号 30px" in reason
    assert 0 < caught.value.cut_chars < len(long_tip)
    assert f"请删减约 {caught.value.cut_chars} 字" in reason


def test_a_title_that_falls_back_to_the_slogan_is_not_shown_twice(tmp_path: Path,
                                                                 write_message) -> None:
    path = tmp_path / "two.toml"
    path.write_text("""
[[blocks]]
type = "text"
what = "标题"
fields = ["title", "slogan"]
box = [0.05, 0.05, 0.95, 0.3]
size = [0.1, 0.1]
max_lines = 1

[[blocks]]
type = "text"
what = "口号"
fields = ["slogan"]
box = [0.05, 0.4, 0.95, 0.6]
size = [0.1, 0.05]
""", "utf-8")
    from xfpush.render.layout import TemplateLayout

    message = load_message(write_message())
    plan = TemplateLayout(message, font_set(), read_template(path), (1000, 1000)).layout()
    assert [laid.field for laid in plan.layout] == ["slogan"]


@pytest.mark.parametrize("compact", ['{ nonsense = 1 }', '"small"'])
def test_a_wrong_compact_key_is_refused(tmp_path: Path, compact: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'[[blocks]]\ntype = "rect"\nbox = [0, 0, 1, 1]\ncompact = {compact}\n',
                    "utf-8")
    with pytest.raises(InputError, match="compact"):
        read_template(path)


def test_no_room_at_all_says_what_else_to_cut(tmp_path: Path, write_message) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text("""
[[blocks]]
type = "tips"
what = "提示"
box = [0.05, 0.05, 0.95, 0.06]
size = [0.05, 0.04]
""", "utf-8")
    from xfpush.render.layout import TemplateLayout

    message = load_message(write_message())
    with pytest.raises(TextFitError, match=r"提示（tips\[0\]）放不下：区域只有"):
        TemplateLayout(message, font_set(), read_template(path), (1000, 1000)).layout()


def test_a_headline_takes_a_slightly_smaller_size_to_save_a_line() -> None:
    from xfpush.typeset.text import fit_text

    def width(text: str, size: int) -> float:
        return float(size * len(text))

    # 6 characters at 100 px need 600 px; the box is 570 px wide: 95 px on one line beats
    # 100 px on two ("厨房" / "用火安全")
    fitted = fit_text("厨房用火安全", box_width=570, box_height=400, max_size=100, min_size=40,
                      width_at=width, balanced=True)
    assert fitted.lines == ("厨房用火安全",) and fitted.size == 95
    # but not at any price: 12% smaller at most
    fitted = fit_text("厨房用火安全", box_width=480, box_height=400, max_size=100, min_size=40,
                      width_at=width, balanced=True)
    assert len(fitted.lines) == 2 and fitted.size == 100


def test_splash_tips_take_the_room_the_title_leaves(write_message) -> None:
    from xfpush.channels.splash import SPLASH

    tips = ["电池热失控后几十秒内就会爆燃，释放大量有毒烟气",
            "一旦在楼道起火，烟气会迅速封堵唯一的逃生通道",
            "请把电动自行车停放在集中充电场所并在规定时间内充电"]
    fonts = font_set()
    for title in ("电动车", "电动自行车火灾为何如此致命"):
        message = load_message(write_message({"title": f"title: {title}"}))
        message = replace(message, tips=tuple(tips), icons=())  # the title and tips alone
        for profile in SPLASH.profiles:
            plan = SPLASH.plan(message, profile, fonts)
            assert (plan.tips_shown, plan.tips_total) == (3, 3), (title, profile)
    short = SPLASH.plan(replace(message, title="电动车"), "1080x1920", fonts)
    long = SPLASH.plan(message, "1080x1920", fonts)
    assert short.list_px[0] >= long.list_px[0]


def test_a_squeezed_list_gets_the_compact_pass_when_it_pays(write_message) -> None:
    from xfpush.channels.splash import SPLASH

    tips = ("电池热失控后几十秒内就会爆燃，释放大量有毒烟气", "一旦在楼道起火，烟气会迅速封堵唯一的逃生通道",
            "请把电动自行车停放在集中充电场所并在规定时间内充电")
    message = load_message(write_message({"title": "title: 电动自行车火灾为何如此致命"}))
    layout = SPLASH.layout(replace(message, tips=tips, icons=()), SPLASH.profiles["1080x1920"],
                           font_set())
    normal = layout._attempt(compact=False)
    chosen = layout.layout()
    assert normal.strained and not normal.omitted
    assert chosen.list_px[0] >= 1.15 * normal.list_px[0]  # a smaller title buys larger tips
    title = [laid.font_px or 0 for plan in (normal, chosen) for laid in plan.layout
             if laid.field == "title"]
    assert title[1] < title[0]
    # a message that fits comfortably is not touched
    easy = SPLASH.layout(replace(load_message(write_message()), icons=()),
                         SPLASH.profiles["1080x1920"], font_set())
    assert not easy._attempt(compact=False).strained


def test_short_phrases_stay_whole_when_a_long_one_must_break() -> None:
    from xfpush.typeset.text import balanced_wrap, fit_text

    def width(text: str, size: int) -> float:
        return float(size * len(text.replace(" ", ""))) + size * 0.3 * text.count(" ")

    title = "全国中小学生安全教育日 学消防 会逃生"
    fitted = fit_text(title, box_width=700, box_height=1000, max_size=100, min_size=100,
                      width_at=width, balanced=True, max_lines=3)
    assert "学消防" in " ".join(fitted.lines) and "会逃生" in " ".join(fitted.lines)
    assert "".join(fitted.lines).replace(" ", "") == title.replace(" ", "")
    # a clause break never leaves an orphan: 不在家中 / 玩火、玩电, not 不在家中玩火、 / 玩电
    assert balanced_wrap("不在家中玩火、玩电", 8, lambda s: float(len(s))) == ["不在家中", "玩火、玩电"]

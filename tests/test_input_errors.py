"""Input mistakes are refused where they enter, in Chinese, naming file, line, field and value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xfpush import MessageError, load_message
from xfpush.errors import InputError
from xfpush.model.message import VARIANT_KEYS
from xfpush.render.templates import read_template
from xfpush.resources import asset_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("value", "expected"), [
    ("2027-13-01", ["“2027-13-01”不存在", "月份应为 01–12"]),
    ("2027-02-30", ["“2027-02-30”不存在", "2027 年 2 月只有 28 天"]),
    ("2028-02-30", ["2028 年 2 月只有 29 天"]),
    ("20271101", ["数字 20271101"]),
    ("[2027, 11, 1]", ["列表 [2027, 11, 1]"]),
    ('"11/01/2027"', ["“11/01/2027”"]),
])
def test_bad_campaign_dates_name_line_field_value_and_form(write_message, value, expected) -> None:
    text = "id: a\ntitle: 标题\nslogan: 口号\ncampaign:\n  name: 宣传月\n  start: 2027-11-01\n" \
           f"  end: {value}\n"
    with pytest.raises(MessageError) as raised:
        load_message(write_message(text=text))
    message = str(raised.value)
    assert "message.yaml:7" in message and "字段 campaign.end" in message
    assert "YYYY-MM-DD" in message
    for part in expected:
        assert part in message


def test_a_real_date_still_loads(write_message) -> None:
    text = "id: a\ntitle: t\nslogan: s\ncampaign: {name: n, start: 2028-02-29, end: '2028-03-01'}\n"
    campaign = load_message(write_message(text=text)).campaign
    assert campaign is not None and campaign.start is not None and campaign.end is not None
    assert (campaign.start.isoformat(), campaign.end.isoformat()) == ("2028-02-29", "2028-03-01")


@pytest.mark.parametrize(("text", "expected"), [
    ("id: a\ntitle: [一, 二]\nslogan: s\n", ["message.yaml:2", "字段 title", "列表"]),
    ("id: a\ntitle: t\nslogan: {a: 1}\n", ["字段 slogan", "映射"]),
    ("id: a\ntitle: t\nslogan: s\ntips: [{a: 1}]\n", ["字段 tips[0]", "映射"]),
    ("id: a\ntitle: t\nslogan: s\nqr: {url: 5}\n", ["字段 qr.url", "数字 5"]),
    ("id: a\ntitle: t\nslogan: s\nqr: {link: 'https://a.cn'}\n", ["qr.link", "url、caption"]),
    ("id: a\ntitle: t\nslogan: s\ncampaign: {name: n, begin: 2027-11-01}\n",
     ["campaign.begin", "name、start、end"]),
    ("id: a\ntitle: t\nslogan: s\n5: x\n", ["不认识的字段“5”"]),
    ("id: a\ntitle: t\nslogan: s\ntitle: u\n", ["message.yaml:4", "“title”写了两次", "第 2 行和第 4 行"]),
    ("id: a\ntitle: &t t\nslogan: *t\n", ["message.yaml:3", "锚点和别名"]),
    ("a: &a [*a]\n", ["锚点和别名"]),
    ("id: a\ntitle: !!python/object:os.system {}\nslogan: s\n", ["message.yaml:2", "YAML 标签"]),
])
def test_wrong_types_and_yaml_tricks_are_named(write_message, text, expected) -> None:
    with pytest.raises(MessageError) as raised:
        load_message(write_message(text=text))
    for part in expected:
        assert part in str(raised.value)


def test_unknown_variant_key_is_named_with_the_known_ones(write_message) -> None:
    text = "id: a\ntitle: t\nslogan: s\nvariants:\n  led: 好\n  ledd: 坏\n"
    with pytest.raises(MessageError) as raised:
        load_message(write_message(text=text))
    message = str(raised.value)
    assert "message.yaml:6" in message and "variants.ledd" in message
    assert "led、" in message and "sms" in message


@pytest.mark.parametrize(("variants", "expected"), [
    ("  audio: 一句话\n", ["variants.audio", "unlock"]),
    ("  audio: {unlok: 一句话}\n", ["variants.audio.unlok", "unlock、ride、lock"]),
    ("  radio: {spot-45s: 一句话}\n", ["variants.radio.spot-45s", "spot-15s"]),
    ("  sms: {a: b}\n", ["variants.sms", "应是一段文字"]),
])
def test_per_profile_variants_are_checked(write_message, variants, expected) -> None:
    with pytest.raises(MessageError) as raised:
        load_message(write_message(text="id: a\ntitle: t\nslogan: s\nvariants:\n" + variants))
    for part in expected:
        assert part in str(raised.value)


def test_every_variant_the_code_reads_is_a_known_key() -> None:
    """A channel or layout that reads a new variant must register it, or users cannot set it."""
    used = set()
    for layout in asset_path("layouts").glob("*.toml"):
        used |= set(re.findall(r'"variants\.([a-z_]+)', layout.read_text("utf-8")))
    for module in (ROOT / "src" / "xfpush" / "channels").glob("*.py"):
        used |= set(re.findall(r'variants\.get\("([a-z_]+)"', module.read_text("utf-8")))
    assert used, "the scan found no variants: the patterns above are out of date"
    assert used <= set(VARIANT_KEYS), sorted(used - set(VARIANT_KEYS))


def _template(tmp_path: Path, block: str, background: str = "paper") -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(f'background = "{background}"\n[[blocks]]\ntype = "rect"\n'
                    f'box = [0, 0, 1, 1]\n[[blocks]]\n{block}\n', "utf-8")
    return path


@pytest.mark.parametrize(("block", "expected"), [
    ('type = "rect"\nbox = [0, 0, 1, 1]\nfill = "crimson"', ["fill", "未知颜色“crimson”", "primary、accent"]),
    ('type = "text"\nbox = [0, 0, 1, 1]\ncolor = "#12"', ["color", "未知颜色“#12”", "#RRGGBB"]),
    ('type = "text"\nbox = [0, 0, 1, 1]\ncolour = "ink"', ["不认识的键 colour", "color、"]),
    ('type = "circle"\nbox = [0, 0, 1, 1]', ['type = "circle"', "rect、text"]),
    ('type = "rect"\nbox = [0, 0, 1]', ["数值格式不对", "box"]),
    ('type = "rect"', ["缺少 box"]),
    ('type = "text"\nbox = [0, 0, 1, 1]\nalign = "centre"', ['align = "centre"', "left、center、right"]),
    ('type = "qr"\nbox = [0, 0, 1, 1]\nwhen = "!qrcode"', ['when = "!qrcode"', "qr、logo"]),
])
def test_bad_layout_template_fails_at_load_naming_file_block_and_value(tmp_path, block,
                                                                       expected) -> None:
    with pytest.raises(InputError) as raised:
        read_template(_template(tmp_path, block))
    message = str(raised.value)
    assert "版式模板 bad.toml" in message and "第 2 个 block" in message
    for part in expected:
        assert part in message


def test_bad_template_background_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="background：未知颜色“navy”"):
        read_template(_template(tmp_path, 'type = "rect"\nbox = [0, 0, 1, 1]', "navy"))


def test_every_bundled_template_passes_the_checks() -> None:
    for path in asset_path("layouts").glob("*.toml"):
        assert read_template(path).blocks, path.name

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from conftest import png_header_only
from xfpush import MessageError, load_message
from xfpush.model.message import DEFAULT_HOTLINES


def test_demo_message_loads(demo_path: Path) -> None:
    message = load_message(demo_path)
    assert message.id == "ebike-2027"
    assert message.tips[0].startswith("不在楼道")
    assert message.hotlines == (("火警", "119"), ("隐患举报", "96119"))
    assert message.qr and message.qr.url.startswith("https://")
    assert "， 烟气" not in message.body  # YAML folding left no stray space


def test_defaults_and_overrides(write_message) -> None:
    path = write_message(text="id: a1\ntitle: 标题\nslogan: 口号\n")
    message = load_message(path)
    assert message.hotlines == DEFAULT_HOTLINES and message.audience == "general"
    path = write_message(text='id: a1\ntitle: 标题\nslogan: 口号\nhotlines:\n  火警: 119\n  隐患举报: "12345"\n')
    assert load_message(path).hotlines == (("火警", "119"), ("隐患举报", "12345"))


def test_toml_and_json_give_the_same_message(write_message, demo_path: Path) -> None:
    yaml_message = load_message(demo_path)
    data = yaml_message.to_dict()
    json_path = write_message(text=json.dumps(data, ensure_ascii=False), name="m.json")
    assert load_message(json_path) == yaml_message
    toml_text = "\n".join([
        'id = "ebike-2027"', 'title = "电动车不进楼 充电安全记心间"', 'slogan = "电动车不进楼入户"',
        "[qr]", 'url = "https://example.gov.cn/xf/ebike"', 'caption = "平台"'])
    toml_message = load_message(write_message(text=toml_text, name="m.toml"))
    assert toml_message.title == yaml_message.title and toml_message.qr.caption == "平台"


@pytest.mark.parametrize(("replace", "expected"), [
    ({"id": "id: Bad_ID"}, ["message.yaml:2", "字段 id"]),
    ({"audience": "audience: aliens"}, ["字段 audience", "aliens"]),
    ({"issuer": "issuer: " + "很长" * 40}, ["字段 issuer", "上限 60 字"]),
    ({"title": "title: " + "标" * 65}, ["message.yaml:3", "字段 title", "过长：65 字"]),
])
def test_field_errors_name_file_line_and_field(write_message, replace, expected) -> None:
    with pytest.raises(MessageError) as raised:
        load_message(write_message(replace))
    for part in expected:
        assert part in str(raised.value)


def test_bad_url_is_refused_with_its_line(write_message) -> None:
    text = write_message().read_text("utf-8").replace("https://example.gov.cn/xf/ebike",
                                                     "javascript:alert(1)")
    with pytest.raises(MessageError) as raised:
        load_message(write_message(text=text))
    assert "字段 qr.url" in str(raised.value) and "http://" in str(raised.value)
    assert "message.yaml:17" in str(raised.value)


def test_broken_yaml_names_the_line(write_message) -> None:
    with pytest.raises(MessageError) as raised:
        load_message(write_message(text='id: a\ntitle: "未闭合\nslogan: x\n'))
    assert "YAML 格式错误" in str(raised.value) and "message.yaml:" in str(raised.value)


def test_huge_file_is_refused_before_parsing(write_message) -> None:
    path = write_message(text="id: big\nslogan: x\ntitle: " + "火" * (5 * 1024 * 1024 // 3) + "\n")
    with pytest.raises(MessageError, match="消息文件过大"):
        load_message(path)


def test_unknown_key_is_named(write_message) -> None:
    with pytest.raises(MessageError, match="不认识的字段“titel”"):
        load_message(write_message(text="id: a\ntitel: x\ntitle: t\nslogan: s\n"))


def test_logo_must_be_a_reasonable_image(tmp_path: Path, write_message) -> None:
    base = "id: a\ntitle: 标题\nslogan: 口号\nlogo: {}\n"
    (tmp_path / "notes.png").write_text("这不是图片", "utf-8")
    with pytest.raises(MessageError, match="不是可用的图片"):
        load_message(write_message(text=base.format("notes.png")))
    png_header_only(tmp_path / "bomb.png", 50_000, 50_000)
    with pytest.raises(MessageError) as raised:
        load_message(write_message(text=base.format("bomb.png")))
    assert "字段 logo" in str(raised.value) and "图片尺寸过大：2,500,000,000 像素" in str(raised.value)
    with pytest.raises(MessageError, match="文件不存在"):
        load_message(write_message(text=base.format("missing.png")))
    Image.new("RGB", (200, 100), "red").save(tmp_path / "logo.png")
    assert load_message(write_message(text=base.format("logo.png"))).logo == tmp_path / "logo.png"


def test_theme_colours_are_validated(write_message) -> None:
    with pytest.raises(MessageError, match="#RRGGBB"):
        load_message(write_message(text="id: a\ntitle: t\nslogan: s\ntheme:\n  primary: red\n"))
    message = load_message(write_message(text='id: a\ntitle: t\nslogan: s\ntheme:\n  primary: "#0050a0"\n'))
    assert message.theme["primary"] == "#0050A0"


@pytest.mark.parametrize(("line", "field"), [
    ('id: "ebike-2027\\n"', "id"),
    ('theme: {primary: "#C8102E\\n"}', "theme.primary"),
    ('campaign: {name: 宣传月, start: "2027-11-01\\n"}', "campaign.start"),
])
def test_a_trailing_line_break_is_not_a_valid_value(write_message, line: str,
                                                    field: str) -> None:
    # ``$`` in a pattern also matches before a final "\n": an id like that would name files
    head = "title: 标题\nslogan: 口号\n" + ("" if line.startswith("id") else "id: a1\n")
    path = write_message(text=head + line + "\n")
    with pytest.raises(MessageError) as raised:
        load_message(path)
    assert (raised.value.field or "").startswith(field.split(".")[0]), raised.value

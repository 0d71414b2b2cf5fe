"""Hostile input files: bounded reads, bounded parsing (aliases, nesting, sizes), refused
duplicates, user files decoded whole and kept inside the message's folder. Real ``xfpush``
processes under the suite's memory limit for the cases that used to hang or exhaust memory;
the library for the rest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from conftest import make_fallback_font, png_header_only
from xfpush import MessageError, load_message
from xfpush.errors import InputError
from xfpush.model.reading import MAX_DEPTH, FileRefused, read_bounded

from .conftest import assert_refused
from .conftest import attack as xfpush

GOOD = "id: a\ntitle: 标题\nslogan: 口号\n"
# 342 bytes that expand to 9**9 (387 million) strings when every alias is followed
ALIAS_BOMB = "".join(f"{name}: &{name} [{','.join([prev] * 9)}]\n" for name, prev in zip(
    "abcdefghi", ["lol", "*a", "*b", "*c", "*d", "*e", "*f", "*g", "*h"], strict=True))


def _noise_png(path: Path, side: int = 240) -> bytes:
    Image.effect_noise((side, side), 80).convert("RGB").save(path)
    return path.read_bytes()


# -- message, recipe and table files: read bounded, never block ----------------------------
@pytest.mark.parametrize(("text", "line"), [(ALIAS_BOMB, 2), ("a: &a [*a]\n", 1)],
                         ids=["billion-laughs", "self-loop"])
def test_yaml_aliases_are_refused_before_anything_expands(tmp_path: Path, text: str,
                                                          line: int) -> None:
    (tmp_path / "m.yaml").write_text(text, "utf-8")
    assert_refused(xfpush("check", "m.yaml", cwd=tmp_path, timeout=30), f"m.yaml:{line}",
                   "锚点和别名")


def test_the_alias_bomb_is_the_size_the_probe_used() -> None:
    assert len(ALIAS_BOMB.encode()) <= 342


def test_a_folder_as_message_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").mkdir()
    assert_refused(xfpush("check", "d.yaml", cwd=tmp_path, timeout=30), "d.yaml", "文件夹")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symbolic_link_loop_as_message_is_refused(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").symlink_to("m.yaml")
    assert_refused(xfpush("check", "m.yaml", cwd=tmp_path, timeout=30), "m.yaml",
                   "符号链接绕成了环")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_as_message_is_refused_at_once(tmp_path: Path) -> None:
    result = xfpush("check", "/dev/zero", cwd=tmp_path, timeout=30)
    assert_refused(result, "/dev/zero", "不是普通文件", "设备文件")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_as_message_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "m.yaml")
    result = xfpush("check", "m.yaml", cwd=tmp_path, timeout=30)
    assert_refused(result, "m.yaml", "管道")


def test_read_bounded_reads_at_most_one_byte_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1001)
    assert read_bounded(path, 1001) == b"x" * 1001
    with pytest.raises(FileRefused, match="文件过大") as raised:
        read_bounded(path, 1000)
    assert raised.value.too_large
    with pytest.raises(FileRefused, match="文件夹"):
        read_bounded(tmp_path, 1000)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc")
def test_a_file_whose_stat_says_zero_bytes_is_still_limited() -> None:
    assert os.stat("/proc/self/status").st_size == 0  # the file system says 0 bytes …
    with pytest.raises(FileRefused, match="文件过大"):  # … but it holds more than 10
        read_bounded("/proc/self/status", 10)


@pytest.mark.parametrize(("suffix", "text"), [
    (".yaml", GOOD + "tips: " + "[" * 50_000 + "\n"),
    (".json", '{"id": "a", "tips": ' + "[" * 50_000 + "}"),
    (".toml", 'id = "a"\ntips = ' + "[" * 50_000 + "\n"),
    (".json", '{"x": ' + '{"x": ' * 30_000 + "1" + "}" * 30_001),
])
def test_deep_nesting_is_a_chinese_error_not_a_recursion_error(tmp_path: Path, suffix: str,
                                                              text: str) -> None:
    path = tmp_path / f"m{suffix}"
    path.write_text(text, "utf-8")
    with pytest.raises(MessageError, match=f"嵌套层数过深.*上限 {MAX_DEPTH} 层"):
        load_message(path)


@pytest.mark.slow
def test_deep_nesting_in_the_real_command(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(GOOD + "tips: " + "[" * 50_000 + "\n", "utf-8")
    assert_refused(xfpush("check", "m.yaml", cwd=tmp_path), "m.yaml:4", "嵌套层数过深")


def test_nesting_inside_strings_does_not_count(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"id": "a", "title": "' + "[{" * 30 + '", "slogan": "s"}', "utf-8")
    assert load_message(path).title == "[{" * 30
    toml = tmp_path / "m.toml"
    toml.write_text("id = 'a'  # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\ntitle = '" + "{" * 60
                    + "'\nslogan = \"s\"\n", "utf-8")
    assert load_message(toml).slogan == "s"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("m.yaml", GOOD + "slogan: 又一个\n", "“slogan”写了两次（第 3 行和第 4 行）"),
    ("m.json", '{"id": "a", "title": "t", "slogan": "s", "title": "u"}', "“title”写了两次"),
    ("m.toml", 'id = "a"\ntitle = "t"\nslogan = "s"\ntitle = "u"\n', "m.toml:4"),
    ("m.toml", 'id = "a"\ntitle = "t"\nslogan = "s"\n[qr]\nurl = "https://a.cn"\n[qr]\n',
     "写了两次"),
])
def test_duplicate_keys_are_refused(tmp_path: Path, name: str, text: str,
                                                      expected: str) -> None:
    (tmp_path / name).write_text(text, "utf-8")
    with pytest.raises(MessageError, match="写了两次") as raised:
        load_message(tmp_path / name)
    assert expected in str(raised.value)


def test_recipe_and_table_reads_are_bounded(tmp_path: Path) -> None:
    from xfpush.campaigns.districts import load_recipe, read_table

    (tmp_path / "r.yaml").write_text("occasion: chongyang\nmessage: " + "[" * 50_000, "utf-8")
    with pytest.raises(InputError, match="嵌套层数过深"):
        load_recipe(tmp_path / "r.yaml")
    with pytest.raises(InputError, match="是一个文件夹"):
        read_table(tmp_path)
    if Path("/dev/zero").exists():
        with pytest.raises(InputError, match="不是普通文件"):
            read_table("/dev/zero")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "t.xlsx")
        with pytest.raises(InputError, match="管道"):
            read_table(tmp_path / "t.xlsx")
        os.mkfifo(tmp_path / "fifo.yaml")
        with pytest.raises(InputError, match="管道"):
            load_recipe(tmp_path / "fifo.yaml")


# -- user files: decoded whole at check time, kept inside the message's folder ---------------
def test_a_truncated_logo_fails_check_and_pack_alike(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = _noise_png(tmp_path / "full.png")
    (tmp_path / "logo.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "m.yaml").write_text(GOOD + "logo: logo.png\n", "utf-8")
    with pytest.raises(MessageError, match="图片文件不完整或已损坏") as raised:
        load_message(tmp_path / "m.yaml")
    assert "字段 logo" in str(raised.value) and "logo.png" in str(raised.value)
    from click.testing import CliRunner

    from xfpush.cli import main

    monkeypatch.chdir(tmp_path)
    for command in (["check", "m.yaml", "-c", "poster:phone"],
                    ["pack", "m.yaml", "-o", "out", "-c", "poster:phone"]):
        outcome = CliRunner().invoke(main, command)
        assert outcome.exit_code == 2 and "图片文件不完整" in outcome.output, outcome.output
    assert not (tmp_path / "out").exists()


def test_a_truncated_fallback_font_is_refused(tmp_path: Path) -> None:
    data = make_fallback_font(tmp_path / "full.ttf").read_bytes()
    (tmp_path / "f.ttf").write_bytes(data[: len(data) // 2])
    (tmp_path / "m.yaml").write_text(GOOD + "fonts: {fallback: f.ttf}\n", "utf-8")
    with pytest.raises(MessageError, match=r"fonts\.fallback") as raised:
        load_message(tmp_path / "m.yaml")
    assert "f.ttf" in str(raised.value)


def test_user_files_stay_in_the_message_folder_unless_allowed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _noise_png(elsewhere / "logo.png")
    folder = tmp_path / "message"
    folder.mkdir()
    (folder / "m.yaml").write_text(GOOD + "logo: ../elsewhere/logo.png\n", "utf-8")
    with pytest.raises(MessageError, match="--allow-path") as raised:
        load_message(folder / "m.yaml")
    assert "字段 logo" in str(raised.value) and "之外" in str(raised.value)
    assert load_message(folder / "m.yaml", allow_paths=[elsewhere]).logo == elsewhere / "logo.png"
    # an absolute path and a link inside the folder that leads out are refused the same way
    (folder / "m.yaml").write_text(GOOD + f"evacuation_map: {elsewhere / 'logo.png'}\n", "utf-8")
    with pytest.raises(MessageError, match="之外"):
        load_message(folder / "m.yaml")
    if hasattr(os, "symlink"):
        (folder / "link.png").symlink_to(elsewhere / "logo.png")
        (folder / "m.yaml").write_text(GOOD + "logo: link.png\n", "utf-8")
        with pytest.raises(MessageError, match="之外"):
            load_message(folder / "m.yaml")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_allow_path_on_the_command_line_still_refuses_a_device(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(GOOD + "logo: /dev/zero\n", "utf-8")
    assert_refused(xfpush("check", "m.yaml", "-c", "sms", cwd=tmp_path), "字段 logo", "之外")
    assert_refused(xfpush("check", "m.yaml", "-c", "sms", "--allow-path", "/dev", cwd=tmp_path),
                   "字段 logo", "不是普通文件")


# -- sizes and counts: limits named with the actual value ---------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    (GOOD + "body: " + "长" * 3_000_000 + "\n", ["消息文件过大", "256 KB"]),
    (GOOD.replace("标题", "长" * 80_000), ["m.yaml:2", "字段 title", "80000 字，上限 64 字"]),
    (GOOD + "tips:\n" + "  - 不充电\n" * 9000, ["字段 tips", "9000 条，上限 12 条"]),
    (GOOD + "hotlines:\n" + "".join(f"  h{n}: '119'\n" for n in range(9000)),
     ["字段 hotlines", "9000 条，上限 6 条"]),
    ("id: ../../etc\ntitle: t\nslogan: s\n", ["字段 id", "'../../etc'"]),
], ids=["9mb-body", "long-title", "9000-tips", "9000-hotlines", "id-traversal"])
@pytest.mark.slow
def test_oversized_messages_name_field_limit_and_actual_value(tmp_path: Path, text: str,
                                                              expected: list[str]) -> None:
    (tmp_path / "m.yaml").write_text(text, "utf-8")
    assert_refused(xfpush("check", "m.yaml", "-c", "sms", cwd=tmp_path), *expected)


def test_a_decompression_bomb_logo_is_refused_before_decoding(tmp_path: Path) -> None:
    png_header_only(tmp_path / "bomb.png", 60_000, 60_000)  # 3.6 gigapixels claimed
    (tmp_path / "m.yaml").write_text(GOOD + "logo: bomb.png\n", "utf-8")
    assert_refused(xfpush("check", "m.yaml", "-c", "poster:phone", cwd=tmp_path),
                   "字段 logo", "3,600,000,000 像素", "bomb.png")

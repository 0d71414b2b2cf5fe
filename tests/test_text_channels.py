"""Text channels: LED captions, SMS, receipts — counted and encoded as each medium does."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import assets_by_path
from xfpush import load_message
from xfpush.channels import CHANNELS
from xfpush.channels.checks import run_checks
from xfpush.channels.ledtext import normalize
from xfpush.channels.receipt import columns
from xfpush.channels.sms import Sms, billed_segments, compose, segments, ucs2_units
from xfpush.channels.sms import opt_out as opt_out_check
from xfpush.cli import main
from xfpush.pack.build import prepare_fonts
from xfpush.render.qr import decode

URL = "https://example.gov.cn/xf/ebike"


@pytest.fixture
def text_pack(still_pack: Path) -> Path:
    return still_pack


assets = assets_by_path


def test_every_profile_and_exact_texts_in_the_manifest(text_pack: Path) -> None:
    found = assets(text_pack)
    for profile in ("strip-128x16", "strip-192x32", "board-256x64"):
        for ext in ("txt", "json", "gif"):
            assert f"led/{profile}.{ext}" in found
        caption = (text_pack / f"led/{profile}.txt").read_bytes().decode("gbk")
        assert found[f"led/{profile}.txt"]["text"] == caption.replace("\r\n", "\n").rstrip("\n")
    assert found["sms/standard.txt"]["text"] == (text_pack / "sms/standard.txt").read_text("utf-8").rstrip("\n")
    for width in ("58mm", "80mm"):
        for ext in ("bin", "txt", "png"):
            assert f"receipt/{width}.{ext}" in found
        assert found[f"receipt/{width}.txt"]["text"] == (
            text_pack / f"receipt/{width}.txt").read_text("utf-8").rstrip("\n")
    assert not any(path.endswith("-gbk.txt") for path in found)  # GBK twins only on request


def test_led_text_is_gbk_within_gb2312_and_gif_matches_the_screen(text_pack: Path) -> None:
    for profile, (width, height, scale) in {"strip-128x16": (128, 16, 5),
                                            "strip-192x32": (192, 32, 5),
                                            "board-256x64": (256, 64, 4)}.items():
        caption = (text_pack / f"led/{profile}.txt").read_bytes().decode("gbk")
        assert "\r\n" in caption
        for char in caption.replace("\r\n", ""):
            char.encode("gb2312")
        timing = json.loads((text_pack / f"led/{profile}.json").read_text("utf-8"))
        steps = sum(s.get("steps", 0) for s in timing["segments"])
        pages = sum(1 for s in timing["segments"] if s["effect"] == "static")
        with Image.open(text_pack / f"led/{profile}.gif") as gif:
            assert gif.size == (width * scale, height * scale)
            assert gif.n_frames >= steps + pages
    strip = json.loads((text_pack / "led/strip-128x16.json").read_text("utf-8"))
    assert any(s["effect"] == "scroll_left" for s in strip["segments"])


def led_message(write_message, text: str):
    body = write_message().read_text("utf-8").replace(
        "  led: 电动车不进楼入户 充电安全记心间", f"  led: {text}")
    return write_message(text=body)


def test_character_outside_gb2312_fails_check_but_passes_gbk(write_message) -> None:
    path = led_message(write_message, "喆园小区电动车不进楼")
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(path), "-c", "led"])
    assert result.exit_code == 1
    assert "“喆”" in result.output and "U+5586" in result.output and "GB2312" in result.output
    assert "led:strip-128x16-gbk" in result.output  # the suggestion
    result = runner.invoke(main, ["check", str(path), "-c", "led:strip-128x16-gbk"])
    assert result.exit_code == 0, result.output


def test_led_normalizes_width_forms() -> None:
    assert normalize("火警１１９,请拨打!") == "火警119，请拨打！"
    assert normalize("Fire, 119.") == "Fire, 119."


SIGN = "【某某区消防安全委员会办公室】"  # 15 characters with the brackets
PHRASE = "电动车不进楼入户充电。"  # 11 characters


@pytest.mark.parametrize(("text", "units", "billed"), [
    # text, its UCS-2 length counted by hand, segments a carrier bills
    ("", 0, 0),
    ("【消防】火警请拨119。", 12, 1),
    ("【消防】注意用火🔥", 10, 1),  # the emoji is outside the BMP: 2 units
    (SIGN + PHRASE * 5, 70, 1),  # the most one segment holds
    (SIGN + PHRASE * 5 + "！", 71, 2),  # one more: concatenated, 67 a segment
    (SIGN + PHRASE * 4 + "电动车不进楼入户充\U00020000。", 71, 2),  # 70 code points, 71 units
    ("火" * 134, 134, 2),  # two full concatenated segments
    ("火" * 135, 135, 3),
    (SIGN + PHRASE * 10 + "火警请拨119。拒收请回复R", 139, 3),
])
def test_sms_length_and_segments_of_known_messages(text: str, units: int, billed: int) -> None:
    assert ucs2_units(text) == units
    assert segments(units) == billed


def test_sms_boundaries_count_signature_and_opt_out(write_message) -> None:
    base = write_message().read_text("utf-8")
    signature, opt_out = "【某某区消防】", "拒收请回复R"
    fonts = prepare_fonts(load_message(write_message()))

    def sms_for(text: str):
        message = load_message(write_message(text=base + f"  sms: {text}\n"))
        return message, run_checks(CHANNELS["sms"].render(message, "standard", fonts)[0])

    room = 70 - len(signature) - len(opt_out)
    _, asset = sms_for("火" * room)
    assert ucs2_units(asset.text) == 70 and all(c.ok for c in asset.checks)
    assert asset.text == signature + "火" * room + opt_out  # every publicity SMS opts out
    detail = {c.name: c.detail for c in asset.checks}["segments"]
    assert f"共 70 字（签名 {len(signature)} 字 + 正文 {room} 字 + 退订提示 6 字）" in detail
    _, asset = sms_for("火" * (room + 1))
    failed = {c.name: c.detail for c in asset.checks if not c.ok}
    assert "超出 1 字" in failed["segments"] and "计 2 条" in failed["segments"]
    _, asset = sms_for("火" * (room - 6) + opt_out)  # written by the user: not doubled
    assert asset.text.count(opt_out) == 1 and ucs2_units(asset.text) == 64
    text, _ = compose(load_message(write_message()), CHANNELS["sms"].profiles["standard"])
    assert text.startswith(signature) and text.endswith(opt_out) and ucs2_units(text) <= 70


@pytest.mark.parametrize(("sign", "ok"), [("某区", True), ("某" * 12, True),
                                          ("某某区消防安全委员会办公室", False)])
def test_sms_signature_follows_the_aliyun_rule(write_message, sign: str, ok: bool) -> None:
    message = load_message(write_message({"issuer": "issuer: 某某区消防安全委员会办公室",
                                          "sms_signature": f"sms_signature: {sign}"}))
    asset = run_checks(CHANNELS["sms"].render(message, "standard", prepare_fonts(message))[0])
    check = {c.name: c for c in asset.checks}["signature"]
    assert check.ok is ok
    assert f"签名【{sign}】{len(sign)} 字，阿里云短信要求 2–12 字" in check.detail


def test_sms_opt_out_check_reads_the_text_not_the_intent() -> None:
    profile = CHANNELS["sms"].profiles["standard"]
    without = Sms("【某区】火警请拨119。", "某区", profile, "test")
    check = opt_out_check(without, None)  # type: ignore[arg-type]
    assert not check.ok and "缺少" in check.detail
    detail = billed_segments(without, None).detail  # type: ignore[arg-type]
    assert "签名 4 字 + 正文 8 字（无退订提示）" in detail and "含" not in detail


def test_sms_counts_astral_characters_twice() -> None:
    assert ucs2_units("火\U00020000") == 3


def test_receipt_stream_has_native_qr_and_gb18030_lines(text_pack: Path) -> None:
    for width, cols in (("58mm", 32), ("80mm", 48)):
        stream = (text_pack / f"receipt/{width}.bin").read_bytes()
        assert b"\x1d(k" in stream and URL.encode() in stream  # GS ( k: the printer's own QR
        assert b"\x1dV" in stream[-6:]  # cut
        preview = (text_pack / f"receipt/{width}.txt").read_text("utf-8").splitlines()
        for line in preview:
            assert columns(line) <= cols
            text = line.strip()
            if text and text != "[二维码]" and set(text) != {"-"}:
                assert text.encode("gb18030") in stream, text
        png = Image.open(text_pack / f"receipt/{width}.png")
        assert png.width == {"58mm": 384, "80mm": 576}[width]
        assert URL in decode(png)


def test_receipt_line_wrapping_keeps_rules(write_message) -> None:
    text = write_message().read_text("utf-8").replace(
        "  - 不在楼道、楼梯间、安全出口停放和充电",
        "  - 电动车电池充电时间不宜过长（一般不超过8小时），充满后及时断电。")
    message = load_message(write_message(text=text))
    asset = CHANNELS["receipt"].render(message, "58mm", prepare_fonts(message))[1]
    for line in asset.text.splitlines():
        assert not line.strip().startswith(("，", "。", "）"))
        assert not line.rstrip().endswith("（")
    assert "".join(line.strip() for line in asset.text.splitlines()).count("（一般不超过8小时）") == 1


def test_led_gif_frames_read_back(text_pack: Path) -> None:
    data = (text_pack / "led/strip-128x16.gif").read_bytes()
    with Image.open(io.BytesIO(data)) as gif:
        durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            durations.append(gif.info["duration"])
    assert set(durations) == {50}  # 2 dots per step at 40 dots/s

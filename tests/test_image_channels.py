"""Image channels: sticker, tv, splash, social, screen (issue: image channels)."""

from __future__ import annotations

import base64
import binascii
import io
import re
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from conftest import assets_by_path
from xfpush import load_message
from xfpush.channels import CHANNELS, Asset
from xfpush.channels.checks import run_checks
from xfpush.channels.splash import SPLASH
from xfpush.cli import main
from xfpush.pack.build import check_message, prepare_fonts
from xfpush.render.plan import Plan
from xfpush.render.qr import decode
from xfpush.render.raster import TextBlock

URL = "https://example.gov.cn/xf/ebike"
EXPECTED = {
    "sticker/label-60x40.png": (480, 320, 203), "sticker/label-100x100.png": (800, 800, 203),
    "sticker/waybill-65x30.png": (520, 240, 203), "tv/banner-1080p.png": (1920, 1080, None),
    "tv/banner-720p.png": (1280, 720, None),
    "tv/lower-third.png": (1920, 1080, None), "splash/1080x1920.png": (1080, 1920, None),
    "splash/1242x2688.png": (1242, 2688, None), "splash/2160x3840.png": (2160, 3840, None),
    "social/wechat-cover.png": (900, 383, None), "social/wechat-square.png": (200, 200, None),
    "social/douyin-cover.png": (1080, 1440, None), "social/weibo.png": (1080, 1080, None),
    "screen/boot-1080p.png": (1920, 1080, None), "screen/dcp-flat.png": (1998, 1080, None),
}


@pytest.fixture
def image_pack(still_pack: Path) -> Path:
    return still_pack


def manifest(pack: Path) -> dict:
    return {"assets": list(assets_by_path(pack).values())}


def test_every_profile_with_its_size_and_dpi(image_pack: Path) -> None:
    assets = {a["path"]: a for a in manifest(image_pack)["assets"]}
    proof = (image_pack / "proof.html").read_text("utf-8")
    for path, (width, height, dpi) in EXPECTED.items():
        entry = assets[path]
        assert (entry["width_px"], entry["height_px"], entry["dpi"]) == (width, height, dpi)
        with Image.open(image_pack / path) as image:
            assert image.size == (width, height)
        assert path in proof
        assert all(check["ok"] for check in entry["checks"]), entry["checks"]
    for extra in ("tv/ticker.srt", "tv/ticker.ass", "sticker/waybill-remark.txt",
                  "social/wechat-title.txt", "social/weibo.txt", "sticker/label-60x40-sheet.pdf"):
        assert extra in assets and extra in proof


def zpl_bitmap(data: bytes) -> Image.Image:
    """Independent reader: ^GFA,total,total,bytes_per_row,:Z64:base64(zlib):crc (1 = burned)."""
    fields = re.search(rb"\^GFA,(\d+),\d+,(\d+),:Z64:([A-Za-z0-9+/=]+):([0-9A-F]{4})", data)
    assert fields and data.startswith(b"^XA") and data.rstrip().endswith(b"^XZ")
    assert binascii.crc_hqx(fields.group(3), 0) == int(fields.group(4), 16)
    raw = zlib.decompress(base64.b64decode(fields.group(3)))
    row = int(fields.group(2))
    assert len(raw) == int(fields.group(1))
    bits = np.unpackbits(np.frombuffer(raw, np.uint8)).reshape(-1, row * 8)
    return Image.fromarray(np.where(bits == 1, 0, 255).astype(np.uint8))


def tspl_bitmap(data: bytes) -> Image.Image:
    """Independent reader: BITMAP x,y,width_bytes,height,mode,<binary> (0 = burned dot)."""
    header = re.search(rb"BITMAP 0,0,(\d+),(\d+),0,", data)
    assert header and b"SIZE " in data and b"GAP " in data and data.endswith(b"PRINT 1,1\r\n")
    row, height = int(header.group(1)), int(header.group(2))
    raw = data[header.end(): header.end() + row * height]
    bits = np.unpackbits(np.frombuffer(raw, np.uint8)).reshape(height, row * 8)
    return Image.fromarray(np.where(bits == 0, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("profile", ["label-60x40", "label-100x100", "waybill-65x30"])
def test_sticker_bitmap_is_one_bit_and_printer_files_carry_it(image_pack: Path, profile) -> None:
    png = Image.open(image_pack / f"sticker/{profile}.png")
    assert png.mode == "1"
    assert png.info["dpi"][0] == pytest.approx(203, abs=0.5)
    pixels = np.asarray(png.convert("L"))
    assert set(np.unique(pixels)) <= {0, 255}
    assert URL in decode(png.convert("L"))
    for reader, suffix in ((zpl_bitmap, "zpl"), (tspl_bitmap, "tspl")):
        decoded = np.asarray(reader((image_pack / f"sticker/{profile}.{suffix}").read_bytes()))
        assert decoded.shape == pixels.shape and (decoded == pixels).all(), suffix


def test_sticker_sheet_is_a4_with_real_size_tiles(image_pack: Path) -> None:
    page = pdfium.PdfDocument((image_pack / "sticker/label-60x40-sheet.pdf").read_bytes())[0]
    width, height = page.get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    raster = page.render(scale=203.2 / 72).to_pil().convert("L")
    assert len(decode(raster)) >= 12  # the tiled stickers' QR codes read from the sheet


def test_waybill_remark_is_short_text(image_pack: Path) -> None:
    entry = next(a for a in manifest(image_pack)["assets"]
                 if a["path"] == "sticker/waybill-remark.txt")
    assert entry["text"] == "电动车不进楼 充电安全记心间" and len(entry["text"]) <= 30


def test_tv_banner_is_legal_after_conversion_even_with_an_illegal_theme(write_message) -> None:
    text = write_message().read_text("utf-8") + 'theme:\n  primary: "#FF0000"\n  paper: "#FFFFFF"\n  ink: "#000000"\n'
    message = load_message(write_message(text=text))
    fonts = prepare_fonts(message)
    for asset in map(run_checks, CHANNELS["tv"].render(message, "banner-1080p", fonts)):
        image = Image.open(io.BytesIO(asset.data))
        assert np.asarray(image).max() == 255  # full-range sRGB: the playout does the squeeze
        checks = {c.name: c for c in asset.checks}
        assert checks["broadcast_legal"].ok and "Y 16–235" in checks["broadcast_legal"].detail
        assert URL in decode(image)
        assert checks["safe_area"].ok


def test_ticker_is_paced_and_timed_from_the_file(image_pack: Path) -> None:
    srt = (image_pack / "tv/ticker.srt").read_text("utf-8")
    cues = re.findall(r"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)\n(.+)", srt)
    assert cues
    for *stamps, text in cues:
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, stamps)
        seconds = (h2 * 3600 + m2 * 60 + s2 + ms2 / 1000) - (h1 * 3600 + m1 * 60 + s1 + ms1 / 1000)
        assert len(text) / seconds <= 5.0 + 1e-9
        assert not text.startswith(("，", "。", "、"))
    entry = next(a for a in manifest(image_pack)["assets"] if a["path"] == "tv/ticker.srt")
    last = cues[-1]
    assert entry["duration_s"] == int(last[4]) * 3600 + int(last[5]) * 60 + int(last[6]) + int(last[7]) / 1000
    ass = (image_pack / "tv/ticker.ass").read_text("utf-8")
    assert "\\move(" in ass and "PlayResX: 1920" in ass


def test_splash_keeps_skip_and_logo_zones_free(image_pack: Path) -> None:
    for size in ("1080x1920", "1242x2688", "2160x3840"):
        image = Image.open(image_pack / f"splash/{size}.png").convert("RGB")
        w, h = image.size
        for box in ((round(0.72 * w), 0, w, round(0.10 * h)), (0, round(0.84 * h), w, h)):
            colours = image.crop(box).getcolors(1)
            assert colours is not None, f"{size}: zone {box} is not one flat colour"


def test_reserved_zone_check_catches_content_in_the_zone() -> None:
    profile = SPLASH.profiles["1080x1920"]
    plan = Plan((1080, 1920), (0, 0, 1080, 1920), (0, 0, 1080, 1920))
    plan.texts.append(TextBlock(("跳过",), 900, 40, 150, 40, "#000000"))
    described = Asset("splash", profile.name, "splash/x.png", "image/png", b"",
                      facts=SPLASH.layout_facts(plan, profile))
    failed = {c.name for c in run_checks(described).checks if not c.ok}
    assert "reserved_skip_button" in failed


def test_small_profile_uses_the_variant_then_fails_naming_text_and_amount(write_message) -> None:
    long_slogan = "slogan: " + ("电动自行车严禁进楼入户停放充电" * 3)[:40]
    with_variant = write_message({"slogan": long_slogan}).read_text("utf-8").replace(
        "variants:\n", "variants:\n  sticker: 电动车不进楼\n")
    message = load_message(write_message(text=with_variant))
    plan = CHANNELS["sticker"].plan(message, "label-60x40", prepare_fonts(message))
    assert plan.used_fields["口号"] == "variants.sticker"
    text = write_message({"slogan": long_slogan,
                          "title": "title: " + "电动自行车不进楼入户充电安全记心间" * 3}).read_text("utf-8")
    message = load_message(write_message(text=text))
    problems = check_message(message, "sticker:label-60x40")
    assert len(problems) == 1
    reason = problems[0].reason
    assert "口号" in reason and "slogan" in reason and "title" in reason and "请删减约" in reason


def test_social_posts_respect_platform_limits_and_carry_hashtags(image_pack: Path) -> None:
    texts = {a["path"]: a["text"] for a in manifest(image_pack)["assets"] if a["text"]}
    assert len(texts["social/wechat-title.txt"]) <= 32
    assert len(texts["social/wechat-digest.txt"]) <= 128
    assert len(texts["social/douyin.txt"]) <= 55
    assert "#119消防宣传月#" in texts["social/weibo.txt"]
    assert "#119消防宣传月#" in texts["social/douyin.txt"]


def evacuation_map(path: Path) -> Path:
    image = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 1160, 760), outline="black", width=8)
    draw.rectangle((500, 300, 700, 500), fill="#2E7D32")
    draw.line((600, 400, 1100, 400), fill="#2E7D32", width=24)
    image.save(path)
    return path


def test_screen_shows_the_map_large_or_the_general_reminders(tmp_path, write_message) -> None:
    evacuation_map(tmp_path / "route.png")
    text = write_message().read_text("utf-8") + "evacuation_map: route.png\n"
    message = load_message(write_message(text=text))
    fonts = prepare_fonts(message)
    plan = CHANNELS["screen"].plan(message, "boot-1080p", fonts)
    assert plan.images and plan.images[-1][0].name == "route.png"
    asset = run_checks(CHANNELS["screen"].render(message, "boot-1080p", fonts)[0])
    assert {c.name: c.ok for c in asset.checks}["evacuation"]
    image = Image.open(io.BytesIO(asset.data)).convert("RGB")
    greens = np.all(np.asarray(image) == (0x2E, 0x7D, 0x32), axis=2).sum()
    assert greens > 5000  # the map's exit marker is drawn, large
    plain = load_message(write_message())
    texts = [t.lines for t in CHANNELS["screen"].plan(plain, "dcp-flat", fonts).texts]
    assert any("安全出口" in "".join(lines) for lines in texts)


def test_bad_logo_is_a_clear_input_error(tmp_path, write_message) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"broken" * 10)
    path = write_message(text=write_message().read_text("utf-8") + "logo: logo.png\n")
    result = CliRunner().invoke(main, ["check", str(path), "-c", "splash"])
    assert result.exit_code == 2 and "字段 logo" in result.output

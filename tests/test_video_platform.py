"""Videos as a platform and a viewer take them, measured with decoders xfpush did not write:
PyAV (libavformat, as ffprobe reads a stream), ffmpeg's own scaler for decoding, colour-science
for colour difference, pysubs2 for subtitles, pyloudnorm for loudness."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import warnings
from pathlib import Path

import av
import numpy as np
import pyloudnorm
import pysubs2
import pytest
from PIL import Image, ImageDraw

from conftest import pack_demo
from xfpush import load_message
from xfpush.channels.storyboard import FADE, MAX_CPS, reading_chars, storyboard
from xfpush.channels.video import PROFILES, SHORT_VIDEO_ZONES
from xfpush.model.message import DEFAULT_THEME
from xfpush.pack.build import prepare_fonts
from xfpush.render.media import ffmpeg_exe
from xfpush.render.raster import draw_block
from xfpush.render.video import FPS

SHORT = ("vertical", "horizontal")
SPOTS = {"spot-15s": 15.0, "spot-30s": 30.0}
LUFS = {"vertical": -16.0, "horizontal": -16.0, "spot-15s": -23.0, "spot-30s": -23.0}


def decode_rgb(path: Path, seconds: float) -> np.ndarray:
    """One frame as full-range RGB, the BT.709 matrix named explicitly (no guessing)."""
    with av.open(str(path)) as container:
        width, height = container.streams.video[0].width, container.streams.video[0].height
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1",
         "-vf", "scale=in_color_matrix=bt709:in_range=tv:out_color_matrix=bt709:out_range=full",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def colour_science():  # type: ignore[no-untyped-def]
    """colour-science, imported when a slow test needs it (it takes seconds to import)."""
    with warnings.catch_warnings():  # it warns that matplotlib is not installed
        warnings.simplefilter("ignore")
        import colour
    return colour


def lab(rgb: np.ndarray) -> np.ndarray:
    colour = colour_science()
    xyz = colour.sRGB_to_XYZ(np.asarray(rgb, dtype=float) / 255.0)
    return colour.XYZ_to_Lab(xyz, colour.CCS_ILLUMINANTS[
        "CIE 1931 2 Degree Standard Observer"]["D65"])


def ground(frame: np.ndarray) -> np.ndarray:
    """The most common colour of a frame (its background)."""
    colours, counts = np.unique(frame.reshape(-1, 3), axis=0, return_counts=True)
    return colours[counts.argmax()]


def ink(frame: np.ndarray) -> float:
    """Share of pixels clearly unlike the background."""
    return float(np.mean(np.abs(frame.astype(int) - ground(frame)).max(axis=2) > 40))


def entries(pack: Path) -> dict[str, dict]:
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    return {asset["path"]: asset for asset in manifest["assets"]}


@pytest.mark.slow
@pytest.mark.parametrize("profile", [*SHORT, *SPOTS])
def test_stream_is_tagged_bt709_tv_range_and_brand_red_keeps_its_colour(demo_pack: Path,
                                                                         profile: str) -> None:
    path = demo_pack / f"video/{profile}.mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0].codec_context
        tags = (stream.colorspace, stream.color_primaries, stream.color_trc, stream.color_range)
    # ITU-T H.273 code points: 1 = BT.709 (matrix, primaries, transfer); range 1 = tv/MPEG
    assert tags == (1, 1, 1, 1), tags
    red = ground(decode_rgb(path, 0.0))  # the title card's ground is the brand colour
    theme = np.array([int(DEFAULT_THEME["primary"][i:i + 2], 16) for i in (1, 3, 5)])
    colour = colour_science()
    delta_2000 = colour.delta_E(lab(theme), lab(red), method="CIE 2000")
    delta_76 = colour.delta_E(lab(theme), lab(red), method="CIE 1976")
    assert delta_2000 <= 2.0 and delta_76 <= 2.0, (tuple(red), delta_2000, delta_76)


def subtitles(pack: Path, profile: str) -> pysubs2.SSAFile:
    return pysubs2.load(str(pack / f"video/{profile}.srt"), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("profile", [*SHORT, *SPOTS])
def test_one_tip_at_a_time_slow_enough_to_read_and_the_srt_lists_what_is_shown(
        demo_pack: Path, profile: str) -> None:
    path = demo_pack / f"video/{profile}.mp4"
    with av.open(str(path)) as container:
        seconds = container.duration / av.time_base
    if profile in SPOTS:
        assert seconds == pytest.approx(SPOTS[profile], abs=0.05)
    else:
        assert 5.0 <= seconds <= 15.05
    events = subtitles(demo_pack, profile).events
    for event in events:
        pace = reading_chars(event.plaintext) / ((event.end - event.start) / 1000)
        assert pace <= MAX_CPS, (event.plaintext, pace)
    message = load_message(demo_pack / "message.yaml")
    said = [re.sub(r"\s", "", event.plaintext) for event in events]
    tips = [tip for tip in message.tips if tip in said]
    assert tips and tips == list(message.tips[: len(tips)])  # the first ones, in order
    shown = {laid["field"] for laid in entries(demo_pack)[f"video/{profile}.mp4"]["layout"]}
    assert {f for f in shown if f.startswith("tips[")} == {f"tips[{i}]" for i in range(len(tips))}
    # each cue is its own card: the picture changes from one cue's middle to the next
    middles = [decode_rgb(path, (event.start + event.end) / 2000) for event in events]
    for before, after in itertools.pairwise(middles):
        assert np.mean(np.abs(before.astype(int) - after.astype(int))) > 2


@pytest.mark.slow
@pytest.mark.parametrize("profile", [*SHORT, *SPOTS])
def test_voice_over_follows_the_subtitles_at_the_profile_loudness(demo_pack: Path,
                                                                   profile: str) -> None:
    path = demo_pack / f"video/{profile}.mp4"
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a", "-f",
                          "f32le", "-ac", "2", "-ar", "48000", "pipe:1"],
                         capture_output=True, check=True).stdout
    samples = np.frombuffer(raw, "<f4").reshape(-1, 2)
    loudness = pyloudnorm.Meter(48000).integrated_loudness(samples)
    assert loudness == pytest.approx(LUFS[profile], abs=1.0)
    entry = entries(demo_pack)[f"video/{profile}.mp4"]
    assert entry["loudness_lufs"] == pytest.approx(loudness, abs=0.5)
    assert entry["true_peak_dbtp"] <= -1.0
    for event in subtitles(demo_pack, profile).events:  # a voice under every subtitle
        window = samples[event.start * 48: event.end * 48]
        assert np.sqrt(np.mean(window ** 2)) > 0.01, event.plaintext


@pytest.mark.slow
@pytest.mark.parametrize("profile", [*SHORT, *SPOTS])
def test_first_frame_is_the_title_card(demo_pack: Path, profile: str) -> None:
    path = demo_pack / f"video/{profile}.mp4"
    first = decode_rgb(path, 0.0)
    title_end = subtitles(demo_pack, profile).events[0].end / 1000
    title = decode_rgb(path, title_end - FADE / FPS)  # the title card, just before it fades
    assert ink(first) >= 0.03  # not a blank ground
    assert np.mean(np.abs(first.astype(int) - title.astype(int))) < 1.5
    cover = np.asarray(Image.open(demo_pack / f"video/{profile}-cover.jpg").convert("RGB"))
    assert np.mean(np.abs(first.astype(int) - cover.astype(int))) < 3


@pytest.mark.slow
def test_vertical_frames_are_plain_where_the_platform_draws(demo_pack: Path) -> None:
    path = demo_pack / "video/vertical.mp4"
    height, width = 1920, 1080
    for event in subtitles(demo_pack, "vertical").events:
        frame = decode_rgb(path, (event.start + event.end) / 2000)
        for zone in SHORT_VIDEO_ZONES[1:]:  # the top strip carries the accent bar, not text
            left, top, right, bottom = zone.box
            area = frame[round(top * height):, round(left * width):][
                : round((bottom - top) * height), : round((right - left) * width)]
            assert np.abs(area.astype(int) - ground(area)).max() <= 12, (zone.name, event.text)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_no_text_or_code_of_any_card_falls_in_an_overlay_zone(demo_path: Path,
                                                              profile: str) -> None:
    chosen = PROFILES[profile]
    message = load_message(demo_path)
    fonts = prepare_fonts(message)
    board = storyboard(message, fonts, chosen.template, (chosen.width, chosen.height),
                       (chosen.least_s, chosen.most_s), None)
    assert profile in SHORT or not chosen.zones
    for card in board.cards:
        canvas = Image.new("L", (chosen.width, chosen.height), 0)
        draw = ImageDraw.Draw(canvas)
        for block in card.plan.texts:  # the text pixels of the plan, drawn alone
            block = type(block)(block.lines, block.x, block.y, block.width, block.size, "#FFFFFF",
                                block.bold, block.align, block.line_height)
            draw_block(draw, block, fonts)
        if card.plan.qr:
            matrix, module, x, y = card.plan.qr
            side = matrix.side_px(module)
            draw.rectangle((x, y, x + side - 1, y + side - 1), fill=255)
        pixels = np.asarray(canvas)
        assert pixels.any()
        for zone in chosen.zones:
            left, top, right, bottom = zone.box
            inside = pixels[round(top * chosen.height):round(bottom * chosen.height),
                            round(left * chosen.width):round(right * chosen.width)]
            assert not inside.any(), (profile, card.kind, zone.name)


def test_cards_are_timed_for_reading_and_tips_drop_from_the_last(demo_path: Path) -> None:
    message = load_message(demo_path)
    fonts = prepare_fonts(message)
    chosen = PROFILES["horizontal"]

    def board(span: tuple[float, float], speech=None):  # type: ignore[no-untyped-def]
        return storyboard(message, fonts, chosen.template, (chosen.width, chosen.height), span,
                          speech)

    silent = board((5.0, 15.0))
    assert 5.0 <= silent.seconds <= 15.0 and silent.tips_shown >= 1
    for card in silent.cards:
        assert card.chars / (card.hold / FPS) <= MAX_CPS
    assert [card.script[0][0] for card in silent.cards if card.kind == "tip"] == \
        [f"tips[{i}]" for i in range(silent.tips_shown)]
    longer = board((5.0, 30.0))
    assert longer.tips_shown > silent.tips_shown and longer.seconds > silent.seconds
    spoken = board((5.0, 15.0), lambda text: len(text) / 3.0)  # a slow voice: cards wait for it
    assert spoken.tips_shown < silent.tips_shown
    for card in spoken.cards:
        assert card.hold / FPS >= len("。".join(t for _, t in card.script)) / 3.0


def test_a_spot_is_exactly_its_length_with_the_spare_time_shared(demo_path: Path) -> None:
    message = load_message(demo_path)
    fonts = prepare_fonts(message)
    spot = PROFILES["spot-30s"]
    board = storyboard(message, fonts, spot.template, (spot.width, spot.height), (30.0, 30.0),
                       None, spread=True)
    assert board.frames == 30 * FPS
    needed = [card.needed() for card in board.cards]
    assert all(card.hold > need for card, need in zip(board.cards, needed, strict=True))


@pytest.mark.slow
def test_without_a_speech_engine_the_video_is_silent_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_path: Path) -> None:
    monkeypatch.setenv("XFPUSH_TTS", "command")
    monkeypatch.setenv("XFPUSH_TTS_COMMAND", f"{tmp_path / 'no-voice'} {{wav}}")
    pack = pack_demo(tmp_path / "pack", "video:vertical")
    entry = entries(pack)["video/vertical.mp4"]
    voice = next(check for check in entry["checks"] if check["name"] == "voice_over")
    assert voice["ok"] and "无配音" in voice["detail"] and "no-voice" in voice["detail"]
    assert entry["loudness_lufs"] is None
    assert "无配音" in (pack / "proof.html").read_text("utf-8")
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(pack / "video/vertical.mp4"),
                          "-map", "0:a", "-f", "s16le", "pipe:1"], capture_output=True,
                         check=True).stdout
    assert raw and not any(raw)  # an audio track, all silence
    events = subtitles(pack, "vertical").events
    assert 5.0 <= events[-1].end / 1000 <= 15.05 and len(events) >= 3
    for event in events:  # timed for reading alone
        assert reading_chars(event.plaintext) / ((event.end - event.start) / 1000) <= MAX_CPS


def test_a_title_too_long_to_say_fails_in_chinese_with_the_seconds(demo_path: Path) -> None:
    from xfpush.channels.base import Asset
    from xfpush.channels.video import Timing, video_length

    message = load_message(demo_path)
    chosen = PROFILES["vertical"]
    board = storyboard(message, prepare_fonts(message), chosen.template,
                       (chosen.width, chosen.height), (chosen.least_s, chosen.most_s),
                       lambda text: 8.0)  # a voice that takes 8 s for anything
    assert board.tips_shown == 0
    check = video_length(Timing(board, chosen), Asset("video", "vertical", "v.mp4", "video/mp4",
                                                       b""))
    assert not check.ok
    assert "超过上限 15 秒" in check.detail and "请缩短标题（title" in check.detail
    assert f"{board.seconds:.1f} 秒" in check.detail

"""Time-based channels: video title cards, bike voice prompts, broadcast spots."""

from __future__ import annotations

import io
import re
import subprocess
import wave
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import assets_by_path
from xfpush.cli import main
from xfpush.render.media import ffmpeg_exe
from xfpush.render.qr import decode
from xfpush.render.speech import normalize, ssml
from xfpush.render.tts import EspeakVoice, _espeak

URL = "https://example.gov.cn/xf/ebike"
LIMITS = {"unlock": 4.0, "ride": 8.0, "lock": 4.0}


@pytest.fixture
def time_pack(demo_pack: Path) -> Path:
    return demo_pack


manifest = assets_by_path


def ffmpeg_info(path: Path) -> str:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                          text=True, check=False).stderr


@pytest.mark.slow
@pytest.mark.parametrize(("profile", "size"), [("vertical", "1080x1920"), ("horizontal", "1920x1080")])
def test_video_probes_as_promised_and_end_frame_qr_decodes(time_pack: Path, profile, size) -> None:
    path = time_pack / f"video/{profile}.mp4"
    info = ffmpeg_info(path)
    assert re.search(r"Video: h264 .*yuv420p.*" + size + r".*25 fps", info), info
    assert "Audio: aac" in info
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", info).groups()
    seconds = int(h) * 3600 + int(m) * 60 + float(s)
    assert 5.0 <= seconds <= 15.05
    assert path.read_bytes()[4:8] == b"ftyp" and b"moov" in path.read_bytes()[:4096]  # faststart
    frame = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-ss",
                            f"{seconds - 0.5:.2f}",
                            "-i", str(path), "-frames:v", "1", "-f", "image2pipe", "-vcodec",
                            "png", "pipe:1"], capture_output=True, check=True).stdout
    assert URL in decode(Image.open(io.BytesIO(frame)))
    entries = manifest(time_pack)
    assert entries[f"video/{profile}.mp4"]["duration_s"] == pytest.approx(seconds, abs=0.05)
    assert f"video/{profile}-cover.jpg" in entries and f"video/{profile}.srt" in entries


def read_wav(path: Path) -> tuple[np.ndarray, int, int, float]:
    with wave.open(str(path)) as source:
        frames = source.readframes(source.getnframes())
        rate, channels, width = source.getframerate(), source.getnchannels(), source.getsampwidth()
        assert width == 2
        return np.frombuffer(frames, "<i2") / 32768.0, rate, channels, source.getnframes() / rate


@pytest.mark.slow
def test_prompts_are_16k_mono_within_limits_and_measured(time_pack: Path) -> None:
    entries = manifest(time_pack)
    for profile, limit in LIMITS.items():
        samples, rate, channels, seconds = read_wav(time_pack / f"audio/{profile}.wav")
        assert (rate, channels) == (16000, 1)
        assert 0.5 < seconds <= limit
        assert entries[f"audio/{profile}.wav"]["duration_s"] == pytest.approx(seconds, abs=0.002)
        assert entries[f"audio/{profile}.wav"]["loudness_lufs"] == pytest.approx(-16, abs=1)
        assert entries[f"audio/{profile}.mp3"]["true_peak_dbtp"] <= -0.5
        loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
        assert abs(loudness - (-16.0)) <= 1.0, (profile, loudness)
        assert (time_pack / f"audio/{profile}.mp3").read_bytes()[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
    ride = (time_pack / "audio/ride.ssml").read_text("utf-8")
    assert ride.startswith("<?xml") and '<phoneme alphabet="py" ph="jian1">间</phoneme>' in ride


@pytest.mark.slow
def test_spots_have_exact_length_and_broadcast_loudness(time_pack: Path) -> None:
    for profile, length in (("spot-15s", 15.0), ("spot-30s", 30.0), ("loop-60s", 60.0)):
        samples, rate, channels, seconds = read_wav(time_pack / f"radio/{profile}.wav")
        assert (rate, channels) == (48000, 1) and seconds == pytest.approx(length, abs=0.001)
        loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
        assert abs(loudness - (-24.0)) <= 1.0, (profile, loudness)
        assert np.abs(samples[: rate // 4]).max() == 0  # the lead-in is silent
    loop = (time_pack / "radio/loop-60s.txt").read_text("utf-8").strip()
    assert loop.startswith("电动车不进楼入户。") and loop.endswith("电动车不进楼入户。")


@pytest.mark.slow
def test_too_long_unlock_prompt_fails_check_with_measured_seconds(write_message) -> None:
    text = write_message().read_text("utf-8") + (
        "  audio:\n    unlock: 电动自行车不要进楼入户，不要在楼道和楼梯间停放充电，"
        "也不要私拉电线飞线充电，发现火情请立即拨打119报警。\n")
    result = CliRunner().invoke(main, ["check", str(write_message(text=text)), "-c", "audio:unlock"])
    assert result.exit_code == 1, result.output
    found = re.search(r"实测 ([\d.]+) 秒，上限 4 秒，请删减约 (\d+) 字", result.output)
    assert found, result.output
    assert float(found.group(1)) > 4.0 and int(found.group(2)) >= 1


def test_speech_normalization_and_pinyin_hints() -> None:
    assert normalize("火警119，隐患举报96119") == "火警幺幺九，隐患举报九六幺幺九"
    assert normalize("充电不超过8小时，2027年") == "充电不超过八小时，二零二七年"
    assert normalize("室温30℃——50%") == "室温三十摄氏度，百分之五十"
    marked = ssml("重阳节关爱老人，重要的事；银行门口行人多")
    assert '<phoneme alphabet="py" ph="chong2">重</phoneme>阳' in marked
    assert '<phoneme alphabet="py" ph="zhong4">重</phoneme><phoneme alphabet="py" ph="yao4">要' in marked
    assert '银<phoneme alphabet="py" ph="hang2">行</phoneme>' in marked
    assert '<phoneme alphabet="py" ph="xing2">行</phoneme>人' in marked


@pytest.mark.slow
def test_espeak_says_the_same_text_the_same_way_whatever_came_before() -> None:
    # espeak-ng keeps state between utterances; in one process the second utterance of a
    # text used to differ from the first by a few samples, so packs were not reproducible
    engine = EspeakVoice()
    _espeak.cache_clear()  # each utterance below is really spoken, none is remembered
    first, rate = engine.synthesize("电动车不进楼入户。")
    engine.synthesize("火警幺幺九。")
    _espeak.cache_clear()
    again, again_rate = engine.synthesize("电动车不进楼入户。")
    assert _espeak.cache_info().misses == 1
    assert rate == again_rate and len(first) > rate // 2
    assert first.tobytes() == again.tobytes()

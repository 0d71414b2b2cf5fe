"""Spoken assets meet their limits on any message, measured with tools xfpush did not write.

Loudness by pyloudnorm (BS.1770), true peak by 4× oversampling with scipy, duration from the
WAV header (the wave module), tail silence and end levels with numpy. Radio spots fill their
slot (speech ends 0.3–1.0 s before the end), every file fades in and out, the loop repeats
without a gap, and no pack fails for a limit xfpush's own processing must meet.
"""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from corpus.measure import corpus_messages
from xfpush import build_pack, load_message
from xfpush.model.loader import message_from_dict
from xfpush.render.media import ffmpeg_exe, normalize_loudness

DEMO = Path(__file__).resolve().parents[1] / "assets/examples/demo.yaml"
CORPUS_IDS = ("c02-winter-elderly", "c22-kitchen")
LONG_TIP = "电动自行车不要在楼道、楼梯间、安全出口和住宅室内停放充电，充电时远离可燃物并有人看护，充满及时断电"
HOSTILE = [  # the shortest message, long title, slogan and twelve long tips, only digits
    {"id": "short", "title": "防火", "slogan": "防火"},
    {"id": "long", "title": "冬季取暖用火用电用气安全提示：规范使用取暖设备，严防电气线路老化短路引发火灾事故",
     "slogan": "冬季取暖注意安全，电热毯、小太阳、电暖器不要长时间无人看管，人离断电",
     "tips": [f"{LONG_TIP}{i}" for i in range(12)], "issuer": "某某市某某区某某街道消防安全委员会办公室"},
    {"id": "digits", "title": "119 96119 12345", "slogan": "119119119",
     "tips": ["1234567890", "2027 11 09", "96119"], "hotlines": {"火警": "119"}},
]
SPOTS = {"spot-15s": 15.0, "spot-30s": 30.0, "loop-60s": 60.0}
TARGET = {"audio": -16.0, "radio": -24.0}
SILENT_DB = -60.0


def read(path: Path) -> tuple[np.ndarray, int, int]:
    with wave.open(str(path)) as source:
        frames = source.readframes(source.getnframes())
        assert source.getsampwidth() == 2
        return np.frombuffer(frames, "<i2") / 32768.0, source.getframerate(), source.getnchannels()


def decode_mp3(path: Path) -> tuple[np.ndarray, int]:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                          "pipe:1"], capture_output=True, check=True).stdout
    with wave.open(str(path.with_suffix(".wav"))) as source:
        rate = source.getframerate()
    return np.frombuffer(raw, "<f4").astype(np.float64), rate


def true_peak_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.abs(resample_poly(samples, 4, 1)).max() + 1e-12))


def level_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(samples ** 2)) + 1e-12))


def silence_at_end(samples: np.ndarray, rate: int) -> float:
    loud = np.flatnonzero(np.abs(samples) > 10 ** (SILENT_DB / 20))
    return (len(samples) - loud[-1] - 1) / rate


def silence_at_start(samples: np.ndarray, rate: int) -> float:
    return float(np.flatnonzero(np.abs(samples) > 10 ** (SILENT_DB / 20))[0] / rate)


def messages():  # type: ignore[no-untyped-def]
    chosen = [m for m in corpus_messages() if m.id in CORPUS_IDS]
    assert len(chosen) == len(CORPUS_IDS)
    hostile = [message_from_dict(data, base_dir=DEMO.parent) for data in HOSTILE]
    return [load_message(DEMO), *chosen, *hostile]


@pytest.fixture(scope="module")
def spoken_packs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("spoken")
    return [build_pack(message, out / message.id, channels="audio,radio").path
            for message in messages()]


@pytest.mark.slow
def test_every_spoken_file_meets_loudness_and_true_peak(spoken_packs: list[Path]) -> None:
    for pack in spoken_packs:
        manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
        assert not manifest.get("failures"), manifest.get("failures")
        for asset in manifest["assets"]:
            if asset["path"].endswith(".txt"):  # a script reads as written: no "标题。。"
                assert "。。" not in asset["text"], asset["text"]
            if asset["media_type"] not in ("audio/wav", "audio/mpeg"):
                continue
            target = TARGET[asset["channel"]]
            path = pack / asset["path"]
            if path.suffix == ".wav":
                samples, rate, channels = read(path)
                assert channels == 1
            else:
                samples, rate = decode_mp3(path)
            loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
            assert abs(loudness - target) <= 0.5, (pack.name, asset["path"], loudness)
            assert true_peak_db(samples) <= -1.0, (pack.name, asset["path"])
            assert all(check["ok"] for check in asset["checks"]), asset["checks"]


@pytest.mark.slow
def test_files_start_and_end_on_silence(spoken_packs: list[Path]) -> None:
    for pack in spoken_packs:
        for path in sorted([*pack.glob("audio/*.wav"), *pack.glob("radio/*.wav")]):
            samples, rate, _ = read(path)
            ten_ms = rate // 100
            assert level_db(samples[-ten_ms:]) < SILENT_DB, (pack.name, path.name)
            assert level_db(samples[:ten_ms]) < SILENT_DB, (pack.name, path.name)


@pytest.mark.slow
def test_radio_spots_fill_their_slot_and_the_loop_has_no_gap(spoken_packs: list[Path]) -> None:
    for pack in spoken_packs:
        for profile, length in SPOTS.items():
            samples, rate, _ = read(pack / f"radio/{profile}.wav")
            assert len(samples) / rate == pytest.approx(length, abs=0.001)
            tail = silence_at_end(samples, rate)
            assert 0.3 <= tail <= 1.0, (pack.name, profile, tail)
        loop, rate, _ = read(pack / "radio/loop-60s.wav")
        gap = silence_at_end(loop, rate) + silence_at_start(loop, rate)
        assert gap <= 1.2, (pack.name, gap)  # a sentence pause, not dead air, on every repeat


@pytest.mark.slow
def test_loudspeaker_says_key_line_and_hotline_three_times(spoken_packs: list[Path]) -> None:
    for pack, message in zip(spoken_packs, messages(), strict=True):
        samples, rate, channels = read(pack / "radio/loudspeaker.wav")
        assert (rate, channels) == (48000, 1)
        script = (pack / "radio/loudspeaker.txt").read_text("utf-8")
        number = message.hotlines[0][1]
        assert script.count(f"{message.slogan}。") == 3, script
        assert script.count(f"拨打{number}。") == 3, script
        assert 0.3 <= silence_at_end(samples, rate) <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["square", "clicks", "quiet"])
def test_levelling_meets_limits_on_any_input(kind: str) -> None:
    # inputs far from speech: a full-scale square wave (inter-sample peaks above 0 dBFS),
    # isolated clicks (peak-to-loudness ratio far above speech), a whisper 50 dB down
    rate = 16000
    t = np.arange(rate * 2) / rate
    raw = {"square": np.sign(np.sin(2 * np.pi * 3001 * t)) * 32767,
           "clicks": np.where(np.arange(len(t)) % 800 == 0, 32767.0, 0.0)
           + np.sin(2 * np.pi * 200 * t) * 300,
           "quiet": np.sin(2 * np.pi * 440 * t) * 100}[kind]
    levelled, _ = normalize_loudness(raw.astype(np.int16), rate, -16.0)
    samples = levelled / 32768.0
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(samples) - (-16.0)) <= 0.5
    assert true_peak_db(samples) <= -1.0
    # faded at both ends: the outer 2 ms at least 20 dB under the loudest sample (a hard cut
    # keeps its full level there), the first and last samples at zero
    two_ms, loudest = rate // 500, np.abs(samples).max()
    assert np.abs(samples[-two_ms:]).max() <= loudest / 10
    assert np.abs(samples[:two_ms]).max() <= loudest / 10
    assert abs(samples[-1]) < 10 ** (-50 / 20) and abs(samples[0]) < 10 ** (-50 / 20)


@pytest.mark.slow
def test_synthesised_speech_says_so_in_manifest_and_proof(spoken_packs: list[Path]) -> None:
    for pack in spoken_packs:
        manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
        spoken = [a for a in manifest["assets"] if a["channel"] in ("audio", "radio")]
        assert spoken and {a["voice"] for a in spoken} == {"espeak-ng"}
        proof = (pack / "proof.html").read_text("utf-8")
        assert "由 espeak-ng 机器合成" in proof and "radio:loudspeaker" in proof
        assert "机器合成语音（espeak-ng）" in proof  # on each spoken file too


@pytest.mark.slow
def test_a_loudspeaker_variant_is_said_as_written() -> None:
    from xfpush.channels.radio import PROFILES, fit

    text = "电动车不进楼入户。火警请拨打119。"
    message = message_from_dict({"id": "v", "title": "防火", "slogan": "防火",
                                 "variants": {"radio": {"loudspeaker": text}}}, base_dir=DEMO.parent)
    fitted = fit(message, PROFILES["loudspeaker"])
    assert "".join(fitted.parts) == text
    assert 0.3 <= fitted.tail_s <= 1.0

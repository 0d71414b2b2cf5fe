"""Human recordings as input: decoded, trimmed, levelled, faded and checked like speech.

Recordings are made here with ffmpeg (a tone with silence round it, in M4A/AAC and WAV);
the results are read with soundfile and measured with pyloudnorm and a 4× oversampled peak
(scipy), none of which xfpush uses itself.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from click.testing import CliRunner
from scipy.signal import resample_poly

from xfpush import build_pack, load_message
from xfpush.cli import main
from xfpush.render.media import ffmpeg_exe

HEAD = "id: rec-test\ntitle: 电动车不进楼 充电安全记心间\nslogan: 电动车不进楼入户\n"


def record(path: Path, tone_s: float, before_s: float = 0.8, after_s: float = 1.2,
           rate: int = 44100) -> Path:
    """A stereo recording: silence, a 440 Hz tone at -6 dBFS, silence (codec from the suffix)."""
    graph = (f"sine=f=440:r={rate}:d={tone_s},volume=0.5,aformat=channel_layouts=stereo,"
             f"adelay={round(before_s * 1000)}:all=1,apad=pad_dur={after_s}")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", graph, str(path)],
                   check=True)
    return path


def message(folder: Path, recordings: dict[str, str]) -> Path:
    lines = "".join(f"  {profile}: {name}\n" for profile, name in recordings.items())
    path = folder / "message.yaml"
    path.write_text(HEAD + "recordings:\n" + lines, "utf-8")
    return path


def check(path: Path, channels: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(path), "-c", channels])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_recording_too_long_for_its_slot_names_file_profile_limit_and_seconds(
        tmp_path: Path) -> None:
    record(tmp_path / "lock.wav", 5.0)
    code, output = check(message(tmp_path, {"lock": "lock.wav"}), "audio:lock")
    assert code == 1, output
    # 5.0 s of tone against 4.0 s less the 80 ms of silence round a prompt
    assert "录音 lock.wav（规格 lock）过长" in output and "上限 3.92 秒" in output, output
    assert "5.00 秒" in output, output


def test_a_recording_that_fits_passes_check(tmp_path: Path) -> None:
    record(tmp_path / "unlock.m4a", 2.5)
    code, output = check(message(tmp_path, {"unlock": "unlock.m4a"}), "audio:unlock")
    assert code == 0, output


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("broken.m4a", b"\x00\x00\x00\x20ftypM4A " + bytes(range(256)) * 8, "无法解码"),
    ("list.wav", b"ffconcat version 1.0\nfile /etc/hostname\n", "不是支持的录音格式"),
])
def test_a_file_that_is_not_a_recording_is_an_input_error(tmp_path: Path, name: str,
                                                          content: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(content)
    code, output = check(message(tmp_path, {"unlock": name}), "audio:unlock")
    assert code == 2, output
    assert "recordings.unlock" in output and name in output and reason in output, output


def test_recordings_are_read_only_from_the_message_folder(tmp_path: Path) -> None:
    outside = record(tmp_path / "outside.wav", 1.0)
    folder = tmp_path / "msg"
    folder.mkdir()
    code, output = check(message(folder, {"ride": f"../{outside.name}"}), "audio:ride")
    assert code == 2 and "recordings.ride" in output and "--allow-path" in output, output
    code, output = check(message(folder, {"bell": "x.wav"}), "audio")
    assert code == 2 and "不认识的键“bell”" in output and "spot-15s" in output, output


def _read(path: Path) -> tuple[np.ndarray, int]:
    samples, rate = soundfile.read(str(path), dtype="float64")
    assert samples.ndim == 1  # mono
    return samples, rate


def _loud(samples: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.abs(samples) > 10 ** (-60 / 20))


@pytest.mark.slow
def test_recordings_are_trimmed_levelled_faded_and_labelled(tmp_path: Path) -> None:
    record(tmp_path / "unlock.m4a", 2.5)
    record(tmp_path / "spot.wav", 13.0, before_s=1.5, after_s=3.0, rate=48000)
    path = message(tmp_path, {"unlock": "unlock.m4a", "spot-15s": "spot.wav"})
    pack = build_pack(load_message(path), tmp_path / "pack",
                      channels="audio:unlock,radio:spot-15s").path
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    assert not manifest.get("failures"), manifest.get("failures")
    assert {a["voice"] for a in manifest["assets"]} == {"recording"}
    for asset, target in (("audio/unlock.wav", -16.0), ("radio/spot-15s.wav", -24.0)):
        samples, rate = _read(pack / asset)
        assert abs(pyloudnorm.Meter(rate).integrated_loudness(samples) - target) <= 0.5, asset
        assert 20 * np.log10(np.abs(resample_poly(samples, 4, 1)).max()) <= -1.0, asset
        two_ms = rate // 500  # faded: no click at either end of the tone
        sound = _loud(samples)
        start, end = samples[sound[0]:sound[0] + two_ms], samples[sound[-1] - two_ms:sound[-1]]
        assert np.abs(start).max() < 0.1 * np.abs(samples).max(), asset
        assert np.abs(end).max() < 0.1 * np.abs(samples).max(), asset
    unlock, rate = _read(pack / "audio/unlock.wav")
    sound = _loud(unlock)
    # the 0.8 s and 1.2 s of silence are gone: 30 ms before and 50 ms after remain
    assert sound[0] / rate < 0.05 and (len(unlock) - sound[-1]) / rate < 0.07
    assert len(unlock) / rate == pytest.approx(2.5 + 0.08, abs=0.03)
    spot, rate = _read(pack / "radio/spot-15s.wav")
    sound = _loud(spot)
    assert len(spot) / rate == pytest.approx(15.0, abs=0.001)
    assert 0.3 <= (len(spot) - sound[-1] - 1) / rate <= 1.0  # fills the slot
    proof = (pack / "proof.html").read_text("utf-8")
    assert "真人录音" in proof and "unlock.m4a" in proof and "机器合成" not in proof
    again = build_pack(load_message(path), tmp_path / "again",
                       channels="audio:unlock,radio:spot-15s").path
    for asset in manifest["assets"]:  # deterministic: the same recording, the same bytes
        assert (again / asset["path"]).read_bytes() == (pack / asset["path"]).read_bytes()


@pytest.mark.slow
def test_a_recording_too_short_for_a_spot_is_a_failure_not_dead_air(tmp_path: Path) -> None:
    record(tmp_path / "short.wav", 8.0, rate=48000)
    path = message(tmp_path, {"spot-15s": "short.wav"})
    code, output = check(path, "radio:spot-15s")
    assert code == 1 and "录音 short.wav（规格 spot-15s）过短" in output, output
    assert "8.00 秒" in output and "至少要 12.50 秒" in output, output

"""ffmpeg (from the imageio-ffmpeg wheel) for encoding, loudness and probing.

Every figure the manifest reports about time-based media — duration, loudness, true peak,
codec, frame rate — is read back from the files with these helpers, not estimated.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import wave
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..errors import RenderError, last_line, os_reason

BITEXACT = ["-fflags", "+bitexact", "-map_metadata", "-1"]


FFMPEG_HINT = "请重新安装 xfpush（ffmpeg 来自 imageio-ffmpeg），或设 IMAGEIO_FFMPEG_EXE 指向可用的 ffmpeg"


def ffmpeg_exe() -> str:
    """The ffmpeg program: ``IMAGEIO_FFMPEG_EXE`` if set, else the one in the imageio-ffmpeg wheel."""
    return os.environ.get("IMAGEIO_FFMPEG_EXE") or _bundled_ffmpeg()


@cache
def _bundled_ffmpeg() -> str:
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise RenderError(f"找不到 ffmpeg。{FFMPEG_HINT}", tool="ffmpeg") from exc


def ffmpeg(args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Start ffmpeg and wait; a program that cannot start is a RenderError, not an OSError."""
    exe = ffmpeg_exe()
    try:
        return subprocess.run([exe, *args], input=data, capture_output=True, check=False)
    except OSError as exc:
        raise RenderError(f"无法启动 ffmpeg（{exe} {os_reason(exc)}）。{FFMPEG_HINT}",
                          tool="ffmpeg") from exc


def run(args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg quietly; a failure is a RenderError carrying its last line."""
    result = ffmpeg(["-hide_banner", "-nostdin", *args], data)
    if result.returncode != 0:
        raise RenderError(f"ffmpeg 处理失败（退出码 {result.returncode}）", tool="ffmpeg",
                          said=last_line(result.stderr))
    return result


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono WAV of int16 samples (no timestamps, so deterministic)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def read_wav(data: bytes) -> tuple[np.ndarray, int, int]:
    """(samples, rate, channels) of a 16-bit PCM WAV."""
    with wave.open(io.BytesIO(data)) as source:
        rate, channels = source.getframerate(), source.getnchannels()
        frames = source.readframes(source.getnframes())
    return np.frombuffer(frames, "<i2"), rate, channels


def wav_duration(data: bytes) -> float:
    """Seconds of audio, from the WAV header and frame count."""
    with wave.open(io.BytesIO(data)) as source:
        return float(source.getnframes() / source.getframerate())


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Resample mono int16 audio with ffmpeg's resampler."""
    if rate == target:
        return samples
    out = run(["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-af",
               "aresample=resampler=soxr" if _has_soxr() else "aresample", "-ar", str(target),
               "-f", "s16le", "pipe:1"], samples.astype("<i2").tobytes()).stdout
    resampled: np.ndarray = np.frombuffer(out, "<i2").copy()
    return resampled


@cache
def _has_soxr() -> bool:
    banner = ffmpeg(["-hide_banner", "-buildconf"]).stdout.decode("utf-8", "replace")
    return "--enable-libsoxr" in banner


@dataclass(frozen=True)
class Loudness:
    """EBU R128 / ITU-R BS.1770 measurement."""

    integrated_lufs: float
    true_peak_dbtp: float


def measure_loudness(wav: bytes) -> Loudness:
    """Integrated loudness and true peak, measured by ffmpeg's ebur128 filter."""
    report = run(["-i", "pipe:0", "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
                 wav).stderr.decode("utf-8", "replace")
    summary = report[report.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        raise RenderError("无法测得响度（ffmpeg ebur128 没有给出结果）", tool="ffmpeg",
                          said=last_line(report))
    return Loudness(_number(integrated.group(1)), _number(peak.group(1)))


def _number(text: str) -> float:
    return float("-inf") if text == "-inf" else float(text)


FADE_S = 0.02
"""Raised-cosine fade at both ends of every utterance: no click, no hard cut."""
SILENCE_DB = -50.0
"""Below this (dBFS) a sample counts as silence when trimming synthesized speech."""


def trim_silence(samples: np.ndarray, rate: int, threshold_db: float = SILENCE_DB) -> np.ndarray:
    """The part between the first and the last sample above ``threshold_db`` (plus 10 ms)."""
    loud = np.flatnonzero(np.abs(samples.astype(np.float64)) > 32768 * 10 ** (threshold_db / 20))
    if not len(loud):
        return samples[:0]
    keep = rate // 100
    return samples[max(0, loud[0] - keep): loud[-1] + 1 + keep]


def fade(samples: np.ndarray, rate: int, seconds: float = FADE_S) -> np.ndarray:
    """Raised-cosine fade-in and fade-out of ``seconds`` at both ends (float64 out)."""
    out = samples.astype(np.float64)
    n = min(round(seconds * rate), len(out) // 2)
    if n:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def normalize_loudness(samples: np.ndarray, rate: int, target_lufs: float,
                       peak_ceiling: float = -1.0) -> tuple[np.ndarray, Loudness]:
    """Gain to the target loudness through an oversampled true-peak limiter.

    Works on any input: the gain and the limiter's ceiling are corrected from what ffmpeg's
    ebur128 meter reads back until the result is within 0.2 LU of the target with its true peak
    at least 0.3 dB under ``peak_ceiling`` (room for the MP3 encoder), so the limits are met by
    xfpush itself, never left to the message. The ends are faded after limiting.
    """
    source = samples.astype(np.float64)
    aim = peak_ceiling - 0.5
    gain_db, ceiling_db = 0.0, aim - 0.3
    best: tuple[np.ndarray, Loudness] | None = None
    if not len(source) or not np.any(source):
        empty = np.zeros(len(source), dtype=np.int16)
        return empty, measure_loudness(wav_bytes(empty, rate))
    first = measure_loudness(wav_bytes(_to_int16(source), rate))
    if first.integrated_lufs != float("-inf"):
        gain_db = target_lufs - first.integrated_lufs
    for _ in range(8):
        limited = _to_int16(fade(_limit(source * 10 ** (gain_db / 20), rate, ceiling_db), rate))
        measured = measure_loudness(wav_bytes(limited, rate))
        best = (limited, measured)
        loud_ok = abs(measured.integrated_lufs - target_lufs) <= 0.2
        if loud_ok and measured.true_peak_dbtp <= peak_ceiling - 0.3:
            break
        if measured.true_peak_dbtp > aim:
            ceiling_db -= measured.true_peak_dbtp - aim
        if measured.integrated_lufs != float("-inf"):
            gain_db += target_lufs - measured.integrated_lufs
    assert best is not None
    limited, measured = best
    if measured.true_peak_dbtp > peak_ceiling - 0.3:  # last resort: plain attenuation
        scaled = limited * 10 ** ((peak_ceiling - 0.4 - measured.true_peak_dbtp) / 20)
        limited = _to_int16(scaled)
        measured = measure_loudness(wav_bytes(limited, rate))
    return limited, measured


def _to_int16(samples: np.ndarray) -> np.ndarray:
    rounded: np.ndarray = np.clip(np.rint(samples), -32768, 32767).astype(np.int16)
    return rounded


def _limit(samples: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    """ffmpeg's look-ahead limiter at ``ceiling_db``, run 4× oversampled so that peaks between
    samples are limited too; delay compensated, so the result lines up with the input."""
    limit = max(0.0625, min(1.0, 10 ** (ceiling_db / 20)))
    chain = (f"aresample={rate * 4},alimiter=limit={limit:.5f}:level=disabled:attack=1:"
             f"release=50:latency=1,aresample={rate}")
    out = run(["-f", "f64le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-af", chain,
               "-f", "f64le", "pipe:1"], (samples / 32768.0).astype("<f8").tobytes()).stdout
    limited: np.ndarray = np.frombuffer(out, "<f8") * 32768.0
    if len(limited) != len(samples):
        limited = np.concatenate([limited, np.zeros(max(0, len(samples) - len(limited)))])
        limited = limited[: len(samples)]
    return limited


def mp3_bytes(wav: bytes, bitrate: str = "64k") -> bytes:
    return run(["-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bitrate, *BITEXACT,
                "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "pipe:1"], wav).stdout


def levelled_mp3(wav: bytes, target_lufs: float,
                 peak_ceiling: float = -1.0) -> tuple[bytes, Loudness]:
    """MP3 of ``wav`` that itself meets the target (±0.3 LU) and the true-peak ceiling.

    The encoder's low-pass and its own overshoot move loudness and peaks a little; the gain
    fed to the encoder is corrected from the decoded result, and lowered if a peak would pass.
    """
    samples, rate, _ = read_wav(wav)
    gain_db = 0.0
    mp3 = mp3_bytes(wav)
    measured = measure_loudness(mp3)
    for _ in range(4):
        loud_off = target_lufs - measured.integrated_lufs
        room = peak_ceiling - 0.2 - measured.true_peak_dbtp
        if (abs(loud_off) <= 0.3 and room >= 0) or measured.integrated_lufs == float("-inf"):
            break
        gain_db += min(loud_off, room)
        mp3 = mp3_bytes(wav_bytes(_to_int16(samples * 10 ** (gain_db / 20)), rate))
        measured = measure_loudness(mp3)
    return mp3, measured


@dataclass(frozen=True)
class VideoProbe:
    """What ffmpeg reads back from a video file."""

    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    duration_s: float
    audio_codec: str | None


def probe_video(path: str) -> VideoProbe:
    """Probe with ``ffmpeg -i`` (the wheel ships no ffprobe)."""
    text = ffmpeg(["-hide_banner", "-i", path]).stderr.decode("utf-8", "replace")
    duration = re.search(r"Duration: (\d+):(\d+):([\d.]+)", text)
    video = re.search(r"Video: (\w+).*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+).*?, ([\d.]+) fps", text)
    audio = re.search(r"Audio: (\w+)", text)
    if not duration or not video:
        raise RenderError("无法读取视频信息（编码结果不是可用的视频）", tool="ffmpeg",
                          said=last_line(text))
    h, m, s = duration.groups()
    return VideoProbe(video.group(1), video.group(2), int(video.group(3)), int(video.group(4)),
                      float(video.group(5)), int(h) * 3600 + int(m) * 60 + float(s),
                      audio.group(1) if audio else None)


def frame_at(path: str, seconds: float) -> bytes:
    """One frame of a video as PNG bytes."""
    return run(["-ss", f"{seconds:.3f}", "-i", path, "-frames:v", "1", "-f", "image2pipe",
                "-vcodec", "png", "pipe:1"]).stdout

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


def normalize_loudness(samples: np.ndarray, rate: int, target_lufs: float,
                       peak_ceiling: float = -1.0) -> tuple[np.ndarray, Loudness]:
    """Gain to the target loudness, limiting peaks below the ceiling; returns the measurement."""
    current = samples.astype(np.float64)
    for _ in range(4):
        measured = measure_loudness(wav_bytes(np.clip(current, -32768, 32767), rate))
        if abs(measured.integrated_lufs - target_lufs) <= 0.3 and \
                measured.true_peak_dbtp <= peak_ceiling:
            break
        current = current * 10 ** ((target_lufs - measured.integrated_lufs) / 20)
        current = _limit(current, rate, peak_ceiling - 0.5)
    final = np.clip(np.rint(current), -32768, 32767).astype(np.int16)
    return final, measure_loudness(wav_bytes(final, rate))


def _limit(samples: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    """ffmpeg's look-ahead limiter at ``ceiling_db``, on 4× oversampled peaks."""
    raw = np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()
    limit = 10 ** (ceiling_db / 20)
    out = run(["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-af",
               f"alimiter=limit={limit:.4f}:level=disabled:attack=2:release=40", "-f", "s16le",
               "pipe:1"], raw).stdout
    return np.frombuffer(out, "<i2").astype(np.float64)


def mp3_bytes(wav: bytes, bitrate: str = "64k") -> bytes:
    return run(["-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bitrate, *BITEXACT,
                "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "pipe:1"], wav).stdout


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

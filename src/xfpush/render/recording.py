"""A person's recording as speech: decoded by ffmpeg, bounded, trimmed of silence at both ends.

Only the bytes read with a limit are decoded (from a private copy, so the file cannot change or
grow between the check and the decode), by audio demuxers only: a playlist or a concat script
that would make ffmpeg open other files or addresses is refused. The decoded length is capped
too, so a tiny file that expands to hours of sound never fills the memory.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model.message import MAX_RECORDING_BYTES
from ..model.reading import FileRefused, read_bounded
from .media import ffmpeg

MAX_DECODED_S = 180.0
"""Longest sound decoded from a recording (the longest slot is 60 s)."""
FORMATS = "wav,w64,mp3,mov,aac,flac,ogg,matroska,aiff,caf,amr"
"""ffmpeg demuxers a recording may use (mov covers .m4a/.mp4; matroska covers .webm/.mka)."""
NOISE_FLOOR_DB = 45.0
"""Trimming: a sample is sound if within this many dB of the recording's loudest sample."""


class RecordingRefused(ValueError):
    """A recording that cannot be used, with a Chinese reason (the caller names file and field)."""


@dataclass(frozen=True)
class Recording:
    """Decoded mono speech, silence at both ends trimmed."""

    samples: np.ndarray
    rate: int
    seconds: float
    """Length after trimming."""
    longer_than_cap: bool
    """The file holds more than ``MAX_DECODED_S`` of sound (``seconds`` is then a lower bound)."""


def load_recording(path: Path, rate: int) -> Recording:
    """The recording at ``path`` as 16-bit mono samples at ``rate``, trimmed."""
    try:
        data = read_bounded(path, MAX_RECORDING_BYTES)
    except FileRefused as exc:
        limit = f"（上限 {MAX_RECORDING_BYTES >> 20} MB）" if exc.too_large else ""
        raise RecordingRefused(f"无法读取：{exc}{limit}") from None
    key = (hashlib.sha256(data).hexdigest(), rate)
    found = _DECODED.get(key)
    if found is None:  # by content: a recording is checked, then rendered, decoded once
        found = _DECODED[key] = _decoded(data, rate)
        while len(_DECODED) > 16:
            _DECODED.pop(next(iter(_DECODED)), None)
    return found


_DECODED: dict[tuple[str, int], Recording] = {}


def _decoded(data: bytes, rate: int) -> Recording:
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "recording"
        copy.write_bytes(data)
        result = ffmpeg(["-hide_banner", "-nostdin", "-v", "error", "-format_whitelist", FORMATS,
                         "-protocol_whitelist", "file", "-i", str(copy), "-t", f"{MAX_DECODED_S:g}",
                         "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "pipe:1"])
    samples = np.frombuffer(result.stdout, "<i2").copy()
    if result.returncode != 0 or not len(samples):
        said = result.stderr.decode("utf-8", "replace")
        if "whitelist" in said:
            raise RecordingRefused("不是支持的录音格式（可用 WAV、MP3、M4A/AAC、FLAC、OGG、AIFF 等）")
        raise RecordingRefused("无法解码：文件不完整、已损坏，或没有声音轨道；请重新导出录音")
    trimmed = trim(samples)
    if not len(trimmed):
        raise RecordingRefused("录音里没有声音（全是静音）")
    capped = len(samples) >= round(MAX_DECODED_S * rate) - rate // 100
    return Recording(trimmed, rate, len(trimmed) / rate, capped)


def trim(samples: np.ndarray) -> np.ndarray:
    """Between the first and last sample within ``NOISE_FLOOR_DB`` of the loudest (relative, so
    a recording's room noise counts as silence). Nothing is kept round it: the fade that follows
    then starts on the first sound, so an abrupt start in the take cannot click."""
    level = np.abs(samples.astype(np.float64))
    if not len(level) or level.max() == 0:
        return samples[:0]
    loud = np.flatnonzero(level > level.max() * 10 ** (-NOISE_FLOOR_DB / 20))
    return samples[loud[0]: loud[-1] + 1]

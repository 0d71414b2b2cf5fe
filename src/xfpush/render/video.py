"""Title-card video encoding: static layers rendered once, only the fades computed per frame.

A video is a few key frames (title, one per tip, end frame). Holds repeat the same bytes;
only cross-fades are blended, in YUV 4:2:0 so the blend touches half the data and ffmpeg
does no colour conversion. Frames stream to ffmpeg's libx264 through a pipe.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import RenderError, last_line, os_reason
from .media import FFMPEG_HINT, ffmpeg, ffmpeg_exe

FPS = 25
# BT.709, limited ("TV") range, as HD broadcast and every phone player expect.
_KR, _KB = 0.2126, 0.0722
COLOUR_TAGS = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
               "-color_range", "tv"]


def encoder_args(width: int, height: int, seconds: float, audio: str | None = None) -> list[str]:
    """ffmpeg arguments for raw yuv420p on stdin (+ a WAV file, or silence) → H.264 + AAC MP4,
    deterministic."""
    sound = ["-i", audio] if audio else [
        "-f", "lavfi", "-t", f"{seconds:.3f}",
        "-i", "anullsrc=channel_layout=stereo:sample_rate=48000"]
    return [
        # The frames are BT.709 tv-range already (``to_yuv420``); said so before ``-i``, or
        # ffmpeg takes the raw input for BT.601 and converts it again (brand red played as
        # (180,0,43) instead of (200,16,46)).
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", str(FPS),
        *COLOUR_TAGS, "-i", "pipe:0", *sound,
        "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast",
        "-tune", "stillimage", "-crf", "20", "-g", str(2 * FPS), "-threads", "2",
        "-pix_fmt", "yuv420p", *COLOUR_TAGS, "-c:a", "aac", "-b:a", "128k", "-ac", "2",
        "-ar", "48000", "-shortest", "-fflags", "+bitexact", "-flags:v", "+bitexact",
        "-flags:a", "+bitexact", "-map_metadata", "-1", "-movflags", "+faststart",
    ]


def to_yuv420(image: Image.Image) -> np.ndarray:
    """One planar yuv420p frame (Y, then U, then V) as a flat uint8 array."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = _KR * r + (1 - _KR - _KB) * g + _KB * b
    u = (b - y) / (2 * (1 - _KB))
    v = (r - y) / (2 * (1 - _KR))
    height, width = y.shape
    chroma = (height // 2, 2, width // 2, 2)
    planes = [16 + 219 * y,
              128 + 224 * u.reshape(chroma).mean(axis=(1, 3)),
              128 + 224 * v.reshape(chroma).mean(axis=(1, 3))]
    return np.concatenate([np.clip(np.rint(p), 0, 255).astype(np.uint8).ravel() for p in planes])


@dataclass(frozen=True)
class Shot:
    """A span of the timeline: hold ``source`` or fade from it to ``target``."""

    frames: int
    source: int
    target: int | None = None


def timeline(holds: Sequence[int], fade: int) -> list[Shot]:
    """Key frame 0 held from the very first frame (the cover), then each next key cross-faded
    in over ``fade`` frames and held for its ``holds`` frames."""
    shots = [Shot(holds[0], 0)]
    for index in range(1, len(holds)):
        shots += [Shot(fade, index - 1, index), Shot(holds[index], index)]
    return shots


def frames(keys: Sequence[np.ndarray], shots: Sequence[Shot]) -> Iterator[bytes]:
    """Every frame of the timeline; holds yield the same buffer again."""
    held = [key.tobytes() for key in keys]
    for shot in shots:
        if shot.target is None:
            for _ in range(shot.frames):
                yield held[shot.source]
            continue
        start = keys[shot.source].astype(np.int16)
        delta = keys[shot.target].astype(np.int16) - start
        for index in range(1, shot.frames + 1):
            weight = index / (shot.frames + 1)
            eased = weight * weight * (3 - 2 * weight)  # smoothstep: no jolt at either end
            yield (start + (delta * eased).astype(np.int16)).astype(np.uint8).tobytes()


def encode(keys: Sequence[np.ndarray], shots: Sequence[Shot], size: tuple[int, int],
           seconds: float, sound: bytes | None = None) -> bytes:
    """MP4 bytes of the timeline with ``sound`` (WAV bytes; None: a silent track); an encoder
    failure is a RenderError with ffmpeg's last line."""
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "card.mp4"
        audio = None
        if sound is not None:
            audio = str(Path(work) / "voice.wav")
            Path(audio).write_bytes(sound)
        exe = ffmpeg_exe()
        command = [exe, "-hide_banner", "-loglevel", "error", "-y",
                   *encoder_args(size[0], size[1], seconds, audio), str(target)]
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise RenderError(f"无法启动 ffmpeg（{exe} {os_reason(exc)}）。{FFMPEG_HINT}",
                              tool="ffmpeg") from exc
        _feed(process, frames(keys, shots))
        error = process.stderr.read() if process.stderr else b""
        code = process.wait()
        if code != 0 or not target.is_file():
            raise RenderError(f"视频编码失败（ffmpeg 退出码 {code}）", tool="ffmpeg",
                              said=last_line(error))
        return target.read_bytes()


def _feed(process: subprocess.Popen[bytes], chunks: Iterator[bytes]) -> None:
    """Write every frame to the encoder; stop quietly if it has gone (its exit code tells why)."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        for chunk in chunks:
            process.stdin.write(chunk)
    with contextlib.suppress(BrokenPipeError):
        process.stdin.close()


def colour_tags(path: str) -> str:
    """The colour description ffmpeg reads from the video stream, e.g. ``tv, bt709``
    (range, then matrix/primaries/transfer, written once when all three agree)."""
    text = ffmpeg(["-hide_banner", "-i", path]).stderr.decode("utf-8", "replace")
    found = re.search(r"Video: .*?yuv\w+\(([^)]*)\)", text)
    if not found:
        return "（无色彩标记）"
    return ", ".join(part.strip() for part in found.group(1).split(",")
                     if part.strip() not in ("progressive",))

"""Title-card video encoding: static layers rendered once, only the fades computed per frame.

A card is a few key frames (background, title, tips, end frame). Holds repeat the same bytes;
only cross-fades are blended, in YUV 4:2:0 so the blend touches half the data and ffmpeg
does no colour conversion. Frames stream to ffmpeg's libx264 through a pipe.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import RenderError, last_line, os_reason
from .media import FFMPEG_HINT, ffmpeg_exe

FPS = 25
# BT.709, limited ("TV") range, as HD broadcast and every phone player expect.
_KR, _KB = 0.2126, 0.0722


def encoder_args(width: int, height: int, seconds: float) -> list[str]:
    """ffmpeg arguments for raw yuv420p on stdin → H.264 + silent AAC MP4, deterministic."""
    return [
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", str(FPS),
        "-i", "pipe:0", "-f", "lavfi", "-t", f"{seconds:.3f}",
        "-i", "anullsrc=channel_layout=stereo:sample_rate=48000",
        "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast",
        "-tune", "stillimage", "-crf", "20", "-g", str(2 * FPS), "-threads", "2",
        "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709",
        "-color_trc", "bt709", "-color_range", "tv", "-c:a", "aac", "-b:a", "96k",
        "-shortest", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-map_metadata", "-1", "-movflags", "+faststart",
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


def timeline(seconds: float) -> list[Shot]:
    """Title fades in, tips follow, the end frame holds the last 2.4 s or more.

    Key frames: 0 background, 1 title, 2 title + tips, 3 end frame.
    """
    total = round(seconds * FPS)
    fade = round(0.4 * FPS)
    end_hold = max(round(2.4 * FPS), round(total * 0.45))
    middle = total - end_hold - 3 * fade - 2
    title_hold = max(1, middle // 3)
    tips_hold = max(1, middle - title_hold)
    shots = [Shot(2, 0), Shot(fade, 0, 1), Shot(title_hold, 1), Shot(fade, 1, 2),
             Shot(tips_hold, 2), Shot(fade, 2, 3)]
    used = sum(s.frames for s in shots)
    return [*shots, Shot(total - used, 3)]


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
           seconds: float) -> bytes:
    """MP4 bytes of the timeline; an encoder failure is a RenderError with ffmpeg's last line."""
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "card.mp4"
        exe = ffmpeg_exe()
        command = [exe, "-hide_banner", "-loglevel", "error", "-y",
                   *encoder_args(size[0], size[1], seconds), str(target)]
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

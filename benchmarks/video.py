"""The vertical video (silent: cards timed for reading), three ways, in one run (JSON out).

(a) xfpush's path: key frames drawn once, fades blended in YUV, streamed to ffmpeg/libx264.
(b) the naive moviepy path most users write: the same key frames as ImageClips with
    CrossFadeIn, composited per frame by CompositeVideoClip, written with the same x264 settings.
(c) the floor: the same ffmpeg binary and settings encoding all frames already in memory.

xfpush must be ≥ 6× faster than (b) and within 1.5× of (c). (a) is timed without the
read-back checks (probe, frame extraction, QR decode), which are reported on their own.

    python benchmarks/video.py [--repeat 3]   # (b) needs: pip install moviepy
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from xfpush import load_message
from xfpush.channels.storyboard import FADE, Storyboard, storyboard
from xfpush.channels.video import VIDEO
from xfpush.pack.build import prepare_fonts
from xfpush.render.media import ffmpeg_exe
from xfpush.render.plan import draw_plan
from xfpush.render.video import FPS, encode, encoder_args, frames, to_yuv420
from xfpush.resources import asset_path


def silent_board(message, fonts, profile) -> Storyboard:  # type: ignore[no-untyped-def]
    return storyboard(message, fonts, profile.template, (profile.width, profile.height),
                      (profile.least_s, profile.most_s), None)


def project_path(message, fonts, profile) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    board = silent_board(message, fonts, profile)
    keys = [draw_plan(card.plan, fonts) for card in board.cards]
    encode([to_yuv420(k) for k in keys], board.shots(), (profile.width, profile.height),
           board.seconds)
    return time.perf_counter() - start


def floor_path(keys_yuv: list[np.ndarray], profile,  # type: ignore[no-untyped-def]
               board: Storyboard) -> float:
    data = b"".join(frames(keys_yuv, board.shots()))  # every frame, in memory
    with tempfile.TemporaryDirectory() as work:
        command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                   *encoder_args(profile.width, profile.height, board.seconds),
                   f"{work}/floor.mp4"]
        start = time.perf_counter()
        subprocess.run(command, input=data, check=True)
        return time.perf_counter() - start


def moviepy_path(key_images, work: Path,  # type: ignore[no-untyped-def]
                 board: Storyboard) -> float | None:
    try:
        from moviepy import CompositeVideoClip, ImageClip, vfx
    except ImportError:
        return None
    seconds, fade = board.seconds, FADE / FPS
    start = time.perf_counter()
    layers = [ImageClip(np.asarray(key_images[0])).with_duration(seconds)]
    for index, held in enumerate(board.hold_starts()[1:], start=1):
        at = held / FPS - fade
        layers.append(ImageClip(np.asarray(key_images[index])).with_start(at)
                      .with_duration(seconds - at).with_effects([vfx.CrossFadeIn(fade)]))
    CompositeVideoClip(layers).write_videofile(
        str(work / "moviepy.mp4"), fps=FPS, codec="libx264", preset="veryfast", audio=False,
        threads=2, logger=None,
        ffmpeg_params=["-tune", "stillimage", "-crf", "20", "-pix_fmt", "yuv420p"])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    message = load_message(asset_path("examples", "demo.yaml"))
    fonts = prepare_fonts(message)
    profile = VIDEO.profiles["vertical"]
    board = silent_board(message, fonts, profile)
    key_images = [draw_plan(card.plan, fonts) for card in board.cards]
    keys_yuv = [to_yuv420(k) for k in key_images]
    project_path(message, fonts, profile)  # warm-up: fonts, templates, QR
    ours = statistics.median(project_path(message, fonts, profile) for _ in range(args.repeat))
    floor = statistics.median(floor_path(keys_yuv, profile, board) for _ in range(args.repeat))
    start = time.perf_counter()
    VIDEO.render(message, "vertical", fonts)
    with_checks = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as work:
        naive = moviepy_path(key_images, Path(work), board)
    report: dict[str, object] = {
        "benchmark": f"{board.seconds:.2f} s vertical video 1080x1920 ({len(board.cards)} cards),"
                     " 25 fps, libx264 veryfast crf 20",
        "a_xfpush_s": round(ours, 3),
        "a_xfpush_with_readback_checks_s": round(with_checks, 3),
        "c_ffmpeg_floor_s": round(floor, 3),
        "a_over_c": round(ours / floor, 2),
    }
    if naive is None:
        report["b_moviepy"] = "skipped: pip install moviepy"
    else:
        report["b_moviepy_composite_s"] = round(naive, 3)
        report["b_over_a_speedup"] = round(naive / ours, 1)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

"""What a receiving partner measures, on the demo pack, with tools xfpush did not write.

Radio and bike prompts: length, integrated loudness (pyloudnorm), true peak (ffmpeg's ebur128
meter), lead and tail silence below −60 dBFS, the level of the last 10 ms (soundfile reads the
WAVs). Videos: length (PyAV), the title card's ground decoded by ffmpeg with the BT.709 matrix
named explicitly and its CIE 2000 colour difference from the theme's red (colour-science), the
fastest subtitle cue in characters a second (pysubs2; every character but spaces counts).
Labels: the share of black dots overall and in the outer millimetre (Pillow), ZPL size and the
printer commands it carries. Prints JSON. Needs the test extras.

    python benchmarks/acceptance.py [--pack DIR]   # default: build the demo pack first
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

import av
import numpy as np
import pyloudnorm
import pysubs2
import soundfile
from imageio_ffmpeg import get_ffmpeg_exe
from PIL import Image

SILENCE_DBFS = -60.0


def true_peak(path: Path) -> float:
    report = subprocess.run([get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path),
                             "-af", "ebur128=peak=true", "-f", "null", "-"],
                            capture_output=True, text=True, check=True).stderr
    return float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", report)[-1])


def audio_figures(path: Path) -> dict[str, float]:
    samples, rate = soundfile.read(str(path))
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    sounding = np.nonzero(np.abs(mono) > 10 ** (SILENCE_DBFS / 20))[0]
    last = mono[-int(0.01 * rate):]
    return {
        "seconds": round(len(mono) / rate, 2),
        "lufs": round(float(pyloudnorm.Meter(rate).integrated_loudness(samples)), 1),
        "true_peak_dbtp": true_peak(path),
        "lead_silence_s": round(sounding[0] / rate, 2),
        "tail_silence_s": round((len(mono) - 1 - sounding[-1]) / rate, 2),
        "last_10ms_dbfs": round(float(20 * np.log10(np.sqrt(np.mean(last ** 2)) + 1e-12)), 1),
    }


def decoded_ground(path: Path) -> np.ndarray:
    """The most common colour of the first frame, decoded as a player does (BT.709, tv range)."""
    with av.open(str(path)) as container:
        width, height = container.streams.video[0].width, container.streams.video[0].height
    raw = subprocess.run(
        [get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1", "-vf",
         "scale=in_color_matrix=bt709:in_range=tv:out_color_matrix=bt709:out_range=full",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True).stdout
    pixels = np.frombuffer(raw, np.uint8).reshape(height * width, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return colours[counts.argmax()]


def delta_e(first: np.ndarray, second: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns that matplotlib is missing
        import colour
    white = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]
    labs = [colour.XYZ_to_Lab(colour.sRGB_to_XYZ(np.asarray(c, float) / 255), white)
            for c in (first, second)]
    return float(colour.delta_E(labs[0], labs[1], method="CIE 2000"))


def video_figures(path: Path, theme_red: str) -> dict[str, Any]:
    with av.open(str(path)) as container:
        seconds = container.duration / av.time_base
    ground = decoded_ground(path)
    red = np.array([int(theme_red[i:i + 2], 16) for i in (1, 3, 5)])
    cues = pysubs2.load(str(path.with_suffix(".srt")), encoding="utf-8").events
    paces = [len(re.sub(r"\s", "", cue.plaintext)) / ((cue.end - cue.start) / 1000) for cue in cues]
    return {"seconds": round(seconds, 2), "title_ground_rgb": [int(v) for v in ground],
            "delta_e_2000": round(delta_e(red, ground), 2), "cues": len(cues),
            "fastest_cue_chars_per_s": round(max(paces), 2)}


def label_figures(png: Path, dpi: int) -> dict[str, Any]:
    black = np.asarray(Image.open(png).convert("L")) < 128
    mm = round(dpi / 25.4)
    edge = np.concatenate([black[:mm].ravel(), black[-mm:].ravel(),
                           black[:, :mm].ravel(), black[:, -mm:].ravel()])
    zpl = png.with_suffix(".zpl").read_bytes()
    return {"black_share": round(float(black.mean()), 3),
            "outer_1mm_black_share": round(float(edge.mean()), 3),
            "zpl_bytes": len(zpl),
            "zpl_commands": [c for c in ("^PR", "^MD", "^MN", ":Z64:") if c.encode() in zpl]}


def measure(pack: Path) -> dict[str, Any]:
    from xfpush import load_message  # only to read which red the message asked for

    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    theme_red = load_message(pack / "message.yaml").theme["primary"]
    assets = {asset["path"]: asset for asset in manifest["assets"]}
    return {
        "audio": {p: audio_figures(pack / p) for p in sorted(assets)
                  if p.endswith(".wav") and p.split("/")[0] in ("radio", "audio")},
        "video": {p: video_figures(pack / p, theme_red) for p in sorted(assets)
                  if p.endswith(".mp4")},
        "labels": {p: label_figures(pack / p, assets[p].get("dpi") or 203) for p in sorted(assets)
                   if p.startswith("sticker/") and p.endswith(".png")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", type=Path, help="a pack folder (default: build the demo pack)")
    args = parser.parse_args()
    if args.pack:
        print(json.dumps(measure(args.pack), ensure_ascii=False, indent=2))
        return
    from xfpush import build_pack, load_message
    from xfpush.resources import asset_path

    with tempfile.TemporaryDirectory() as work:
        pack = build_pack(load_message(asset_path("examples", "demo.yaml")),
                          Path(work) / "pack").path
        print(json.dumps(measure(Path(pack)), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

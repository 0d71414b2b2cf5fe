"""Image channels: per-profile render time and full-pack time, first vs. later packs in-process.

The first pack starts cold (fonts, templates and QR matrices not yet loaded); the second renders
everything again with those loaded (there is no hidden asset cache); the third is given an
explicit RenderCache that an earlier build filled, as a workbench would pass one, so it only
writes files. Per-profile times are warm renders, median of --repeat runs. Prints JSON.

    python benchmarks/channels.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from xfpush import build_pack, load_message
from xfpush.channels import select
from xfpush.pack.build import prepare_fonts, render_assets
from xfpush.pack.cache import RenderCache
from xfpush.resources import asset_path

IMAGE_CHANNELS = "sticker,tv,splash,social,screen"


def timed(function, *args, **kwargs) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    message = load_message(asset_path("examples", "demo.yaml"))
    cache = RenderCache()
    with tempfile.TemporaryDirectory() as work:
        first = timed(build_pack, message, Path(work) / "first", IMAGE_CHANNELS)
        second = timed(build_pack, message, Path(work) / "second", IMAGE_CHANNELS)
        render_assets(message, IMAGE_CHANNELS, cache=cache)
        cached = timed(build_pack, message, Path(work) / "cached", IMAGE_CHANNELS, cache=cache)
    fonts = prepare_fonts(message)
    profiles = {}
    for channel, profile in select(IMAGE_CHANNELS):
        runs = [timed(channel.render, message, profile, fonts) for _ in range(args.repeat)]
        profiles[f"{channel.name}:{profile}"] = round(statistics.median(runs), 4)
    report = {
        "benchmark": f"image channels ({IMAGE_CHANNELS}) of the demo message",
        "first_pack_s": round(first, 3),
        "second_pack_s": round(second, 3),
        "second_vs_first_speedup": round(first / second, 2),
        "pack_from_explicit_cache_s": round(cached, 3),
        "cached_vs_second_speedup": round(second / cached, 1),
        "per_profile_render_s": profiles,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

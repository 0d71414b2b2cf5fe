"""Print PDFs: the vector PDF/X-4 writer vs. the raster path, for the same plan, in one run:
the posters, and a 10 m banner (raster at --banner-dpi, as large-format shops accept bitmaps).

For each poster profile the plan is laid out once; then, median of --repeat runs:
- raster: the plan drawn by Pillow at 300 dpi and written as one RGB bitmap PDF (the way
  xfpush printed before the vector backend);
- vector: the same plan written as PDF/X-4 (reportlab + pikepdf), CMYK, fonts embedded.
The first vector write of the process (font and profile loading) is reported on its own, and
the vector size is split into the embedded ICC output profile and everything else. Prints JSON.

    python benchmarks/print.py [--profiles a4,a3] [--repeat 5] [--banner-dpi 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from xfpush import load_message
from xfpush.channels.banner import BANNER
from xfpush.channels.poster import BLEED_MM, POSTER
from xfpush.pack.build import prepare_fonts
from xfpush.render.pdf import PageGeometry, image_pdf
from xfpush.render.pdfx import SLUG_MM, PrintSheet, compressed_profile
from xfpush.render.plan import draw_plan
from xfpush.render.vector import centred, poster_pdf, print_pages
from xfpush.resources import asset_path


def measure(function: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        data = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", default="a4")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--banner-dpi", type=int, default=50)
    args = parser.parse_args()
    message = load_message(asset_path("examples", "demo.yaml"))
    fonts = prepare_fonts(message)
    results: dict[str, object] = {}
    first_vector_s = None
    for name in args.profiles.split(","):
        profile = POSTER.profiles[name]
        assert profile.trim_mm is not None and profile.dpi is not None
        trim_w, trim_h = profile.trim_mm
        plan = POSTER.plan(message, name, fonts)
        sheet = PrintSheet(profile.trim_mm, BLEED_MM, SLUG_MM)
        dpi = profile.dpi

        def vector(plan=plan, sheet=sheet, dpi=dpi) -> bytes:  # type: ignore[no-untyped-def]
            return poster_pdf(plan, fonts, sheet, dpi, message.title)

        def raster(plan=plan, w=trim_w, h=trim_h) -> bytes:  # type: ignore[no-untyped-def]
            geometry = PageGeometry(w + 2 * BLEED_MM, h + 2 * BLEED_MM, BLEED_MM)
            return image_pdf(draw_plan(plan, fonts), geometry, title=message.title)

        if first_vector_s is None:
            start = time.perf_counter()
            vector()
            first_vector_s = time.perf_counter() - start
        raster_s, raster_pdf = measure(raster, args.repeat)
        vector_s, vector_pdf = measure(vector, args.repeat)
        profile_bytes = len(compressed_profile())
        results[name] = {
            "trim_mm": [trim_w, trim_h],
            "raster": {"median_s": round(raster_s, 4), "bytes": len(raster_pdf),
                       "pixels": list(plan.canvas), "dpi": dpi},
            "vector": {"median_s": round(vector_s, 4), "bytes": len(vector_pdf),
                       "icc_profile_bytes": profile_bytes,
                       "bytes_without_profile": len(vector_pdf) - profile_bytes},
            "speedup": round(raster_s / vector_s, 1),
        }
    banner = measure_banner(message, fonts, args.banner_dpi, max(1, args.repeat // 2))
    print(json.dumps({"repeat": args.repeat, "first_vector_write_s": round(first_vector_s or 0, 4),
                      "posters": results, "banner_10x1m": banner}, ensure_ascii=False, indent=2))


def measure_banner(message, fonts, raster_dpi: int, repeat: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The 10 m banner: its vector PDF (plan at the channel's grid) against a bitmap PDF of the
    same layout drawn at ``raster_dpi`` (a 300 dpi bitmap of 10 m would be 118 110 px wide)."""
    profile = BANNER.profiles["10x1m"]
    trim_w, trim_h = profile.trim_mm
    sheet = PrintSheet(profile.trim_mm, profile.bleed_mm, SLUG_MM)
    plan = BANNER.plans(message, profile, fonts)[0]
    scale = raster_dpi / 25.4
    big = replace(profile, dpi=raster_dpi, width_px=round((trim_w + 2 * profile.bleed_mm) * scale),
                  height_px=round((trim_h + 2 * profile.bleed_mm) * scale))
    big_plan = BANNER.plans(message, big, fonts)[0]
    assert profile.dpi is not None

    def vector() -> bytes:
        return print_pages(sheet, [[centred(plan, sheet, profile.dpi or 1)]], fonts,
                           message.title)

    def raster() -> bytes:
        geometry = PageGeometry(trim_w + 2 * profile.bleed_mm, trim_h + 2 * profile.bleed_mm,
                                profile.bleed_mm)
        return image_pdf(draw_plan(big_plan, fonts), geometry, title=message.title)

    vector_s, vector_pdf = measure(vector, repeat)
    raster_s, raster_pdf = measure(raster, repeat)
    return {"trim_mm": [trim_w, trim_h],
            "vector": {"median_s": round(vector_s, 4), "bytes": len(vector_pdf),
                       "user_unit": sheet.user_unit},
            "raster": {"median_s": round(raster_s, 4), "bytes": len(raster_pdf),
                       "pixels": list(big_plan.canvas), "dpi": raster_dpi},
            "speedup": round(raster_s / vector_s, 1)}


if __name__ == "__main__":
    main()

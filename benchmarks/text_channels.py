"""Text channels: time per profile for the text outputs, the heavy previews reported apart.

Text work (LED programs and timing, SMS composition and counting, receipt layout and the
ESC/POS stream) should take well under a few milliseconds; the LED GIF and the receipt PNG
preview (with its QR read-back) are measured separately. Median of --repeat runs; JSON out.

    python benchmarks/text_channels.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from xfpush import load_message
from xfpush.channels.checks import run_checks
from xfpush.channels.led import LED, preview_gif
from xfpush.channels.receipt import RECEIPT, escpos_bytes, layout, preview_lines, preview_png
from xfpush.channels.sms import SMS
from xfpush.pack.build import prepare_fonts
from xfpush.render.qr import decode_check
from xfpush.resources import asset_path


def median_ms(function: Callable[[], object], repeat: int) -> float:
    function()  # warm-up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return round(statistics.median(runs) * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    message = load_message(asset_path("examples", "demo.yaml"))
    fonts = prepare_fonts(message)
    text_ms: dict[str, float] = {}
    preview_ms: dict[str, float] = {}
    for name, profile in LED.profiles.items():
        text_ms[f"led:{name}"] = median_ms(
            lambda p=profile: (run_checks(LED.describe(message, p.name, fonts)[0]),
                               LED.segments(message, p, fonts)),
            args.repeat)
        segments = LED.segments(message, profile, fonts)
        preview_ms[f"led:{name} gif"] = median_ms(
            lambda s=segments, p=profile: preview_gif(s, p, fonts), max(3, args.repeat // 10))
    for name, profile in SMS.profiles.items():
        text_ms[f"sms:{name}"] = median_ms(
            lambda p=profile: [run_checks(a) for a in SMS.render(message, p.name, fonts)],
            args.repeat)
    for name, profile in RECEIPT.profiles.items():
        def receipt_text(p=profile) -> bytes:
            items = layout(message, p)
            preview_lines(items, p)
            return escpos_bytes(items, p, message.qr.url if message.qr else None)

        text_ms[f"receipt:{name}"] = median_ms(receipt_text, args.repeat)
        items = layout(message, profile)
        preview_ms[f"receipt:{name} png+qr check"] = median_ms(
            lambda i=items, p=profile: decode_check(
                preview_png(i, p, fonts, message.qr.url if message.qr else None),
                message.qr.url if message.qr else ""), max(3, args.repeat // 10))
    print(json.dumps({"benchmark": "text channels of the demo message (ms, median)",
                      "text_outputs_ms": text_ms, "previews_ms": preview_ms},
                     ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

"""Typesetting over the stress corpus: assets produced, tips shown, breaks inside words, time.

Every message of ``tests/corpus/messages.yaml`` is set by every channel that is not time-based
(poster, sticker, tv, splash, social, screen, led, sms, receipt and the print formats banner,
rollup, leaflet, board). Reported:

- the share of profiles produced with every check passing (goal ≥ 98%), with the failures;
- the share of tips shown (the proof's "显示 n/m 条");
- line breaks inside a word, read from each asset's manifest ``layout`` and judged by the
  Python jieba (not what xfpush uses), for titles, slogans, calls to action and the variants
  that stand for them (goal 0) and for everything else (goal ≤ 1%);
- the time per layout: ``describe`` (fitting, the fit ladder and the dry checks, no pixels),
  the median of --repeat warm runs per channel.

By default the assets are also drawn and encoded, so the checks that read pixels (QR read back,
reserved zones) count too; --dry measures the layouts only. Needs the test extras (jieba).

    python benchmarks/typesetting.py [--dry] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "corpus"))

from measure import CHANNELS, corpus_messages, measure

from xfpush.channels import select
from xfpush.pack.build import prepare_fonts


def layout_times(repeat: int) -> dict[str, float]:
    """Channel → median milliseconds of one warm ``describe`` over every message."""
    runs: dict[str, list[float]] = {}
    for message in corpus_messages():
        fonts = prepare_fonts(message)
        for channel, profile in select(CHANNELS):
            channel.describe(message, profile, fonts)  # warm
            for _ in range(repeat):
                start = time.perf_counter()
                channel.describe(message, profile, fonts)
                runs.setdefault(channel.name, []).append(time.perf_counter() - start)
    every = [t for values in runs.values() for t in values]
    return {"median_ms": round(statistics.median(every) * 1000, 2),
            "mean_ms": round(statistics.fmean(every) * 1000, 2),
            **{f"{name}_ms": round(statistics.median(values) * 1000, 2)
               for name, values in runs.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dry", action="store_true", help="layouts and dry checks only")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    messages = corpus_messages()
    tally = measure(messages, render=not args.dry)
    report = tally.report("dry" if args.dry else "render")
    report.pop("layout_ms")
    report = {"benchmark": f"typesetting of {len(messages)} corpus messages × {CHANNELS}",
              **report, "time_per_layout": layout_times(args.repeat),
              "total_s": round(time.perf_counter() - start, 1)}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

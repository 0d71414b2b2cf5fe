"""The full demo pack (every channel): profiles rendered one at a time vs concurrently.

Each build runs in a fresh process (cold fonts, templates and QR caches, as `xfpush demo`
meets them); sequential and concurrent builds alternate (S C, C S, ...) so a machine that
gets busier or quieter during the run affects both alike. The time is build_pack's own (the
interpreter start-up is the same for both and left out). Every pack is hashed file by file:
`byte_identical` says whether all builds, sequential and concurrent, wrote the same bytes.
Prints JSON: both medians, their ratio, the median of the per-pair ratios, the load average.

    python benchmarks/pack.py [--repeat 3] [--workers N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def pack_digest(pack: Path) -> str:
    """One hash over every file of the pack, by relative path and content."""
    digest = hashlib.sha256()
    for path in sorted(p for p in pack.rglob("*") if p.is_file()):
        digest.update(path.relative_to(pack).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def child(workers: int, out: Path) -> None:
    """Build the demo pack once with ``workers`` threads; print seconds and digest."""
    from xfpush import build_pack, load_message
    from xfpush.resources import asset_path

    message = load_message(asset_path("examples", "demo.yaml"))
    start = time.perf_counter()
    build_pack(message, out, workers=workers)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "digest": pack_digest(out)}))


def build_once(workers: int) -> dict[str, float | str]:
    with tempfile.TemporaryDirectory() as work:
        result = subprocess.run([sys.executable, __file__, "--child", str(workers),
                                 str(Path(work) / "pack")],
                                capture_output=True, text=True, check=True)
    report: dict[str, float | str] = json.loads(result.stdout)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="threads of the concurrent build (default: one per CPU)")
    parser.add_argument("--child", nargs=2, metavar=("WORKERS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), Path(args.child[1]))
        return
    load_before = os.getloadavg()
    sequential: list[float] = []
    concurrent: list[float] = []
    digests: set[str] = set()
    for round_ in range(args.repeat):
        order = (1, args.workers) if round_ % 2 == 0 else (args.workers, 1)
        for workers in order:
            run = build_once(workers)
            (sequential if workers == 1 else concurrent).append(float(run["seconds"]))
            digests.add(str(run["digest"]))
    pairs = [s / c for s, c in zip(sequential, concurrent, strict=True)]
    report = {
        "benchmark": "full demo pack, every channel, fresh process per build",
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "repeat": args.repeat,
        "sequential_median_s": round(statistics.median(sequential), 2),
        "concurrent_median_s": round(statistics.median(concurrent), 2),
        "speedup": round(statistics.median(sequential) / statistics.median(concurrent), 2),
        "speedup_median_of_pairs": round(statistics.median(pairs), 2),
        "byte_identical": len(digests) == 1,
        "sequential_s": [round(s, 2) for s in sequential],
        "concurrent_s": [round(c, 2) for c in concurrent],
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

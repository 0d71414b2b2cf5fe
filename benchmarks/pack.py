"""The full demo pack (every channel): profiles rendered one at a time vs concurrently.

Each build runs in a fresh process (cold fonts, templates and QR caches, as `xfpush demo`
meets them); sequential and concurrent builds alternate (S C, C S, ...) so a machine that
gets busier or quieter during the run affects both alike. The time is build_pack's own (the
interpreter start-up is the same for both and left out). Every pack is hashed file by file:
`byte_identical` says whether all builds, sequential and concurrent, wrote the same bytes.
Prints JSON: both medians, their ratio, the median of the per-pair ratios, how many cores
each kind of build kept busy (CPU seconds of the process and its children per second), the
speedup those allow at most, and the load average.

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
    start, cpu_start = time.perf_counter(), os.times()
    build_pack(message, out, workers=workers)
    seconds, cpu_end = time.perf_counter() - start, os.times()
    # CPU of this process and of its ffmpeg/speech children alike
    cpu = sum(cpu_end[:4]) - sum(cpu_start[:4])
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "digest": pack_digest(out)}))


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
    cores_busy: dict[int, list[float]] = {1: [], args.workers: []}
    digests: set[str] = set()
    for round_ in range(args.repeat):
        order = (1, args.workers) if round_ % 2 == 0 else (args.workers, 1)
        for workers in order:
            run = build_once(workers)
            (sequential if workers == 1 else concurrent).append(float(run["seconds"]))
            digests.add(str(run["digest"]))
            cores_busy[workers].append(float(run["cpu_seconds"]) / float(run["seconds"]))
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
        # A sequential build already keeps more than one core busy (ffmpeg encodes while Python
        # draws the next frames), so on N cores concurrency can gain at most N / that.
        "cores_busy_sequential": round(statistics.median(cores_busy[1]), 2),
        "cores_busy_concurrent": round(statistics.median(cores_busy[args.workers]), 2),
        "speedup_bound": round(min(args.workers, os.cpu_count() or 1)
                               / statistics.median(cores_busy[1]), 2),
        "byte_identical": len(digests) == 1,
        "sequential_s": [round(s, 2) for s in sequential],
        "concurrent_s": [round(c, 2) for c in concurrent],
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Start-up: `python -c "import xfpush"` and `xfpush --help` against `python -c pass`.

Each command runs in a fresh process --repeat times, in turn (base, import, help, base, ...),
so a machine that gets busier during the run slows all three alike. Prints JSON: the median
wall time of each, what xfpush adds over the bare interpreter, and whether both stay under
the 0.3 s goal.

    python benchmarks/startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 0.3


def commands() -> dict[str, list[str]]:
    # the console script installed with this interpreter, else the first on PATH
    beside = Path(sys.executable).with_name("xfpush")
    script = str(beside) if beside.is_file() else shutil.which("xfpush") or "xfpush"
    return {
        "python_pass": [sys.executable, "-c", "pass"],
        "import_xfpush": [sys.executable, "-c", "import xfpush"],
        "xfpush_help": [script, "--help"],
    }


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {name: [] for name in commands()}
    for command in commands().values():
        timed(command)  # warm the file cache: every run below then starts alike
    for _ in range(args.repeat):
        for name, command in commands().items():
            runs[name].append(timed(command))
    median = {name: statistics.median(times) for name, times in runs.items()}
    base = median["python_pass"]
    report = {
        "benchmark": "fresh-process start-up, median wall seconds",
        "repeat": args.repeat,
        "python_pass_s": round(base, 3),
        "import_xfpush_s": round(median["import_xfpush"], 3),
        "xfpush_help_s": round(median["xfpush_help"], 3),
        "import_over_python_s": round(median["import_xfpush"] - base, 3),
        "help_over_python_s": round(median["xfpush_help"] - base, 3),
        "goal_s": GOAL_S,
        "both_under_goal": max(median["import_xfpush"], median["xfpush_help"]) < GOAL_S,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Batch throughput: N districts × (poster phone, sticker, led, sms, tv banner), -j1 vs -j2.

Prints JSON: packs per minute for each, the speed-up of -j2 over -j1 (same run, same data) and
the peak resident memory of each worker process.

    python benchmarks/batch.py [--rows 100]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xfpush.campaigns.batch import run_batch

RECIPE = """occasion: xiaofang-yue
name: 批量基准
lead_days: 14
channels: poster:phone,sticker,led,sms,tv:banner-1080p
message:
  id: bench-{year}-{district_slug}
  title: "{district}电动车不进楼 充电安全记心间"
  slogan: 电动车不进楼入户
  body: 电动自行车电池一旦热失控，几十秒内就会起火爆燃，请在集中充电场所安全充电。
  tips: ["不在楼道、楼梯间停放充电", "不私拉电线飞线充电", "充满即断电", "发现起火拨打119"]
  cta: 扫码学习更多消防知识
  qr: {url: "{qr_url}", caption: 全民消防安全学习云平台}
  issuer: "{issuer}"
  campaign: {name: "{year}年“119”消防宣传月", start: "{start}", end: "{end}"}
"""


def run(recipe: Path, table: Path, out: Path, jobs: int) -> dict[str, float]:
    start = time.perf_counter()
    summary = run_batch(recipe, table, out, year=2027, jobs=jobs)
    seconds = time.perf_counter() - start
    assert summary["errors"] == 0, summary["rows"][0]
    peaks: dict[int, float] = {}
    for row in summary["rows"]:
        peaks[row["worker_pid"]] = max(peaks.get(row["worker_pid"], 0), row["worker_peak_rss_mb"])
    return {"seconds": round(seconds, 2), "packs": summary["ok"],
            "packs_per_minute": round(summary["ok"] / seconds * 60, 1),
            "workers": len(peaks), "peak_rss_mb_per_worker": max(peaks.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:  # one configuration, in a fresh process: nothing warm, nothing inherited
        print(json.dumps(run(args.work / "recipe.yaml", args.work / "districts.csv",
                             args.work / f"j{args.single}", args.single)))
        return
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        (work / "recipe.yaml").write_text(RECIPE, "utf-8")
        with (work / "districts.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["district", "issuer", "qr_url"])
            for index in range(args.rows):
                writer.writerow([f"第{index + 1}街道", f"第{index + 1}街道办事处",
                                 f"https://example.gov.cn/xf/{index + 1}"])
        results = {}
        for jobs in (1, 2):
            output = subprocess.run([sys.executable, __file__, "--single", str(jobs), "--work",
                                     str(work)], capture_output=True, text=True, check=True)
            results[f"j{jobs}"] = json.loads(output.stdout)
    print(json.dumps({"benchmark": f"{args.rows} districts × (poster:phone, sticker, led, sms, "
                                   "tv:banner-1080p), each configuration in a fresh process",
                      **results,
                      "speedup_j2_over_j1": round(results["j1"]["seconds"] /
                                                  results["j2"]["seconds"], 2)},
                     ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

"""The workbench's live preview, measured over HTTP against ``xfpush serve`` in its own process.

* ``phone_poster_after_change``: one officer edits the slogan (a new text every time, so every
  request really renders); each sample is the live request (validation, checks of every
  picture/text channel, the phone poster rendered with its checks) plus fetching the new PNG,
  i.e. what happens between a keystroke settling and the new poster on screen. Median, p90, max.
* ``concurrent``: N clients (an office) each send M live requests with their own changes;
  completed requests per second, and the slowest one.

    python benchmarks/serve.py [--samples 20] [--clients 8] [--each 5]

Prints JSON. The goal in the issue: the phone poster preview under 0.5 s after a change.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

FORM: dict[str, Any] = {
    "id": "bench-2027", "title": "电动车不进楼 充电安全记心间", "slogan": "电动车不进楼入户",
    "body": "电动自行车电池一旦热失控，几十秒内就会起火爆燃，并释放大量有毒烟气。",
    "tips": ["不在楼道、楼梯间停放充电", "不私拉电线“飞线”充电", "充满即断电，充电不超过8小时"],
    "cta": "扫码学习更多消防知识", "qr_url": "https://example.gov.cn/xf/ebike",
    "qr_caption": "全民消防安全学习云平台", "issuer": "某某区消防安全委员会办公室",
    "hotline_label": ["火警", "隐患举报"], "hotline_number": ["119", "96119"],
    "preview": "poster:phone",
}
DIGITS = "〇一二三四五六七八九"


def chinese_number(value: int) -> str:
    return "".join(DIGITS[int(d)] for d in str(value))


def start_server(data: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "xfpush", "serve", "--port", "0", "--no-browser", "--data",
         str(data)], stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stderr is not None
    found = re.search(r"http://127\.0\.0\.1:\d+", process.stderr.readline())
    if not found:
        process.kill()
        raise SystemExit("xfpush serve did not start")
    base = found.group(0)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/", timeout=2)
            return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("xfpush serve did not answer")


class Officer:
    """One browser session: its cookie, its CSRF token, its own edits."""

    def __init__(self, base: str, name: int) -> None:
        self.http = httpx.Client(base_url=base, timeout=60)
        page = self.http.get("/compose").text
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found
        self.csrf = found.group(1)
        self.name = name
        self.edits = 0

    def change(self) -> float:
        """Send one edit and fetch the new poster; seconds taken."""
        self.edits += 1
        slogan = f"电动车不进楼入户{chinese_number(self.name)}号{chinese_number(self.edits)}"
        start = time.perf_counter()
        answer = self.http.post("/compose/live", data={**FORM, "slogan": slogan, "csrf": self.csrf})
        image = re.search(r'<img src="(/preview/[0-9a-f]+)"', answer.text)
        if answer.status_code != 200 or image is None:
            raise SystemExit(f"no preview: {answer.status_code} {answer.text[:300]}")
        picture = self.http.get(image.group(1))
        assert picture.content[:4] == b"\x89PNG"
        return time.perf_counter() - start


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_s": round(statistics.median(ordered), 3),
            "p90_s": round(ordered[max(0, int(len(ordered) * 0.9) - 1)], 3),
            "max_s": round(ordered[-1], 3), "samples": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--each", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, base = start_server(Path(folder))
        try:
            officer = Officer(base, 0)
            first = officer.change()  # fonts, templates and channel modules load here
            single = [officer.change() for _ in range(args.samples)]
            officers = [Officer(base, n + 1) for n in range(args.clients)]
            start = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                times = list(pool.map(lambda o: [o.change() for _ in range(args.each)], officers))
            elapsed = time.perf_counter() - start
        finally:
            process.terminate()
            process.wait(10)
    flat = [t for per in times for t in per]
    print(json.dumps({
        "cpus": os.cpu_count(),
        "first_preview_s": round(first, 3),
        "phone_poster_after_change": summary(single),
        "goal_s": 0.5,
        "concurrent": {"clients": args.clients, "requests": len(flat),
                       "requests_per_s": round(len(flat) / elapsed, 2),
                       **{f"latency_{k}": v for k, v in summary(flat).items() if k != "samples"}},
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

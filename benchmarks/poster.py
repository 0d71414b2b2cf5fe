"""Phone poster: xfpush in-process vs. the usual HTML + headless Chromium screenshot pipeline.

Both sides draw the same message with the same bundled font at 1080×1920 and both decode the
QR code back from their output. xfpush renders N posters in one process (checks included);
the baseline starts one ``chromium --headless --screenshot`` process per poster, the way
html2image-style tools do. Chromium comes from Debian's ``chromium`` package; without it the
baseline side is reported as skipped. Prints JSON.

    python benchmarks/poster.py [--posters 20] [--screenshots 5]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from html import escape
from pathlib import Path

from PIL import Image

from xfpush import load_message
from xfpush.channels.checks import run_checks
from xfpush.channels.poster import POSTER
from xfpush.model.message import Message
from xfpush.pack.build import prepare_fonts
from xfpush.render.qr import build_matrix, decode
from xfpush.render.qr import render as render_qr
from xfpush.resources import asset_path

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--window-size=1080,1920"]


def xfpush_side(message: Message, count: int) -> dict[str, object]:
    fonts = prepare_fonts(message)
    POSTER.render(message, "phone", fonts)  # warm-up: fonts and caches, as a worker would have
    times = []
    for _ in range(count):
        start = time.perf_counter()
        assets = [run_checks(asset) for asset in POSTER.render(message, "phone", fonts)]
        times.append(time.perf_counter() - start)
        assert all(check.ok for check in assets[0].checks)
    return {"posters": count, "median_s": statistics.median(times), "min_s": min(times)}


def html_page(message: Message) -> str:
    assert message.qr
    qr = io.BytesIO()
    render_qr(build_matrix(message.qr.url), 8).save(qr, "PNG")
    qr_uri = "data:image/png;base64," + base64.b64encode(qr.getvalue()).decode()
    regular = asset_path("fonts", "NotoSansSC-Regular.otf").as_uri()
    bold = asset_path("fonts", "NotoSansSC-Bold.otf").as_uri()
    tips = "".join(f"<li><b>{i + 1}</b>{escape(t)}</li>" for i, t in enumerate(message.tips))
    hotlines = "".join(f"<div><span>{escape(k)}</span><strong>{escape(v)}</strong></div>"
                       for k, v in message.hotlines)
    campaign = escape(message.campaign.name) if message.campaign else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@font-face{{font-family:X;src:url({regular});font-weight:400}}
@font-face{{font-family:X;src:url({bold});font-weight:700}}
body{{margin:0;width:1080px;height:1920px;font-family:X;display:flex;flex-direction:column}}
header{{background:#C8102E;color:#fff;text-align:center;padding:56px 72px 60px;
border-bottom:12px solid #FFC20E}}
header small{{font-size:32px;color:#FAE7EA}} h1{{font-size:124px;line-height:1.2;margin:24px 0 32px}}
.pill{{display:inline-block;background:#FFC20E;color:#1F1F1F;font-weight:700;font-size:48px;
padding:16px 40px;border-radius:60px}}
main{{flex:1;padding:32px 72px}} p{{font-size:32px;line-height:1.5;color:#4C4C4C}}
ol{{list-style:none;padding:0;font-size:32px;line-height:1.45}} li b{{display:inline-block;
width:42px;height:42px;border-radius:21px;background:#C8102E;color:#fff;text-align:center;
margin-right:18px;font-size:26px}}
.hot{{display:flex;border:5px solid #C8102E;border-radius:28px;background:#FCEFF1;margin:0 72px}}
.hot div{{flex:1;text-align:center;padding:28px 0}} .hot span{{display:block;font-size:38px;
font-weight:700}} .hot strong{{font-size:128px;color:#C8102E;line-height:1.1}}
.qr{{display:flex;gap:36px;padding:32px 72px;align-items:flex-start}}
.qr img{{width:296px}} .qr h2{{font-size:46px;margin:30px 0 14px}} .qr div{{font-size:32px}}
footer{{background:#82091E;color:#fff;text-align:center;padding:28px;font-size:32px}}
</style></head><body><header><small>{campaign}</small><h1>{escape(message.title)}</h1>
<span class="pill">{escape(message.slogan)}</span></header>
<main><p>{escape(message.body)}</p><ol>{tips}</ol></main><div class="hot">{hotlines}</div>
<div class="qr"><img src="{qr_uri}"><div><h2>{escape(message.cta)}</h2>
<div>{escape(message.qr.caption)}</div></div></div>
<footer><b>{escape(message.issuer)}</b></footer></body></html>"""


def chromium_side(message: Message, count: int, keep: Path | None) -> dict[str, object]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"skipped": "没有找到 chromium（Debian: apt-get install chromium）"}
    version = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout
    times = []
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "poster.html"
        page.write_text(html_page(message), "utf-8")
        for index in range(count):
            shot = Path(work) / f"shot{index}.png"
            start = time.perf_counter()
            subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={work}/profile{index}",
                            f"--screenshot={shot}", page.as_uri()], capture_output=True,
                           check=True, timeout=120)
            with Image.open(shot) as image:
                decoded = decode(image)
            times.append(time.perf_counter() - start)
            assert message.qr and message.qr.url in decoded, "Chromium 截图中的二维码无法识别"
            if keep and index == 0:
                shutil.copy(shot, keep)
    return {"posters": count, "median_s": statistics.median(times), "min_s": min(times),
            "chromium": version.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posters", type=int, default=20, help="xfpush posters to render")
    parser.add_argument("--screenshots", type=int, default=5, help="Chromium screenshots to take")
    parser.add_argument("--keep-screenshot", type=Path, help="save the first Chromium screenshot")
    args = parser.parse_args()
    message = load_message(asset_path("examples", "demo.yaml"))
    ours = xfpush_side(message, args.posters)
    baseline = chromium_side(message, args.screenshots, args.keep_screenshot)
    report: dict[str, object] = {"benchmark": "poster:phone 1080x1920, checks incl. QR decode",
                                 "xfpush": ours, "chromium_screenshot": baseline}
    if "median_s" in baseline:
        report["speedup"] = round(float(baseline["median_s"]) / float(ours["median_s"]), 1)  # type: ignore[arg-type]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

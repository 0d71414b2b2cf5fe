"""The workbench in a real browser (Debian's Chromium driven by Playwright).

compose → live preview → generate → sign off → download (checked with ``xfpush verify``); a title
holding HTML/JS is shown as text and runs nothing. Every page is screenshotted into
``$XFPUSH_SCREENSHOTS`` (default: the test's temporary folder) to be looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hostile.peers import SECRET, ReceiverProcess
from webtools import running
from xfpush.resources import asset_path

pytestmark = pytest.mark.slow
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        # a fake microphone (a beep) that needs no permission prompt, for the recording test
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI 需要 Debian 的 chromium（.ci/run 会用 apt-get 安装）")
        pytest.skip("没有 chromium：apt-get install chromium")
    return found


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("XFPUSH_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    # bypass_csp: the tests evaluate their own JS, and escaping must hold without the CSP too
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    yield page
    context.close()
    assert not errors, errors


def test_compose_preview_generate_sign_download(page: Any, tmp_path: Path, shots: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XFPUSH_HTTP_SECRET", SECRET)
    receiver = ReceiverProcess(tmp_path / "inbox")
    try:
        _whole_job(page, tmp_path, shots, receiver)
    finally:
        receiver.stop()


def _whole_job(page: Any, tmp_path: Path, shots: Path, receiver: ReceiverProcess) -> None:
    with running(tmp_path / "ws") as base:
        page.goto(base + "/")
        page.screenshot(path=shots / "01-home.png")
        page.set_input_files("#upload-file", str(asset_path("examples", "demo.yaml")))
        page.click("form.upload button")
        page.wait_for_selector("article.preview[data-spec='poster:phone'] img")
        page.wait_for_selector("#spoken .flash", timeout=60000)
        assert "显示 6/6 条提示" in page.inner_text("article.preview[data-spec='poster:phone']")
        assert "计 1 条" in page.inner_text("article.preview[data-spec='sms:standard']")
        page.screenshot(path=shots / "02-compose.png", full_page=True)

        first = page.get_attribute("article.preview[data-spec='poster:phone'] img", "src")
        page.fill("#f-slogan", "电动车不进楼 不入户")
        page.wait_for_function(
            "src => document.querySelector(\"article.preview[data-spec='poster:phone'] img\")"
            ".getAttribute('src') !== src", arg=first, timeout=5000)
        logo = tmp_path / "logo.png"
        Image.new("RGB", (300, 300), "#c8102e").save(logo)
        before = page.get_attribute("article.preview[data-spec='poster:phone'] img", "src")
        page.click("details.more summary")
        page.set_input_files("#f-upload-logo", str(logo))
        page.wait_for_selector("#img-logo img.thumb")
        page.wait_for_function(
            "src => document.querySelector(\"article.preview[data-spec='poster:phone'] img\")"
            ".getAttribute('src') !== src", arg=before, timeout=5000)
        page.click("#tips li:nth-child(2) [data-tip=up]")
        assert page.input_value("#tip-1").startswith("不私拉电线")
        page.click("[data-tip=add]")
        page.fill("#tip-7", "出门前检查燃气阀门")
        page.wait_for_function("document.querySelector(\"article.preview[data-spec='poster:phone']\")"
                               ".innerText.includes('/7 条提示')", timeout=5000)
        page.click("#tips li:nth-child(7) [data-tip=remove]")
        page.fill("#f-qr_url", "ftp://example.cn")
        page.wait_for_selector("#err-qr_url:has-text('http://')")
        page.screenshot(path=shots / "03-field-error.png")
        page.fill("#f-qr_url", "https://example.gov.cn/xf/ebike")
        page.wait_for_selector("#err-qr_url:empty", state="attached")

        page.click("text=保存")
        page.wait_for_selector("text=已保存")
        page.click("text=生成与审核")
        for box in page.query_selector_all("input[name=channel]"):
            if box.get_attribute("value") not in ("poster", "sticker", "led", "sms"):
                box.uncheck()
        page.click("#generate")
        page.wait_for_selector(".steps li", timeout=10000)
        page.screenshot(path=shots / "04-generating.png")
        page.wait_for_selector("iframe.proof", timeout=240000)
        proof = page.frame_locator("iframe.proof")
        proof.locator("text=物料审核单").wait_for()
        page.screenshot(path=shots / "05-review.png")

        page.select_option("#sign-role", "终审")
        page.fill("#signer", "王干事")
        page.fill("#comment", "同意发布")
        page.click("#sign")
        page.wait_for_selector(".sign-role.signed[data-role='终审']")
        page.screenshot(path=shots / "06-signed.png")
        with page.expect_download() as download:
            page.click("#download")
        archive = tmp_path / "pack.zip"
        download.value.save_as(archive)
        zipfile.ZipFile(archive).extractall(tmp_path / "unzipped")
        verified = subprocess.run([sys.executable, "-m", "xfpush", "verify",
                                   str(tmp_path / "unzipped" / "ebike-2027")],
                                  capture_output=True, text=True)
        assert verified.returncode == 0, verified.stderr

        page.click("text=投递给合作方")
        page.check("#a-led-screen")
        page.fill("#to-led-screen", receiver.url)
        page.click("#deliver")
        page.wait_for_selector("#delivery-job .job[data-done=yes]", timeout=60000)
        assert "已送达" in page.inner_text("#delivery-job")
        assert len(receiver.stored()) == 1
        page.reload()
        page.wait_for_selector("tr[data-adapter=led-screen][data-state=acknowledged]")
        page.screenshot(path=shots / "07-delivered.png", full_page=True)
        page.goto(base + "/m/ebike-2027/review")

        page.click("text=← 修改消息")
        page.fill("#f-cta", "扫码预约上门检查")
        page.click("text=保存")
        page.wait_for_selector("text=已保存")
        page.goto(base + "/m/ebike-2027/review")
        assert "消息已修改" in page.inner_text("body") and "此签字已作废" in page.inner_text("body")
        page.screenshot(path=shots / "08-voided.png")


def test_a_title_with_html_is_text_and_runs_nothing(page: Any, tmp_path: Path,
                                                   shots: Path) -> None:
    evil = "<script>alert(1)</script>"
    with running(tmp_path / "ws") as base:
        page.goto(base + "/compose")
        page.fill("#f-id", "xss-2027")
        page.fill("#f-title", evil)
        page.fill("#f-slogan", "<img src=x onerror=alert(2)>")
        page.wait_for_selector("article.preview")
        page.click("text=保存")
        page.wait_for_selector("text=已保存")
        page.goto(base + "/")
        assert evil in page.inner_text("table.list")
        assert page.evaluate("document.querySelectorAll('main script, main img[src=x]').length") == 0
        page.goto(base + "/m/xss-2027")
        assert page.input_value("#f-title") == evil
        page.screenshot(path=shots / "09-xss.png")


def test_a_batch_of_three_rows_in_the_browser(page: Any, tmp_path: Path, shots: Path) -> None:
    table = tmp_path / "区县表.csv"
    rows = Path(__file__).resolve().parents[1] / "recipes" / "districts.example.csv"
    lines = rows.read_text("utf-8").splitlines()[:4]
    table.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    with running(tmp_path / "ws") as base:
        page.goto(base + "/calendar?year=2027")
        page.click("tr:has-text('双十一') >> text=按区县表批量生成")
        assert page.input_value("#recipe") == "shuang11.yaml"
        page.fill("#year", "2027")
        page.set_input_files("#table", str(table))
        page.click("#batch-start")
        page.wait_for_selector("#batch-job .job[data-done=yes]", timeout=180000)
        steps = page.inner_text("#batch-job")
        assert steps.count("完成") >= 3 and "东城街道" in steps and "南湖镇" in steps
        page.screenshot(path=shots / "10-batch.png")
        with page.expect_download() as download:
            page.click("text=下载全部物料包")
        archive = tmp_path / "batch.zip"
        download.value.save_as(archive)
        names = zipfile.ZipFile(archive).namelist()
        assert sum(name.endswith("/manifest.json") for name in names) == 3


def test_recording_a_prompt_with_the_microphone(page: Any, tmp_path: Path, shots: Path) -> None:
    with running(tmp_path / "workspace") as base:
        page.context.grant_permissions(["microphone"], origin=base)
        page.goto(f"{base}/compose?example=1")
        page.click("#recordings summary")
        page.wait_for_selector("#script-unlock.script:not(.muted)", timeout=60_000)
        assert page.inner_text("#script-unlock") == "电动车不进楼入户。"
        page.click('[data-record="unlock"]')
        page.wait_for_selector('[data-record="unlock"].recording')
        page.wait_for_timeout(2500)
        page.click('[data-record="unlock"]')
        page.wait_for_selector("#take-unlock audio", timeout=60_000)
        name = page.get_attribute('#take-unlock input[name="recording_unlock"]', "value")
        assert name and name.endswith((".webm", ".ogg"))
        page.locator("#recordings").scroll_into_view_if_needed()
        page.screenshot(path=shots / "10-recording.png")
        assert (tmp_path / "workspace" / "files" / name).stat().st_size > 1000


def test_icons_are_ticked_in_order_and_saved(page: Any, tmp_path: Path, shots: Path) -> None:
    import yaml

    with running(tmp_path / "ws") as base:
        page.goto(base + "/")
        page.set_input_files("#upload-file", str(asset_path("examples", "demo.yaml")))
        page.click("form.upload button")
        page.wait_for_selector("article.preview[data-spec='poster:phone'] img")
        assert page.is_checked("input[name=icons_mode][value=auto]")  # the demo names none
        with page.expect_request(lambda request: request.url.endswith("/compose/live")) as live:
            page.check("#f-icon-gas")
        assert "icons_mode=chosen" in (live.value.post_data or "")  # the preview shows the tick
        page.check("#f-icon-exit")
        assert page.is_checked("input[name=icons_mode][value=chosen]")
        first = page.eval_on_selector_all("#icon-grid input", "boxes => boxes.map(b => b.value)")
        assert first[:2] == ["gas", "exit"]  # moved to the front in the order ticked
        page.locator("fieldset.icons-set").screenshot(path=shots / "07-icons.png")
        page.click("text=保存")
        page.wait_for_selector("text=已保存")
        saved = page.request.get(base + "/m/ebike-2027/message.yaml")
        assert yaml.safe_load(saved.text())["icons"] == ["gas", "exit"]

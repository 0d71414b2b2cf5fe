"""Batches (GBK CSV and XLSX), the calendar, recipes as a start and the monthly report, over HTTP."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from webtools import DEMO_FORM, Browser, running
from xfpush.resources import data_root

EXAMPLE = data_root() / "recipes" / "districts.example.csv"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with running(tmp_path_factory.mktemp("campaign")) as base:
        client = Browser(base)
        yield client
        client.close()


def three_rows_gbk() -> bytes:
    lines = EXAMPLE.read_text("utf-8").splitlines()[:3]
    lines.append("南湖镇,南湖镇人民政府,ftp://bad.example,南湖镇,119,96119,南湖专职消防队")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


@pytest.mark.slow
def test_batch_of_a_gbk_table_reports_each_row_and_downloads(browser: Browser) -> None:
    browser.get("/batch")
    started = browser.post("/batch", {"recipe": "shuang11.yaml", "year": "2027"},
                           files={"table": ("区县表.csv", three_rows_gbk(), "text/csv")})
    assert started.status_code == 200, started.text
    assert "第 2 行 东城街道" in started.text
    done = browser.wait_job(started.text)
    assert done.text.count("完成") >= 2 and "第 4 行 南湖镇" in done.text
    assert "qr_url" in done.text and "http" in done.text  # the bad row names its column
    link = re.search(r'href="(/batches/[^"]+/download)"', done.text)
    assert link
    archive = zipfile.ZipFile(io.BytesIO(browser.get(link.group(1)).content))
    names = archive.namelist()
    assert any(n.endswith("dong-cheng-jie-dao/manifest.json") for n in names)
    summary = json.loads(archive.read(next(n for n in names if n.endswith("batch.json"))))
    assert (summary["ok"], summary["errors"]) == (2, 1)
    assert "最近的批次" in browser.get("/batch").text


@pytest.mark.slow
def test_batch_accepts_xlsx_and_refuses_other_files(browser: Browser) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in EXAMPLE.read_text("utf-8").splitlines()[:2]:
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    started = browser.post("/batch", {"recipe": "shuang11.yaml", "year": "2027"},
                           files={"table": ("t.xlsx", buffer.getvalue())})
    assert "完成" in browser.wait_job(started.text).text
    wrong = browser.post("/batch", {"recipe": "shuang11.yaml"}, files={"table": ("t.exe", b"MZ")})
    assert wrong.status_code == 422 and "CSV 或 XLSX" in wrong.text
    escape = browser.post("/batch", {"recipe": "../../etc/passwd"},
                          files={"table": ("t.csv", b"district\n")})
    assert escape.status_code == 422


def test_calendar_links_recipes_to_compose(browser: Browser) -> None:
    page = browser.get("/calendar?year=2027")
    assert page.status_code == 200 and "重阳节" in page.text and "农历九月初九" in page.text
    assert "/compose?recipe=chongyang.yaml" in page.text
    assert browser.get("/calendar?year=abc").status_code == 422
    start = browser.get("/compose?recipe=chongyang.yaml")
    assert 'value="九九消防平安 关爱独居老人"' in start.text and "东城街道" in start.text
    assert browser.get("/compose?recipe=../secret.yaml").status_code == 400


@pytest.mark.slow
def test_monthly_report_lists_deliveries_and_downloads_xlsx(browser: Browser,
                                                            tmp_path: Path) -> None:
    browser.post("/compose/save", {**DEMO_FORM, "id": "report-1"})
    browser.wait_job(browser.post("/m/report-1/generate", {"channel": "led"}).text)
    review = browser.get("/m/report-1/review")
    pack = re.search(r"/packs/(\d+)/files/proof.html", review.text)
    assert pack
    browser.post(f"/packs/{pack.group(1)}/sign", {"role": "终审", "signer": "王干事"})
    browser.wait_job(browser.post("/m/report-1/deliver", {
        "adapter": "led-screen", "to_led-screen": (tmp_path / "drop").as_uri()}).text)
    page = browser.get("/report")
    assert "report-1" in page.text and "已送达" in page.text
    month = re.search(r'name="month" type="month" value="([0-9-]+)"', page.text)
    assert month
    xlsx = browser.get(f"/report.xlsx?month={month.group(1)}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "创建时间" and any("report-1" in row for row in values)
    assert browser.get("/report?month=2027-13").status_code == 422

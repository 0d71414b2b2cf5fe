"""Recipes, the calendar and batch production (local pool, resume, Dask)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from xfpush.campaigns.batch import run_batch
from xfpush.campaigns.districts import load_recipe, read_table, row_message, slug
from xfpush.cli import main
from xfpush.errors import InputError
from xfpush.model.loader import message_from_dict
from xfpush.pack.build import check_message
from xfpush.pack.manifest import verify_pack
from xfpush.resources import data_root

RECIPES = sorted((data_root() / "recipes").glob("*.yaml"))
EXAMPLE = data_root() / "recipes" / "districts.example.csv"
LIGHT = """occasion: xiaofang-yue
name: 测试配方
lead_days: 14
channels: poster:phone,sms
message:
  id: test-{year}-{district_slug}
  title: "{district}消防安全 人人有责"
  slogan: 关注消防 平安{district}
  tips: ["不堵塞消防通道", "电动车不进楼入户"]
  cta: 扫码学习
  qr: {url: "{qr_url}", caption: 学习平台}
  issuer: "{issuer}"
  campaign: {name: "{year}年消防宣传月", start: "{start}", end: "{end}"}
"""


def test_calendar_2027_dates() -> None:
    result = CliRunner().invoke(main, ["calendar", "2027", "--json"])
    dates = {o["name"]: o["date"] for o in json.loads(result.output)["occasions"]}
    assert dates["春节"] == "2027-02-06" and dates["清明节"] == "2027-04-05"
    assert dates["端午节"] == "2027-06-09" and dates["中秋节"] == "2027-09-15"
    assert dates["重阳节"] == "2027-10-08" and dates["元旦"] == "2027-01-01"
    assert dates["5·12 全国防灾减灾日"] == "2027-05-12" and dates["11·9 全国消防日"] == "2027-11-09"
    assert dates["全国中小学生安全教育日"] == "2027-03-29"  # last Monday of March
    chongyang = next(o for o in json.loads(result.output)["occasions"] if o["key"] == "chongyang")
    assert chongyang["recipes"] == [{"recipe": "chongyang.yaml", "produce_by": "2027-09-28"}]


def test_at_least_twelve_recipes_each_specific_and_valid() -> None:
    assert len(RECIPES) >= 12
    occasions = set()
    row = read_table(EXAMPLE)[0]
    for path in RECIPES:
        recipe = load_recipe(path)
        occasions.add(recipe.occasion)
        assert len(recipe.template["tips"]) >= 4, path.name
        assert recipe.channels and recipe.adapters
        message = message_from_dict(row_message(recipe, row, 2, 2027, slug(row["district"])),
                                    base_dir=path.parent)
        assert message.issuer == row["issuer"] and message.qr and message.qr.url == row["qr_url"]
        problems = check_message(message, ",".join(c for c in recipe.channels.split(",")
                                                   if not c.startswith(("audio", "radio", "video"))))
        assert problems == [], (path.name, problems)
    assert {"chunjie", "qingming", "chongyang", "xiaofang-yue", "shuang11", "qunuan"} <= occasions


def test_slugs_are_safe_ascii() -> None:
    assert slug("上清寺街道") == "shang-qing-si-jie-dao"
    assert slug("../../etc") == "etc"
    assert slug("") == "district"


def write_table(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["district", "issuer", "qr_url", "hotline_report"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def twenty_rows() -> list[dict[str, str]]:
    rows = [{"district": f"测试{i}街道", "issuer": f"测试{i}街道办事处",
             "qr_url": f"https://example.gov.cn/xf/{i}", "hotline_report": "96119"}
            for i in range(18)]
    rows.insert(5, {"district": "坏行街道", "issuer": "坏行", "qr_url": "ftp://bad/url",
                    "hotline_report": "96119"})
    rows.append({"district": "../../etc", "issuer": "越界测试", "qr_url": "https://example.gov.cn/x",
                 "hotline_report": "12345"})
    return rows


def file_stamps(out: Path) -> dict[str, tuple[int, int]]:
    """(inode, modification time in ns) of every file in the packs under ``out``."""
    return {path.relative_to(out).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in out.glob("*/**/*") if path.is_file()}


@pytest.mark.slow
def test_twenty_rows_one_broken_one_escaping_then_resume(tmp_path: Path) -> None:
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(LIGHT, "utf-8")
    table = write_table(tmp_path / "districts.csv", twenty_rows())
    out = tmp_path / "out"
    summary = run_batch(recipe, table, out, year=2027, jobs=2)
    assert summary["ok"] == 19 and summary["errors"] == 1
    error = next(r for r in summary["rows"] if r["status"] == "error")
    assert error["row"] == 7 and "qr.url" in error["error"] and "qr_url" in error["error"]
    packs = [p for p in out.iterdir() if p.is_dir()]
    assert len(packs) == 19 and all(p.resolve().parent == out.resolve() for p in packs)
    assert (out / "etc" / "manifest.json").is_file() and not (tmp_path / "etc").exists()
    assert all(verify_pack(p) == [] for p in packs)
    written = file_stamps(out)
    assert len(written) >= 19 * 4  # manifest, proof, message and assets of each pack
    again = run_batch(recipe, table, out, year=2027, jobs=2)
    assert sum(r["status"] == "skipped" for r in again["rows"]) == 19
    assert [r["row"] for r in again["rows"] if r["status"] == "error"] == [7]
    # skipped means untouched: every file of every pack is the very file written before
    assert file_stamps(out) == written


@pytest.mark.slow
def test_dask_local_cluster_gives_byte_identical_packs(tmp_path: Path) -> None:
    from distributed import LocalCluster

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(LIGHT, "utf-8")
    rows = twenty_rows()[:4]
    table = write_table(tmp_path / "districts.csv", rows)
    local = run_batch(recipe, table, tmp_path / "local", year=2027, jobs=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = run_batch(recipe, table, tmp_path / "dask", year=2027, scheduler=cluster.scheduler_address)
    assert local["ok"] == remote["ok"] == 4
    for row in local["rows"]:
        left = (tmp_path / "local" / row["slug"] / "manifest.json").read_bytes()
        right = (tmp_path / "dask" / row["slug"] / "manifest.json").read_bytes()
        assert left == right
        assert (tmp_path / "local" / row["slug"] / "poster/phone.png").read_bytes() == \
            (tmp_path / "dask" / row["slug"] / "poster/phone.png").read_bytes()
    assert len({r["worker_pid"] for r in remote["rows"]}) >= 1


@pytest.mark.slow
def test_a_killed_batch_leaves_only_whole_packs(tmp_path: Path) -> None:
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(LIGHT, "utf-8")
    table = write_table(tmp_path / "districts.csv", twenty_rows())
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "xfpush", "batch", str(recipe),
                                "--districts", str(table), "-o", str(out), "--year", "2027"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len([p for p in out.glob("*") if p.is_dir()
                                               and not p.name.startswith(".")]) < 3:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for pack in (p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        assert verify_pack(pack) == [], pack
    summary = run_batch(recipe, table, out, year=2027, jobs=1)
    assert summary["ok"] == 19 and not list(out.glob(".*.tmp-*"))


def test_unknown_variable_and_bad_cells_name_row_and_column(tmp_path: Path) -> None:
    recipe_path = tmp_path / "recipe.yaml"
    recipe_path.write_text(LIGHT.replace("平安{district}", "平安{street}"), "utf-8")
    recipe = load_recipe(recipe_path)
    row = {"district": "东城街道", "qr_url": "https://example.gov.cn/a"}
    with pytest.raises(InputError, match=r"第 3 行.*\{street\}"):
        row_message(recipe, row, 3, 2027, "dong-cheng")
    with pytest.raises(InputError, match="第 4 行，列 hotline_fire"):
        row_message(load_recipe(RECIPES[0]), {**row, "hotline_fire": "一一九"}, 4, 2027, "x")
    with pytest.raises(InputError, match="第 5 行，列 district"):
        row_message(load_recipe(RECIPES[0]), {**row, "district": " "}, 5, 2027, "x")


def test_xlsx_districts_are_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["district", "issuer", "qr_url", "station"])
    sheet.append(["南湖镇", "南湖镇人民政府", "https://example.gov.cn/xf/nanhu", "南湖专职队"])
    book.save(tmp_path / "d.xlsx")
    rows = read_table(tmp_path / "d.xlsx")
    assert rows == [{"district": "南湖镇", "issuer": "南湖镇人民政府",
                     "qr_url": "https://example.gov.cn/xf/nanhu", "station": "南湖专职队"}]

"""Batches, the campaign calendar, recipes as a starting point, and the monthly report.

A batch runs ``xfpush batch`` in its own process (renderers never share the server's threads,
a crash never takes the workbench down) and the page follows the ``batch.json`` the library
rewrites after every row. The uploaded districts table (CSV — UTF-8 or GBK from WPS/Excel —
or XLSX, ≤ 5 MB) is stored under a name the workbench chooses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..campaigns.calendar import year_calendar
from ..campaigns.districts import Recipe, load_recipe, read_table, row_message, slug
from ..errors import InputError, XfpushError
from ..partners.report import COLUMNS, rows, xlsx_bytes
from ..resources import data_root
from .core import Job, Workbench, bench, read_form, require
from .review import zip_folder

MAX_TABLE = 5 * 1024 * 1024
TABLE_TYPES = (".csv", ".xlsx", ".xlsm")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])\Z")
_BATCH = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}\Z")


def recipes() -> dict[str, Recipe]:
    """The bundled recipes by file name."""
    return {path.name: load_recipe(path) for path in sorted((data_root() / "recipes").glob("*.yaml"))}


def _recipe(name: str) -> Recipe:
    found = recipes().get(name)
    if found is None:
        raise InputError(f"没有名为 {name} 的配方")
    return found


def recipe_message(name: str, year: int | None = None) -> dict[str, Any]:
    """A message to start from: the recipe filled with the example table's first district."""
    recipe = _recipe(name)
    row = read_table(data_root() / "recipes" / "districts.example.csv")[0]
    return row_message(recipe, row, 2, year or dt.date.today().year, slug(row["district"]))


async def calendar_page(request: Request) -> Response:
    wb = bench(request)
    try:
        year = int(request.query_params.get("year") or dt.date.today().year)
        entries = year_calendar(year, {n: (r.occasion, r.lead_days) for n, r in recipes().items()})
    except (ValueError, XfpushError) as exc:
        raise HTTPException(422, f"年份有误：{exc}") from None
    return wb.page(request, "calendar.html", year=year, entries=entries, today=dt.date.today(),
                   names={n: r.name for n, r in recipes().items()})


async def batch_page(request: Request) -> Response:
    require(request, "batch")
    wb = bench(request)
    return wb.page(request, "batch.html", recipes=recipes(), batches=_batches(wb),
                   chosen=request.query_params.get("recipe", ""), year=dt.date.today().year)


def _batches(wb: Workbench) -> list[dict[str, Any]]:
    found = []
    for folder in sorted((wb.data / "batches").glob("*"), reverse=True):
        summary = folder / "out" / "batch.json"
        if _BATCH.match(folder.name) and summary.is_file():
            data = json.loads(summary.read_text("utf-8"))
            found.append({"id": folder.name, "ok": data["ok"], "errors": data["errors"],
                          "recipe": Path(data["recipe"]).name, "year": data["year"]})
    return found[:20]


async def batch_start(request: Request) -> Response:
    who = require(request, "batch")
    wb = bench(request)
    form = await read_form(request, max_bytes=MAX_TABLE)
    recipe, table = str(form.get("recipe", "")), form.get("table")
    if recipe not in recipes():
        raise HTTPException(422, "请选择一个配方")
    if not isinstance(table, UploadFile) or not table.filename:
        raise HTTPException(422, "请选择区县表（CSV 或 XLSX）")
    suffix = Path(table.filename).suffix.lower()
    if suffix not in TABLE_TYPES:
        raise HTTPException(422, f"区县表应是 CSV 或 XLSX 文件，实际是“{suffix or '无扩展名'}”")
    raw = await table.read(MAX_TABLE + 1)
    if len(raw) > MAX_TABLE:
        raise HTTPException(413, f"区县表过大：上限 {MAX_TABLE // 1024 // 1024} MB")
    ident = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.urandom(3).hex()}"
    folder = wb.folder("batches", ident)
    path = folder / f"districts{suffix}"
    path.write_bytes(raw)
    try:
        districts = [row.get("district", "") for row in read_table(path)]
        year = int(str(form.get("year") or dt.date.today().year))
    except (InputError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    jobs = "2" if str(form.get("jobs")) == "2" else "1"
    job = Job("batch", who.name, {f"第 {n} 行 {d}": "等待" for n, d in enumerate(districts, 2)})
    job_id = wb.add_job(job)
    command = [sys.executable, "-m", "xfpush", "batch", str(data_root() / "recipes" / recipe),
               "--districts", str(path), "-o", str(folder / "out"), "-j", jobs, "--year",
               str(year)]
    threading.Thread(target=run_batch_process, args=(wb, job, command, folder, ident),
                     daemon=True, name=f"batch-{ident}").start()
    wb.store.audit(who.name, "批量生成", f"{recipe} × {len(districts)} 行（{ident}）")
    return wb.page(request, "_job.html", job=job, job_id=job_id)


def _follow(job: Job, summary: Path) -> None:
    try:
        data = json.loads(summary.read_text("utf-8"))
    except (OSError, ValueError):
        return
    for row in data.get("rows", []):
        state = {"ok": "完成", "skipped": "完成（未变，沿用上次）"}.get(row["status"], "")
        job.steps[f"第 {row['row']} 行 {row['district']}"] = state or f"失败：{row['error']}"


def run_batch_process(wb: Workbench, job: Job, command: list[str], folder: Path,
                      ident: str) -> None:
    summary = folder / "out" / "batch.json"
    try:
        with open(folder / "batch.log", "w", encoding="utf-8") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            while process.poll() is None:
                _follow(job, summary)
                time.sleep(0.4)
        _follow(job, summary)
        if not summary.is_file():
            tail = (folder / "batch.log").read_text("utf-8", errors="replace").strip()
            job.error = "批量生成没有完成：" + (tail.splitlines()[-1] if tail else "未知原因")
        else:
            job.result = {"link": f"/batches/{ident}/download", "link_text": "下载全部物料包"}
    except OSError as exc:
        job.error = f"无法启动批量生成：{exc}"
    finally:
        job.done = True


async def batch_download(request: Request) -> Response:
    require(request, "batch")
    wb = bench(request)
    ident = request.path_params["batch"]
    out = wb.data / "batches" / ident / "out"
    if not _BATCH.match(ident) or not out.is_dir():
        raise HTTPException(404, "没有这个批次")
    handle, name = tempfile.mkstemp(suffix=".zip", dir=wb.folder("tmp"))
    os.close(handle)
    zip_folder(out, f"batch-{ident}", Path(name))
    return FileResponse(name, media_type="application/zip", filename=f"batch-{ident}.zip",
                        background=BackgroundTask(Path(name).unlink, missing_ok=True))


def _month(request: Request) -> str:
    month = request.query_params.get("month") or dt.date.today().strftime("%Y-%m")
    if not _MONTH.match(month):
        raise HTTPException(422, f"月份格式应为 YYYY-MM，实际是“{month}”")
    return month


async def report_page(request: Request) -> Response:
    require(request, "report")
    wb = bench(request)
    month = _month(request)
    data = rows(str(wb.ledger), month) if wb.ledger.is_file() else []
    return wb.page(request, "report.html", month=month, rows=data, columns=COLUMNS)


async def report_xlsx(request: Request) -> Response:
    require(request, "report")
    wb = bench(request)
    month = _month(request)
    data = rows(str(wb.ledger), month) if wb.ledger.is_file() else []
    return Response(xlsx_bytes(data, month),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="report-{month}.xlsx"'})


ROUTES = [
    Route("/calendar", calendar_page),
    Route("/batch", batch_page),
    Route("/batch", batch_start, methods=["POST"], max_body_size=MAX_TABLE + 64 * 1024),
    Route("/batches/{batch}/download", batch_download),
    Route("/report", report_page),
    Route("/report.xlsx", report_xlsx),
]

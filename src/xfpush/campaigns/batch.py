"""Batch production: one recipe × a districts table → one pack per row, in parallel, resumable.

Rows run on a local process pool (``jobs``) or on a Dask cluster (``scheduler``); workers load
fonts and templates once. Each pack is written atomically, so a killed run leaves whole packs
or none; ``batch.json`` records each row's status and input hash, and a re-run skips rows whose
pack is intact and whose inputs are unchanged.

Ctrl-C starts no new row, lets the running ones finish (a second Ctrl-C discards them), records
the rest as ``interrupted`` and raises KeyboardInterrupt; workers die with their parent (see
``pool``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import InputError, PackLocationError, XfpushError, os_reason
from ..model.loader import message_from_dict
from ..pack.build import build_pack, remove_stale_staging
from ..pack.manifest import verify_pack
from .districts import load_recipe, read_table, row_message, slug
from .pool import StoppablePool

BATCH_FILE = "batch.json"
DRAIN_SECONDS = 60.0
"""After Ctrl-C, how long rows already running may take to finish before they are discarded."""
_COLUMN_OF_FIELD = {"qr.url": "qr_url", "issuer": "issuer", "sms_signature": "sms_signature"}


@dataclass(frozen=True)
class RowJob:
    """Everything a worker needs for one row (picklable)."""

    row: int
    district: str
    slug: str
    message: dict[str, Any]
    base_dir: str
    source: str
    out_dir: str
    channels: str
    input_sha256: str


@dataclass(frozen=True)
class RowResult:
    row: int
    district: str
    slug: str
    status: str
    """ok | error | skipped | interrupted"""
    pack: str | None
    error: str | None
    input_sha256: str
    seconds: float = 0.0
    worker_pid: int = 0
    worker_peak_rss_mb: float = 0.0


def warm_up() -> None:
    """Load fonts and layout templates once per worker process."""
    from ..render.templates import load_template
    from ..resources import asset_path
    from ..typeset.fonts import bundled_fonts

    bundled_fonts()
    for template in asset_path("layouts").glob("*.toml"):
        load_template(template.stem)


def run_row(job: RowJob) -> RowResult:
    """Build one district's pack; any input or check failure is that row's error alone."""
    start = time.perf_counter()
    try:
        message = message_from_dict(job.message, base_dir=Path(job.base_dir), source=job.source)
        # one thread per row: rows already run in parallel (-j, Dask), cores are taken
        build_pack(message, job.out_dir, job.channels or None, workers=1, strict=True)
        status, error, pack = "ok", None, job.slug
    except XfpushError as exc:
        status, error, pack = "error", _with_column(str(exc)), None
    return RowResult(job.row, job.district, job.slug, status, pack, error, job.input_sha256,
                     round(time.perf_counter() - start, 3), os.getpid(), peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB; 0.0 where the OS does not say (Windows)."""
    try:
        import resource  # Unix only: imported here so the CLI starts on Windows
    except ImportError:
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)  # macOS: bytes


def _with_column(error: str) -> str:
    for field, column in _COLUMN_OF_FIELD.items():
        if f"字段 {field}：" in error:
            return f"{error}（区县表列 {column}）"
    return error


@dataclass
class Plan:
    jobs: list[RowJob]
    results: list[RowResult]
    """Rows settled before running: errors found while reading, and skips."""


def plan_batch(recipe_path: str | Path, districts_path: str | Path, out_dir: str | Path,
               year: int) -> Plan:
    recipe = load_recipe(recipe_path)
    rows = read_table(districts_path)
    out = Path(out_dir).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "是一个文件，不是文件夹" if out.is_file() else os_reason(exc)
        raise PackLocationError(f"输出文件夹 {out} 无法创建：{reason}。请用 -o 换一个文件夹") from exc
    previous = _previous(out)
    jobs: list[RowJob] = []
    results: list[RowResult] = []
    used: set[str] = set()
    for index, row in enumerate(rows, start=2):
        district = row.get("district", "").strip()
        name = _unique(slug(district), used)
        target = (out / name).resolve()
        if target.parent != out:
            raise InputError(f"第 {index} 行：文件夹名 {name} 越出输出目录")
        try:
            data = row_message(recipe, row, index, year, name)
        except InputError as exc:
            results.append(RowResult(index, district, name, "error", None, str(exc), ""))
            continue
        digest = hashlib.sha256(json.dumps([__version__, recipe.text, data, recipe.channels],
                                           ensure_ascii=False, sort_keys=True,
                                           default=str).encode()).hexdigest()
        earlier = previous.get(name)
        if (earlier and earlier.get("status") in ("ok", "skipped") and
                earlier.get("input_sha256") == digest and (target / "manifest.json").is_file()
                and not verify_pack(target)):
            results.append(RowResult(index, district, name, "skipped", name, None, digest))
            continue
        jobs.append(RowJob(index, district, name, data, str(recipe.path.parent),
                           f"{districts_path} 第 {index} 行", str(target), recipe.channels,
                           digest))
    return Plan(jobs, results)


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name}-{number}", number + 1
    used.add(candidate)
    return candidate


def _previous(out: Path) -> dict[str, dict[str, Any]]:
    path = out / BATCH_FILE
    if not path.is_file():
        return {}
    try:
        return {row["slug"]: row for row in json.loads(path.read_text("utf-8"))["rows"]}
    except (ValueError, KeyError):
        return {}


def local_results(jobs: list[RowJob], workers: int) -> Iterator[RowResult]:
    """Rows run in this process, one after another (``workers`` ≤ 1)."""
    warm_up()
    for job in jobs:
        yield run_row(job)


def _lost(job: RowJob, exc: BaseException) -> RowResult:
    return RowResult(job.row, job.district, job.slug, "error", None,
                     f"生成该区县物料包的进程意外退出（{type(exc).__name__}），请重新运行", job.input_sha256)


def dask_results(jobs: list[RowJob], address: str) -> Iterator[RowResult]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise InputError("使用 --scheduler 需要可选组件：pip install \"xfpush[dask]\"") from exc
    try:
        client = Client(address)  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        raise InputError(f"无法连接 Dask 调度器 {address}：{exc}。请检查 --scheduler 的地址和端口，"
                         "以及调度器是否已启动") from exc
    with client:
        client.run(warm_up)
        futures = client.map(run_row, jobs, pure=False)
        for future in dask_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()


def run_batch(recipe_path: str | Path, districts_path: str | Path, out_dir: str | Path, *,
              year: int | None = None, jobs: int = 1, scheduler: str | None = None,
              progress: Callable[[RowResult, int, int], None] | None = None) -> dict[str, Any]:
    """Run (or resume) a batch; returns the batch.json content."""
    out = Path(out_dir).resolve()
    chosen_year = year or dt.date.today().year
    if not 1901 <= chosen_year <= 2099:  # the lunar calendar's range (see calendar.py)
        raise InputError(f"年份 {chosen_year} 超出范围：农历换算支持 1901–2099 年，请改 --year")
    if jobs < 1:
        raise InputError(f"并行进程数 -j 应为 1 或更大，实际是 {jobs}")
    plan = plan_batch(recipe_path, districts_path, out, chosen_year)
    remove_stale_staging(out)  # left by a killed run; a running pack keeps its own
    results = list(plan.results)
    total = len(plan.jobs) + len(results)
    for result in results:
        if progress:
            progress(result, len(results), total)
    pool = (None if scheduler or jobs <= 1 else
            StoppablePool(run_row, plan.jobs, jobs, warm_up, _lost))
    source: Iterable[RowResult] = (dask_results(plan.jobs, scheduler) if scheduler
                                   else pool.results() if pool else local_results(plan.jobs, 1))

    def record(result: RowResult) -> None:
        results.append(result)
        _write(out, recipe_path, districts_path, chosen_year, results)
        if progress:
            progress(result, len(results), total)

    try:
        for result in source:
            record(result)
    except KeyboardInterrupt:
        _interrupted(pool, plan.jobs, results, record)
        _write(out, recipe_path, districts_path, chosen_year, results)
        raise
    finally:
        if pool:
            pool.close(kill=True)
    return _write(out, recipe_path, districts_path, chosen_year, results)


def _interrupted(pool: StoppablePool[RowJob, RowResult] | None, jobs: list[RowJob],
                 results: list[RowResult], record: Callable[[RowResult], None]) -> None:
    """Ctrl-C: start no new row, let running rows finish (up to ``DRAIN_SECONDS``; a second
    Ctrl-C discards them), and record every row left as ``interrupted``."""
    if pool:
        pool.stop()
        try:
            for result in pool.results(timeout=DRAIN_SECONDS):
                record(result)
        except KeyboardInterrupt:
            pass
        pool.close(kill=True)
    settled = {result.row for result in results}
    for job in jobs:
        if job.row not in settled:
            results.append(RowResult(job.row, job.district, job.slug, "interrupted", None,
                                     "已中断，未生成；重新运行同一命令会继续", job.input_sha256))


def _write(out: Path, recipe: str | Path, districts: str | Path, year: int,
           results: list[RowResult]) -> dict[str, Any]:
    ordered = sorted(results, key=lambda r: r.row)
    summary = {"recipe": str(recipe), "districts": str(districts), "year": year,
               "ok": sum(r.status in ("ok", "skipped") for r in ordered),
               "errors": sum(r.status == "error" for r in ordered),
               "interrupted": sum(r.status == "interrupted" for r in ordered),
               "rows": [asdict(r) for r in ordered]}
    temporary = out / f".{BATCH_FILE}.tmp"
    temporary.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.replace(temporary, out / BATCH_FILE)
    return summary

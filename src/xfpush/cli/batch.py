"""CLI commands for campaigns: ``calendar`` and ``batch``."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import XfpushError
from ..resources import data_root
from .app import INTERRUPTED, emit_json, fail, main

if TYPE_CHECKING:
    from ..campaigns.batch import RowResult


def bundled_recipes() -> dict[str, tuple[str, int]]:
    from ..campaigns.districts import load_recipe
    recipes = {}
    for path in sorted((data_root() / "recipes").glob("*.yaml")):
        recipe = load_recipe(path)
        recipes[path.name] = (recipe.occasion, recipe.lead_days)
    return recipes


@main.command("calendar")
@click.argument("year", type=int, required=False)
@click.option("--json", "as_json", is_flag=True)
def calendar_command(year: int | None, as_json: bool) -> None:
    """某年的宣传日历：节日日期（农历节日、节气已换算）和应开始制作的配方。"""
    from ..campaigns.calendar import year_calendar

    chosen = year or dt.date.today().year
    try:
        entries = year_calendar(chosen, bundled_recipes())
    except (XfpushError, ValueError) as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    if as_json:
        emit_json({"year": chosen, "occasions": [
            {"key": e.key, "name": e.name, "date": e.date.isoformat(), "rule": e.rule,
             "recipes": [{"recipe": name, "produce_by": due.isoformat()} for name, due in e.recipes]}
            for e in entries]})
        return
    for entry in entries:
        due = "；".join(f"{name} 请于 {day:%m-%d} 前开始制作" for name, day in entry.recipes)
        click.echo(f"{entry.date:%Y-%m-%d}  {entry.name}（{entry.rule}）" + (f"  {due}" if due else ""))


class Progress:
    """A bar with ETA on a terminal; one tab-separated line per row otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.start = time.monotonic()

    def __call__(self, result: RowResult, done: int, total: int) -> None:
        if not self.tty:
            click.echo(f"{result.status}\t{result.row}\t{result.slug}\t{result.seconds:.2f}s"
                       + (f"\t{result.error}" if result.error else ""))
            return
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (total - done) if done else 0
        filled = round(30 * done / max(total, 1))
        click.echo(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} "
                   f"剩余约 {eta:4.0f} 秒", nl=False, err=True)
        if done == total:
            click.echo("", err=True)


@main.command("batch")
@click.argument("recipe", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--districts", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="区县表 CSV/XLSX（默认：配方旁的 districts.example.csv）")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("-j", "--jobs", type=int, default=1, show_default=True, help="本机并行进程数")
@click.option("--year", type=int, default=None, help="活动年份（默认今年）")
@click.option("--scheduler", default=None, help="Dask 调度器地址，如 tcp://10.0.0.5:8786")
def batch_command(recipe: Path, districts: Path | None, output: Path, jobs: int,
                  year: int | None, scheduler: str | None) -> None:
    """按区县表批量生成：每行一个物料包，可中断续跑。"""
    from ..campaigns.batch import run_batch

    table = districts or recipe.parent / "districts.example.csv"
    try:
        summary = run_batch(recipe, table, output, year=year, jobs=jobs, scheduler=scheduler,
                            progress=Progress())
    except XfpushError as exc:
        fail(exc)
    except KeyboardInterrupt:
        click.echo("", err=True)
        click.echo(f"已中断：{interrupted_summary(output)}重新运行同一命令会从中断处继续", err=True)
        sys.exit(INTERRUPTED)
    click.echo(f"完成：{summary['ok']} 个成功，{summary['errors']} 个失败；详见 {output / 'batch.json'}",
               err=True)
    sys.exit(1 if summary["errors"] else 0)


def interrupted_summary(output: Path) -> str:
    """``N 个已完成，M 个未生成；`` from the batch.json an interrupted run wrote ('' if none)."""
    import json

    try:
        summary = json.loads((output / "batch.json").read_text("utf-8"))
        return (f"{summary['ok']} 个已完成，{summary['errors']} 个失败，"
                f"{summary['interrupted']} 个未生成（详见 {output / 'batch.json'}）；")
    except (OSError, ValueError, KeyError, TypeError):
        return ""

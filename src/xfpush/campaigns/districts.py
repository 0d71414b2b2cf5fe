"""Districts tables (CSV or XLSX) and recipes: one message per row, errors naming row and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import string
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pypinyin import Style, lazy_pinyin

from ..errors import InputError
from .calendar import OCCASIONS

KNOWN_COLUMNS = ("district", "issuer", "qr_url", "sms_signature", "hotline_fire", "hotline_report")
MAX_ROWS = 5000
_RECIPE_KEYS = {"occasion", "name", "lead_days", "days_after", "channels", "adapters", "message",
                "message_file", "defaults"}
_NUMBER = re.compile(r"^[0-9][0-9-]{1,19}$")


@dataclass(frozen=True)
class Recipe:
    """A holiday reminder set: when, what message template, which channels and partners."""

    path: Path
    occasion: str
    name: str
    lead_days: int
    days_after: int
    channels: str
    adapters: tuple[str, ...]
    template: Mapping[str, Any]
    defaults: Mapping[str, str]
    text: str
    """The recipe file's text (part of every row's input hash)."""

    def window(self, year: int) -> tuple[dt.date, dt.date, dt.date]:
        """(production start, occasion date, campaign end)."""
        day = OCCASIONS[self.occasion].date_of(year)
        return day - dt.timedelta(days=self.lead_days), day, day + dt.timedelta(days=self.days_after)


def load_recipe(path: str | Path) -> Recipe:
    path = Path(path)
    try:
        text = path.read_text("utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"配方 {path} 无法读取：{exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"配方 {path} 应是 YAML 映射")
    unknown = set(data) - _RECIPE_KEYS
    if unknown:
        raise InputError(f"配方 {path}：不认识的键 {sorted(unknown)[0]}")
    if data.get("occasion") not in OCCASIONS:
        raise InputError(f"配方 {path}：occasion 应为 {'、'.join(OCCASIONS)} 之一")
    template = data.get("message")
    if template is None and data.get("message_file"):
        template_path = path.parent / str(data["message_file"])
        template = yaml.safe_load(template_path.read_text("utf-8"))
        text += template_path.read_text("utf-8")
    if not isinstance(template, dict):
        raise InputError(f"配方 {path}：缺少 message（内联）或 message_file（路径）")
    return Recipe(path, str(data["occasion"]), str(data.get("name", data["occasion"])),
                  int(data.get("lead_days", 10)), int(data.get("days_after", 7)),
                  str(data.get("channels", "")), tuple(data.get("adapters", [])), template,
                  {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}, text)


def read_table(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX districts table."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"区县表 {path} 无法读取（需 UTF-8 编码的 CSV 或 .xlsx）：{exc}") from exc
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise InputError(f"区县表 {path} 是空的")
    header = rows[0]
    if "district" not in header:
        raise InputError(f"区县表 {path} 第 1 行（表头）缺少 district 列")
    if len(rows) - 1 > MAX_ROWS:
        raise InputError(f"区县表 {path} 有 {len(rows) - 1} 行，上限 {MAX_ROWS}")
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
            for row in rows[1:]]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise InputError(f"区县表 {path} 不是可读的 xlsx：{exc}") from exc
    sheet = book.worksheets[0]
    return [["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)]


def _whole(chunk: str) -> Any:
    return [chunk]


def slug(name: str) -> str:
    """A safe ASCII folder name from a district name (pinyin), never a path."""
    pieces = lazy_pinyin(name, style=Style.NORMAL, errors=_whole)
    text = "-".join(p for p in pieces if p)
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:60] or "district"


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def _fill(value: Any, variables: Mapping[str, str], where: str, row: int) -> Any:
    if isinstance(value, str):
        try:
            return string.Formatter().vformat(value, (), _Strict(variables))
        except KeyError as exc:
            raise InputError(f"第 {row} 行：模板 {where} 用到未知变量 {{{exc.args[0]}}}"
                             f"（可用：{'、'.join(sorted(variables))}）") from exc
        except (ValueError, IndexError) as exc:
            raise InputError(f"模板 {where} 的花括号写法有误：{exc}") from exc
    if isinstance(value, dict):
        return {k: _fill(v, variables, f"{where}.{k}", row) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, variables, f"{where}[{i}]", row) for i, v in enumerate(value)]
    return value


def row_message(recipe: Recipe, row: Mapping[str, str], number: int, year: int,
                district_slug: str) -> dict[str, Any]:
    """The message data for one table row (``number`` counts the header as row 1)."""
    cells = {k: v for k, v in row.items() if k}
    for column in ("district",):
        if not cells.get(column, "").strip():
            raise InputError(f"第 {number} 行，列 {column}：不能为空")
    for column in ("hotline_fire", "hotline_report"):
        value = cells.get(column, "").strip()
        if value and not _NUMBER.match(value):
            raise InputError(f"第 {number} 行，列 {column}：号码只能是数字，实际是“{value}”")
    start, day, end = recipe.window(year)
    variables = {**recipe.defaults, **{k: v for k, v in cells.items() if v != ""},
                 "year": str(year), "date": day.isoformat(), "start": start.isoformat(),
                 "end": end.isoformat(), "district_slug": district_slug}
    variables.setdefault("issuer", f"{cells['district']}消防安全委员会")
    if "qr_url" not in variables:
        raise InputError(f"第 {number} 行，列 qr_url：为空，且配方没有 defaults.qr_url")
    message: dict[str, Any] = _fill(dict(recipe.template), variables, "message", number)
    hotlines = {"火警": cells.get("hotline_fire") or "119",
                "隐患举报": cells.get("hotline_report") or "96119"}
    message.setdefault("hotlines", hotlines)
    if cells.get("sms_signature"):
        message.setdefault("sms_signature", cells["sms_signature"])
    return message


def python_version_tag() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"

"""Districts tables (CSV or XLSX) and recipes: one message per row, errors naming row and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import string
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypinyin import Style, lazy_pinyin

from ..errors import InputError
from ..model.loader import parse_text
from ..model.reading import FileRefused, read_bounded
from .calendar import OCCASIONS
from .xlsx import xlsx_rows

KNOWN_COLUMNS = ("district", "issuer", "qr_url", "sms_signature", "hotline_fire", "hotline_report")
MAX_ROWS = 5000
MAX_TABLE_BYTES = 16 * 1024 * 1024
MAX_RECIPE_BYTES = 256 * 1024
_RECIPE_KEYS = {"occasion", "name", "lead_days", "days_after", "channels", "adapters", "message",
                "message_file", "defaults"}
_NUMBER = re.compile(r"^[0-9][0-9-]{1,19}\Z")
_log = logging.getLogger(__name__)


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
    text = _read(path, f"配方 {path}")
    data, _ = parse_text(text, ".yaml", str(path))
    unknown = sorted(str(key) for key in data if key not in _RECIPE_KEYS)
    if unknown:
        raise InputError(f"配方 {path}：不认识的键 {unknown[0]}（可用：{'、'.join(sorted(_RECIPE_KEYS))}）")
    occasion = data.get("occasion")
    if not isinstance(occasion, str) or occasion not in OCCASIONS:
        raise InputError(f"配方 {path}：occasion 应为 {'、'.join(OCCASIONS)} 之一，实际是 {occasion!r}")
    template = data.get("message")
    if template is None and data.get("message_file"):
        template_path = path.parent / str(data["message_file"])
        template_text = _read(template_path, f"配方 {path} 的 message_file")
        template, _ = parse_text(template_text, ".yaml", str(template_path))
        text += template_text
    if not isinstance(template, dict):
        raise InputError(f"配方 {path}：缺少 message（内联）或 message_file（路径）")
    return Recipe(path, occasion, str(data.get("name", occasion)),
                  _days(data, "lead_days", 10, path), _days(data, "days_after", 7, path),
                  _channels(data.get("channels", ""), path), _names(data.get("adapters"), path),
                  template, _defaults(data.get("defaults"), path), text)


def _read(path: Path, what: str) -> str:
    try:
        return read_bounded(path, MAX_RECIPE_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path} 不是 UTF-8 编码，请另存为 UTF-8") from exc
    except FileRefused as exc:
        raise InputError(f"{what} {path} 无法读取：{exc}") from None


def _days(data: Mapping[str, Any], key: str, default: int, path: Path) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 366:
        raise InputError(f"配方 {path}：{key} 应是 0–366 的整数天数，实际是 {value!r}")
    return value


def _channels(value: Any, path: Path) -> str:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    if not isinstance(value, str):
        raise InputError(f"配方 {path}：channels 应是渠道列表，例如 [poster, sms]，实际是 {value!r}")
    return value


def _names(value: Any, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f"配方 {path}：adapters 应是适配器 id 列表，例如 [courier]，实际是 {value!r}")
    return tuple(value)


def _defaults(value: Any, path: Path) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"配方 {path}：defaults 应是“列名: 值”的映射，实际是 {value!r}")
    return {str(k): str(v) for k, v in value.items()}


def read_table(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX districts table (the header row is row 1).

    A CSV may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel and WPS save it on
    Chinese Windows; the encoding is detected, and a GB18030 read is logged (a warning on
    stderr) and named in errors. An XLSX formula cell without a saved result is an error
    naming the cell, and a table with only a header is an error too.
    """
    path = Path(path)
    where = f"区县表 {path}"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = xlsx_rows(path, MAX_TABLE_BYTES, MAX_ROWS)
    else:
        text, encoding = _decode(path)
        if encoding != "UTF-8":
            where += f"（按 {encoding} 编码读取）"
            _log.warning("区县表 %s 不是 UTF-8 编码，已按 %s 读取；请核对区县名称是否正确", path,
                         encoding)
        rows = _csv_rows(text, where)
    rows = [row for row in rows if any(row)]
    if not rows:
        raise InputError(f"{where} 是空的")
    header = rows[0]
    if "district" not in header:
        raise InputError(f"{where} 第 1 行（表头）缺少 district 列")
    if len(rows) == 1:
        raise InputError(f"{where} 只有表头，没有任何区县行")
    if len(rows) - 1 > MAX_ROWS:
        raise InputError(f"{where} 有 {len(rows) - 1} 行，上限 {MAX_ROWS}")
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
            for row in rows[1:]]


def _csv_rows(text: str, where: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:  # a cell over the csv module's 128 KB, or a quote never closed
        limit = re.search(r"field larger than field limit \((\d+)\)", str(exc))
        reason = (f"有一格超过 {int(limit.group(1)) // 1024} KB 的上限" if limit
                  else f"格式错误（{exc}）")
        raise InputError(f"{where} 第 {reader.line_num} 行{reason}；常见原因：引号没有闭合"
                         "，或把别的文件内容粘进了一格") from None


def _decode(path: Path) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read with: UTF-8, else GB18030."""
    try:
        data = read_bounded(path, MAX_TABLE_BYTES)
    except FileRefused as exc:
        raise InputError(f"区县表 {path} 无法读取：{exc}") from None
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode("utf-8-sig", "replace")
        line = before.count("\n") + 1
        if not before.isascii():  # real UTF-8 text before the bad byte: a damaged UTF-8 file
            raise InputError(f"区县表 {path} 第 {line} 行有不是 UTF-8 的字节"
                             f"（第 {exc.start + 1} 字节）；请重新另存为 UTF-8 CSV") from None
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"区县表 {path} 既不是 UTF-8 也不是 GBK/GB18030 编码（第 {line} 行，"
                         f"第 {exc.start + 1} 字节）；请另存为 UTF-8 CSV 或 .xlsx") from None


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

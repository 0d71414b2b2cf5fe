"""Reading the rows of an XLSX districts table with every size bounded.

An XLSX is a zip of XML: a 1 KB file can declare a sheet of 1 048 576 × 16 384 cells (openpyxl
then fills every gap with empty cells) and an 800 KB file can unpack to 800 MB of shared
strings. So the unpacked size is checked from the zip's directory before openpyxl sees the
file, and rows and columns are read only up to limits a districts table never reaches.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import InputError
from ..model.reading import FileRefused, check_regular

MAX_UNPACKED_BYTES = 64 * 1024 * 1024
"""Largest total of the unpacked parts of an XLSX (a 5000-row table unpacks to about 2 MB)."""
MAX_COLUMNS = 64
MAX_SHEET_ROWS = 20_000
"""Rows read at most, blank ones included (the table may hold at most 5000 filled rows)."""


def xlsx_rows(path: Path, max_bytes: int, max_filled: int) -> list[list[str]]:
    """The rows of the first sheet as text; a formula cell without a saved result is an error."""
    from openpyxl import load_workbook

    where = f"区县表 {path}"
    _check_container(path, max_bytes, where)
    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise InputError(f"{where} 不是可读的 xlsx：{type(exc).__name__} {exc}".rstrip()) from exc
    try:
        return _read_rows(values.worksheets[0], formulas.worksheets[0], where, max_filled)
    finally:
        values.close()
        formulas.close()


def _check_container(path: Path, max_bytes: int, where: str) -> None:
    try:
        check_regular(path, max_bytes)
    except FileRefused as exc:
        raise InputError(f"{where} 无法读取：{exc}") from None
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{where} 不是可读的 xlsx（不是完整的 zip 文件：{exc}）；"
                         "请在 Excel 或 WPS 中另存为 .xlsx") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"{where} 解压后有 {unpacked / (1 << 20):.0f} MB，上限 "
                         f"{MAX_UNPACKED_BYTES >> 20} MB；区县表不需要这么大，请只保留区县数据后另存")


def _read_rows(values: object, formulas: object, where: str,
               max_filled: int) -> list[list[str]]:
    from openpyxl.utils import get_column_letter

    rows: list[list[str]] = []
    filled = 0
    bounds = {"values_only": True, "max_col": MAX_COLUMNS + 1}
    pairs = zip(values.iter_rows(**bounds), formulas.iter_rows(**bounds),  # type: ignore[attr-defined]
                strict=False)
    for number, (cells, written) in enumerate(pairs, start=1):
        if number > MAX_SHEET_ROWS:
            raise InputError(f"{where} 的工作表超过 {MAX_SHEET_ROWS} 行（含空行），上限 "
                             f"{MAX_SHEET_ROWS} 行；请删去表格下方多余的行后另存")
        for column, (value, source) in enumerate(zip(cells, written, strict=False), start=1):
            if value is None and source is not None:
                raise InputError(
                    f"{where} 单元格 {get_column_letter(column)}{number} 是公式"
                    f"“{str(source)[:40]}”，但文件里没有保存它的计算结果；请在 Excel 或 WPS "
                    "中打开并保存一次，或把公式粘贴为数值")
        row = ["" if cell is None else str(cell).strip() for cell in cells]
        if len(row) > MAX_COLUMNS and any(row[MAX_COLUMNS:]):
            raise InputError(f"{where} 第 {number} 行第 {MAX_COLUMNS + 1} 列有内容，上限 "
                             f"{MAX_COLUMNS} 列；请删去多余的列后另存")
        row = row[:MAX_COLUMNS]
        while row and not row[-1]:  # reading to MAX_COLUMNS + 1 pads every row with blanks
            row.pop()
        rows.append(row)
        filled += any(row)
        if filled > max_filled + 1:
            break  # read_table says the table is too long; no need to read on
    return rows

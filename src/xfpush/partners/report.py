"""``xfpush report``: what was produced and delivered to whom, month by month.

Destinations are shown with credentials redacted (also for ledgers written before they were
redacted on the way in), and every CSV/XLSX cell is neutralised: a partner's receipt id of
``=HYPERLINK(…)`` is text in the spreadsheet, never a formula.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from .ledger import Delivery, Ledger
from .safe import redact_url, safe_cell

COLUMNS = ("创建时间", "物料编号", "适配器", "目标", "包", "状态", "回执号", "审核", "更新时间")
STATE_NAMES = {"pending": "待发送", "sent": "已发出", "acknowledged": "已送达",
               "failed": "失败", "unknown": "状态不明"}


def _row(delivery: Delivery) -> list[str]:
    return [delivery.created, delivery.message_id, delivery.adapter,
            redact_url(delivery.destination),
            delivery.package, STATE_NAMES[delivery.state], delivery.receipt_id or "",
            delivery.approval, delivery.updated]


def rows(ledger_path: str, month: str | None) -> list[list[str]]:
    ledger = Ledger(ledger_path)
    try:
        return [_row(d) for d in ledger.deliveries(month)]
    finally:
        ledger.close()


def markdown(data: list[list[str]], month: str | None) -> str:
    counts = Counter(row[5] for row in data)
    summary = "，".join(f"{state} {counts[state]}" for state in STATE_NAMES.values() if counts[state])
    lines = [f"# 消防宣传物料投递月报（{month or '全部'}）", "",
             f"共 {len(data)} 个包：{summary or '无'}。", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell.replace("|", "／") for cell in row) + " |" for row in data]
    return "\n".join(lines) + "\n"


def csv_text(data: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([safe_cell(cell) for cell in row] for row in data)
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(data: list[list[str]], month: str | None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"投递记录 {month}" if month else "投递记录"
    sheet.append(list(COLUMNS))
    for row in data:
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

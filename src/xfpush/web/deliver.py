"""Deliver: pick partners (adapters), see what each receives, send through the transports, and
watch the ledger (pending, sent, acknowledged, failed, unknown); re-send what is not acknowledged.

Sending is the library's ``deliver`` with the workspace's ledger file, so approvals, leases,
idempotency keys and redaction are exactly the command line's. With accounts on, a ``file://``
destination must lie inside the workspace's ``outbox`` folder: a web form never writes
elsewhere on the server.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import AdapterError, ApprovalError, XfpushError
from ..partners.adapters import Adapter, discover
from ..partners.delivery import deliver
from ..partners.ledger import Delivery, Ledger
from ..partners.packaging import missing_profiles, select_files
from ..partners.report import STATE_NAMES
from ..partners.transports import HttpOptions
from .core import Job, Workbench, bench, read_form, require
from .review import signoff_status
from .store import PackRow

APPROVAL_HINT = "物料包还没有有效的审核签字（或签字后被改动），请先在“生成与审核”页签字"


@dataclass(frozen=True)
class Offer:
    """What one adapter would receive from the current pack."""

    adapter: Adapter
    files: list[str]
    missing: list[str]
    problem: str
    default_to: str


def outbox(wb: Workbench, adapter_id: str) -> str:
    return (wb.data / "outbox" / adapter_id).as_uri()


def offers(wb: Workbench, pack: PackRow) -> list[Offer]:
    manifest = json.loads((Path(pack.folder) / "manifest.json").read_text("utf-8"))
    found = []
    for adapter in discover().values():
        problem, files = "", []
        try:
            files = sorted(select_files(adapter, Path(pack.folder), manifest))
        except (AdapterError, OSError) as exc:
            problem = str(exc)
        found.append(Offer(adapter, files, missing_profiles(adapter, manifest), problem,
                           outbox(wb, adapter.id)))
    return sorted(found, key=lambda offer: (bool(offer.missing), offer.adapter.id))


def ledger_rows(wb: Workbench, ident: str) -> list[tuple[Delivery, int, str]]:
    """(delivery, attempts, last detail) for every delivery of this message."""
    if not wb.ledger.is_file():
        return []
    ledger = Ledger(wb.ledger)
    try:
        rows = []
        for row in ledger.deliveries():
            if row.message_id == ident:
                attempts = ledger.attempts(row.idempotency_key)
                rows.append((row, len(attempts), attempts[-1][2] if attempts else ""))
        return sorted(rows, key=lambda item: item[0].updated, reverse=True)
    finally:
        ledger.close()


def check_destination(wb: Workbench, to: str) -> str:
    """'' when ``to`` may be used from this workbench; otherwise why not."""
    if not to:
        return "请填写目标地址"
    parts = urlsplit(to)
    if parts.scheme == "file" and wb.settings.accounts:
        folder = Path(unquote(parts.path)).resolve()
        if not folder.is_relative_to((wb.data / "outbox").resolve()):
            return f"多人模式下文件夹投递只能放进工作区的 outbox 文件夹内（{wb.data / 'outbox'}）"
    return ""


def run_deliveries(wb: Workbench, job: Job, pack: PackRow, targets: list[tuple[str, str]]) -> None:
    adapters = discover()
    try:
        for adapter_id, to in targets:
            step = step_name(adapters, adapter_id)
            job.steps[step] = "发送中…"
            try:
                result = deliver(pack.folder, adapters[adapter_id], to, ledger_path=wb.ledger,
                                 http=HttpOptions("", 30.0, 3, 1.0))
                job.steps[step] = f"{STATE_NAMES.get(result.state, result.state)}：{result.detail}"
                wb.store.audit(job.owner, "投递", f"{pack.message_id} #{pack.id} → {adapter_id} "
                               f"{result.destination}：{result.state}")
            except ApprovalError:
                job.steps[step] = "失败：" + APPROVAL_HINT
            except XfpushError as exc:
                job.steps[step] = f"失败：{exc}"
                wb.store.audit(job.owner, "投递失败", f"{pack.message_id} → {adapter_id}：{exc}")
    finally:
        job.result = {"link": f"/m/{pack.message_id}/deliver", "link_text": "刷新台账"}
        job.done = True


def step_name(adapters: dict[str, Adapter], adapter_id: str) -> str:
    found = adapters.get(adapter_id)
    return f"{found.name}（{adapter_id}）" if found else adapter_id


def _current_pack(wb: Workbench, ident: str) -> PackRow:
    pack = wb.store.latest_pack(ident)
    if pack is None:
        raise HTTPException(409, "这条消息还没有物料包，请先生成并审核")
    current, _ = signoff_status(wb, ident, pack)
    if not current:
        raise HTTPException(409, "消息已修改，物料包和签字都已过期：请重新生成物料包并审核后再投递")
    return pack


async def deliver_page(request: Request) -> Response:
    who = require(request, "compose")
    wb = bench(request)
    ident = request.path_params["ident"]
    data = wb.store.message(ident)
    if data is None:
        raise HTTPException(404, "没有这条消息")
    pack = wb.store.latest_pack(ident)
    current, statuses = signoff_status(wb, ident, pack)
    approved = [s for s in statuses if s.valid]
    return wb.page(request, "deliver.html", ident=ident, title=data.get("title", ""), pack=pack,
                   current=current, approved=approved, may=who.may("deliver"),
                   offers=offers(wb, pack) if pack and current else [],
                   rows=ledger_rows(wb, ident), states=STATE_NAMES)


def _start(request: Request, wb: Workbench, who: str, pack: PackRow,
           targets: list[tuple[str, str]]) -> Response:
    if not targets:
        raise HTTPException(422, "请至少选择一个合作方")
    for _, to in targets:
        problem = check_destination(wb, to)
        if problem:
            raise HTTPException(422, problem)
    adapters = discover()
    job = Job("deliver", who, {step_name(adapters, a): "等待" for a, _ in targets})
    job_id = wb.add_job(job)
    threading.Thread(target=run_deliveries, args=(wb, job, pack, targets), daemon=True,
                     name=f"deliver-{pack.message_id}").start()
    return wb.page(request, "_job.html", job=job, job_id=job_id)


async def send(request: Request) -> Response:
    who = require(request, "deliver")
    wb = bench(request)
    form = await read_form(request)
    pack = _current_pack(wb, request.path_params["ident"])
    known = discover()
    targets = [(str(a), str(form.get(f"to_{a}", "")).strip()) for a in form.getlist("adapter")
               if str(a) in known]
    return _start(request, wb, who.name, pack, targets)


async def resend(request: Request) -> Response:
    """Send again every delivery of the current pack that is not acknowledged."""
    who = require(request, "deliver")
    wb = bench(request)
    await read_form(request)
    ident = request.path_params["ident"]
    pack = _current_pack(wb, ident)
    targets: list[tuple[str, str]] = []
    for row, _, _ in ledger_rows(wb, ident):
        if row.state != "acknowledged" and "***" not in row.destination:
            pair = (row.adapter, row.destination)
            if pair not in targets:
                targets.append(pair)
    if not targets:
        raise HTTPException(422, "没有需要重新发送的投递（全部已送达，或目标地址含密码需重新填写）")
    return _start(request, wb, who.name, pack, targets)


ROUTES: list[Any] = [
    Route("/m/{ident}/deliver", deliver_page),
    Route("/m/{ident}/deliver", send, methods=["POST"]),
    Route("/m/{ident}/resend", resend, methods=["POST"]),
]

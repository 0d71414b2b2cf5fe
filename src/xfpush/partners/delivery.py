"""Package, approve-check, send and record: the delivery workflow behind ``xfpush deliver``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import ApprovalError, InputError, XfpushError, os_reason
from ..pack.labels import failures_of
from ..pack.manifest import MANIFEST, sha256, verify_pack
from .adapters import Adapter, resolve_settings
from .ledger import Ledger, owner_id
from .packaging import Package, build_package, check_output_folder, refuse_failed_needs
from .safe import redact_url, scrub
from .transports import HttpOptions, Outgoing, Receipt, Transport, transport_for

APPROVALS = "approvals.json"
ROLES = ("初审", "复审", "终审")
LEASE_S = 120.0
"""How long a claim on a delivery lasts unless renewed (it is, every 40 s, while sending)."""
POLL_S = 0.2
MAX_APPROVALS_BYTES = 1 << 20


def idempotency_key(package: Package, adapter: Adapter, destination: str) -> str:
    return hashlib.sha256(f"{package.sha256}|{adapter.id}|{destination}".encode()).hexdigest()


def approve(pack_dir: str | Path, by: str, role: str = "终审") -> dict[str, Any]:
    """Record a sign-off bound to the pack's current manifest hash."""
    if role not in ROLES:
        raise InputError(f"审核角色应为 {'、'.join(ROLES)} 之一，实际是 {role}")
    if not by.strip():
        raise InputError("审核人姓名不能为空（--by）")
    pack = Path(pack_dir)
    manifest = manifest_bytes(pack)
    problems = verify_pack(pack)
    if problems:  # a signature binds what the reviewer saw: a damaged pack cannot be signed
        raise InputError(f"物料包 {pack} 校验未通过，不能签字：{problems[0]}。请重新运行 xfpush pack")
    entry = {"by": by.strip(), "role": role, "manifest_sha256": sha256(manifest),
             "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    records = [*approvals(pack), entry]
    (pack / APPROVALS).write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return entry


def manifest_bytes(pack_dir: Path) -> bytes:
    """The pack's manifest.json, or an input error saying the folder is not a pack."""
    try:
        return (pack_dir / MANIFEST).read_bytes()
    except OSError as exc:
        raise InputError(f"{pack_dir} 不是物料包（{MANIFEST} {os_reason(exc)}）。"
                         "请给出 xfpush pack 生成的文件夹") from exc


def _manifest_of(pack_dir: Path) -> dict[str, Any]:
    """The pack's manifest as data (an empty one if it is not JSON: packaging says why)."""
    try:
        loaded = json.loads(manifest_bytes(pack_dir))
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def pack_failures(pack_dir: str | Path) -> list[dict[str, str]]:
    """The assets a pack could not make (its manifest's ``failures``), for a reviewer to see."""
    return failures_of(_manifest_of(Path(pack_dir)))


def approvals(pack_dir: Path) -> list[dict[str, Any]]:
    """The sign-offs recorded in a pack; a damaged ``approvals.json`` is an input error."""
    path = pack_dir / APPROVALS
    if not path.exists() and not path.is_symlink():
        return []
    where = f"物料包 {pack_dir} 的 {APPROVALS}"
    fix = f"请删除它，再用 xfpush approve {pack_dir} --by 姓名 重新签字"
    if not path.is_file():  # a folder or a FIFO: never opened, so never waited on
        raise InputError(f"{where} 不是普通文件；{fix}")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_APPROVALS_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{where} 无法读取（{os_reason(exc)}）") from None
    if len(data) > MAX_APPROVALS_BYTES:
        raise InputError(f"{where} 超过 {MAX_APPROVALS_BYTES // 1024} KB 的上限；{fix}")
    try:
        loaded = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{where} 已损坏（第 {exc.start + 1} 字节不是 UTF-8）；{fix}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} 已损坏（第 {exc.lineno} 行第 {exc.colno} 列不是有效的 JSON）"
                         f"；{fix}") from None
    if not isinstance(loaded, list) or not all(_is_signoff(a) for a in loaded):
        raise InputError(f"{where} 结构不对（应是签字记录的列表，每条有 by、role、"
                         f"manifest_sha256）；{fix}")
    return loaded


def _is_signoff(entry: object) -> bool:
    return isinstance(entry, dict) and all(isinstance(entry.get(key), str)
                                           for key in ("by", "role", "manifest_sha256"))


def approval_of(pack_dir: Path, waive: bool) -> str:
    """Who approved the current manifest, or raise; 'waived' when explicitly waived."""
    current = sha256(manifest_bytes(pack_dir))
    valid = [a for a in approvals(pack_dir) if a.get("manifest_sha256") == current]
    if valid:
        return "；".join(f"{a['role']}:{a['by']}" for a in valid)
    if waive:
        return "waived"
    stale = approvals(pack_dir)
    reason = ("物料包在审核后被改动过（manifest.json 与审核时不一致）" if stale
              else "物料包尚未审核")
    raise ApprovalError(f"{reason}，不能投递。请先运行 xfpush approve {pack_dir} --by 姓名，"
                        "或确有必要时加 --waive-approval（台账会记录）")


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one package."""

    package: str
    destination: str
    state: str
    detail: str
    idempotency_key: str
    receipt_id: str | None = None


def deliver(pack_dir: str | Path, adapter: Adapter, to: str, *, ledger_path: str | Path,
            dry_run: bool = False, secret_env: str = "XFPUSH_HTTP_SECRET",
            waive_approval: bool = False, http: HttpOptions | None = None,
            environ: Mapping[str, str] | None = None) -> DeliveryResult:
    """Send the adapter's package of a pack to ``to`` unless the ledger says it arrived.

    The destination is shown and stored with its credentials redacted, and no error raised
    from here quotes them.
    """
    try:
        return _deliver(pack_dir, adapter, to, ledger_path=ledger_path, dry_run=dry_run,
                        secret_env=secret_env, waive_approval=waive_approval, http=http,
                        environ=environ)
    except XfpushError as exc:
        exc.args = (scrub(str(exc), to),)
        raise


def _deliver(pack_dir: str | Path, adapter: Adapter, to: str, *, ledger_path: str | Path,
             dry_run: bool, secret_env: str, waive_approval: bool, http: HttpOptions | None,
             environ: Mapping[str, str] | None) -> DeliveryResult:
    env = dict(os.environ if environ is None else environ)
    pack = Path(pack_dir)
    shown = redact_url(to)
    try:
        urlsplit(to).port  # noqa: B018 — raises for a malformed host or port
    except ValueError:
        raise InputError(f"目标地址无效：{shown}（主机名或端口写错了）") from None
    if urlsplit(to).scheme == "file":  # a drop folder: never the pack, nor anybody's folder
        check_output_folder(Path(unquote(urlsplit(to).path)), pack, option="--to")
    refuse_failed_needs(adapter, _manifest_of(pack))  # before approval: the real reason first
    approval = approval_of(pack, waive_approval)
    package = build_package(pack, adapter, resolve_settings(adapter, env))
    key = idempotency_key(package, adapter, shown)
    if dry_run:
        return DeliveryResult(package.name, shown, "dry-run",
                              f"将发送 {package.name}.zip（{len(package.zip_bytes)} 字节，"
                              f"{len(package.manifest['files'])} 个文件），未建立任何连接", key)
    options = http or HttpOptions()
    if to.startswith(("http://", "https://")):
        secret = env.get(secret_env, "")
        if not secret:
            raise InputError(f"HTTP 投递需要签名密钥：请设置环境变量 {secret_env}")
        options = HttpOptions(secret, options.timeout_s, options.retries, options.backoff_s,
                              options.max_delay_s)
    transport = transport_for(to, options)
    ledger = Ledger(ledger_path)
    try:
        row = ledger.get(key)
        if row is not None and row.state == "acknowledged":
            return DeliveryResult(package.name, shown, "acknowledged", "台账显示已送达，跳过", key,
                                  row.receipt_id)
        ledger.open(key, message_id=package.manifest["message"]["id"], adapter=adapter.id,
                    destination=shown, package=package.name, package_sha256=package.sha256,
                    approval=approval)
        return _claimed_send(ledger, transport, Outgoing(package.name, package.zip_bytes,
                                                         package.manifest, key, adapter.name),
                             approval, to)
    finally:
        ledger.close()


def _claimed_send(ledger: Ledger, transport: Transport, outgoing: Outgoing, approval: str,
                  to: str) -> DeliveryResult:
    """Claim the delivery, then send it — unless another run sent it while we waited."""
    key, owner, shown = outgoing.idempotency_key, owner_id(), redact_url(to)
    tried_before = len(ledger.attempts(key))
    waited = False
    while ledger.claim(key, owner, LEASE_S) is not None:
        waited = True
        time.sleep(POLL_S)
    try:
        row = ledger.get(key)
        assert row is not None
        if row.state == "acknowledged" or (waited and row.state in ("failed", "unknown")
                                           and len(ledger.attempts(key)) > tried_before):
            return DeliveryResult(outgoing.name, shown, row.state,
                                  f"另一个投递进程刚处理完：{_last_detail(ledger, key)}；"
                                  "本次未发送", key, row.receipt_id)
        ledger.record(key, "sent", f"开始发送（审核：{approval}）")
        with ledger.renewing(key, owner, LEASE_S):
            receipt: Receipt = transport.send(outgoing)
        detail = scrub(f"{receipt.detail}（尝试 {receipt.attempts} 次）", to)
        ledger.record(key, receipt.state, detail, receipt.receipt_id)
    finally:
        ledger.release(key, owner)
    return DeliveryResult(outgoing.name, shown, receipt.state, detail, key, receipt.receipt_id)


def _last_detail(ledger: Ledger, key: str) -> str:
    found = ledger.attempts(key)
    return found[-1][2] if found else ""

"""Delivery under pressure, with real processes: parallel runs, secrets in URLs, broken ledgers."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from .conftest import PREEXEC
from .peers import SECRET, ReceiverProcess, env, free_port, xfpush

pytestmark = pytest.mark.slow
PASSWORD = "Pa55-w0rd%21zz"  # percent-encoded "!" : neither form may leak
DECODED = "Pa55-w0rd!zz"
ADAPTER = "carrier-sms"


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    demo = Path(__file__).parents[2] / "assets/examples/demo.yaml"
    folder = tmp_path_factory.mktemp("guard-deliver") / "pack"
    assert xfpush("pack", str(demo), "-o", str(folder), "-c", "sms").returncode == 0
    assert xfpush("approve", str(folder), "--by", "王干事").returncode == 0
    return folder


class Inbox:
    """An SMTP handler that is slow to answer, so parallel senders overlap."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.messages: list[bytes] = []
        self.logins: list[tuple[bytes, bytes]] = []
        self.delay_s = delay_s

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay_s)
        self.messages.append(envelope.content)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (b"bob", DECODED.encode())
        return AuthResult(success=ok)


def parallel_deliver(pack: Path, url: str, ledger: Path, runs: int = 4) -> list[tuple[int, str]]:
    processes = [subprocess.Popen(
        [sys.executable, "-m", "xfpush", "deliver", str(pack), "--adapter", ADAPTER, "--to", url,
         "--ledger", str(ledger)], env=env(XFPUSH_HTTP_SECRET=SECRET), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, preexec_fn=PREEXEC) for _ in range(runs)]
    return [(p.wait(timeout=120), p.stdout.read() if p.stdout else "") for p in processes]


def ledger_consistent(ledger: Path) -> None:
    with sqlite3.connect(ledger) as db:
        assert [r[0] for r in db.execute("SELECT state FROM deliveries")] == ["acknowledged"]
        assert [r[0] for r in db.execute("SELECT state FROM attempts ORDER BY id")] == \
            ["sent", "acknowledged"]
        assert list(db.execute("SELECT * FROM leases")) == []


def test_four_parallel_runs_send_one_email(pack, tmp_path) -> None:
    inbox = Inbox(delay_s=2.0)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    ledger = tmp_path / "ledger.sqlite"
    try:
        results = parallel_deliver(pack, f"smtp://127.0.0.1:{controller.port}?to=a@example.cn",
                                   ledger)
    finally:
        controller.stop()
    assert [code for code, _ in results] == [0] * 4, results
    assert len(inbox.messages) == 1, f"{len(inbox.messages)} e-mails for one package"
    ledger_consistent(ledger)


def test_four_parallel_runs_upload_once(pack, tmp_path) -> None:
    receiver = ReceiverProcess(tmp_path / "inbox", "--delay", "2")
    ledger = tmp_path / "ledger.sqlite"
    try:
        results = parallel_deliver(pack, receiver.url, ledger)
    finally:
        receiver.stop()
    outputs = "\n".join(out for _, out in results)
    assert [code for code, _ in results] == [0] * 4, outputs
    assert outputs.count("：acknowledged（HTTP 200") == 1 and "409" not in outputs, outputs
    assert len(receiver.stored()) == 1
    ledger_consistent(ledger)


def leaks(texts: list[str], folder: Path) -> list[str]:
    found = [text[:200] for text in texts if PASSWORD in text or DECODED in text]
    for path in folder.rglob("*"):
        data = path.read_bytes() if path.is_file() else b""
        if PASSWORD.encode() in data or DECODED.encode() in data:
            found.append(str(path))
    return found


def reports(ledger: Path, folder: Path) -> list[str]:
    texts = []
    for fmt in ("md", "csv"):
        result = xfpush("report", "--ledger", str(ledger), "--format", fmt)
        assert result.returncode == 0, result.stderr
        texts += [result.stdout, result.stderr]
    result = xfpush("report", "--ledger", str(ledger), "--format", "xlsx", "-o",
                    str(folder / "report.xlsx"))
    assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(folder / "report.xlsx").active
    return texts + [str(cell.value) for row in sheet.iter_rows() for cell in row]


def test_http_credentials_are_used_and_redacted_everywhere(pack, tmp_path) -> None:
    receiver = ReceiverProcess(tmp_path / "inbox")
    ledger = tmp_path / "state" / "ledger.sqlite"
    url = f"http://alice:{PASSWORD}@127.0.0.1:{receiver.port}/upload"
    try:
        sent = xfpush("deliver", str(pack), "--adapter", ADAPTER, "--to", url, "--ledger",
                      str(ledger), "--json")
    finally:
        log = receiver.stop()
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert json.loads(sent.stdout)["destination"] == \
        f"http://alice:***@127.0.0.1:{receiver.port}/upload"
    closed = f"http://alice:{PASSWORD}@127.0.0.1:{free_port()}/upload"
    failed = xfpush("deliver", str(pack), "--adapter", ADAPTER, "--to", closed, "--ledger",
                    str(ledger), "--retries", "0")
    assert failed.returncode == 1 and "alice:***@" in failed.stdout
    texts = [sent.stdout, sent.stderr, failed.stdout, failed.stderr, log, *reports(ledger,
                                                                                   tmp_path)]
    assert any("alice:***@" in text for text in texts[4:])
    assert leaks(texts, ledger.parent) == []


@pytest.mark.parametrize("url", [
    f"ftp://alice:{PASSWORD}@127.0.0.1/drop",
    f"smtp://bob:{PASSWORD}@127.0.0.1:notaport?to=a@example.cn",
    f"smtp://bob:{PASSWORD}@127.0.0.1:25",
    f"http://alice:{PASSWORD}@[::1/upload",
])
def test_bad_urls_are_input_errors_without_the_password(pack, tmp_path, url) -> None:
    result = xfpush("deliver", str(pack), "--adapter", ADAPTER, "--to", url, "--ledger",
                    str(tmp_path / "l.sqlite"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("错误：")
    assert leaks([result.stdout, result.stderr], tmp_path) == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH")
def test_smtp_logs_in_with_url_credentials_and_never_stores_them(pack, tmp_path) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            authenticator=inbox.authenticate, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    ledger = tmp_path / "state" / "ledger.sqlite"
    url = f"smtp://bob:{PASSWORD}@127.0.0.1:{controller.port}?to=a@example.cn"
    try:
        sent = xfpush("deliver", str(pack), "--adapter", ADAPTER, "--to", url, "--ledger",
                      str(ledger))
    finally:
        controller.stop()
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert inbox.logins == [(b"bob", DECODED.encode())] and len(inbox.messages) == 1
    assert PASSWORD.encode() not in inbox.messages[0] and DECODED.encode() not in inbox.messages[0]
    assert leaks([sent.stdout, sent.stderr, *reports(ledger, tmp_path)], ledger.parent) == []


def broken_ledgers(folder: Path) -> dict[str, Path]:
    made = {"folder": folder / "folder.sqlite"}
    made["folder"].mkdir()
    made["corrupt"] = folder / "corrupt.sqlite"
    made["corrupt"].write_bytes(os.urandom(8192))
    made["foreign"] = folder / "foreign.sqlite"
    with sqlite3.connect(made["foreign"]) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    made["foreign-same-name"] = folder / "same.sqlite"
    with sqlite3.connect(made["foreign-same-name"]) as db:
        db.execute("CREATE TABLE deliveries (x)")
        db.execute("CREATE TABLE attempts (y)")
    made["truncated"] = folder / "truncated.sqlite"
    with sqlite3.connect(made["truncated"]) as db:
        db.execute("CREATE TABLE deliveries (idempotency_key, message_id, adapter, destination, "
                   "package, package_sha256, state, receipt_id, approval, created, updated)")
        db.execute("CREATE TABLE attempts (id, idempotency_key, at, state, detail)")
        db.executemany("INSERT INTO attempts VALUES (?,?,?,?,?)",
                       [(n, "k" * 64, "2027", "sent", "x" * 500) for n in range(400)])
    data = made["truncated"].read_bytes()
    made["truncated"].write_bytes(data[:len(data) // 2])
    if hasattr(os, "mkfifo"):
        made["fifo"] = folder / "fifo.sqlite"
        os.mkfifo(made["fifo"])
    if Path("/dev/zero").exists():
        made["device"] = Path("/dev/zero")
    return made


@pytest.mark.parametrize("kind", ["folder", "corrupt", "foreign", "foreign-same-name",
                                  "truncated", "fifo", "device"])
def test_a_broken_ledger_is_a_chinese_input_error(pack, tmp_path, kind) -> None:
    ledgers = broken_ledgers(tmp_path)
    if kind not in ledgers:
        pytest.skip(f"no {kind} on this system")
    ledger = ledgers[kind]
    before = ledger.read_bytes() if ledger.is_file() else None
    drop = (tmp_path / "drop").as_uri()
    for args in (("deliver", str(pack), "--adapter", ADAPTER, "--to", drop, "--ledger",
                  str(ledger)), ("report", "--ledger", str(ledger))):
        result = xfpush(*args)
        assert result.returncode == 2, (kind, args[0], result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and f"台账 {ledger}" in result.stderr
        if kind in ("fifo", "device"):  # not "a disk problem": the file is the wrong kind
            assert "不是普通文件" in result.stderr, result.stderr
    assert not (tmp_path / "drop").exists()  # nothing sent without a ledger to record it
    if before is not None:
        assert ledger.read_bytes() == before  # a foreign file is left as it was

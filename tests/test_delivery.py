"""Delivery against real local peers: the reference receiver as a process, aiosmtpd for mail."""

from __future__ import annotations

import email
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

SECRET = "s3cret-for-tests-only-4b1d"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def env(**extra: str) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("XFPUSH_")}
    values.update(extra)
    return values


def xfpush(*args: str, secret: str = SECRET, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xfpush", *args], capture_output=True,
                          text=True, env=env(XFPUSH_HTTP_SECRET=secret), check=False, **kwargs)


class Receiver:
    def __init__(self, folder: Path, *extra: str) -> None:
        self.port = free_port()
        self.folder = folder
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xfpush", "receive", "--port", str(self.port), "--dir",
             str(folder), *extra], env=env(XFPUSH_HTTP_SECRET=SECRET), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("receiver did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/upload"

    def stored(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith("."))

    def stop(self) -> str:
        self.process.terminate()
        _, err = self.process.communicate(timeout=10)
        return err


@pytest.fixture(scope="module")
def approved_pack(tmp_path_factory) -> Path:
    demo = Path(__file__).parent.parent / "assets/examples/demo.yaml"
    pack = tmp_path_factory.mktemp("deliver") / "pack"
    assert xfpush("pack", str(demo), "-o", str(pack), "-c", "sms,poster").returncode == 0
    assert xfpush("approve", str(pack), "--by", "王干事", "--role", "终审").returncode == 0
    return pack


def ledger_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT state, receipt_id FROM deliveries"))


def attempts(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT state FROM attempts ORDER BY id")]


def test_503_then_success_is_acknowledged_once(approved_pack, tmp_path) -> None:
    receiver = Receiver(tmp_path / "inbox", "--fail-first", "1")
    ledger = tmp_path / "ledger.sqlite"
    try:
        result = xfpush("deliver", str(approved_pack), "--adapter", "carrier-sms", "--to",
                        receiver.url, "--ledger", str(ledger), "--backoff", "0.2")
    finally:
        log = receiver.stop()
    assert result.returncode == 0, result.stderr
    assert "acknowledged" in result.stdout and "尝试 2 次" in result.stdout
    assert len(receiver.stored()) == 1
    assert ledger_rows(ledger) == [("acknowledged", "R-" + receiver.stored()[0].name[:16])]
    stored = receiver.stored()[0] / "package.zip"
    assert zipfile.ZipFile(stored).testzip() is None
    for text in (result.stdout, result.stderr, log, ledger.read_bytes().decode("latin-1")):
        assert SECRET not in text
    again = xfpush("deliver", str(approved_pack), "--adapter", "carrier-sms", "--to",
                   receiver.url, "--ledger", str(ledger))
    assert again.returncode == 0 and "跳过" in again.stdout  # the ledger knows; nothing sent


def test_timeout_is_unknown_and_a_rerun_delivers_exactly_once(approved_pack, tmp_path) -> None:
    receiver = Receiver(tmp_path / "inbox", "--delay", "3")
    ledger = tmp_path / "ledger.sqlite"
    try:
        first = xfpush("deliver", str(approved_pack), "--adapter", "carrier-sms", "--to",
                       receiver.url, "--ledger", str(ledger), "--timeout", "1", "--retries", "0")
        assert first.returncode == 1 and "unknown" in first.stdout
        assert ledger_rows(ledger)[0][0] == "unknown"
        second = xfpush("deliver", str(approved_pack), "--adapter", "carrier-sms", "--to",
                        receiver.url, "--ledger", str(ledger), "--timeout", "10")
        assert second.returncode == 0 and "409" in second.stdout
    finally:
        receiver.stop()
    assert len(receiver.stored()) == 1
    assert attempts(ledger) == ["sent", "unknown", "sent", "acknowledged"]


def test_killed_mid_delivery_then_rerun_stores_once(approved_pack, tmp_path) -> None:
    receiver = Receiver(tmp_path / "inbox", "--delay", "20")
    ledger = tmp_path / "ledger.sqlite"
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "xfpush", "deliver", str(approved_pack), "--adapter",
             "carrier-sms", "--to", receiver.url, "--ledger", str(ledger)],
            env=env(XFPUSH_HTTP_SECRET=SECRET), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not receiver.stored() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        assert ledger_rows(ledger)[0][0] == "sent"  # the truth: it left, we do not know more
        rerun = xfpush("deliver", str(approved_pack), "--adapter", "carrier-sms", "--to",
                       receiver.url, "--ledger", str(ledger), "--timeout", "30")
    finally:
        receiver.stop()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert len(receiver.stored()) == 1
    assert ledger_rows(ledger)[0][0] == "acknowledged"


def test_wrong_secret_is_refused_and_nothing_stored(approved_pack, tmp_path) -> None:
    receiver = Receiver(tmp_path / "inbox")
    ledger = tmp_path / "ledger.sqlite"
    try:
        result = xfpush("deliver", str(approved_pack), "--adapter", "carrier-sms", "--to",
                        receiver.url, "--ledger", str(ledger), secret="not-the-secret")
    finally:
        receiver.stop()
    assert result.returncode == 1 and "failed" in result.stdout and "401" in result.stdout
    assert receiver.stored() == []
    assert "not-the-secret" not in ledger.read_bytes().decode("latin-1")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


def test_mail_arrives_with_the_zip_intact(approved_pack, tmp_path) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    ledger = tmp_path / "ledger.sqlite"
    try:
        url = f"smtp://127.0.0.1:{controller.port}?to=office@example.cn"
        result = xfpush("deliver", str(approved_pack), "--adapter", "print-shop", "--to", url,
                        "--ledger", str(ledger))
    finally:
        controller.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(inbox.messages) == 1
    mail = email.message_from_bytes(inbox.messages[0], policy=policy.default)
    attachment = next(mail.iter_attachments())
    data = attachment.get_payload(decode=True)
    assert attachment.get_filename() == "print-shop_ebike-2027.zip"
    listing = json.loads(zipfile.ZipFile(__import__("io").BytesIO(data)).read("manifest.json"))
    archive = zipfile.ZipFile(__import__("io").BytesIO(data))
    for entry in listing["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]


def test_folder_drop_approval_and_report(tmp_path) -> None:
    demo = Path(__file__).parent.parent / "assets/examples/demo.yaml"
    pack = tmp_path / "pack"
    assert xfpush("pack", str(demo), "-o", str(pack), "-c", "sms").returncode == 0
    ledger, drop = tmp_path / "ledger.sqlite", tmp_path / "drop"
    url = drop.as_uri()
    refused = xfpush("deliver", str(pack), "--adapter", "carrier-sms", "--to", url,
                     "--ledger", str(ledger))
    assert refused.returncode == 2 and "尚未审核" in refused.stderr
    waived = xfpush("deliver", str(pack), "--adapter", "carrier-sms", "--to", url, "--ledger",
                    str(ledger), "--waive-approval")
    assert waived.returncode == 0 and (drop / "carrier-sms_ebike-2027.zip").is_file()
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT approval FROM deliveries").fetchone() == ("waived",)
    assert xfpush("approve", str(pack), "--by", "李科长").returncode == 0
    (pack / "sms" / "standard.txt").write_text("篡改", "utf-8")
    tampered = xfpush("deliver", str(pack), "--adapter", "carrier-sms", "--to", url,
                      "--ledger", str(ledger))
    assert tampered.returncode == 2 and "校验未通过" in tampered.stderr
    month = time.strftime("%Y-%m", time.gmtime())
    report = xfpush("report", "--ledger", str(ledger), "--month", month)
    assert report.returncode == 0 and "已送达" in report.stdout and "carrier-sms" in report.stdout
    csv = xfpush("report", "--ledger", str(ledger), "--format", "csv")
    assert csv.stdout.lstrip("\ufeff").startswith("创建时间,物料编号,适配器")
    xlsx = tmp_path / "report.xlsx"
    assert xfpush("report", "--ledger", str(ledger), "--format", "xlsx", "-o", str(xlsx)).returncode == 0
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet.cell(2, 3).value == "carrier-sms" and sheet.cell(2, 6).value == "已送达"


def test_dry_run_opens_no_connection(approved_pack, tmp_path) -> None:
    port = free_port()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
        listener.settimeout(0.5)
        result = xfpush("deliver", str(approved_pack), "--adapter", "carrier-sms", "--to",
                        f"http://127.0.0.1:{port}/", "--ledger", str(tmp_path / "l.sqlite"),
                        "--dry-run")
        with pytest.raises(TimeoutError):
            listener.accept()
    assert result.returncode == 0 and "未建立任何连接" in result.stdout
    assert not (tmp_path / "l.sqlite").exists()

"""``xfpush receive``: the reference receiver a partner (and our tests) can run.

It checks the timestamp window and the HMAC signature, stores each package once per
Idempotency-Key (atomically), and answers 200 with a receipt id — or 409 with the same receipt
id when the key was seen before. ``fail_first`` and ``delay_s`` let an integration rehearse a
flaky partner: the first N requests get 503, and answers are held back after storing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .transports.http import signature

MAX_BODY = 512 * 1024 * 1024


class Receiver:
    """State shared by the request handlers."""

    def __init__(self, folder: Path, secret: str, window_s: int = 300, fail_first: int = 0,
                 delay_s: float = 0.0) -> None:
        self.folder, self.secret, self.window_s = folder, secret, window_s
        self.fail_first, self.delay_s = fail_first, delay_s
        self.requests = 0
        self.lock = threading.Lock()
        folder.mkdir(parents=True, exist_ok=True)

    def handle(self, headers: Any, body: bytes) -> tuple[int, dict[str, str]]:
        with self.lock:
            self.requests += 1
            if self.requests <= self.fail_first:
                return 503, {"error": "暂时无法处理，请稍后重试"}
        key = headers.get("Idempotency-Key", "")
        timestamp = headers.get("X-Xfpush-Timestamp", "")
        if not key or not key.isalnum() or len(key) > 128:
            return 400, {"error": "缺少或非法的 Idempotency-Key"}
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > self.window_s:
            return 401, {"error": "时间戳缺失或超出允许窗口"}
        parts = _multipart(headers.get("Content-Type", ""), body)
        package = parts.get("package")
        if package is None or "manifest" not in parts:
            return 400, {"error": "缺少 manifest 或 package"}
        expected = signature(self.secret, timestamp, hashlib.sha256(package).hexdigest())
        if not hmac.compare_digest(expected, headers.get("X-Xfpush-Signature", "")):
            return 401, {"error": "签名不正确"}
        receipt = "R-" + key[:16]
        with self.lock:
            target = self.folder / key
            if target.is_dir():
                return 409, {"receipt_id": receipt, "status": "already stored"}
            staging = self.folder / f".{key}.tmp"
            staging.mkdir(exist_ok=True)
            (staging / "package.zip").write_bytes(package)
            (staging / "manifest.json").write_bytes(parts["manifest"])
            os.replace(staging, target)
        if self.delay_s:
            time.sleep(self.delay_s)
        return 200, {"receipt_id": receipt, "status": "stored"}


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = BytesParser(policy=email_policy).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            parts[name] = payload
    return parts


def make_server(port: int, receiver: Receiver, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            if length > MAX_BODY:
                self._answer(413, {"error": "包过大"})
                return
            status, payload = receiver.handle(self.headers, self.rfile.read(length))
            self._answer(status, payload)

        def _answer(self, status: int, payload: dict[str, str]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: headers may carry signatures; the caller prints what it needs."""

    return ThreadingHTTPServer((host, port), Handler)

"""``xfpush receive``: the reference receiver a partner (and our tests) can run.

Everything that can be checked before the body is read is checked first: ``Content-Length``
(required, digits, under the cap), the content type, the idempotency key (ASCII), timestamp
window, nonce and signature headers, the HMAC itself (it covers the claimed SHA-256 of the body)
and the replay cache. Only then is the body streamed — hashed as it arrives, parts written to a
staging folder — and stored when its SHA-256 is the one that was signed; the nonce is spent only
by a request that verified. Each package is stored once per Idempotency-Key (atomically): 200
with a receipt id, or 409 with the same receipt id when the key was seen before.
``fail_first`` and ``delay_s`` let an integration rehearse a flaky partner: the first N signed
requests get 503, and answers are held back after storing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .multipart import MultipartError, boundary_of, read_parts
from .serving import DeadlineHandler, Limits, PooledHTTPServer
from .transports.http import (
    CONTENT_HEADER,
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)

MAX_MANIFEST = 16 * 1024 * 1024
DRAIN = 1024 * 1024
"""A refused body up to this size is read and dropped so the client sees the answer."""
KEY = re.compile(r"[A-Za-z0-9_-]{1,128}")
NONCE = re.compile(r"[A-Za-z0-9_-]{16,128}")
DIGITS = re.compile(r"[0-9]{1,15}")
HEX64 = re.compile(r"[0-9a-f]{64}")
SIGNED = re.compile(r"sha256=[0-9a-f]{64}")


@dataclass(frozen=True)
class Signed:
    """A request whose headers verified: what its body must hash to."""

    key: str
    nonce: str
    timestamp: int
    body_sha256: str
    boundary: str
    length: int


class Answer(Exception):
    """A status and a JSON payload, raised wherever the request is refused."""

    def __init__(self, status: int, payload: dict[str, str]) -> None:
        super().__init__(status)
        self.status, self.payload = status, payload


def _refuse(status: int, error: str) -> Answer:
    return Answer(status, {"error": error})


class ReplayCache:
    """Nonces of verified requests, each kept until its timestamp leaves the window."""

    def __init__(self, window_s: int, max_entries: int = 100_000) -> None:
        self.window_s, self.max_entries = window_s, max_entries
        self.expiry: dict[str, float] = {}
        self.lock = threading.Lock()

    def seen(self, nonce: str) -> bool:
        with self.lock:
            return self.expiry.get(nonce, 0.0) >= time.time()

    def spend(self, nonce: str, timestamp: int) -> None:
        """Mark ``nonce`` used; refuse it if it already was."""
        now = time.time()
        with self.lock:
            if self.expiry.get(nonce, 0.0) >= now:
                raise _refuse(401, "请求重放：这个一次性随机数已经用过")
            if len(self.expiry) >= self.max_entries:
                self.expiry = {n: t for n, t in self.expiry.items() if t >= now}
                if len(self.expiry) >= self.max_entries:
                    raise _refuse(503, "接收端繁忙，请稍后重试")
            self.expiry[nonce] = timestamp + self.window_s + 1


class Receiver:
    """State shared by the request handlers."""

    def __init__(self, folder: Path, secret: str, window_s: int = 300, fail_first: int = 0,
                 delay_s: float = 0.0) -> None:
        self.folder, self.secret, self.window_s = folder, secret, window_s
        self.fail_first, self.delay_s = fail_first, delay_s
        self.requests = 0
        self.lock = threading.Lock()
        self.replays = ReplayCache(window_s)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(".*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)

    def check(self, method: str, path: str, headers: Any, max_bytes: int) -> Signed:
        """Everything that can be refused before a byte of the body is read."""
        length = _length(headers, max_bytes)
        boundary = boundary_of(headers.get("Content-Type", ""))
        if boundary is None:
            raise _refuse(415, "Content-Type 应为带 boundary 的 multipart/form-data")
        key, timestamp, nonce, digest, sig = (headers.get(name, "") for name in (
            KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, CONTENT_HEADER, SIGNATURE_HEADER))
        if not KEY.fullmatch(key):
            raise _refuse(400, f"缺少或非法的 {KEY_HEADER}（1–128 个 ASCII 字母、数字、-、_）")
        if not DIGITS.fullmatch(timestamp):
            raise _refuse(400, f"缺少或非法的 {TIMESTAMP_HEADER}（Unix 秒，ASCII 数字）")
        if abs(time.time() - int(timestamp)) > self.window_s:
            raise _refuse(401, f"时间戳超出允许窗口（±{self.window_s} 秒）")
        if not NONCE.fullmatch(nonce):
            raise _refuse(400, f"缺少或非法的 {NONCE_HEADER}（16–128 个 ASCII 字母、数字、-、_）")
        if not HEX64.fullmatch(digest):
            raise _refuse(400, f"缺少或非法的 {CONTENT_HEADER}（64 位小写十六进制）")
        if not SIGNED.fullmatch(sig):
            raise _refuse(401, f"缺少或非法的 {SIGNATURE_HEADER}（sha256=64 位小写十六进制）")
        expected = signature(self.secret, method, path, timestamp, nonce, key, digest)
        if not hmac.compare_digest(expected, sig):
            raise _refuse(401, "签名不正确")
        if self.replays.seen(nonce):
            raise _refuse(401, "请求重放：这个一次性随机数已经用过")
        return Signed(key, nonce, int(timestamp), digest, boundary, length)

    def receive(self, signed: Signed, body: Any) -> tuple[int, dict[str, str]]:
        """Stream the body into staging; store it if it is what was signed."""
        staging = self.folder / f".{signed.key}.{secrets.token_hex(4)}.tmp"
        staging.mkdir()
        try:
            hashed = _Hashing(body, signed.length)
            with open(staging / "manifest.json", "wb") as manifest, \
                    open(staging / "package.zip", "wb") as package:
                try:
                    found = read_parts(hashed, signed.boundary,
                                       {"manifest": manifest, "package": package},
                                       {"manifest": MAX_MANIFEST, "package": signed.length})
                except MultipartError as exc:
                    hashed.finish()
                    self._verify(signed, hashed)
                    raise _refuse(400, f"正文不是合法的分段表单：{exc}") from None
            hashed.finish()
            self._verify(signed, hashed)
            if self._rehearse_failure():
                return 503, {"error": "暂时无法处理，请稍后重试"}
            self.replays.spend(signed.nonce, signed.timestamp)
            if found != {"manifest", "package"}:
                return 400, {"error": "缺少 manifest 或 package"}
            _check_manifest(staging / "manifest.json")
            return self._store(signed.key, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _verify(self, signed: Signed, hashed: _Hashing) -> None:
        if not hmac.compare_digest(hashed.hexdigest(), signed.body_sha256):
            raise _refuse(400, "正文的 SHA-256 与签名时的不一致（传输中被改动）")

    def _rehearse_failure(self) -> bool:
        with self.lock:
            self.requests += 1
            return self.requests <= self.fail_first

    def _store(self, key: str, staging: Path) -> tuple[int, dict[str, str]]:
        receipt = "R-" + key[:16]
        with self.lock:
            target = self.folder / key
            if target.is_dir():
                return 409, {"receipt_id": receipt, "status": "already stored"}
            os.replace(staging, target)
        if self.delay_s:
            time.sleep(self.delay_s)
        return 200, {"receipt_id": receipt, "status": "stored"}


class _Hashing:
    """Reads exactly ``length`` bytes from ``source``, hashing them."""

    def __init__(self, source: Any, length: int) -> None:
        self.source, self.left, self.sha = source, length, hashlib.sha256()

    def read(self, size: int = -1, /) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.source.read(size) if size else b""
        if size and not data:
            raise ConnectionError("client closed before the end of the body")
        self.left -= len(data)
        self.sha.update(data)
        return data

    def finish(self) -> None:
        """Read (and hash) whatever the parts did not need: the epilogue."""
        while self.read(64 * 1024):
            pass

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


def _length(headers: Any, max_bytes: int) -> int:
    values = headers.get_all("Content-Length") or []
    if headers.get("Transfer-Encoding") or not values:
        raise _refuse(411, "需要 Content-Length（不接受分块传输）")
    if len(values) > 1 or not DIGITS.fullmatch(values[0]):
        raise _refuse(400, "Content-Length 应为一个非负整数")
    if int(values[0]) > max_bytes:
        raise _refuse(413, f"包过大：{int(values[0])} 字节，上限 {max_bytes} 字节")
    return int(values[0])


def _check_manifest(path: Path) -> None:
    try:
        loaded = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        loaded = None
    if not isinstance(loaded, dict):
        raise _refuse(400, "manifest 分段不是 JSON 对象")


def make_server(port: int, receiver: Receiver, host: str = "127.0.0.1",
                limits: Limits | None = None) -> PooledHTTPServer:
    class Handler(DeadlineHandler):
        def handle_expect_100(self) -> bool:
            try:
                receiver.check(self.command, self.path, self.headers, self.server.limits.max_bytes)
            except Answer as refused:
                self._answer(refused.status, refused.payload, drain=False)
                return False
            return super().handle_expect_100()

        def do_POST(self) -> None:
            max_bytes = self.server.limits.max_bytes
            try:
                signed = receiver.check(self.command, self.path, self.headers, max_bytes)
            except Answer as refused:
                self._answer(refused.status, refused.payload, drain=True)
                return
            self.reader.deadline = self.server.limits.body_deadline(signed.length)
            self.reader.require_rate(self.server.limits.timeout_s, self.server.limits.min_rate)
            try:
                status, payload = receiver.receive(signed, self.rfile)
            except Answer as refused:
                status, payload = refused.status, refused.payload
            except (ConnectionError, TimeoutError):
                self.close_connection = True
                return
            except OSError:  # the disk, not the client: worth a retry later
                status, payload = 503, {"error": "接收端暂时无法保存，请稍后重试"}
            self._answer(status, payload, drain=False)

        def _answer(self, status: int, payload: Mapping[str, str], drain: bool) -> None:
            if drain:
                self._drain()
            self.writing()
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        def _drain(self) -> None:
            """Read a small refused body so the client is not cut off mid-send."""
            length = self.headers.get("Content-Length", "")
            if DIGITS.fullmatch(length) and int(length) <= DRAIN:
                self.reader.deadline = min(self.reader.deadline, time.monotonic() + 5)
                with contextlib.suppress(OSError, TimeoutError):
                    self.rfile.read(int(length))

    return PooledHTTPServer((host, port), Handler, limits or Limits())

"""``http(s)://`` — a signed multipart upload, retried when that is safe, honest when it is not.

Parts ``manifest`` (JSON) and ``package`` (the zip). Every request is signed with HMAC-SHA256
over the method, the path, a timestamp, a one-time nonce, the ``Idempotency-Key`` and the
SHA-256 of the whole body as sent (``canonical`` below; docs/adapters.md explains it for
partners). 2xx → acknowledged; 409 → already acknowledged; other 4xx → failed; 429, 5xx and
connection failures → retried with exponential backoff and jitter (``Retry-After`` honoured),
then failed; a timeout after the request left → unknown. Each retry is signed afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import time
from collections.abc import Sequence

import httpx

from ...errors import InputError
from ..safe import redact_url
from .base import HttpOptions, Outgoing, Receipt

SCHEME = "xfpush-v1"
KEY_HEADER = "Idempotency-Key"
TIMESTAMP_HEADER = "X-Xfpush-Timestamp"
NONCE_HEADER = "X-Xfpush-Nonce"
CONTENT_HEADER = "X-Xfpush-Content-SHA256"
SIGNATURE_HEADER = "X-Xfpush-Signature"
SIGNED_HEADERS = (KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, CONTENT_HEADER, SIGNATURE_HEADER)


def canonical(method: str, path: str, timestamp: str, nonce: str, key: str,
              body_sha256: str) -> bytes:
    """The bytes that are signed: seven lines joined by ``\\n``, no trailing newline."""
    return "\n".join((SCHEME, method.upper(), path, timestamp, nonce, key,
                      body_sha256)).encode("utf-8")


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, key: str,
              body_sha256: str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``canonical(...)`` under the shared secret."""
    mac = hmac.new(secret.encode("utf-8"), canonical(method, path, timestamp, nonce, key,
                                                     body_sha256), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def multipart(parts: Sequence[tuple[str, str, str, bytes]], boundary: str) -> bytes:
    """A ``multipart/form-data`` body of ``(name, filename, content type, data)`` parts."""
    chunks: list[bytes] = []
    for name, filename, content_type, data in parts:
        chunks += [f"--{boundary}\r\n".encode(),
                   (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n").encode(), data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def signed_request(url: str, secret: str, outgoing: Outgoing,
                   now: float | None = None) -> tuple[dict[str, str], bytes]:
    """The headers and body of one upload, signed for ``url``'s path."""
    boundary = "xfpush-" + secrets.token_hex(12)
    manifest = json.dumps(outgoing.manifest, ensure_ascii=False).encode("utf-8")
    body = multipart([("manifest", "manifest.json", "application/json", manifest),
                      ("package", f"{outgoing.name}.zip", "application/zip",
                       outgoing.zip_bytes)], boundary)
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    digest = hashlib.sha256(body).hexdigest()
    path = httpx.URL(url).raw_path.decode("ascii")
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
               KEY_HEADER: outgoing.idempotency_key, TIMESTAMP_HEADER: timestamp,
               NONCE_HEADER: nonce, CONTENT_HEADER: digest,
               SIGNATURE_HEADER: signature(secret, "POST", path, timestamp, nonce,
                                           outgoing.idempotency_key, digest)}
    return headers, body


class HttpTransport:
    """Upload to a partner's HTTP endpoint (or to ``xfpush receive``)."""

    schemes = ("http", "https")

    def __init__(self, url: str, options: HttpOptions | None = None) -> None:
        self.url = url
        self.destination = redact_url(url)
        self.options = options or HttpOptions()
        try:
            parsed = httpx.URL(url)
            parsed.raw_path.decode("ascii")
        except (httpx.InvalidURL, ValueError):
            raise InputError(f"目标地址无效：{self.destination}") from None
        if not parsed.host:
            raise InputError(f"目标地址缺少主机名：{self.destination}")

    def _request(self, client: httpx.Client, outgoing: Outgoing) -> httpx.Response:
        headers, body = signed_request(self.url, self.options.secret, outgoing)
        return client.post(self.url, headers=headers, content=body)

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and response.headers.get("Retry-After", "").isdigit():
            return min(float(response.headers["Retry-After"]), self.options.max_delay_s)
        base = self.options.backoff_s * 2 ** attempt
        return float(min(base * (1 + random.uniform(0, 0.25)), self.options.max_delay_s))

    def send(self, outgoing: Outgoing) -> Receipt:
        timeout = httpx.Timeout(self.options.timeout_s)
        last = "未发送"
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            for attempt in range(self.options.retries + 1):
                response = None
                try:
                    response = self._request(client, outgoing)
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    last = f"连接失败：{type(exc).__name__}"  # the request never left: safe to retry
                except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError,
                        httpx.ReadError, httpx.WriteError) as exc:
                    return Receipt("unknown", f"请求已发出但没有应答（{type(exc).__name__}）；"
                                              "重发时使用同一幂等键", attempts=attempt + 1)
                else:
                    outcome = self._outcome(response, attempt)
                    if outcome is not None:
                        return outcome
                    last = f"HTTP {response.status_code}"
                if attempt < self.options.retries:
                    time.sleep(self._delay(attempt, response))
        return Receipt("failed", f"重试 {self.options.retries} 次后仍失败（{last}）",
                       attempts=self.options.retries + 1)

    def _outcome(self, response: httpx.Response, attempt: int) -> Receipt | None:
        status = response.status_code
        receipt_id = _receipt_id(response)
        if 200 <= status < 300:
            return Receipt("acknowledged", f"HTTP {status}", receipt_id, attempt + 1)
        if status == 409:
            return Receipt("acknowledged", "HTTP 409：对方已收到过同一幂等键的包", receipt_id,
                           attempt + 1)
        if status == 429 or status >= 500:
            return None
        return Receipt("failed", f"HTTP {status}：{_error_text(response)}", receipt_id,
                       attempt + 1)


def _answer(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    body = _answer(response)
    error = body.get("error") if isinstance(body, dict) else None
    return error[:200] if isinstance(error, str) else response.text[:200]


def _receipt_id(response: httpx.Response) -> str | None:
    body = _answer(response)
    value = body.get("receipt_id") if isinstance(body, dict) else None
    return str(value)[:200] if value else None

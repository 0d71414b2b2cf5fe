"""``http(s)://`` — a signed multipart upload, retried when that is safe, honest when it is not.

Parts ``manifest`` (JSON) and ``package`` (the zip). Headers: ``Idempotency-Key``,
``X-Xfpush-Timestamp`` (unix seconds) and ``X-Xfpush-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<sha256 of the zip>">``. 2xx → acknowledged; 409 → already acknowledged; other
4xx → failed; 429, 5xx and connection failures → retried with exponential backoff and jitter
(``Retry-After`` honoured), then failed; a timeout after the request left → unknown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time

import httpx

from .base import HttpOptions, Outgoing, Receipt


def signature(secret: str, timestamp: str, zip_sha256: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.{zip_sha256}".encode(), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class HttpTransport:
    """Upload to a partner's HTTP endpoint (or to ``xfpush receive``)."""

    schemes = ("http", "https")

    def __init__(self, url: str, options: HttpOptions | None = None) -> None:
        self.destination = url
        self.options = options or HttpOptions()

    def _request(self, client: httpx.Client, outgoing: Outgoing) -> httpx.Response:
        timestamp = str(int(time.time()))
        zip_sha = hashlib.sha256(outgoing.zip_bytes).hexdigest()
        headers = {"Idempotency-Key": outgoing.idempotency_key,
                   "X-Xfpush-Timestamp": timestamp,
                   "X-Xfpush-Signature": signature(self.options.secret, timestamp, zip_sha)}
        files = {"manifest": ("manifest.json", json.dumps(outgoing.manifest, ensure_ascii=False)
                              .encode("utf-8"), "application/json"),
                 "package": (f"{outgoing.name}.zip", outgoing.zip_bytes, "application/zip")}
        return client.post(self.destination, headers=headers, files=files)

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
                        httpx.ReadError) as exc:
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
        return Receipt("failed", f"HTTP {status}：{response.text[:200]}", receipt_id, attempt + 1)


def _receipt_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("receipt_id") if isinstance(body, dict) else None
    return str(value) if value else None

"""A real workbench on 127.0.0.1 (uvicorn in a thread) and an HTTP client that keeps its cookies."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from xfpush.web.app import create_app
from xfpush.web.core import Settings
from xfpush.web.server import bind

DEMO_FORM: dict[str, Any] = {
    "id": "ebike-2027", "title": "电动车不进楼 充电安全记心间", "slogan": "电动车不进楼入户",
    "body": "电动自行车电池一旦热失控，几十秒内就会起火爆燃。请把电动自行车停放在集中充电场所。",
    "tips": ["不在楼道、楼梯间停放充电", "不私拉电线“飞线”充电", "充满即断电"],
    "cta": "扫码学习更多消防知识", "qr_url": "https://example.gov.cn/xf/ebike",
    "qr_caption": "全民消防安全学习云平台", "issuer": "某某区消防安全委员会办公室",
    "sms_signature": "某某区消防", "audience": "general", "campaign_name": "2027年“119”消防宣传月",
    "campaign_start": "2027-11-01", "campaign_end": "2027-11-30",
    "hotline_label": ["火警", "隐患举报"], "hotline_number": ["119", "96119"],
}


@contextmanager
def running(data: Path, *, accounts: bool = False) -> Iterator[str]:
    """Serve a workspace on a free port of 127.0.0.1; yields the base URL."""
    sock = bind("127.0.0.1", 0)
    app = create_app(Settings(data=data, accounts=accounts))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("workbench did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class Browser:
    """httpx with the session cookie and the page's CSRF token."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        found = re.search(r'name="csrf" value="([^"]+)"', response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> httpx.Response:
        if not self.csrf:
            self.get("/")
        body = dict(data or {})
        if csrf:
            body["csrf"] = self.csrf
        return self.http.post(path, data=body, **kwargs)

    def wait_job(self, html: str, timeout: float = 240) -> httpx.Response:
        """Poll a job fragment until it is done; returns the last response."""
        job = re.search(r'data-job="(/jobs/[0-9a-f]+)"', html)
        assert job, html
        deadline = time.monotonic() + timeout
        while True:
            response = self.http.get(job.group(1))
            if 'data-done="yes"' in response.text or time.monotonic() > deadline:
                return response
            time.sleep(0.3)

    def close(self) -> None:
        self.http.close()

"""Real local peers for tests that attack for real: the receiver as a process, raw sockets, /proc.

Every process started here runs under the suite's memory limit (``conftest.PREEXEC``)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from .conftest import PREEXEC, TIME_LIMIT, child_env

SECRET = "s3cret-for-guard-tests-7e2a"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def env(**extra: str) -> dict[str, str]:
    return child_env(**extra)


def xfpush(*args: str, secret: str = SECRET, extra_env: dict[str, str] | None = None,
           **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xfpush", *args], capture_output=True,
                          text=True, env=env(XFPUSH_HTTP_SECRET=secret, **(extra_env or {})),
                          check=False, preexec_fn=PREEXEC, timeout=TIME_LIMIT, **kwargs)


def proc_status(pid: int, field: str) -> int:
    """A number from /proc/<pid>/status (kB for memory fields)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class ReceiverProcess:
    """``xfpush receive`` in its own process on a free port."""

    def __init__(self, folder: Path, *extra: str) -> None:
        self.port = free_port()
        self.folder = folder
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xfpush", "receive", "--port", str(self.port), "--dir",
             str(folder), *extra], env=env(XFPUSH_HTTP_SECRET=SECRET), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, preexec_fn=PREEXEC)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("receiver did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/upload"

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kb(self) -> int:
        return proc_status(self.pid, "VmRSS")

    def peak_rss_kb(self) -> int:
        return proc_status(self.pid, "VmHWM")

    def threads(self) -> int:
        return proc_status(self.pid, "Threads")

    def stored(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith("."))

    def stop(self) -> str:
        self.process.terminate()
        _, err = self.process.communicate(timeout=10)
        return err


def raw_request(port: int, head: bytes, body: bytes = b"", timeout: float = 10) -> bytes:
    """Send raw bytes, return whatever the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0

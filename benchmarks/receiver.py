"""The reference receiver under load and under a hostile body, next to a naive baseline.

Two servers, each in its own process on 127.0.0.1, measured the same way in the same run:
``xfpush receive`` and the common naive way (the standard library's ThreadingHTTPServer, one
thread per connection, ``rfile.read(Content-Length)`` then answer). For each:

* ``uploads``: 50 concurrent clients send signed 256 KiB packages (4 each, unique keys);
  requests per second, the server's peak RSS (VmHWM from /proc) and its most threads.
* ``hostile_200mb``: a fresh server process gets one unsigned POST claiming and streaming a
  200 MB body; how many bytes it took before refusing, and its peak RSS.

    python benchmarks/receiver.py [--clients 50] [--each 4] [--hostile-mb 200]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from xfpush.partners.transports import HttpOptions, Outgoing
from xfpush.partners.transports.http import HttpTransport

SECRET = "benchmark-secret"
MB = 1024 * 1024
NAIVE = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, kind: str, folder: Path) -> None:
        self.port = free_port()
        command = ([sys.executable, "-m", "xfpush", "receive", "--port", str(self.port),
                    "--dir", str(folder)] if kind == "xfpush" else
                   [sys.executable, "-c", NAIVE, str(self.port)])
        self.process = subprocess.Popen(command, env=dict(os.environ, XFPUSH_HTTP_SECRET=SECRET),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{kind} server did not start")

    def mb(self, field: str) -> float:
        return round(status_kb(self.process.pid, field) / 1024, 1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def uploads(kind: str, work: Path, clients: int, each: int) -> dict[str, float]:
    server = Server(kind, work / f"{kind}-inbox")
    url = f"http://127.0.0.1:{server.port}/upload"
    transport = HttpTransport(url, HttpOptions(SECRET, timeout_s=60, retries=0))
    package = os.urandom(256 * 1024)
    threads, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            threads[0] = max(threads[0], status_kb(server.process.pid, "Threads"))

    def one(n: int) -> bool:
        item = Outgoing(f"bench-{n}", package, {"files": []}, f"bench{n:06d}", "基准")
        return transport.send(item).state == "acknowledged"

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    before = server.mb("VmRSS")
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        ok = sum(pool.map(one, range(clients * each)))
    seconds = time.perf_counter() - start
    stop.set()
    result = {"requests": clients * each, "ok": ok, "seconds": round(seconds, 2),
              "requests_per_s": round(ok / seconds, 1), "rss_before_mb": before,
              "peak_rss_mb": server.mb("VmHWM"), "max_threads": threads[0]}
    server.stop()
    return result


def hostile(kind: str, work: Path, size: int) -> dict[str, float]:
    server = Server(kind, work / f"{kind}-hostile")
    before = server.mb("VmRSS")
    head = (f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n\r\n").encode()
    sent, answer, chunk = 0, b"", bytes(MB)
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as sock:
        try:
            sock.sendall(head)
            while sent < size:
                sock.sendall(chunk[:min(MB, size - sent)])
                sent += min(MB, size - sent)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            answer = sock.recv(4096)
    seconds = time.perf_counter() - start
    result = {"body_mb": round(size / MB), "mb_taken": round(sent / MB, 1),
              "status": int(answer.split()[1]) if answer.startswith(b"HTTP/") else None,
              "seconds": round(seconds, 2), "rss_before_mb": before,
              "peak_rss_mb": server.mb("VmHWM")}
    server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--each", type=int, default=4)
    parser.add_argument("--hostile-mb", type=int, default=200)
    args = parser.parse_args()
    report: dict[str, object] = {"cpus": os.cpu_count(), "clients": args.clients}
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        for kind in ("xfpush", "naive"):
            report[kind] = {"uploads": uploads(kind, work, args.clients, args.each),
                            "hostile_200mb": hostile(kind, work, args.hostile_mb * MB)}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

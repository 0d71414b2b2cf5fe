"""An HTTP server fit to face the internet: a fixed pool of workers and deadlines on every read.

``PooledHTTPServer`` accepts connections into a bounded queue served by a fixed number of
threads; when the queue is full a connection is answered 503 at once. ``DeadlineHandler`` reads
the socket through ``DeadlineReader``: no read waits longer than the idle timeout, and the
request line and headers must be complete within ``timeout_s`` of the connection being accepted
(a slowloris client is dropped, whatever it trickles). Handlers set ``reader.deadline`` for the
body. Nothing here knows what is uploaded.
"""

from __future__ import annotations

import io
import math
import queue
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
        b"Content-Length: 0\r\n\r\n")


@dataclass(frozen=True)
class Limits:
    """How much a client may take: time, bytes, threads."""

    timeout_s: float = 30.0
    """Idle timeout of any read or write, and the time allowed for request line + headers."""
    max_bytes: int = 256 * 1024 * 1024
    """Largest body accepted (Content-Length above it: 413 before reading)."""
    min_rate: float = 64 * 1024
    """Bytes per second a body must average after the first ``timeout_s``."""
    workers: int = 8
    queue: int = 64
    """Connections waiting for a worker; beyond this they are answered 503."""

    def body_deadline(self, length: int) -> float:
        return time.monotonic() + self.timeout_s + length / self.min_rate


class DeadlineReader(io.RawIOBase):
    """Raw socket reads that never wait past ``deadline`` nor longer than ``idle_s`` each."""

    def __init__(self, sock: socket.socket, idle_s: float, deadline: float) -> None:
        super().__init__()
        self.sock, self.idle_s, self.deadline = sock, idle_s, deadline
        self.rate: tuple[float, float, float] | None = None  # (start, grace, bytes per second)
        self.taken = 0

    def readable(self) -> bool:
        return True

    def require_rate(self, grace_s: float, min_rate: float) -> None:
        """From now on, after ``grace_s``, reads must keep up ``min_rate`` on average: a client
        that trickles a byte now and then (never idle, never done) is dropped early."""
        self.rate, self.taken = (time.monotonic(), grace_s, min_rate), 0

    def readinto(self, buffer: Any) -> int:
        now = time.monotonic()
        remaining = self.deadline - now
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        if self.rate is not None:
            start, grace, rate = self.rate
            if self.taken < rate * (now - start - grace):
                raise TimeoutError("body slower than the minimum rate")
        self.sock.settimeout(min(remaining, self.idle_s))
        count = self.sock.recv_into(buffer)
        self.taken += count
        return count


class PooledHTTPServer(HTTPServer):
    """``workers`` threads serve a queue of at most ``limits.queue`` accepted connections."""

    request_queue_size = 128
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[DeadlineHandler],
                 limits: Limits) -> None:
        self.limits, self.handler = limits, handler
        self.jobs: queue.Queue[tuple[socket.socket, Any, float] | None] = queue.Queue(limits.queue)
        super().__init__(address, handler)
        self.threads = [threading.Thread(target=self._work, daemon=True, name=f"worker-{n}")
                        for n in range(max(1, limits.workers))]
        for thread in self.threads:
            thread.start()

    def server_bind(self) -> None:
        """Bind without a reverse DNS lookup of the host."""
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        try:
            self.jobs.put_nowait((request, client_address, time.monotonic()))
        except queue.Full:
            try:
                request.settimeout(1.0)
                request.sendall(BUSY)
            except OSError:
                pass
            self.shutdown_request(request)

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            request, client_address, accepted = job
            try:
                self.handler(request, client_address, self, accepted)
            except Exception:
                pass
            finally:
                self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that vanishes is not the operator's problem."""

    def server_close(self) -> None:
        super().server_close()
        for _ in self.threads:
            try:
                self.jobs.put_nowait(None)
            except queue.Full:
                break


class DeadlineHandler(BaseHTTPRequestHandler):
    """One request per connection, read through a ``DeadlineReader``."""

    server: PooledHTTPServer
    reader: DeadlineReader

    def __init__(self, request: Any, client_address: Any, server: PooledHTTPServer,
                 accepted: float = math.nan) -> None:
        self.accepted = time.monotonic() if math.isnan(accepted) else accepted
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        limits = self.server.limits
        self.reader = DeadlineReader(self.connection, limits.timeout_s,
                                     self.accepted + limits.timeout_s)
        self.rfile = io.BufferedReader(self.reader, 64 * 1024)

    def writing(self) -> None:
        """Before answering: no more reads, writes time out like reads."""
        self.reader.deadline = math.inf
        self.connection.settimeout(self.server.limits.timeout_s)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: headers may carry signatures; the caller prints what it needs."""

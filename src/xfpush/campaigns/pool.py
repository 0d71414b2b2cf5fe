"""A local process pool for batch rows that can be stopped cleanly and never outlives its parent.

- At most one row per worker is handed out at a time, so after ``stop()`` no new row starts:
  the rows already running are the only ones that can still finish.
- Workers ignore SIGINT: Ctrl-C at a terminal reaches the whole process group, and the parent
  decides (let the running rows finish, or ``close(kill=True)`` them).
- Workers die with their parent, also on ``kill -9``: on Linux the kernel sends them SIGKILL
  (``PR_SET_PDEATHSIG``); everywhere a watchdog thread notices the parent is gone (the worker
  is re-parented, or the parent's pid no longer exists) within ``WATCH_SECONDS`` and exits.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")
WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def worker_init(parent_pid: int, warm_up: Callable[[], None]) -> None:
    """Run in each worker before any row: ignore Ctrl-C, die with the parent, warm up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    warm_up()


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog below still works
            pass
    first_parent = os.getppid()
    if not _parent_alive(parent_pid, first_parent):  # the parent died before prctl took hold
        os._exit(1)
    watchdog = threading.Thread(target=_watch, args=(parent_pid, first_parent),
                                name="xfpush-parent-watch", daemon=True)
    watchdog.start()


def _watch(parent_pid: int, first_parent: int) -> None:
    while _parent_alive(parent_pid, first_parent):
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # the rows of a dead batch are not wanted: their packs stay unwritten


def _parent_alive(parent_pid: int, first_parent: int) -> bool:
    if os.getppid() != first_parent:  # re-parented: whoever started us is gone
        return False
    if sys.platform == "win32" or parent_pid == first_parent:
        return True  # a direct child (fork) or Windows: the re-parenting test is the one
    try:
        os.kill(parent_pid, 0)  # forkserver/spawn: the batch process is a grandparent
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StoppablePool(Generic[J, R]):
    """Runs ``function`` over jobs on ``workers`` processes, one job per idle worker."""

    def __init__(self, function: Callable[[J], R], jobs: Iterable[J], workers: int,
                 warm_up: Callable[[], None], failed: Callable[[J, BaseException], R]) -> None:
        self.function = function
        self.failed = failed
        self.workers = workers
        self.waiting: deque[J] = deque(jobs)
        self.running: dict[Future[R], J] = {}
        self.stopped = False
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=worker_init,
                                        initargs=(os.getpid(), warm_up))

    def results(self, timeout: float | None = None) -> Iterator[R]:
        """Results as rows finish (new rows start unless stopped); ends when none are left or
        ``timeout`` seconds have passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._fill()
        while self.running:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            done, _ = wait(self.running, timeout=left, return_when=FIRST_COMPLETED)
            for future in done:
                job = self.running.pop(future)
                try:
                    yield future.result()
                except Exception as exc:  # a worker that died (BrokenProcessPool) or a bug
                    yield self.failed(job, exc)
            self._fill()

    def stop(self) -> None:
        """Start no new job; the running ones may still finish (``results``)."""
        self.stopped = True

    def _fill(self) -> None:
        while self.waiting and not self.stopped and len(self.running) < self.workers:
            job = self.waiting.popleft()
            self.running[self.pool.submit(self.function, job)] = job

    def close(self, *, kill: bool) -> None:
        """Shut the pool down; with ``kill``, end the workers at once (their rows are lost)."""
        self.stopped = True
        processes = list((getattr(self.pool, "_processes", None) or {}).values())  # no API
        if kill:
            for process in processes:
                if process.is_alive():
                    process.kill()
        self.pool.shutdown(wait=not kill, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)

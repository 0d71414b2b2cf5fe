"""Limits for the hostile suite: every attacked process runs under a memory and a time limit.

A child ``xfpush`` gets ``RLIMIT_AS`` (address space) of ``MEMORY_LIMIT`` before it starts, so
an input that still exhausted memory would end that child with a MemoryError instead of
taking the machine; in-process tests run under the same headroom above what pytest already
uses. POSIX only: where ``resource`` is missing the limits are skipped, not the tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

MEMORY_LIMIT = 1536 << 20
"""Bytes of address space per attacked process (xfpush itself needs about 300 MB)."""
TIME_LIMIT = 120.0
"""Seconds any attacked command may take: a hang is a failure, not a stuck CI job."""
ON_POSIX = sys.platform != "win32"


def limit_memory() -> None:
    """``preexec_fn`` of every attacked child: cap its address space."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


PREEXEC = limit_memory if ON_POSIX else None


def child_env(**extra: str) -> dict[str, str]:
    """The environment of an attacked child: no XFPUSH_* from outside, no debug tracebacks,
    and few malloc arenas, so threads do not reserve address space they never use."""
    values = {k: v for k, v in os.environ.items() if not k.startswith("XFPUSH_")}
    values.update(MALLOC_ARENA_MAX="2", PYTHONUNBUFFERED="1")
    values.update(extra)
    return values


def attack(*args: object, cwd: Path | None = None, timeout: float = TIME_LIMIT,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m xfpush ARGS`` for real, under the memory and time limits."""
    return subprocess.run([sys.executable, "-m", "xfpush", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          preexec_fn=PREEXEC, env=env or child_env(), check=False)


def assert_refused(result: subprocess.CompletedProcess[str], *expected: str,
                   code: int = 2) -> None:
    """Refused as an input error: the exit code, a Chinese message holding ``expected``, no
    traceback and no English exception name."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output and "Error" not in output, output
    assert "错误" in output, output
    for part in expected:
        assert part in output, (part, output)


def _address_space_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1])
    return 0


@pytest.fixture(autouse=True)
def _bounded_in_process() -> Iterator[None]:
    """In-process attacks get ``MEMORY_LIMIT`` of address space above what pytest holds now
    (the soft limit only, restored afterwards)."""
    if not ON_POSIX or not Path("/proc/self/status").exists():
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = _address_space_kb() * 1024 + MEMORY_LIMIT
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

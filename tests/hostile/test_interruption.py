"""Interruption with real processes and real signals: Ctrl-C on ``batch -j 2`` starts no new pack
and exits 130 with every row's state recorded; workers die with a parent killed by SIGKILL.
(A ``pack`` killed mid-write: ``test_output_places``.)"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PREEXEC, child_env

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not Path("/proc").is_dir(),
                                reason="POSIX signals and /proc")
ROWS = 24
RECIPE = """occasion: chongyang
channels: [poster:phone, sms]
defaults: {qr_url: 'https://example.gov.cn/xf'}
message:
  id: cy-{district_slug}
  title: 重阳敬老 消防安全记心间
  slogan: 关爱老人 远离火灾
  tips: [不在楼道停放电动车]
  issuer: '{issuer}'
"""


def _start_batch(tmp_path: Path) -> subprocess.Popen[str]:
    (tmp_path / "r.yaml").write_text(RECIPE, "utf-8")
    rows = "\n".join(f"东城{n},东城{n}消防安全委员会" for n in range(ROWS))
    (tmp_path / "d.csv").write_text(f"district,issuer\n{rows}\n", "utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "xfpush", "batch", "r.yaml", "--districts", "d.csv", "-o", "out",
         "-j", "2", "--year", "2027"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True,
        preexec_fn=PREEXEC, env=child_env())


def _first_rows(process: subprocess.Popen[str], count: int, timeout: float = 120) -> list[str]:
    """Wait until ``count`` rows are reported (one line each on a pipe)."""
    assert process.stdout is not None
    deadline, lines = time.monotonic() + timeout, []
    while len(lines) < count:
        assert time.monotonic() < deadline, "batch reported no row in time"
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "batch ended early"
        lines.append(line)
    return lines


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie no longer runs; its reaper may just be slow


def _wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    return {pid for pid in pids if _alive(pid)}


def _finished_packs(out: Path) -> int:
    return len(list(out.glob("*/manifest.json")))


@pytest.mark.slow
def test_ctrl_c_on_batch_starts_no_new_pack_records_rows_and_exits_130(tmp_path: Path) -> None:
    process = _start_batch(tmp_path)
    try:
        _first_rows(process, 1)
        workers = _children(process.pid)
        assert workers, "batch -j 2 should run worker processes"
        started_before = _finished_packs(tmp_path / "out")
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C at a terminal sends
        _, stderr = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "已中断" in stderr and "继续" in stderr, stderr
    summary = json.loads((tmp_path / "out" / "batch.json").read_text("utf-8"))
    states = [row["status"] for row in summary["rows"]]
    assert len(states) == ROWS and set(states) <= {"ok", "interrupted"}, states
    # only the (at most two) rows running at Ctrl-C may still finish: no new pack started
    assert states.count("ok") <= started_before + 2 + 1, (started_before, states)
    assert states.count("interrupted") >= ROWS - started_before - 3
    assert summary["interrupted"] == states.count("interrupted")
    assert _finished_packs(tmp_path / "out") == states.count("ok")
    assert not list((tmp_path / "out").glob(".*.tmp-*"))
    assert not _wait_until_gone(workers, 5)


@pytest.mark.slow
def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path: Path) -> None:
    process = _start_batch(tmp_path)
    try:
        _first_rows(process, 1)
        workers = _children(process.pid)
        assert workers
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        assert not _wait_until_gone(workers, 5), "workers outlived their parent"
        settled = _finished_packs(tmp_path / "out")
        time.sleep(3)
        assert _finished_packs(tmp_path / "out") == settled  # nothing more is being written
    finally:
        for pid in _children(process.pid) | {process.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

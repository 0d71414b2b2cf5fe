"""Interruption with real processes and real signals: Ctrl-C on ``batch -j 2`` starts no new pack
and exits 130 with every row's state recorded; workers die with a parent killed by SIGKILL;
staging folders of a killed ``pack`` are removed by the next ``pack`` into that place."""

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

from xfpush import build_pack, load_message
from xfpush.pack.build import remove_stale_staging
from xfpush.resources import asset_path

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not Path("/proc").is_dir(),
                                reason="POSIX signals and /proc")
MEMORY_LIMIT = 3 << 30  # address space per process
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


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _start_batch(tmp_path: Path) -> subprocess.Popen[str]:
    (tmp_path / "r.yaml").write_text(RECIPE, "utf-8")
    rows = "\n".join(f"东城{n},东城{n}消防安全委员会" for n in range(ROWS))
    (tmp_path / "d.csv").write_text(f"district,issuer\n{rows}\n", "utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "xfpush", "batch", "r.yaml", "--districts", "d.csv", "-o", "out",
         "-j", "2", "--year", "2027"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True,
        preexec_fn=_limit_memory, env={**os.environ, "PYTHONUNBUFFERED": "1", "XFPUSH_DEBUG": ""})


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


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_next_pack_removes_staging_folders_of_a_killed_pack(tmp_path: Path) -> None:
    dead = _dead_pid()
    leftovers = [tmp_path / f".out.tmp-{dead}-abc", tmp_path / f".out.old-{dead}-def" / "pack",
                 tmp_path / ".out.tmp-k2l3"]  # (an older xfpush put no process id in the name)
    for folder in leftovers:
        folder.mkdir(parents=True)
        (folder / "poster.png").write_bytes(b"half written")
    running = tmp_path / f".out.tmp-{os.getpid()}-xyz"  # a pack under way in this process
    running.mkdir()
    other = tmp_path / f".other.tmp-{dead}-ghi"  # staging of another place: not ours to clear
    other.mkdir()
    message = load_message(asset_path("examples", "demo.yaml"))
    build_pack(message, tmp_path / "out", "sms", workers=1)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted([other.name, running.name, "out"]), names
    assert remove_stale_staging(tmp_path) == [other]


# A real pack process that stops for a while in the middle of writing its staging folder.
SLOW_WRITER = """
import sys, time
from pathlib import Path
from xfpush import build_pack, load_message
from xfpush.resources import asset_path
original = Path.write_bytes
def slow(self, data):
    written = original(self, data)
    print("writing", flush=True)
    time.sleep(30)
    return written
Path.write_bytes = slow
build_pack(load_message(asset_path("examples", "demo.yaml")), sys.argv[1], "sms", workers=1)
"""


@pytest.mark.slow
def test_kill_9_during_pack_leaves_nothing_after_the_next_pack(tmp_path: Path) -> None:
    for _ in range(2):  # two packs killed mid-write, the second over an existing pack
        writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, "out"], cwd=tmp_path,
                                  stdout=subprocess.PIPE, text=True, preexec_fn=_limit_memory)
        try:
            assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        finally:
            writer.kill()  # SIGKILL: no cleanup handler runs
            writer.wait()
        assert list(tmp_path.glob(".out.tmp-*")), "the killed pack left its staging folder"
        (tmp_path / "out").mkdir(exist_ok=True)
        (tmp_path / "out" / "manifest.json").write_text("{}", "utf-8")
    build_pack(load_message(asset_path("examples", "demo.yaml")), tmp_path / "out", "sms",
               workers=1)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]

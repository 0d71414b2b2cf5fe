"""Where a pack goes: a file in the way, a read-only parent, a read-only older pack, and the
staging folders a ``pack`` killed with SIGKILL leaves behind (removed by the next ``pack``)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xfpush import build_pack, load_message
from xfpush.pack.build import remove_stale_staging
from xfpush.resources import asset_path

from .conftest import PREEXEC, assert_refused, attack, child_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
DEMO = asset_path("examples", "demo.yaml")
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_root_override() -> None:
    """``preexec_fn``: as root, give up the power to ignore file permissions (for good: the
    capabilities leave the bounding set, so ``exec`` cannot bring them back), then the
    suite's memory limit."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                os._exit(97)
    if PREEXEC is not None:
        PREEXEC()


def _as_ordinary_user(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "xfpush", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, encoding="utf-8", timeout=120,
                            preexec_fn=_without_root_override, env=child_env(), check=False)
    if result.returncode == 97:
        pytest.skip("cannot drop root's permission override here")
    return result


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.mark.slow
def test_a_file_in_the_way_of_the_output(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", "utf-8")
    assert_refused(attack("pack", DEMO, "-o", "afile/sub", "-c", "sms", cwd=tmp_path),
                   "afile", "是一个文件，不是文件夹", "-o")
    assert _names(tmp_path) == ["afile"]


@pytest.mark.slow
def test_a_file_in_the_way_of_a_file_drop(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    build_pack(load_message(DEMO), pack, "sms", workers=1)
    (tmp_path / "afile").write_text("x", "utf-8")
    result = attack("deliver", pack, "--adapter", "carrier-sms", "--to",
                    (tmp_path / "afile").as_uri(), "--ledger", tmp_path / "l.sqlite",
                    "--waive-approval", cwd=tmp_path)
    assert_refused(result, "afile", "是一个文件，不是文件夹", "请用 --to 换一个文件夹")
    assert (tmp_path / "afile").read_text("utf-8") == "x"


@pytest.mark.slow
def test_a_read_only_parent_folder(tmp_path: Path, read_only: Path) -> None:
    result = _as_ordinary_user("pack", DEMO, "-o", "ro/out", "-c", "sms", cwd=tmp_path)
    assert_refused(result, f"无法在 {read_only} 中写入物料包", "没有权限", "-o")
    assert _names(read_only) == []


@pytest.mark.slow
def test_a_read_only_older_pack_is_kept_as_it_was(tmp_path: Path, read_only: Path) -> None:
    # renaming a folder needs write permission on it: the older pack cannot be moved away
    result = _as_ordinary_user("pack", DEMO, "-o", "ro", "-c", "sms", cwd=tmp_path)
    assert_refused(result, f"无法替换 {read_only} 中的物料包", "没有权限")
    assert _names(tmp_path) == ["ro"] and _names(read_only) == []  # no staging folder left


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
                                  stdout=subprocess.PIPE, text=True, preexec_fn=PREEXEC)
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

"""``package`` and ``deliver`` never write into a pack or into a folder holding other things.

Each refusal is exit 2 with a Chinese message, and afterwards every file of the pack is still
there, byte for byte, and the pack verifies (``xfpush verify`` once, the library otherwise).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xfpush.pack.manifest import verify_pack
from xfpush.resources import asset_path

DEMO = asset_path("examples", "demo.yaml")


def xfpush(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xfpush", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=600,
                          env={**os.environ, "XFPUSH_DEBUG": ""})


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sms_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("packs")
    result = xfpush("pack", DEMO, "-o", "pack", "-c", "sms", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "pack"


@pytest.fixture
def work(tmp_path: Path, sms_pack: Path) -> Path:
    shutil.copytree(sms_pack, tmp_path / "pack")
    (tmp_path / "other").mkdir()
    shutil.copytree(sms_pack, tmp_path / "other" / "pack2")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "会议记录.docx").write_bytes(b"not ours")
    return tmp_path


REFUSED = {
    "the pack itself": ("pack", ["就是物料包"]),
    "inside the pack": ("pack/partners", ["在物料包", "之中"]),
    "a folder holding a pack": ("other/pack2", ["里是一个物料包"]),
    "a folder holding other things": ("notes", ["不是合作方包的内容", "会议记录.docx"]),
    "the parent of the pack": (".", ["不是合作方包的内容", "pack"]),
}


def assert_refused(result: subprocess.CompletedProcess[str], expected: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output and output.startswith("错误：")
    for part in expected:
        assert part in output, (part, output)


def _cases(names: list[str]) -> list[object]:
    """The pack folder itself in the fast suite; the other refusals with the slow tests."""
    return [pytest.param(name, marks=[pytest.mark.slow] * (name != "the pack itself"))
            for name in names]


@pytest.mark.parametrize("case", _cases(sorted(REFUSED)))
def test_package_refuses_unsafe_output(work: Path, case: str) -> None:
    output, expected = REFUSED[case]
    before = {name: snapshot(work / name) for name in ("pack", "other", "notes")}
    result = xfpush("package", "pack", "--adapter", "carrier-sms", "-o", output, cwd=work)
    assert_refused(result, expected)
    assert {name: snapshot(work / name) for name in before} == before
    assert not (work / "pack" / "partners").exists()
    assert verify_pack(work / "pack") == []


@pytest.mark.parametrize("case", _cases(["the pack itself", "inside the pack",
                                          "a folder holding other things"]))
def test_deliver_refuses_unsafe_drop_folder(work: Path, case: str) -> None:
    output, expected = REFUSED[case]
    before = snapshot(work / "pack")
    url = (work / output).resolve().as_uri()
    result = xfpush("deliver", "pack", "--adapter", "carrier-sms", "--to", url,
                    "--waive-approval", "--ledger", work / "ledger.sqlite", cwd=work)
    assert_refused(result, expected)
    assert snapshot(work / "pack") == before
    assert verify_pack(work / "pack") == []


@pytest.mark.slow
def test_package_output_may_be_reused_for_packages(work: Path) -> None:
    for _ in range(2):
        result = xfpush("package", "pack", "--adapter", "carrier-sms", "-o", "out", cwd=work)
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        "carrier-sms_ebike-2027.manifest.json", "carrier-sms_ebike-2027.zip"]
    drop = (work / "out").resolve().as_uri()
    result = xfpush("deliver", "pack", "--adapter", "carrier-sms", "--to", drop,
                    "--waive-approval", "--ledger", work / "ledger.sqlite", cwd=work)
    assert result.returncode == 0, result.stderr
    assert xfpush("verify", "pack", cwd=work).returncode == 0

"""A damaged pack: its ``manifest.json`` or ``approvals.json`` broken, cut short, replaced by a
folder or a FIFO. Signing, packaging and delivering it are Chinese input errors (exit 2),
never a traceback, and nothing is sent."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from xfpush import build_pack, load_message
from xfpush.resources import asset_path

from .conftest import assert_refused, attack

ADAPTER = "carrier-sms"


@pytest.fixture(scope="module")
def good_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("state") / "pack"
    build_pack(load_message(asset_path("examples", "demo.yaml")), folder, "sms", workers=1)
    return folder


def _fifo(path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(path)


APPROVALS: dict[str, tuple[Callable[[Path], object], str]] = {
    "not-json": (lambda p: p.write_text("[{", "utf-8"), "第 1 行第 3 列不是有效的 JSON"),
    "not-utf8": (lambda p: p.write_bytes(b"\xff\xfe[]"), "第 1 字节不是 UTF-8"),
    "wrong-shape": (lambda p: p.write_text("[1, 2]", "utf-8"), "结构不对"),
    "no-fields": (lambda p: p.write_text('[{"by": "王"}]', "utf-8"), "结构不对"),
    "folder": (lambda p: p.mkdir(), "不是普通文件"),
    "fifo": (_fifo, "不是普通文件"),
    "huge": (lambda p: p.write_text("[" + " " * (2 << 20) + "]", "utf-8"), "超过 1024 KB"),
}


# each case runs two or three real commands: one approvals case stays in the fast suite
@pytest.mark.parametrize("kind", [pytest.param(kind, marks=[pytest.mark.slow] * (kind != "not-json"))
                                  for kind in sorted(APPROVALS)])
def test_a_damaged_approvals_file_is_an_input_error(good_pack: Path, tmp_path: Path,
                                                    kind: str) -> None:
    pack = Path(shutil.copytree(good_pack, tmp_path / "pack"))
    damage, expected = APPROVALS[kind]
    damage(pack / "approvals.json")
    drop = tmp_path / "drop"
    for args in (("approve", pack, "--by", "王干事"),
                 ("deliver", pack, "--adapter", ADAPTER, "--to", drop.as_uri(), "--ledger",
                  tmp_path / "l.sqlite")):
        assert_refused(attack(*args, cwd=tmp_path, timeout=60), "approvals.json", expected,
                       "xfpush approve")
    assert not drop.exists()


MANIFESTS: dict[str, tuple[Callable[[Path], object], str]] = {
    "cut-short": (lambda p: p.write_bytes(p.read_bytes()[:40]), "manifest.json 已损坏"),
    "wrong-shape": (lambda p: p.write_text('{"assets": [{"path": 5}]}', "utf-8"), "结构不对"),
    "traversal": (lambda p: p.write_text(p.read_text("utf-8").replace(
        '"path": "sms/', '"path": "../../sms/', 1), "utf-8"), "越界"),
    "asset-changed": (lambda p: (p.parent / "sms" / "standard.txt").write_text("改过", "utf-8"),
                      "文件被改动"),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_a_damaged_pack_cannot_be_signed_packaged_or_sent(good_pack: Path, tmp_path: Path,
                                                          kind: str) -> None:
    pack = Path(shutil.copytree(good_pack, tmp_path / "pack"))
    damage, expected = MANIFESTS[kind]
    damage(pack / "manifest.json")
    drop = tmp_path / "drop"
    for args in (("approve", pack, "--by", "王干事"),
                 ("package", pack, "--adapter", ADAPTER, "-o", tmp_path / "out"),
                 ("deliver", pack, "--adapter", ADAPTER, "--to", drop.as_uri(), "--ledger",
                  tmp_path / "l.sqlite", "--waive-approval")):
        assert_refused(attack(*args, cwd=tmp_path, timeout=60), "校验未通过", expected)
    assert not (pack / "approvals.json").exists() and not drop.exists()
    assert not (tmp_path / "out").exists()
    assert json.loads((good_pack / "manifest.json").read_text("utf-8"))["assets"]

"""A plugin package built in a temporary folder and installed with pip: its channel is listed,
packed with ``-c``, checked by the contract kit; its transport is chosen by the URL scheme; its
adapter's required, typed setting is enforced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEMO

pytestmark = pytest.mark.slow
DIST = "xfpush-demo-echo"

MODULE = '''
"""A tiny xfpush plugin: one channel, one transport and one adapter."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from xfpush.channels import Asset
from xfpush.partners.transports import Receipt


@dataclass(frozen=True)
class EchoProfile:
    name: str
    summary: str


class EchoChannel:
    name = "demo-echo"
    title = "回显"
    profiles = {"line": EchoProfile("line", "一行口号（UTF-8 文本）")}

    def describe(self, message, profile, fonts):
        return self.render(message, profile, fonts)

    def render(self, message, profile, fonts):
        text = message.slogan
        return [Asset(self.name, profile, f"{self.name}/{profile}.txt",
                      "text/plain; charset=utf-8", text.encode("utf-8"), text=text)]


ECHO = EchoChannel()


class EchoTransport:
    schemes = ("echo",)

    def __init__(self, url, options=None):
        self.destination = url
        self.folder = Path(unquote(urlsplit(url).path))

    def send(self, outgoing):
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{outgoing.name}.zip").write_bytes(outgoing.zip_bytes)
        return Receipt("acknowledged", f"echo 已收到 {outgoing.name}", outgoing.name)


def adapter_folders():
    return [Path(__file__).parent / "adapters" / "echo-board"]
'''

ADAPTER = '''
id = "echo-board"
name = "回显公告板"
needs = ["demo-echo:line"]
transport = "echo"

[[files]]
from = "demo-echo/*.txt"
to = "公告/{name}"

[settings.board]
type = "int"
env = "XFPUSH_ECHO_BOARD"
required = true
description = "公告板编号"
'''

PYPROJECT = f'''
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{DIST}"
version = "0.1.0"

[project.entry-points."xfpush.channels"]
demo-echo = "xfpush_demo_echo:ECHO"

[project.entry-points."xfpush.transports"]
echo = "xfpush_demo_echo:EchoTransport"

[project.entry-points."xfpush.adapters"]
demo-echo = "xfpush_demo_echo:adapter_folders"

[tool.hatch.build.targets.wheel]
packages = ["xfpush_demo_echo"]
'''

# The plugin's own tests, run the way a third party runs them: `pytest -p xfpush.testing`.
CONTRACT_TEST = '''
from pathlib import Path

import xfpush_demo_echo
from xfpush import build_pack
from xfpush.testing import assert_adapter_contract, assert_channel_contract


def test_channel_contract(xfpush_demo_message):
    assert_channel_contract("demo-echo", xfpush_demo_message)


def test_adapter_contract(xfpush_demo_message, tmp_path):
    pack = build_pack(xfpush_demo_message, tmp_path / "pack", "demo-echo").path
    folder = Path(xfpush_demo_echo.__file__).parent / "adapters" / "echo-board"
    assert_adapter_contract(folder, pack, tmp_path)
'''


def write_package(root: Path) -> Path:
    files = {"pyproject.toml": PYPROJECT, "xfpush_demo_echo/__init__.py": MODULE,
             "xfpush_demo_echo/adapters/echo-board/adapter.toml": ADAPTER,
             "tests/test_echo_contract.py": CONTRACT_TEST}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).lstrip(), "utf-8")
    return root


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, capture_output=True)


@pytest.fixture
def echo_plugin(tmp_path: Path) -> Iterator[Path]:
    """The demo-echo package, installed into this Python for the test, uninstalled after."""
    source = write_package(tmp_path / "xfpush-demo-echo")
    pip("install", "-q", "--no-deps", "--no-build-isolation", str(source))
    try:
        yield source
    finally:
        pip("uninstall", "-q", "-y", DIST)


def xfpush(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("XFPUSH_")}
    return subprocess.run([sys.executable, "-m", "xfpush", *args], capture_output=True,
                          text=True, env={**environ, **env}, check=False)


def test_an_installed_plugin_channel_transport_and_adapter_work_end_to_end(
        echo_plugin: Path, tmp_path: Path) -> None:
    listed = xfpush("channels", "--json")
    assert listed.returncode == 0, listed.stderr
    channels = json.loads(listed.stdout)
    assert channels["demo-echo"] == {"title": "回显", "plugin": DIST,
                                     "profiles": {"line": "一行口号（UTF-8 文本）"}}
    assert list(channels)[:2] == ["poster", "sticker"]  # built-ins keep their order, first

    pack = tmp_path / "pack"
    packed = xfpush("pack", str(DEMO), "-o", str(pack), "-c", "demo-echo,sms")
    assert packed.returncode == 0, packed.stderr
    assert (pack / "demo-echo" / "line.txt").read_text("utf-8") == "电动车不进楼入户"
    assert xfpush("verify", str(pack)).returncode == 0

    adapters = json.loads(xfpush("adapters", "--json").stdout)
    assert adapters["echo-board"]["transport"] == "echo"

    inbox, ledger = tmp_path / "inbox", tmp_path / "ledger.sqlite"
    send = ("deliver", str(pack), "--adapter", "echo-board", "--to", f"echo://{inbox}",
            "--ledger", str(ledger), "--waive-approval")
    missing = xfpush(*send)
    assert missing.returncode == 2
    assert "echo-board" in missing.stderr and "board" in missing.stderr
    assert "XFPUSH_ECHO_BOARD" in missing.stderr and "Traceback" not in missing.stderr
    wrong = xfpush(*send, XFPUSH_ECHO_BOARD="七号")
    assert wrong.returncode == 2 and "整数" in wrong.stderr and "七号" in wrong.stderr
    sent = xfpush(*send, XFPUSH_ECHO_BOARD="7")
    assert sent.returncode == 0, sent.stderr
    assert "acknowledged" in sent.stdout
    archive = zipfile.ZipFile(inbox / "echo-board_ebike-2027.zip")
    assert archive.read("公告/line.txt").decode("utf-8") == "电动车不进楼入户"


def test_the_plugin_passes_both_contract_kits_with_the_opt_in_pytest_plugin(
        echo_plugin: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "xfpush.testing",
                             "-p", "no:cacheprovider", "tests"], cwd=echo_plugin,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout

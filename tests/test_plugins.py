"""One plugin loader for adapters, channels and transports: lazy, declared like a third party's,
and a wrong plugin fails when it is loaded, naming itself and its entry point.

Broken plugins are real distributions (a ``*.dist-info`` folder with ``entry_points.txt`` next to
their module, as an installer lays them down) on a folder put on ``sys.path``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from conftest import DEMO
from xfpush.channels import CHANNEL_NAMES, CHANNELS, select
from xfpush.errors import PluginError
from xfpush.partners.adapters import ADAPTER_PLUGINS, discover
from xfpush.partners.transports import TRANSPORTS, transport_for, url_schemes
from xfpush.resources import _declared_in_source_tree, plugin_points
from xfpush.testing import channel_failures

GROUPS = ("xfpush.adapters", "xfpush.channels", "xfpush.transports")
REGISTRIES = (CHANNELS, TRANSPORTS, ADAPTER_PLUGINS)

CHANNEL_CODE = '''
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str


class Channel:
    title = "测试"
    profiles = {"one": Profile("one", "一个规格")}

    def __init__(self, name):
        self.name = name

    def describe(self, message, profile, fonts):
        return []

    def render(self, message, profile, fonts):
        return []
'''


def _write_distribution(root: Path, dist: str, groups: dict[str, dict[str, str]],
                        module: str, code: str) -> None:
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in points.items()) + "\n"
        for group, points in groups.items()))
    (root / f"{module}.py").write_text(textwrap.dedent(code), "utf-8")


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[Callable[[dict[str, dict[str, str]], str], str]]:
    """Install a one-module distribution on ``sys.path``; returns its module's name."""
    count = iter(range(100))

    def make(groups: dict[str, dict[str, str]], code: str = CHANNEL_CODE) -> str:
        index = next(count)
        module = f"xfp_plugin_{tmp_path.name}_{index}".replace("-", "_")
        root = tmp_path / f"site{index}"
        filled = {g: {n: v.replace("MODULE", module) for n, v in p.items()}
                  for g, p in groups.items()}
        _write_distribution(root, f"bad-plugin-{index}", filled, module, code)
        monkeypatch.syspath_prepend(str(root))
        for registry in REGISTRIES:
            registry.reset()
        return module

    yield make
    for registry in REGISTRIES:
        registry.reset()  # forget the plugins; monkeypatch then takes them off sys.path


@pytest.mark.parametrize("group", GROUPS)
def test_the_builtins_are_declared_like_a_third_partys(group: str) -> None:
    """Installed metadata and the source tree's pyproject agree (the loader falls back to it)."""
    installed = [(p.name, p.value) for p in plugin_points(group) if p.builtin]
    assert sorted(installed) == sorted((p.name, p.value) for p in _declared_in_source_tree(group))
    assert installed


def test_builtins_load_in_the_stable_order_and_only_when_used() -> None:
    assert list(CHANNELS) == [n for n in CHANNEL_NAMES if n in CHANNELS]
    assert set(CHANNELS) >= {"poster", "sticker", "led", "sms", "audio", "radio", "video", "tv",
                             "splash", "receipt", "social", "screen"}
    assert TRANSPORTS.names()[:3] == ["file", "http", "smtp"]
    assert url_schemes() == {"file": "file", "http": "http", "https": "http", "smtp": "smtp"}
    assert {p.dist for group in GROUPS for p in plugin_points(group)} == {"xfpush"}


def test_the_pytest_plugin_is_opt_in(tmp_path: Path) -> None:
    registered = [p for p in entry_points(group="pytest11") if p.value.startswith("xfpush")]
    assert not registered, "an old install still registers it: run pip install -e ."
    (tmp_path / "test_third_party.py").write_text(
        "def test_demo(xfpush_demo_message):\n    assert xfpush_demo_message.id\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode != 0 and "fixture 'xfpush_demo_message' not found" in result.stdout


LAZY = """
import sys, xfpush
from xfpush.channels import CHANNELS, select
names = list(CHANNELS)
select("sms")
print(",".join(sorted(m for m in sys.modules if m.startswith(("xfpush.channels.", "escpos")))))
"""


def test_listing_and_selecting_a_channel_imports_only_that_channel() -> None:
    loaded = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True,
                            check=True).stdout.strip().split(",")
    # the shared checks registry loads with any channel; no other channel's module does
    assert loaded == ["xfpush.channels.base", "xfpush.channels.checks", "xfpush.channels.sms"]


def test_xfpush_help_loads_no_channel_and_no_plugin() -> None:
    code = ("import sys, runpy\nsys.argv = ['xfpush', '--help']\ntry:\n"
            "    runpy.run_module('xfpush', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('xfpush.channels', 'PIL',"
            " 'numpy', 'importlib.metadata'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert "pack" in result.stdout and result.stdout.strip().endswith("[]")


@pytest.mark.parametrize(("code", "target", "expected"), [
    (CHANNEL_CODE, "no_such_module:X", "ModuleNotFoundError"),
    (CHANNEL_CODE, "MODULE:Channel", "不是类 Channel"),
    (CHANNEL_CODE + "WRONG = Channel('other')\n", "MODULE:WRONG", "与入口点名称 extra 不一致"),
    (CHANNEL_CODE + "X = Channel('extra')\nX.profiles = {}\n", "MODULE:X", "profiles 应为非空"),
    (CHANNEL_CODE + "X = Channel('extra')\nX.render = None\n", "MODULE:X", "缺少方法 render"),
    ("X = object()\n", "MODULE:X", "缺少属性 name"),
    ("raise RuntimeError('坏了')\n", "MODULE:X", "RuntimeError: 坏了"),
])
def test_a_wrong_channel_plugin_fails_at_load_naming_plugin_and_entry_point(
        install, code: str, target: str, expected: str) -> None:
    module = install({"xfpush.channels": {"extra": target}}, code)
    assert "extra" in CHANNELS and "sms" in CHANNELS  # listing names imports nothing
    assert select("sms")  # other channels keep working
    with pytest.raises(PluginError) as raised:
        select("extra")
    message = str(raised.value)
    assert expected in message and "渠道插件 extra" in message
    assert "xfpush.channels" in message and target.replace("MODULE", module) in message


@pytest.mark.parametrize(("name", "expected"), [
    ("poster", "与内置渠道同名"), ("banner", "与内置渠道同名"), ("Bad_Name", "只能用小写字母")])
def test_a_channel_plugin_may_not_take_a_builtin_or_bad_name(install, name, expected) -> None:
    install({"xfpush.channels": {name: "MODULE:X"}}, CHANNEL_CODE + f"X = Channel({name!r})\n")
    with pytest.raises(PluginError, match=expected) as raised:
        list(CHANNELS)
    assert "bad-plugin-0" in str(raised.value)


def test_a_wrong_transport_plugin_fails_naming_it(install) -> None:
    install({"xfpush.transports": {"pigeon": "MODULE:Pigeon"}},
            "class Pigeon:\n    schemes = ()\n    def send(self, outgoing): ...\n")
    with pytest.raises(PluginError, match="投递方式插件 pigeon 不合要求：schemes") as raised:
        transport_for("pigeon://loft")
    assert "xfpush.transports" in str(raised.value)


def test_a_transport_plugin_may_not_take_a_builtin_scheme(install) -> None:
    install({"xfpush.transports": {"fast-http": "MODULE:Fast"}},
            "class Fast:\n    schemes = ('https',)\n    def __init__(self, url, options): ...\n"
            "    def send(self, outgoing): ...\n")
    with pytest.raises(PluginError, match=r"fast-http 想处理 https:// 地址，但它已由 http 处理"):
        transport_for("https://partner.example/upload")


def test_a_transport_plugin_is_chosen_by_its_scheme(install, tmp_path: Path) -> None:
    install({"xfpush.transports": {"memo": "MODULE:Memo"}},
            "class Memo:\n    schemes = ('memo',)\n    def __init__(self, url, options):\n"
            "        self.destination = url\n    def send(self, outgoing): ...\n")
    assert type(transport_for("memo://desk")).__name__ == "Memo"
    with pytest.raises(Exception, match="插件还支持 memo://"):
        transport_for("ftp://old.example/")


def test_an_adapters_plugin_must_give_adapter_folders(install, tmp_path: Path) -> None:
    install({"xfpush.adapters": {"more": "MODULE:folders"}},
            f"def folders():\n    return [{str(tmp_path / 'nowhere')!r}]\n")
    with pytest.raises(PluginError, match=r"适配器插件 more 给出的文件夹 .*nowhere 中没有 adapter.toml"):
        discover()


@pytest.mark.slow
def test_the_cli_names_a_broken_plugin_without_a_traceback(tmp_path: Path) -> None:
    _write_distribution(tmp_path, "broken-channels", {"xfpush.channels": {"oops": "oops_mod:X"}},
                        "oops_mod", "import not_installed_anywhere\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for args in (["channels"], ["pack", str(DEMO), "-o", str(tmp_path / "p")]):
        result = subprocess.run([sys.executable, "-m", "xfpush", *args], capture_output=True,
                                text=True, env=env, check=False)
        assert result.returncode == 2, result.stderr
        assert "渠道插件 oops 无法加载" in result.stderr and "broken-channels" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "p").exists()


BAD_ASSETS = CHANNEL_CODE + '''
import os
from xfpush.channels import Asset


class Sloppy(Channel):
    def render(self, message, profile, fonts):
        return [Asset(self.name, profile, "elsewhere/one.png", "image/png", os.urandom(8))]


X = Sloppy("sloppy")
'''


def test_the_channel_kit_catches_a_sloppy_channel(install, xfpush_demo_message) -> None:
    install({"xfpush.channels": {"sloppy": "MODULE:X"}}, BAD_ASSETS)
    failures = "\n".join(channel_failures("sloppy", xfpush_demo_message))
    for reason in ("路径应在 sloppy/ 之下", "内容不是 image/png", "两次渲染结果不一致"):
        assert reason in failures

"""Adapters: the loader, every built-in, a third-party one, packaging, and the docs."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import pack_demo
from xfpush.cli import main
from xfpush.errors import AdapterError
from xfpush.partners import adapters as spec
from xfpush.partners.adapters import discover, load_adapter, resolve_settings
from xfpush.partners.packaging import build_package
from xfpush.partners.transports import transport_names
from xfpush.testing import assert_adapter_contract

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = ("courier", "food-delivery", "cable-tv", "led-screen", "bike-share", "app-splash",
           "carrier-sms", "new-media", "print-shop", "radio", "cinema-netcafe")
DOCS = (ROOT / "docs" / "adapters.md").read_text("utf-8")


def test_every_builtin_adapter_is_found_through_the_entry_point() -> None:
    assert set(BUILTIN) <= set(discover())


@pytest.mark.slow
@pytest.mark.parametrize("adapter_id", BUILTIN)
def test_contract_kit_over_builtin_adapters(adapter_id, xfpush_demo_pack, tmp_path) -> None:
    assert_adapter_contract(discover()[adapter_id], xfpush_demo_pack, tmp_path)


def docs_example(tmp_path: Path) -> Path:
    folder = tmp_path / "third-party" / "township-speaker"
    folder.mkdir(parents=True)
    toml = re.search(r"<!-- example: adapter.toml -->\n```toml\n(.*?)```", DOCS, re.S)
    hooks = re.search(r"<!-- example: hooks.py -->\n```python\n(.*?)```", DOCS, re.S)
    assert toml and hooks
    (folder / "adapter.toml").write_text(toml.group(1), "utf-8")
    (folder / "hooks.py").write_text(hooks.group(1), "utf-8")
    return folder


@pytest.mark.slow
def test_the_walkthrough_adapter_passes_the_contract_kit(xfpush_demo_pack, tmp_path) -> None:
    folder = docs_example(tmp_path)
    assert_adapter_contract(folder, xfpush_demo_pack, tmp_path)
    adapter = discover(folder.parent)["township-speaker"]
    package = build_package(xfpush_demo_pack, adapter, {"station": "A01"})
    names = zipfile.ZipFile(__import__("io").BytesIO(package.zip_bytes)).namelist()
    assert "循环播放/ebike-2027-loop-60s.mp3" in names and "播出单.txt" in names
    result = CliRunner().invoke(main, ["adapters", "--adapters-dir", str(folder.parent), "--json"])
    assert "township-speaker" in json.loads(result.output)


def test_docs_explain_every_key_and_hook() -> None:
    for key in (spec.TOP_KEYS | spec.FILE_KEYS | spec.EXTRA_KEYS | spec.SETTING_KEYS | spec.HOOKS
                | spec.EXTRA_KINDS | set(spec.SETTING_TYPES) | set(transport_names())):
        assert f"`{key}`" in DOCS, f"docs/adapters.md does not explain `{key}`"


@pytest.mark.parametrize(("text", "expected"), [
    ('id = "bad"\nname = "x"\nneeds = ["poster"]\ntransport = "file"\ncolour = "red"\n', "colour"),
    ('id = "bad"\nname = "x"\nneeds = ["hologram:big"]\ntransport = "file"\n', "hologram:big"),
    ('id = "bad"\nname = "x"\nneeds = ["poster"]\ntransport = "pigeon"\n',
     "transport “pigeon” 不是已安装的投递方式，可用：file、http、smtp"),
    ('id = "bad"\nname = "x"\nneeds = ["poster"]\ntransport = "file"\n'
     '[settings.copies]\ntype = "int"\nenv = "C"\ndefault = "200"\n', "default 应为整数（int），实际是 '200'"),
    ('id = "bad"\nname = "x"\nneeds = ["poster"]\ntransport = "file"\n'
     '[settings.key]\ntype = "string"\nsecret = true\nenv = "K"\ndefault = "abc"\n', "default"),
    ('id = "bad"\nname = "x"\nneeds = ["poster"]\ntransport = "file"\n'
     '[[files]]\nfrom = "poster/*"\nto = "../escape"\n', "越出"),
])
def test_a_wrong_adapter_fails_at_load_with_its_id_and_key(tmp_path, text, expected) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "adapter.toml").write_text(text, "utf-8")
    with pytest.raises(AdapterError) as raised:
        load_adapter(folder)
    assert "适配器 bad" in str(raised.value) and expected in str(raised.value)


def test_unknown_hook_and_duplicate_ids_are_refused(tmp_path) -> None:
    folder = tmp_path / "dir" / "radio-copy"
    folder.mkdir(parents=True)
    (folder / "adapter.toml").write_text((ROOT / "adapters/radio/adapter.toml").read_text("utf-8"))
    with pytest.raises(AdapterError, match="id 重复：radio"):
        discover(folder.parent)
    (folder / "adapter.toml").write_text('id = "hooked"\nname = "x"\nneeds = ["poster"]\n'
                                         'transport = "file"\n', "utf-8")
    (folder / "hooks.py").write_text("def rename_everything(manifest):\n    return {}\n")
    with pytest.raises(AdapterError, match="rename_everything"):
        load_adapter(folder)


@pytest.mark.slow
def test_package_lists_missing_profiles_and_is_deterministic(tmp_path, demo_path) -> None:
    runner = CliRunner()
    pack = tmp_path / "pack"
    assert runner.invoke(main, ["pack", str(demo_path), "-o", str(pack), "-c", "poster"]).exit_code == 0
    result = runner.invoke(main, ["package", str(pack), "--adapter", "courier", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "sticker:label-60x40" in result.output and "waybill-65x30" in result.output
    first = runner.invoke(main, ["package", str(pack), "--adapter", "print-shop", "-o", str(tmp_path / "a")])
    second = runner.invoke(main, ["package", str(pack), "--adapter", "print-shop", "-o", str(tmp_path / "b")])
    assert first.exit_code == 0 and second.exit_code == 0
    name = "print-shop_ebike-2027"
    assert (tmp_path / "a" / f"{name}.zip").read_bytes() == (tmp_path / "b" / f"{name}.zip").read_bytes()
    listing = json.loads((tmp_path / "a" / f"{name}.manifest.json").read_text("utf-8"))
    archive = zipfile.ZipFile(tmp_path / "a" / f"{name}.zip")
    for entry in listing["files"]:
        import hashlib

        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    assert "印刷说明.csv" in archive.namelist() and "使用说明.txt" in archive.namelist()


TYPED = '''id = "typed"
name = "类型检查"
needs = ["sms:standard"]
transport = "file"

[[files]]
from = "sms/*"
to = "{name}"

[settings.station]
type = "string"
env = "XFPUSH_TYPED_STATION"
required = true

[settings.copies]
type = "int"
env = "XFPUSH_TYPED_COPIES"
default = 3

[settings.urgent]
type = "bool"
env = "XFPUSH_TYPED_URGENT"

[settings.token]
type = "int"
env = "XFPUSH_TYPED_TOKEN"
secret = true
'''


@pytest.fixture
def typed_adapter(tmp_path: Path) -> Path:
    folder = tmp_path / "adapters" / "typed"
    folder.mkdir(parents=True)
    (folder / "adapter.toml").write_text(TYPED, "utf-8")
    return folder


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "适配器 typed：缺少必填设置 station（string）：请设置环境变量 XFPUSH_TYPED_STATION"),
    ({"XFPUSH_TYPED_STATION": "  "}, "缺少必填设置 station"),
    ({"XFPUSH_TYPED_STATION": "A1", "XFPUSH_TYPED_COPIES": "两百"},
     "适配器 typed：设置 copies 应为整数（int），实际是“两百”（环境变量 XFPUSH_TYPED_COPIES）"),
    ({"XFPUSH_TYPED_STATION": "A1", "XFPUSH_TYPED_URGENT": "maybe"},
     "设置 urgent 应为布尔值（true 或 false）（bool），实际是“maybe”"),
    ({"XFPUSH_TYPED_STATION": "A1", "XFPUSH_TYPED_TOKEN": "s3cr3t-value"},
     "设置 token 应为整数（int），实际是（密钥，不显示）"),
])
def test_settings_type_and_required_are_enforced(typed_adapter, environ, expected) -> None:
    with pytest.raises(AdapterError) as raised:
        resolve_settings(load_adapter(typed_adapter), environ)
    assert expected in str(raised.value) and "s3cr3t-value" not in str(raised.value)


def test_settings_are_typed_from_the_environment(typed_adapter, tmp_path) -> None:
    adapter = load_adapter(typed_adapter)
    assert resolve_settings(adapter, {"XFPUSH_TYPED_STATION": "A1", "XFPUSH_TYPED_URGENT": "Yes",
                                      "XFPUSH_TYPED_TOKEN": "42"}) == {
        "station": "A1", "copies": 3, "urgent": True, "token": 42}
    pack = pack_demo(tmp_path / "pack", "sms")
    with pytest.raises(AdapterError, match="设置 station 应为字符串（string），实际是“7”"):
        build_package(pack, adapter, {"station": 7})
    with pytest.raises(AdapterError, match="没有名为 colour 的设置"):
        build_package(pack, adapter, {"station": "A1", "colour": "red"})
    runner = CliRunner()
    args = ["package", str(pack), "--adapter", "typed", "--adapters-dir",
            str(typed_adapter.parent), "-o", str(tmp_path / "out")]
    refused = runner.invoke(main, args, env={"XFPUSH_TYPED_STATION": "A1",
                                             "XFPUSH_TYPED_COPIES": "many"})
    assert refused.exit_code == 2 and "copies" in refused.output and "many" in refused.output
    assert not (tmp_path / "out").exists()
    assert runner.invoke(main, args, env={"XFPUSH_TYPED_STATION": "A1"}).exit_code == 0


TOP_KEY_LINE = re.compile(r"^([a-z_]+) = ", re.M)


def test_a_scaffolded_adapter_is_commented_and_passes_the_contract_kit(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["adapters", "new", "township-speaker", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "township-speaker"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "adapter.toml", "hooks.py"]
    lines = (folder / "adapter.toml").read_text("utf-8").splitlines()
    keys = {m.group(1) for m in TOP_KEY_LINE.finditer("\n".join(lines))}
    assert spec.TOP_KEYS - {"files", "extras", "settings"} <= keys
    assert keys >= spec.FILE_KEYS | spec.EXTRA_KEYS | spec.SETTING_KEYS
    for index, line in enumerate(lines):
        if TOP_KEY_LINE.match(line):
            assert lines[index - 1].startswith("# "), f"no comment above {line!r}"
    adapter = discover(tmp_path)["township-speaker"]
    assert set(adapter.hooks) == spec.HOOKS
    pack = pack_demo(tmp_path / "pack", "poster:phone")
    assert_adapter_contract(folder, pack, tmp_path)
    names = zipfile.ZipFile(__import__("io").BytesIO(build_package(
        pack, adapter, resolve_settings(adapter, {})).zip_bytes)).namelist()
    assert {"海报/ebike-2027-phone.png", "使用说明.txt", "文件清单.csv", "发布信息.txt"} <= set(names)
    assert "township-speaker" in (folder / "README.md").read_text("utf-8")


@pytest.mark.parametrize(("adapter_id", "expected"), [
    ("Bad_Id", "只能用小写字母"), ("courier", "已被内置适配器使用"), ("exists", "已存在，不会覆盖")])
def test_adapters_new_refuses_a_bad_id_or_an_existing_folder(tmp_path, adapter_id,
                                                             expected) -> None:
    (tmp_path / "exists").mkdir()
    result = CliRunner().invoke(main, ["adapters", "new", adapter_id, "-o", str(tmp_path)])
    assert result.exit_code == 2 and expected in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists"]
    without = CliRunner().invoke(main, ["adapters", "new", "plain", "-o", str(tmp_path),
                                        "--no-hooks"])
    assert without.exit_code == 0 and not (tmp_path / "plain" / "hooks.py").exists()


@pytest.mark.parametrize(("platform", "sign", "refusal"), [
    ("aliyun", "某" * 12, None),
    ("aliyun", "某" * 13, "短信签名【" + "某" * 13 + "】13 字，阿里云短信服务要求 2–12 字"),
    ("carrier", "某" * 16, None),
    ("carrier", "某", "1 字，运营商直连群发平台要求 2–16 字"),
    ("nowhere", "某区", "platforms.toml 中没有这个平台，可用：aliyun、carrier"),
])
def test_carrier_sms_checks_the_signature_by_platform(platform, sign, refusal) -> None:
    hook = discover()["carrier-sms"].hooks["check_pack"]
    manifest = {"assets": [{"channel": "sms", "text": f"【{sign}】火警请拨119。拒收请回复R"}]}
    problem = hook(manifest, {}, {"platform": platform})
    assert (problem is None) if refusal is None else (refusal in problem)


def test_carrier_sms_package_uses_the_platform_setting(tmp_path) -> None:
    adapter = discover()["carrier-sms"]
    pack = pack_demo(tmp_path / "pack", "sms")
    assert build_package(pack, adapter, {"platform": "aliyun"}).name == "carrier-sms_ebike-2027"
    with pytest.raises(AdapterError, match="适配器 carrier-sms：设置 platform 为“huawei”"):
        build_package(pack, adapter, {"platform": "huawei"})

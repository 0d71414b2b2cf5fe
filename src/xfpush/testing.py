"""The contract kits: the checks every adapter and every channel must pass.

xfpush's own tests run them over every adapter and channel the loaders find. Third-party
packages use them through this opt-in pytest plugin — ``pytest -p xfpush.testing`` or
``pytest_plugins = ["xfpush.testing"]`` in a conftest — which provides the ``xfpush_demo_pack``
and ``xfpush_demo_message`` fixtures:

    assert_adapter_contract(adapter_folder, xfpush_demo_pack, tmp_path)
    assert_channel_contract("my-channel", xfpush_demo_message)
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pytest

from .errors import XfpushError
from .partners.adapters import Adapter, Setting, load_adapter, resolve_settings
from .partners.delivery import deliver
from .partners.packaging import build_package

if TYPE_CHECKING:
    from .model.message import Message

SENTINEL = "xfpush-secret-sentinel-7f3a9c"


@contextmanager
def no_network() -> Iterator[list[Any]]:
    """Record (and refuse) every attempt to open a socket connection."""
    attempts: list[Any] = []
    original = socket.socket.connect

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("网络连接在此检查中被禁止")

    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    try:
        yield attempts
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


def contract_failures(adapter: Adapter | Path, pack_dir: Path, work: Path) -> list[str]:
    """Every way ``adapter`` breaks the contract on ``pack_dir`` (empty: it passes)."""
    try:
        spec = adapter if isinstance(adapter, Adapter) else load_adapter(adapter)
    except XfpushError as exc:
        return [f"spec 无效：{exc}"]
    failures: list[str] = []
    environ = {s.env: _sample(s) for s in spec.settings
               if s.secret or (s.required and s.default is None)}
    try:
        settings = resolve_settings(spec, environ)
        first = build_package(pack_dir, spec, settings)
        second = build_package(pack_dir, spec, settings)
    except XfpushError as exc:
        return [f"无法打包：{exc}"]
    if first.zip_bytes != second.zip_bytes:
        failures.append("同一物料包两次打包结果不一致（不确定性）")
    if not first.manifest["files"]:
        failures.append("包中没有任何文件")
    for secret in spec.secret_values(environ):
        if secret.encode() in first.zip_bytes or secret in json.dumps(first.manifest):
            failures.append(f"密钥出现在包或清单中（{spec.id}）")
    ledger = work / f"{spec.id}-ledger.sqlite"
    with no_network() as attempts:
        try:
            result = deliver(pack_dir, spec, "http://127.0.0.1:9/", ledger_path=ledger,
                             dry_run=True, waive_approval=True, environ=environ)
        except XfpushError as exc:
            failures.append(f"dry-run 失败：{exc}")
            result = None
    if attempts:
        failures.append(f"dry-run 建立了网络连接：{attempts[0]}")
    if result is not None and any(s in json.dumps(asdict(result))
                                  for s in spec.secret_values(environ)):
        failures.append("dry-run 输出中出现了密钥")
    if ledger.exists():
        failures.append("dry-run 写了台账")
    return failures


def _sample(setting: Setting) -> str:
    """An environment value of the setting's type; secrets get a sentinel to search for."""
    if setting.secret:
        return f"{SENTINEL}-{setting.name}"
    return {"int": "1", "bool": "true"}.get(setting.type, f"示例-{setting.name}")


def assert_adapter_contract(adapter: Adapter | Path, pack_dir: Path, work: Path) -> None:
    failures = contract_failures(adapter, pack_dir, work)
    assert not failures, "；".join(failures)


def assert_channel_contract(channel: str, message: Message,
                            profiles: list[str] | None = None) -> None:
    """The channel registered as ``channel`` keeps the channel contract on ``message``."""
    failures = channel_failures(channel, message, profiles)
    assert not failures, "\n".join(failures)


# The first bytes each common format starts with, so a media type cannot be a guess.
MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
         "image/gif": (b"GIF87a", b"GIF89a"), "application/pdf": (b"%PDF-",),
         "audio/wav": (b"RIFF",), "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
         "application/zip": (b"PK\x03\x04",)}
EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".gif": "image/gif", ".pdf": "application/pdf", ".wav": "audio/wav",
              ".mp3": "audio/mpeg", ".mp4": "video/mp4", ".txt": "text/plain",
              ".json": "application/json", ".zip": "application/zip"}


def channel_failures(name: str, message: Message, profiles: list[str] | None = None) -> list[str]:
    """Every way the channel ``name`` breaks the channel contract (empty: it keeps it).

    Loads it through the registry (as ``-c`` would), renders each profile twice and checks
    the assets: paths under ``<channel>/``, media types that match the bytes, deterministic
    bytes, the demo message passing the channel's own checks.
    """
    from .channels import CHANNELS, select
    from .channels.checks import run_checks
    from .pack.build import prepare_fonts

    try:
        channel = CHANNELS[name]
        select(name)
    except (KeyError, XfpushError) as exc:
        return [f"渠道 {name} 无法通过注册表加载：{exc}"]
    fonts = prepare_fonts(message)
    failures: list[str] = []
    seen: set[str] = set()
    for profile in profiles or list(channel.profiles):
        where = f"{name}:{profile}"
        try:
            problems = [p for a in channel.describe(message, profile, fonts)
                        for p in run_checks(a).problems()]
            first, second = ([run_checks(a) for a in channel.render(message, profile, fonts)]
                             for _ in range(2))
        except XfpushError as exc:
            failures.append(f"{where} 出错：{exc}")
            continue
        failures += [f"{where} describe() 返回了其他渠道的物料：{p}" for p in problems
                     if getattr(p, "channel", None) != name]
        if not first:
            failures.append(f"{where} render() 没有返回任何物料")
        if [(a.path, a.media_type, a.data) for a in first] != [
                (a.path, a.media_type, a.data) for a in second]:
            failures.append(f"{where} 两次渲染结果不一致（不确定性）")
        for asset in first:
            failures += [f"{where} {asset.path}：{reason}"
                         for reason in _asset_failures(asset, name, profile, seen)]
    return failures


def _asset_failures(asset: Any, name: str, profile: str, seen: set[str]) -> list[str]:
    from .channels import Asset
    from .pack.manifest import asset_entry

    if not isinstance(asset, Asset):
        return [f"应为 xfpush.channels.Asset，实际是 {type(asset).__name__}"]
    reasons = []
    if (asset.channel, asset.profile) != (name, profile):
        reasons.append(f"channel/profile 写成了 {asset.channel}:{asset.profile}")
    parts = PurePosixPath(asset.path).parts
    if PurePosixPath(asset.path).is_absolute() or ".." in parts or len(parts) < 2 or (
            parts[0] != name):
        reasons.append(f"路径应在 {name}/ 之下")
    if asset.path in seen:
        reasons.append("与另一个物料路径重复")
    seen.add(asset.path)
    reasons += _media_failures(asset)
    reasons += [f"演示消息未通过检查 {p.check}：{p.reason}" for p in asset.problems()]
    try:
        json.dumps(asset_entry(asset), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        reasons.append(f"无法写入 manifest.json：{exc}")
    return reasons


def _media_failures(asset: Any) -> list[str]:
    kind, _, parameters = asset.media_type.partition(";")
    kind = kind.strip()
    if kind.count("/") != 1 or not all(kind.split("/")) or kind != kind.lower():
        return [f"media_type “{asset.media_type}” 不是 类型/子类型"]
    if not isinstance(asset.data, bytes) or not asset.data:
        return ["data 应为非空的 bytes"]
    expected = EXTENSIONS.get(PurePosixPath(asset.path).suffix.lower())
    if expected is not None and kind != expected:
        return [f"扩展名对应 {expected}，media_type 却是 {kind}"]
    if kind in MAGIC and not asset.data.startswith(MAGIC[kind]):
        return [f"内容不是 {kind}（文件头 {asset.data[:8]!r}）"]
    if kind == "video/mp4" and asset.data[4:8] != b"ftyp":
        return ["内容不是 MP4（缺少 ftyp）"]
    charset = parameters.partition("charset=")[2].strip() or "utf-8"
    if kind.startswith("text/") or kind == "application/json":
        try:
            text = asset.data.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            return [f"文字无法按 {charset} 解码：{exc}"]
        if kind == "application/json":
            try:
                json.loads(text)
            except ValueError as exc:
                return [f"不是有效的 JSON：{exc}"]
    return []


@pytest.fixture(scope="session")
def xfpush_demo_message() -> Message:
    """The bundled demo message, the one every channel must render."""
    from .model.loader import load_message
    from .resources import asset_path

    return load_message(asset_path("examples", "demo.yaml"))


@pytest.fixture(scope="session")
def xfpush_demo_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo message packed with every channel (built once per session)."""
    from .model.loader import load_message
    from .pack.build import build_pack
    from .resources import asset_path

    out = tmp_path_factory.mktemp("xfpush-demo") / "pack"
    return build_pack(load_message(asset_path("examples", "demo.yaml")), out).path

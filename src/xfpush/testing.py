"""The adapter contract kit: one set of checks every adapter must pass.

Used by xfpush's own tests over every adapter it finds, and available to third-party adapter
packages as a pytest plugin (entry point ``pytest11: xfpush``), which provides the
``xfpush_demo_pack`` fixture; call ``assert_adapter_contract(adapter, xfpush_demo_pack, tmp_path)``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from .errors import XfpushError
from .partners.adapters import Adapter, load_adapter
from .partners.delivery import deliver
from .partners.packaging import build_package

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
    environ = {s.env: f"{SENTINEL}-{s.name}" for s in spec.settings if s.secret}
    settings = {s.name: environ.get(s.env, s.default) for s in spec.settings}
    try:
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
    if result is not None and any(s in json.dumps(asdict(result)) for s in environ.values()):
        failures.append("dry-run 输出中出现了密钥")
    if ledger.exists():
        failures.append("dry-run 写了台账")
    return failures


def assert_adapter_contract(adapter: Adapter | Path, pack_dir: Path, work: Path) -> None:
    failures = contract_failures(adapter, pack_dir, work)
    assert not failures, "；".join(failures)


@pytest.fixture(scope="session")
def xfpush_demo_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo message packed with every channel (built once per session)."""
    from .model.loader import load_message
    from .pack.build import build_pack
    from .resources import asset_path

    out = tmp_path_factory.mktemp("xfpush-demo") / "pack"
    return build_pack(load_message(asset_path("examples", "demo.yaml")), out).path

"""Packs: render the selected channels, write files + manifest.json + proof.html, verify.

A pack is built in a hidden sibling folder and renamed into place only when every asset passed
its checks, so a failed run never leaves a half-written pack behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..channels import Asset, select
from ..channels.checks import run_checks
from ..errors import (
    ChecksFailed,
    DependencyError,
    PackLocationError,
    Problem,
    RenderError,
    TextFitError,
    os_reason,
)
from ..model.message import Message
from ..typeset.fonts import FontSet, check_glyphs, font_set
from .manifest import (
    MANIFEST,
    MESSAGE_FILE,
    PROOF,
    asset_entry,
    message_yaml,
    safe_relative,
    sha256,
)
from .proof import proof_html


@dataclass(frozen=True)
class PackResult:
    """A pack written to disk."""

    path: Path
    manifest: dict[str, Any]


def prepare_fonts(message: Message) -> FontSet:
    """The fonts for this message, after checking every character of it has a glyph."""
    fonts = font_set(message.fallback_font)
    check_glyphs(message.text_fields(), fonts, file=message.source, lines=dict(message.lines))
    return fonts


def check_message(message: Message, channels: str | None = None, *,
                  skipped: list[dict[str, str]] | None = None) -> list[Problem]:
    """Every problem the checks find in what the selected channels describe, without drawing,
    encoding or writing files.

    A profile whose optional engine is missing: an error if chosen with ``channels``; else
    listed in ``skipped`` when given, or reported as a ``tts`` problem.
    """
    fonts = prepare_fonts(message)
    problems: list[Problem] = []
    for channel, profile in select(channels):
        try:
            described = channel.describe(message, profile, fonts)
        except TextFitError as exc:
            problems.append(Problem(channel.name, profile, "text_fit", str(exc)))
            continue
        except RenderError as exc:
            raise exc.at(channel.name, profile) from exc
        except DependencyError as exc:
            if channels:
                raise
            if skipped is None:
                problems.append(Problem(channel.name, profile, "tts", str(exc)))
            else:
                skipped.append(skip_entry(channel.name, profile, exc))
            continue
        for asset in described:
            problems += run_checks(asset).problems()
    return list(dict.fromkeys(problems))


def skip_entry(channel: str, profile: str, exc: DependencyError) -> dict[str, str]:
    """How manifest.json records a profile left out for a missing optional engine."""
    return {"channel": channel, "profile": profile, "reason": exc.reason, "fix": exc.fix}


def render_assets(message: Message, channels: str | None = None, *, use_cache: bool = True,
                  skipped: list[dict[str, str]] | None = None) -> list[Asset]:
    """Render every selected profile; raise ChecksFailed listing every failure.

    Assets are a pure function of the message (and its files), the profile and the xfpush
    version, so within one process a profile already rendered for the same message is reused.
    With ``skipped`` and no explicit ``channels``, a profile whose optional engine is missing
    is listed there instead of failing the pack (an explicitly chosen one still fails).
    """
    fonts = prepare_fonts(message)
    key = message_key(message) if use_cache else ""
    assets: list[Asset] = []
    problems: list[Problem] = []
    for channel, profile in select(channels):
        try:
            rendered = _ASSETS.get((key, channel.name, profile)) if use_cache else None
            if rendered is None:
                rendered = tuple(run_checks(a) for a in channel.render(message, profile, fonts))
                if use_cache:
                    _ASSETS.put((key, channel.name, profile), rendered)
        except TextFitError as exc:
            problems.append(Problem(channel.name, profile, "text_fit", str(exc)))
            continue
        except RenderError as exc:
            raise exc.at(channel.name, profile) from exc
        except DependencyError as exc:
            if skipped is None or channels:
                raise
            skipped.append(skip_entry(channel.name, profile, exc))
            continue
        for asset in rendered:
            problems += asset.problems()
        assets += rendered
    if problems:
        raise ChecksFailed(list(dict.fromkeys(problems)))
    return assets


class _AssetCache:
    """A small in-process LRU of rendered assets, bounded by total bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[str, str, str], tuple[Asset, ...]] = OrderedDict()
        self.size = 0

    def get(self, key: tuple[str, str, str]) -> tuple[Asset, ...] | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: tuple[str, str, str], assets: tuple[Asset, ...]) -> None:
        self.entries[key] = assets
        self.size += sum(len(a.data) for a in assets)
        while self.size > self.max_bytes and len(self.entries) > 1:
            _, evicted = self.entries.popitem(last=False)
            self.size -= sum(len(a.data) for a in evicted)

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


_ASSETS = _AssetCache(256 * 1024 * 1024)


def message_key(message: Message) -> str:
    """Content hash of everything a rendering depends on: fields, user files, version."""
    digest = hashlib.sha256(__version__.encode() + message_yaml(message))
    for path in (message.logo, message.evacuation_map, message.fallback_font):
        if path is not None:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_pack(message: Message, out_dir: str | Path, channels: str | None = None, *,
               use_cache: bool = True) -> PackResult:
    """Render, check and write a pack to ``out_dir`` (replacing an older pack there).

    ``use_cache=False`` for batches, where every message differs and caching only costs memory.
    """
    target = Path(out_dir).resolve()
    _ensure_replaceable(target)
    skipped: list[dict[str, str]] = []
    assets = render_assets(message, channels, use_cache=use_cache, skipped=skipped)
    message_bytes = message_yaml(message)
    manifest: dict[str, Any] = {
        "xfpush_version": __version__,
        "message": {"id": message.id, "sha256": sha256(message_bytes), "path": MESSAGE_FILE},
        "assets": [asset_entry(a) for a in assets],
    }
    if skipped:  # channels left out because an optional engine is missing, and how to add it
        manifest["skipped"] = skipped
    proof = proof_html(message, manifest).encode("utf-8")
    manifest["proof"] = {"path": PROOF, "sha256": sha256(proof)}
    files = {MESSAGE_FILE: message_bytes, PROOF: proof}
    files.update({a.path: a.data for a in assets})
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    _write_atomically(target, files)
    return PackResult(target, manifest)


def _ensure_replaceable(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise PackLocationError(f"输出位置 {target} 是一个文件，不是文件夹")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise PackLocationError(f"输出文件夹 {target} 已有其他内容且不是物料包，为免覆盖请换一个文件夹")


def _write_atomically(target: Path, files: dict[str, bytes]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as exc:
        found = next((p for p in (target.parent, *target.parent.parents) if p.exists()), None)
        reason = f"{found} 是一个文件，不是文件夹" if found and found.is_file() else os_reason(exc)
        raise PackLocationError(f"无法在 {target.parent} 中写入物料包：{reason}。"
                                "请用 -o 换一个可写的文件夹") from exc
    try:
        for name, data in files.items():
            path = staging / safe_relative(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staging, 0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, retired / "pack")
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise



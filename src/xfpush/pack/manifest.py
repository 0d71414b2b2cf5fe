"""The manifest: what a pack holds, how each entry is written, and how a pack is verified.

Light on purpose (json, hashlib, yaml): delivery, approvals and ``xfpush verify`` read packs
without loading any renderer.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import os_reason

if TYPE_CHECKING:
    from ..channels.base import Asset
    from ..model.message import Message

MANIFEST = "manifest.json"
PROOF = "proof.html"
MESSAGE_FILE = "message.yaml"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def message_yaml(message: Message) -> bytes:
    return yaml.safe_dump(message.to_dict(), allow_unicode=True, sort_keys=False,
                          width=1000).encode("utf-8")


def asset_entry(asset: Asset) -> dict[str, Any]:
    return {
        "channel": asset.channel, "profile": asset.profile, "path": asset.path,
        "media_type": asset.media_type, "sha256": sha256(asset.data), "bytes": len(asset.data),
        "width_px": asset.width_px, "height_px": asset.height_px, "width_mm": asset.width_mm,
        "height_mm": asset.height_mm, "dpi": asset.dpi, "duration_s": asset.duration_s,
        "text": asset.text, "qr_url": asset.qr_url, "layout": asset.layout_entries(),
        "loudness_lufs": asset.loudness_lufs, "true_peak_dbtp": asset.true_peak_dbtp,
        "voice": asset.voice, "icons": list(asset.icons) if asset.icons else None,
        "icons_from": asset.icons_from,
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in asset.checks],
    }


def safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"物料路径越界：{path}")
    return relative


def verify_pack(pack_dir: str | Path) -> list[str]:
    """Problems found re-hashing a pack against its manifest (empty list: intact)."""
    root = Path(pack_dir)
    try:
        expected = _expected_hashes(json.loads((root / MANIFEST).read_text("utf-8")))
    except FileNotFoundError:
        return [f"缺少 {MANIFEST}：{root} 不是物料包，或清单被删除了"]
    except OSError as exc:
        return [f"无法读取 {root / MANIFEST}：{os_reason(exc)}"]
    except json.JSONDecodeError as exc:
        return [f"{MANIFEST} 已损坏：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）"]
    except ValueError as exc:  # not UTF-8, or not shaped like a manifest
        return [f"{MANIFEST} 已损坏：{exc}"]
    problems = []
    for name, digest in sorted(expected.items()):
        try:
            path = root / safe_relative(name)
            actual = sha256(path.read_bytes())
        except ValueError as exc:
            problems.append(str(exc))
            continue
        except OSError:
            problems.append(f"缺少文件：{name}")
            continue
        if actual != digest:
            problems.append(f"文件被改动：{name}（sha256 {actual[:12]}…，清单记录 {digest[:12]}…）")
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    for extra in sorted(present - set(expected) - {MANIFEST, "approvals.json"}):
        problems.append(f"清单之外的文件：{extra}")
    return problems


def _expected_hashes(manifest: Any) -> dict[str, str]:
    """path → sha256 of every file a manifest lists; ValueError if it is not shaped like one."""
    try:
        entries = [(entry["path"], entry["sha256"]) for entry in manifest.get("assets", [])]
        entries.append((manifest["message"].get("path", MESSAGE_FILE), manifest["message"]["sha256"]))
        if "proof" in manifest:
            entries.append((manifest["proof"]["path"], manifest["proof"]["sha256"]))
    except (AttributeError, KeyError, TypeError) as exc:
        raise ValueError(f"结构不对（缺少或写错了 {exc}）") from exc
    if not all(isinstance(name, str) and isinstance(digest, str) for name, digest in entries):
        raise ValueError("结构不对（path 和 sha256 应是文字）")
    return dict(entries)

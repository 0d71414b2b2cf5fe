"""Partner packages: the files an adapter needs, renamed, plus its extra files, as one
deterministic zip with a file list (sha256 of every entry). No network, no secrets."""

from __future__ import annotations

import csv
import fnmatch
import inspect
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import AdapterError, PackLocationError, os_reason
from ..pack.manifest import MANIFEST, sha256, verify_pack
from .adapters import Adapter, Extra, check_settings
from .safe import safe_cell

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Package:
    """A built partner package."""

    name: str
    """File stem: ``<adapter>_<message id>``."""
    zip_bytes: bytes
    manifest: dict[str, Any]

    @property
    def sha256(self) -> str:
        return sha256(self.zip_bytes)


def _pack_manifest(pack_dir: Path) -> dict[str, Any]:
    problems = verify_pack(pack_dir)
    if problems:
        raise AdapterError(f"物料包 {pack_dir} 校验未通过，不能打包：{problems[0]}")
    loaded: dict[str, Any] = json.loads((pack_dir / MANIFEST).read_text("utf-8"))
    return loaded


def missing_profiles(adapter: Adapter, manifest: Mapping[str, Any]) -> list[str]:
    present = {(a["channel"], a["profile"]) for a in manifest["assets"]}
    channels = {channel for channel, _ in present}
    missing = []
    for need in adapter.needs:
        channel, _, profile = need.partition(":")
        if (profile and (channel, profile) not in present) or (not profile and
                                                                channel not in channels):
            missing.append(need)
    return missing


def failed_needs(adapter: Adapter, manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The pack's failures (manifest ``failures``) among what the adapter needs: a need
    ``channel:profile`` matches that profile, a bare ``channel`` any profile of it."""
    needs = [need.partition(":") for need in adapter.needs]
    return [failure for failure in manifest.get("failures") or []
            if any(failure.get("channel") == channel and profile in ("", failure.get("profile"))
                   for channel, _, profile in needs)]


def refuse_failed_needs(adapter: Adapter, manifest: Mapping[str, Any]) -> None:
    """Raise, naming them, when assets this adapter needs could not be made in the pack."""
    failed = failed_needs(adapter, manifest)
    if not failed:
        return
    listed = "；".join(f"{f.get('channel')}:{f.get('profile')}（{f.get('reason')}，"
                      f"修改方法：{f.get('fix')}）" for f in failed)
    profiles = list(dict.fromkeys(f"{f.get('channel')}:{f.get('profile')}" for f in failed))
    raise AdapterError(f"适配器 {adapter.id}（{adapter.name}）需要的 {'、'.join(profiles)} "
                       f"在物料包中未能生成，不能打包：{listed}。请按修改方法改好消息，"
                       f"重新运行 xfpush pack 后再打包")


def _target(rule_target: str, asset: Mapping[str, Any], message_id: str) -> str:
    path = PurePosixPath(asset["path"])
    return rule_target.format(name=path.name, stem=path.stem, ext=path.suffix,
                              channel=asset["channel"], profile=asset["profile"], id=message_id)


def select_files(adapter: Adapter, pack_dir: Path,
                 manifest: Mapping[str, Any]) -> dict[str, tuple[bytes, Mapping[str, Any]]]:
    """package path → (bytes, pack asset entry); the first matching rule wins."""
    message_id = manifest["message"]["id"]
    chosen: dict[str, tuple[bytes, Mapping[str, Any]]] = {}
    for asset in manifest["assets"]:
        for rule in adapter.files:
            if fnmatch.fnmatchcase(asset["path"], rule.source):
                target = _target(rule.target, asset, message_id)
                if target in chosen:
                    raise AdapterError(f"适配器 {adapter.id}：多个文件都被命名为 {target}")
                chosen[target] = ((pack_dir / asset["path"]).read_bytes(), asset)
                break
    return chosen


def _describe(asset: Mapping[str, Any]) -> str:
    parts = []
    if asset.get("width_mm"):
        parts.append(f"{asset['width_mm']}×{asset['height_mm']} mm")
    elif asset.get("width_px"):
        parts.append(f"{asset['width_px']}×{asset['height_px']} 像素")
    if asset.get("duration_s"):
        parts.append(f"{asset['duration_s']} 秒")
    return "，".join(parts)


def _context(adapter: Adapter, message: Mapping[str, Any],
             files: Mapping[str, tuple[bytes, Mapping[str, Any]]]) -> dict[str, str]:
    campaign = message.get("campaign") or {}
    listing = "\n".join(f"- {name}（{asset['channel']}:{asset['profile']}"
                        f"{'，' + _describe(asset) if _describe(asset) else ''}）"
                        for name, (_, asset) in sorted(files.items()))
    hotlines = "、".join(f"{k} {v}" for k, v in (message.get("hotlines") or {}).items())
    return {"adapter_name": adapter.name, "title": message.get("title", ""),
            "slogan": message.get("slogan", ""), "issuer": message.get("issuer", ""),
            "campaign": campaign.get("name", "") or "", "start": campaign.get("start") or "",
            "end": campaign.get("end") or "", "hotlines": hotlines, "files": listing,
            "id": message.get("id", "")}


def _extra_bytes(extra: Extra, context: Mapping[str, str],
                 files: Mapping[str, tuple[bytes, Mapping[str, Any]]]) -> bytes:
    if extra.kind == "instructions":
        return (extra.template.format(**context).strip() + "\n").encode("utf-8")
    rows = [_row(name, asset, data) for name, (data, asset) in sorted(files.items())]
    if extra.kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        columns = list(extra.columns) or list(rows[0]) if rows else list(extra.columns)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(row.get(column, "")) for column in columns])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
    payload: dict[str, Any] = {key: context[key] for key in ("id", "title", "campaign", "start",
                                                             "end")}
    payload["files"] = rows
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _row(name: str, asset: Mapping[str, Any], data: bytes) -> dict[str, Any]:
    return {"文件": name, "渠道": asset["channel"], "规格": asset["profile"],
            "尺寸": _describe(asset), "文字": asset.get("text") or "", "sha256": sha256(data),
            "字节": len(data)}


def deterministic_zip(entries: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.flag_bits |= 0x800  # names are UTF-8
            archive.writestr(info, entries[name], compresslevel=6)
    return buffer.getvalue()


def call_check_pack(hook: Callable[..., Any], manifest: Mapping[str, Any],
                    message: Mapping[str, Any], settings: Mapping[str, Any]) -> Any:
    """``check_pack(manifest, message[, settings])``: settings only for hooks that take them,
    so adapters written before the third parameter keep working."""
    try:
        takes = len(inspect.signature(hook).parameters)
    except (TypeError, ValueError):  # a builtin or C callable: the original two parameters
        takes = 2
    return hook(manifest, message, settings) if takes >= 3 else hook(manifest, message)


def build_package(pack_dir: str | Path, adapter: Adapter,
                  settings: Mapping[str, Any] | None = None) -> Package:
    """The partner package of a verified pack (nothing is written).

    ``settings`` are typed values (see ``resolve_settings`` for reading them from the
    environment); a missing required one or a wrong type raises before anything is built.
    """
    pack_dir = Path(pack_dir)
    values = check_settings(adapter, settings)
    manifest = _pack_manifest(pack_dir)
    refuse_failed_needs(adapter, manifest)
    missing = missing_profiles(adapter, manifest)
    if missing:
        raise AdapterError(f"物料包缺少适配器 {adapter.id}（{adapter.name}）需要的规格："
                           f"{'、'.join(missing)}。请用 xfpush pack -c {','.join(missing)} 生成")
    import yaml

    message = yaml.safe_load((pack_dir / manifest["message"].get("path", "message.yaml"))
                             .read_text("utf-8"))
    files = select_files(adapter, pack_dir, manifest)
    context = _context(adapter, message, files)
    entries = {name: data for name, (data, _) in files.items()}
    for extra in adapter.extras:
        entries[extra.path] = _extra_bytes(extra, context, files)
    if "extra_files" in adapter.hooks:
        for name, data in adapter.hooks["extra_files"](manifest, message, values).items():
            entries[str(name)] = bytes(data)
    if "check_pack" in adapter.hooks:
        problem = call_check_pack(adapter.hooks["check_pack"], manifest, message, values)
        if problem:
            raise AdapterError(f"适配器 {adapter.id}：{problem}")
    package_manifest = {
        "adapter": adapter.id, "adapter_name": adapter.name,
        "message": manifest["message"], "pack_manifest_sha256": sha256(
            (pack_dir / MANIFEST).read_bytes()),
        "files": [{"path": name, "sha256": sha256(data), "bytes": len(data)}
                  for name, data in sorted(entries.items())],
    }
    entries["manifest.json"] = (json.dumps(package_manifest, ensure_ascii=False, indent=2)
                                + "\n").encode("utf-8")
    name = f"{adapter.id}_{manifest['message']['id']}"
    return Package(name, deterministic_zip(entries), package_manifest)


def write_package(package: Package, out_dir: str | Path,
                  pack_dir: str | Path | None = None) -> tuple[Path, Path]:
    """Write ``<name>.zip`` and ``<name>.manifest.json`` into ``out_dir``.

    ``out_dir`` must pass ``check_output_folder`` (nothing of a pack or of anyone else is ever
    overwritten or mixed with packages).
    """
    out = Path(out_dir)
    check_output_folder(out, pack_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        zip_path, manifest_path = out / f"{package.name}.zip", out / f"{package.name}.manifest.json"
        listing = dict(package.manifest, zip_sha256=package.sha256)
        for path, data in ((zip_path, package.zip_bytes), (manifest_path, (json.dumps(
                listing, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))):
            temporary = path.with_name(path.name + ".tmp")
            temporary.write_bytes(data)
            temporary.replace(path)
    except OSError as exc:
        raise PackLocationError(f"无法写入输出文件夹 {out}：{os_reason(exc)}。请用 -o 换一个文件夹") from exc
    return zip_path, manifest_path


_SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def check_output_folder(out: str | Path, pack_dir: str | Path | None = None, *,
                        option: str = "-o") -> None:
    """Refuse an output folder that is the pack, is inside it, holds a pack, or holds anything
    that is not a partner package (zip + listing) written by xfpush. Nothing is written."""
    out = Path(out)
    target = out.resolve()
    if pack_dir is not None:
        pack = Path(pack_dir).resolve()
        if target == pack or pack in target.parents:
            raise PackLocationError(
                f"输出文件夹 {out} {'就是' if target == pack else '在'}物料包 {pack_dir}"
                f"{'' if target == pack else ' 之中'}：写入会破坏物料包的校验。请用 {option} 指定物料包之外的文件夹")
    if out.exists() and not out.is_dir():
        raise PackLocationError(f"输出位置 {out} 是一个文件，不是文件夹。请用 {option} 换一个文件夹")
    if (out / MANIFEST).exists():
        raise PackLocationError(f"输出文件夹 {out} 里是一个物料包（有 {MANIFEST}），合作方包不能写进物料包。"
                                f"请用 {option} 换一个文件夹")
    strangers = sorted(p.name for p in out.iterdir() if not _made_here(p)) if out.is_dir() else []
    if strangers:
        shown = "、".join(strangers[:3]) + ("等" if len(strangers) > 3 else "")
        raise PackLocationError(f"输出文件夹 {out} 里已有不是合作方包的内容（{shown}），为免混淆或覆盖，"
                                "请用 -o 指定一个空文件夹或专放合作方包的文件夹")


def _made_here(path: Path) -> bool:
    """A file that package writing (or the folder transport) leaves: zip, listing, temp files."""
    name = path.name
    if name in _SYSTEM_FILES:
        return True
    if not path.is_file():
        return False
    if name.endswith(".tmp"):
        return ".zip" in name or ".manifest.json" in name
    if name.endswith(".zip"):
        return _is_listing(path.with_name(name[: -len(".zip")] + ".manifest.json"))
    return name.endswith(".manifest.json") and _is_listing(path)


def _is_listing(path: Path) -> bool:
    try:
        if path.stat().st_size > 16 * 1024 * 1024:
            return False
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "adapter" in data and isinstance(data.get("files"), list)

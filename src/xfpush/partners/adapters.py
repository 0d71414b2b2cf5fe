"""Partner adapters: data-first specs (``adapter.toml`` + optional ``hooks.py``) and their loader.

Every adapter — built-in, from ``--adapters-dir`` or from a third-party package — is found
through the entry-point group ``xfpush.adapters``: an entry point names a callable returning
adapter folders (or a folder). A wrong spec fails at load time naming the adapter and the key;
a missing required setting or a wrongly typed one fails before anything is packaged or sent.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import AdapterError, PluginError
from ..resources import PluginPoint, Plugins, data_root
from .transports import transport_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENTRY_POINT_GROUP = "xfpush.adapters"
TOP_KEYS = {"id", "name", "description", "needs", "files", "extras", "settings", "transport"}
FILE_KEYS = {"from", "to"}
EXTRA_KEYS = {"path", "kind", "template", "columns"}
EXTRA_KINDS = {"instructions", "csv", "json"}
SETTING_KEYS = {"type", "secret", "env", "required", "description", "default"}
SETTING_TYPES = {"string": "字符串", "int": "整数", "bool": "布尔值（true 或 false）"}
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
HOOKS = {"extra_files", "check_pack"}
ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,40}\Z")


@dataclass(frozen=True)
class FileRule:
    """Pack files matching ``source`` (a glob) go into the package as ``target``."""

    source: str
    target: str


@dataclass(frozen=True)
class Extra:
    """A file the adapter adds: an instruction sheet, a CSV for operators, a JSON."""

    path: str
    kind: str
    template: str = ""
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Setting:
    """A value the adapter needs; secrets only ever come from the environment."""

    name: str
    type: str
    env: str
    secret: bool = False
    required: bool = False
    description: str = ""
    default: Any = None


@dataclass(frozen=True)
class Adapter:
    """A partner kind and what it needs from a pack."""

    id: str
    name: str
    description: str
    needs: tuple[str, ...]
    files: tuple[FileRule, ...]
    extras: tuple[Extra, ...]
    settings: tuple[Setting, ...]
    transport: str
    folder: Path
    hooks: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def secret_values(self, environ: Mapping[str, str]) -> list[str]:
        return [environ[s.env] for s in self.settings if s.secret and environ.get(s.env)]


def fail(adapter: str, reason: str) -> AdapterError:
    return AdapterError(f"适配器 {adapter}：{reason}")


def load_adapter(folder: Path) -> Adapter:
    """Read and validate ``folder/adapter.toml`` (and ``hooks.py`` if present)."""
    spec_path = folder / "adapter.toml"
    label = folder.name
    try:
        data = tomllib.loads(spec_path.read_text("utf-8"))
    except OSError as exc:
        raise fail(label, f"找不到 {spec_path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise fail(label, f"adapter.toml 格式错误：{exc}") from exc
    label = str(data.get("id", label))
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise fail(label, f"不认识的键 {sorted(unknown)[0]}")
    for key in ("id", "name", "needs", "transport"):
        if key not in data:
            raise fail(label, f"缺少必填键 {key}")
    if not ID_PATTERN.match(label):
        raise fail(label, "id 只能用小写字母、数字和“-”")
    known = transport_names()
    if data["transport"] not in known:
        raise fail(label, f"transport “{data['transport']}” 不是已安装的投递方式，"
                          f"可用：{'、'.join(known)}")
    needs = tuple(data["needs"])
    _check_needs(label, needs)
    return Adapter(label, str(data["name"]), str(data.get("description", "")), needs,
                   tuple(_file_rule(label, raw) for raw in data.get("files", [])),
                   tuple(_extra(label, raw) for raw in data.get("extras", [])),
                   tuple(_setting(label, name, raw) for name, raw in
                         data.get("settings", {}).items()),
                   str(data["transport"]), folder.resolve(), _hooks(label, folder))


def _check_needs(label: str, needs: Iterable[str]) -> None:
    from ..channels import CHANNELS

    for need in needs:
        channel, _, profile = str(need).partition(":")
        if channel not in CHANNELS or (profile and profile not in CHANNELS[channel].profiles):
            raise fail(label, f"needs 中的“{need}”不是已知的 渠道:规格")


def _file_rule(label: str, raw: Mapping[str, Any]) -> FileRule:
    unknown = set(raw) - FILE_KEYS
    if unknown or not {"from", "to"} <= set(raw):
        raise fail(label, f"files 每项需要 from 和 to（发现 {sorted(raw)}）")
    target = str(raw["to"])
    if target.startswith("/") or ".." in Path(target).parts:
        raise fail(label, f"files.to 不能越出压缩包：{target}")
    return FileRule(str(raw["from"]), target)


def _extra(label: str, raw: Mapping[str, Any]) -> Extra:
    unknown = set(raw) - EXTRA_KEYS
    if unknown:
        raise fail(label, f"extras 中不认识的键 {sorted(unknown)[0]}")
    if raw.get("kind") not in EXTRA_KINDS or not raw.get("path"):
        raise fail(label, f"extras 每项需要 path 和 kind（{'、'.join(sorted(EXTRA_KINDS))}）")
    return Extra(str(raw["path"]), str(raw["kind"]), str(raw.get("template", "")),
                 tuple(raw.get("columns", ())))


def _setting(label: str, name: str, raw: Mapping[str, Any]) -> Setting:
    unknown = set(raw) - SETTING_KEYS
    if unknown:
        raise fail(label, f"settings.{name} 中不认识的键 {sorted(unknown)[0]}")
    if str(raw.get("type")) not in SETTING_TYPES or not raw.get("env"):
        raise fail(label, f"settings.{name} 需要 type（{'、'.join(sorted(SETTING_TYPES))}）和 env")
    if raw.get("secret") and "default" in raw:
        raise fail(label, f"settings.{name} 是密钥，不能写 default（只能来自环境变量）")
    if "default" in raw and not _has_type(raw["default"], raw["type"]):
        raise fail(label, f"settings.{name} 的 default 应为{SETTING_TYPES[raw['type']]}"
                          f"（{raw['type']}），实际是 {raw['default']!r}")
    return Setting(name, str(raw["type"]), str(raw["env"]), bool(raw.get("secret", False)),
                   bool(raw.get("required", False)), str(raw.get("description", "")),
                   raw.get("default"))


def _hooks(label: str, folder: Path) -> dict[str, Callable[..., Any]]:
    path = folder / "hooks.py"
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"xfpush_adapter_hooks_{label.replace('-', '_')}",
                                                  path)
    assert spec and spec.loader
    module: ModuleType = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken hooks.py must name its adapter
        raise fail(label, f"hooks.py 无法加载：{exc}") from exc
    public = {name for name in vars(module) if not name.startswith("_") and
              callable(getattr(module, name)) and getattr(getattr(module, name), "__module__",
                                                          "") == module.__name__}
    unknown = public - HOOKS
    if unknown:
        raise fail(label, f"hooks.py 中的函数 {sorted(unknown)[0]} 不是约定的钩子"
                           f"（{'、'.join(sorted(HOOKS))}）")
    return {name: getattr(module, name) for name in public}


def builtin_folders() -> list[Path]:
    """The adapters shipped with xfpush (target of the built-in entry point)."""
    root = data_root() / "adapters"
    return sorted(p for p in root.iterdir() if (p / "adapter.toml").is_file())


def _adapters_problem(target: Any, point: PluginPoint) -> str | None:
    if callable(target) or isinstance(target, (str, Path, list, tuple)):
        return None
    return f"应指向返回适配器文件夹（或文件夹列表）的函数，实际是 {type(target).__name__}"


ADAPTER_PLUGINS = Plugins(ENTRY_POINT_GROUP, "适配器", _adapters_problem)


def _plugin_folders(name: str) -> list[Path]:
    point = ADAPTER_PLUGINS.points()[name]
    target = ADAPTER_PLUGINS.load(name)
    try:
        value = target() if callable(target) else target
        folders = [Path(value)] if isinstance(value, (str, Path)) else [Path(v) for v in value]
    except Exception as exc:  # foreign code: name the plugin instead of a traceback
        raise PluginError(f"适配器插件 {name} 没有给出适配器文件夹：{type(exc).__name__}: {exc}"
                          f"；{point}") from exc
    for folder in folders:
        if not (folder / "adapter.toml").is_file():
            raise PluginError(f"适配器插件 {name} 给出的文件夹 {folder} 中没有 adapter.toml；{point}")
    return folders


def discover(adapters_dir: Path | None = None) -> dict[str, Adapter]:
    """Every adapter: entry points (built-ins included), then ``adapters_dir``."""
    folders = [folder for name in ADAPTER_PLUGINS.names() for folder in _plugin_folders(name)]
    if adapters_dir is not None:
        folders += sorted(p for p in adapters_dir.iterdir() if (p / "adapter.toml").is_file())
    found: dict[str, Adapter] = {}
    for folder in folders:
        adapter = load_adapter(folder)
        if adapter.id in found:
            raise AdapterError(f"适配器 id 重复：{adapter.id}（{found[adapter.id].folder} 与 {folder}）")
        found[adapter.id] = adapter
    return found


def get_adapter(adapter_id: str, adapters_dir: Path | None = None) -> Adapter:
    adapters = discover(adapters_dir)
    if adapter_id not in adapters:
        raise AdapterError(f"没有 id 为“{adapter_id}”的适配器，可用：{'、'.join(sorted(adapters))}")
    return adapters[adapter_id]


def resolve_settings(adapter: Adapter, environ: Mapping[str, str]) -> dict[str, Any]:
    """Each setting's value from its environment variable (or default), typed and checked."""
    values: dict[str, Any] = {}
    for setting in adapter.settings:
        raw = environ.get(setting.env, "")
        values[setting.name] = _parse(adapter, setting, raw) if raw.strip() else None
    return check_settings(adapter, values)


def check_settings(adapter: Adapter, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """``values`` with defaults filled in; a missing required or wrongly typed value raises."""
    given = dict(values or {})
    unknown = sorted(set(given) - {s.name for s in adapter.settings})
    if unknown:
        raise fail(adapter.id, f"没有名为 {unknown[0]} 的设置，可用："
                               f"{'、'.join(s.name for s in adapter.settings) or '（无）'}")
    checked: dict[str, Any] = {}
    for setting in adapter.settings:
        value = given.get(setting.name)
        if value is None:
            value = setting.default
        if value is None and setting.required:
            raise fail(adapter.id, f"缺少必填设置 {setting.name}（{setting.type}）："
                                   f"请设置环境变量 {setting.env}")
        if value is not None and not _has_type(value, setting.type):
            raise _wrong_type(adapter, setting, value)
        checked[setting.name] = value
    return checked


def _parse(adapter: Adapter, setting: Setting, raw: str) -> Any:
    word = raw.strip()
    if setting.type == "int":
        try:
            return int(word)
        except ValueError:
            raise _wrong_type(adapter, setting, raw) from None
    if setting.type == "bool":
        if word.lower() in TRUE_WORDS + FALSE_WORDS:
            return word.lower() in TRUE_WORDS
        raise _wrong_type(adapter, setting, raw)
    return raw


def _has_type(value: Any, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, bool if kind == "bool" else str)


def _wrong_type(adapter: Adapter, setting: Setting, value: Any) -> AdapterError:
    shown = "（密钥，不显示）" if setting.secret else f"“{value}”"
    return fail(adapter.id, f"设置 {setting.name} 应为{SETTING_TYPES[setting.type]}（{setting.type}），"
                            f"实际是{shown}（环境变量 {setting.env}）")

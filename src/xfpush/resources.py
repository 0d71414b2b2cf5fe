"""What xfpush finds around its code: the bundled data, and the plugins installed next to it.

Bundled data lives inside the wheel (``xfpush/_data``) or in the source tree. Plugins are entry
points of three groups — ``xfpush.adapters``, ``xfpush.channels``, ``xfpush.transports`` — and
xfpush's own channels, transports and adapters are registered there exactly like a third
party's, so there is one loader. Listing a group reads metadata only; a plugin's module is
imported when that one plugin is first used, and a wrong plugin fails then, naming itself.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import PluginError

_PACKAGE_DIR = Path(__file__).resolve().parent
DISTRIBUTION = "xfpush"
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}\Z")


@cache
def data_root() -> Path:
    """The folder holding ``assets/``, ``adapters/`` and ``recipes/``."""
    installed = _PACKAGE_DIR / "_data"
    if (installed / "assets").is_dir():
        return installed
    source_tree = _PACKAGE_DIR.parents[1]
    if (source_tree / "assets").is_dir():
        return source_tree
    raise RuntimeError(f"找不到 xfpush 的资源文件夹（查找过 {installed} 和 {source_tree}）")


def asset_path(*parts: str) -> Path:
    """A file under ``assets/``."""
    return data_root().joinpath("assets", *parts)


@dataclass(frozen=True)
class PluginPoint:
    """One entry point, read from metadata without importing anything."""

    group: str
    name: str
    value: str
    """``module:attribute``"""
    dist: str
    """The distribution that registered it (``xfpush`` for the built-ins)."""

    @property
    def builtin(self) -> bool:
        return self.dist == DISTRIBUTION

    def __str__(self) -> str:
        return f"入口点 {self.group} 中的 {self.name} = {self.value}（来自 {self.dist}）"

    def load(self) -> Any:
        module, _, attribute = self.value.partition(":")
        target: Any = importlib.import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            target = getattr(target, part)
        return target


def plugin_points(group: str) -> list[PluginPoint]:
    """Every entry point of ``group``, the built-ins first, without importing plugin code."""
    from importlib.metadata import entry_points

    found = [PluginPoint(group, point.name, point.value,
                         point.dist.name if point.dist is not None else "?")
             for point in entry_points(group=group)]
    if not any(point.builtin for point in found):
        # xfpush is run from a source tree it was never installed from, or from an install made
        # before this group existed: its own declaration in pyproject.toml is the truth.
        found += _declared_in_source_tree(group)
    return sorted(found, key=lambda point: not point.builtin)


def _declared_in_source_tree(group: str) -> list[PluginPoint]:
    pyproject = _PACKAGE_DIR.parents[1] / "pyproject.toml"
    if not pyproject.is_file():
        return []
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    project = tomllib.loads(pyproject.read_text("utf-8")).get("project", {})
    if project.get("name") != DISTRIBUTION:
        return []
    declared = project.get("entry-points", {}).get(group, {})
    return [PluginPoint(group, name, value, DISTRIBUTION) for name, value in declared.items()]


class Plugins:
    """The plugins of one entry-point group: names from metadata, objects loaded on first use.

    ``validate`` returns a Chinese reason when a loaded object is not what the group needs.
    ``reserved`` names belong to xfpush even before it ships them; no plugin may take them.
    ``order`` puts the built-ins in a fixed order; plugins follow, sorted by name.
    """

    def __init__(self, group: str, kind: str, validate: Callable[[Any, PluginPoint], str | None],
                 *, reserved: Collection[str] = (), order: Sequence[str] = ()) -> None:
        self.group = group
        self.kind = kind
        self.validate = validate
        self.reserved = frozenset(reserved)
        self.order = tuple(order)
        self._points: dict[str, PluginPoint] | None = None
        self._loaded: dict[str, Any] = {}

    def points(self) -> dict[str, PluginPoint]:
        """Name → entry point, checked for bad and clashing names; imports nothing."""
        if self._points is None:
            chosen: dict[str, PluginPoint] = {}
            for point in plugin_points(self.group):
                self._check_name(point, chosen)
                chosen[point.name] = point
            rank = {name: index for index, name in enumerate(self.order)}
            self._points = dict(sorted(chosen.items(), key=lambda item: (
                not item[1].builtin, rank.get(item[0], len(rank)), item[0])))
        return self._points

    def _check_name(self, point: PluginPoint, chosen: dict[str, PluginPoint]) -> None:
        if not PLUGIN_NAME.match(point.name):
            raise PluginError(f"{self.kind}插件名“{point.name}”只能用小写字母、数字和“-”"
                              f"（以字母开头，最长 41 个字符）：{point}")
        other = chosen.get(point.name)
        if other is not None and other.builtin:
            raise PluginError(f"{self.kind}插件 {point.name} 与内置{self.kind}同名：{point}。"
                              "请给插件换一个名字")
        if other is not None:
            raise PluginError(f"两个插件都注册了{self.kind} {point.name}：{other}；{point}")
        if not point.builtin and point.name in self.reserved:
            raise PluginError(f"{self.kind}名 {point.name} 是 xfpush 保留的内置名称：{point}。"
                              "请给插件换一个名字")

    def names(self) -> list[str]:
        return list(self.points())

    def __contains__(self, name: object) -> bool:
        return name in self.points()

    def __iter__(self) -> Iterator[str]:
        return iter(self.points())

    def load(self, name: str) -> Any:
        """The plugin object registered as ``name`` (KeyError if there is none)."""
        if name not in self._loaded:
            point = self.points()[name]
            try:
                target = point.load()
            except Exception as exc:  # any import-time failure of foreign code names the plugin
                raise PluginError(f"{self.kind}插件 {name} 无法加载：{type(exc).__name__}: {exc}"
                                  f"；{point}") from exc
            problem = self.validate(target, point)
            if problem:
                raise PluginError(f"{self.kind}插件 {name} 不合要求：{problem}；{point}")
            self._loaded[name] = target
        return self._loaded[name]

    def load_all(self) -> dict[str, Any]:
        return {name: self.load(name) for name in self.points()}

    def reset(self) -> None:
        """Forget what was found, e.g. after a package was installed into the running Python."""
        self._points = None
        self._loaded.clear()

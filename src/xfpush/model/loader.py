"""Reading a message file (YAML, TOML or JSON) safely, with errors that name file:line.

Everything a person can get wrong in a message file is refused before any rendering:
unknown keys, wrong types, over-long fields, bad URLs, bad dates, logos that are not images.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import MessageError, os_reason
from .message import _KNOWN_KEYS, MAX_FILE_BYTES, Message
from .validate import Validator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def load_message(path: str | Path) -> Message:
    """Read and validate a message file (.yaml/.yml, .toml or .json)."""
    path = Path(path)
    label = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MessageError(f"无法读取消息文件（{os_reason(exc)}）", file=label) from exc
    if size > MAX_FILE_BYTES:
        raise MessageError(f"消息文件过大：{size / 1024:.0f} KB，上限 {MAX_FILE_BYTES // 1024} KB。"
                           "一条宣传信息不需要这么长，请检查是否粘贴了多余内容", file=label)
    if not path.is_file():
        raise MessageError("这是一个文件夹，不是消息文件；请给出 .yaml、.toml 或 .json 文件",
                           file=label)
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise MessageError(f"文件不是 UTF-8 编码（第 {exc.start} 字节附近），请另存为 UTF-8",
                           file=label) from exc
    except OSError as exc:
        raise MessageError(f"无法读取消息文件（{os_reason(exc)}）", file=label) from exc
    data, lines = parse_text(text, path.suffix.lower(), label)
    return message_from_dict(data, base_dir=path.parent, source=label, lines=lines)


def parse_text(text: str, suffix: str, label: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse message text by file type; returns the data and a field → line map."""
    if suffix == ".toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MessageError(f"TOML 格式错误：{exc}", file=label) from exc
        lines = _key_lines(text, r"^\s*{key}\s*=|^\s*\[{key}\]")
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MessageError(f"JSON 格式错误：{exc.msg}（第 {exc.colno} 列）", file=label,
                               line=exc.lineno) from exc
        lines = _key_lines(text, r'"{key}"\s*:')
    elif suffix in (".yaml", ".yml", ""):
        data, lines = _parse_yaml(text, label)
    else:
        raise MessageError(f"不认识的文件类型“{suffix}”，请用 .yaml、.toml 或 .json", file=label)
    if not isinstance(data, dict):
        raise MessageError("文件内容应是“字段: 值”的映射（例如 title: ……）", file=label)
    return data, lines


class _YamlRefused(yaml.YAMLError):
    """A YAML feature a message file has no use for, refused with its line."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


class _MessageYamlLoader(yaml.SafeLoader):
    """SafeLoader without aliases, and keeping an impossible date (2027-13-01) as its text.

    Aliases are refused (``a: &x [*x]`` recurses, nested aliases multiply); an impossible
    date stays text so validation can name the field and the line instead of failing here.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _YamlRefused("不支持 YAML 锚点和别名（& 和 *），请把内容直接写出来", mark.line + 1)
        return super().compose_node(parent, index)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_MessageYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _parse_yaml(text: str, label: str) -> tuple[Any, dict[str, int]]:
    loader = _MessageYamlLoader(text)
    try:
        root = loader.get_single_node()
        lines: dict[str, int] = {}
        _walk_yaml(root, "", lines)
        data = None if root is None else loader.construct_document(root)
    except _YamlRefused as exc:
        raise MessageError(exc.reason, file=label, line=exc.line) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise MessageError("不支持的 YAML 标签（以 ! 开头的写法），请去掉它，直接写值", file=label,
                           line=mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise MessageError(f"YAML 格式错误：{problem}（常见原因：冒号后缺空格、缩进不齐、引号未闭合）",
                           file=label, line=mark.line + 1 if mark else None) from exc
    finally:
        loader.dispose()
    return data, lines


def _walk_yaml(node: yaml.Node | None, prefix: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = f"{prefix}{key_node.value}"
            if name in lines:
                raise _YamlRefused(f"“{name}”写了两次（第 {lines[name]} 行和第 "
                                   f"{key_node.start_mark.line + 1} 行），请删去一处",
                                   key_node.start_mark.line + 1)
            lines[name] = key_node.start_mark.line + 1
            _walk_yaml(value_node, name + ".", lines)
    elif isinstance(node, yaml.SequenceNode):
        base = prefix.rstrip(".")
        for index, item in enumerate(node.value):
            lines[f"{base}[{index}]"] = item.start_mark.line + 1
            _walk_yaml(item, f"{base}[{index}].", lines)


def _key_lines(text: str, pattern: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for key in _KNOWN_KEYS | {"url", "caption", "name", "start", "end"}:
        regex = re.compile(pattern.format(key=re.escape(key)), re.MULTILINE)
        match = regex.search(text)
        if match:
            lines[key] = text.count("\n", 0, match.start()) + 1
    return lines


def message_from_dict(data: Mapping[str, Any], *, base_dir: Path | None = None,
                      source: str | None = None,
                      lines: Mapping[str, int] | None = None) -> Message:
    """Validate plain data (as a message file holds it) into a Message."""
    return Validator(data, base_dir or Path.cwd(), source, dict(lines or {})).message()

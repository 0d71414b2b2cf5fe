"""Reading a message file (YAML, TOML or JSON) safely, with errors that name file:line.

Everything a person can get wrong in a message file is refused before any rendering:
unknown keys, wrong types, over-long fields, bad URLs, bad dates, logos that are not images.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import MessageError
from .message import _KNOWN_KEYS, MAX_FILE_BYTES, Message
from .reading import MAX_DEPTH, FileRefused, nesting_depth, read_bounded, too_deep
from .validate import Validator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def load_message(path: str | Path, *, allow_paths: Sequence[str | Path] = ()) -> Message:
    """Read and validate a message file (.yaml/.yml, .toml or .json).

    Files the message names (logo, evacuation map, fallback font) must lie in the message's
    folder or in one of ``allow_paths``.
    """
    path = Path(path)
    label = str(path)
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        if exc.too_large:
            raise MessageError(f"消息文件过大：超过上限 {MAX_FILE_BYTES // 1024} KB。一条宣传信息"
                               "不需要这么长，请检查是否粘贴了多余内容", file=label) from None
        hint = "；请给出 .yaml、.toml 或 .json 消息文件" if "文件夹" in str(exc) else ""
        raise MessageError(f"无法读取消息文件：{exc}{hint}", file=label) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MessageError(f"文件不是 UTF-8 编码（第 {exc.start} 字节附近），请另存为 UTF-8",
                           file=label) from None
    data, lines = parse_text(text, path.suffix.lower(), label)
    return message_from_dict(data, base_dir=path.parent, source=label, lines=lines,
                             allow_paths=allow_paths)


def parse_text(text: str, suffix: str, label: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse message text by file type; returns the data and a field → line map."""
    if suffix == ".toml":
        _refuse_deep(nesting_depth(text, comments="#", literal_quote="'"), label)
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(exc, label) from exc
        except RecursionError:
            _refuse_deep(MAX_DEPTH + 1, label)
        lines = _key_lines(text, r"^\s*{key}\s*=|^\s*\[{key}\]")
    elif suffix == ".json":
        _refuse_deep(nesting_depth(text), label)
        try:
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        except json.JSONDecodeError as exc:
            raise MessageError(f"JSON 格式错误：{exc.msg}（第 {exc.colno} 列）", file=label,
                               line=exc.lineno) from exc
        except _DuplicateKey as exc:
            raise MessageError(f"“{exc.key}”写了两次，请删去一处", file=label,
                               line=_key_lines(text, '"{key}"\\s*:').get(exc.key)) from None
        except RecursionError:
            _refuse_deep(MAX_DEPTH + 1, label)
        lines = _key_lines(text, r'"{key}"\s*:')
    elif suffix in (".yaml", ".yml", ""):
        data, lines = _parse_yaml(text, label)
    else:
        raise MessageError(f"不认识的文件类型“{suffix}”，请用 .yaml、.toml 或 .json", file=label)
    if not isinstance(data, dict):
        raise MessageError("文件内容应是“字段: 值”的映射（例如 title: ……）", file=label)
    return data, lines


def _refuse_deep(depth: int, label: str) -> None:
    if depth > MAX_DEPTH:
        raise MessageError(too_deep(depth), file=label)


def _toml_error(exc: ValueError, label: str) -> MessageError:
    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    line = int(where.group(1)) if where else None
    if "overwrite" in text or "twice" in text:
        return MessageError("同一个键写了两次，请删去一处", file=label, line=line)
    detail = text[:where.start()].strip() if where else text
    column = f"（第 {where.group(2)} 列）" if where else ""
    return MessageError(f"TOML 格式错误：{detail}{column}（常见原因：引号未闭合、值没有加引号）",
                        file=label, line=line)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


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

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _YamlRefused("不支持 YAML 锚点和别名（& 和 *），请把内容直接写出来", mark.line + 1)
        if self.depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _YamlRefused(too_deep(self.depth + 1), mark.line + 1)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


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
                      source: str | None = None, lines: Mapping[str, int] | None = None,
                      allow_paths: Sequence[str | Path] = ()) -> Message:
    """Validate plain data (as a message file holds it) into a Message.

    Files it names are read relative to ``base_dir`` (default: the current folder) and must
    lie inside it or inside one of ``allow_paths``.
    """
    return Validator(data, base_dir or Path.cwd(), source, dict(lines or {}),
                     allow_paths).message()

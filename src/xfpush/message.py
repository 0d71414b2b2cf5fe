"""The Message model and its loader (YAML, TOML or JSON), with errors that name file:line.

Everything a person can get wrong in a message file is refused here, before any rendering:
unknown keys, wrong types, over-long fields, bad URLs, bad dates, logos that are not images.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import MessageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_FILE_BYTES = 256 * 1024
AUDIENCES = ("general", "elderly", "children", "students", "riders", "couriers", "businesses")
DEFAULT_HOTLINES = (("火警", "119"), ("隐患举报", "96119"))
DEFAULT_THEME = {"primary": "#C8102E", "accent": "#FFC20E", "ink": "#1F1F1F", "paper": "#FFFFFF"}
# Sanity limits of the model; each channel has its own, stricter limits.
FIELD_LIMITS = {"sms_signature": 16, "title": 64, "slogan": 40, "body": 600, "cta": 40, "issuer": 60,
                "qr.caption": 40, "campaign.name": 60, "tip": 80, "variant": 600}
MAX_TIPS = 12
MAX_URL = 512
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_HOTLINE_NUMBER = re.compile(r"^[0-9][0-9-]{1,19}$")
_KNOWN_KEYS = {"id", "title", "slogan", "body", "tips", "cta", "qr", "hotlines", "issuer",
               "audience", "campaign", "variants", "theme", "logo", "fonts", "evacuation_map",
               "sms_signature", "video_seconds"}


@dataclass(frozen=True)
class QrLink:
    """Where the QR code leads, and the line printed under it."""

    url: str
    caption: str = ""


@dataclass(frozen=True)
class Campaign:
    """The campaign this message belongs to (e.g. 2027年“119”消防宣传月)."""

    name: str
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Message:
    """One fire-safety publicity message, validated."""

    id: str
    title: str
    slogan: str
    body: str = ""
    tips: tuple[str, ...] = ()
    cta: str = ""
    qr: QrLink | None = None
    hotlines: tuple[tuple[str, str], ...] = DEFAULT_HOTLINES
    issuer: str = ""
    sms_signature: str = ""
    video_seconds: int = 5
    audience: str = "general"
    campaign: Campaign | None = None
    theme: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_THEME))
    logo: Path | None = None
    evacuation_map: Path | None = None
    fallback_font: Path | None = None
    variants: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = field(default=None, compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def text_fields(self) -> list[tuple[str, str]]:
        """(field name, text) of every text a channel may draw."""
        fields = [("title", self.title), ("slogan", self.slogan), ("body", self.body),
                  ("cta", self.cta), ("issuer", self.issuer),
                  ("sms_signature", self.sms_signature)]
        fields += [(f"tips[{i}]", tip) for i, tip in enumerate(self.tips)]
        if self.qr:
            fields.append(("qr.caption", self.qr.caption))
        if self.campaign:
            fields.append(("campaign.name", self.campaign.name))
        for label, number in self.hotlines:
            fields.append((f"hotlines.{label}", f"{label}{number}"))
        fields += [(f"variants.{name}", text) for name, text in _variant_leaves(self.variants)]
        return [(name, text) for name, text in fields if text]

    def to_dict(self) -> dict[str, Any]:
        """The normalized form written as message.yaml in a pack."""
        data: dict[str, Any] = {"id": self.id, "title": self.title, "slogan": self.slogan,
                                "body": self.body, "tips": list(self.tips), "cta": self.cta}
        data["qr"] = {"url": self.qr.url, "caption": self.qr.caption} if self.qr else None
        data["hotlines"] = dict(self.hotlines)
        data["issuer"] = self.issuer
        if self.sms_signature:
            data["sms_signature"] = self.sms_signature
        if self.video_seconds != 5:
            data["video_seconds"] = self.video_seconds
        data["audience"] = self.audience
        if self.campaign:
            data["campaign"] = {"name": self.campaign.name,
                                "start": _iso(self.campaign.start), "end": _iso(self.campaign.end)}
        data["theme"] = dict(self.theme)
        if self.logo:
            data["logo"] = self.logo.name
        if self.evacuation_map:
            data["evacuation_map"] = self.evacuation_map.name
        if self.fallback_font:
            data["fonts"] = {"fallback": self.fallback_font.name}
        if self.variants:
            data["variants"] = _plain(self.variants)
        return data


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _variant_leaves(variants: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    leaves: list[tuple[str, str]] = []
    for key, value in variants.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            leaves += _variant_leaves(value, name + ".")
        else:
            leaves.append((name, str(value)))
    return leaves


def load_message(path: str | Path) -> Message:
    """Read and validate a message file (.yaml/.yml, .toml or .json)."""
    path = Path(path)
    label = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MessageError(f"无法读取消息文件（{exc.strerror}）", file=label) from exc
    if size > MAX_FILE_BYTES:
        raise MessageError(f"消息文件过大：{size / 1024:.0f} KB，上限 {MAX_FILE_BYTES // 1024} KB。"
                           "一条宣传信息不需要这么长，请检查是否粘贴了多余内容", file=label)
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise MessageError(f"文件不是 UTF-8 编码（第 {exc.start} 字节附近），请另存为 UTF-8",
                           file=label) from exc
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


def _parse_yaml(text: str, label: str) -> tuple[Any, dict[str, int]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise MessageError(f"YAML 格式错误：{problem}（常见原因：冒号后缺空格、缩进不齐、引号未闭合）",
                           file=label, line=mark.line + 1 if mark else None) from exc
    lines: dict[str, int] = {}
    _walk_yaml(root, "", lines)
    return data, lines


def _walk_yaml(node: yaml.Node | None, prefix: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = f"{prefix}{key_node.value}"
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
    from .validate import Validator

    return Validator(data, base_dir or Path.cwd(), source, dict(lines or {})).message()

"""Field-by-field validation of message data; every error names file, line and field."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from ..errors import MessageError
from ..typeset.text import join_cjk_lines
from .icons import icon_names
from .images import check_font_file, check_image_file
from .links import LinkError, ascii_link, control_characters
from .message import (
    _COLOUR,
    _HOTLINE_NUMBER,
    _ID,
    _KNOWN_KEYS,
    AUDIENCES,
    DEFAULT_HOTLINES,
    DEFAULT_THEME,
    FIELD_LIMITS,
    MAX_HOTLINES,
    MAX_RECORDING_BYTES,
    MAX_TIPS,
    MAX_URL,
    RECORDING_PROFILES,
    VARIANT_KEYS,
    Campaign,
    Message,
    QrLink,
)
from .reading import FileRefused, read_bounded

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")
_KINDS = {str: "文字", bool: "布尔值", int: "数字", float: "数字", list: "列表", dict: "映射",
          dt.date: "日期", dt.datetime: "日期时间", type(None): "空值"}


def kind(value: Any) -> str:
    """What a YAML value is, in words a message author knows."""
    return _KINDS.get(type(value), type(value).__name__)


class Validator:
    """Turns plain data into a Message, or raises MessageError at the first problem."""

    def __init__(self, data: Mapping[str, Any], base_dir: Path, source: str | None,
                 lines: dict[str, int], allow_paths: Sequence[str | Path] = ()) -> None:
        self.data = data
        self.base_dir = base_dir
        self.source = source
        self.lines = lines
        self.allowed = [Path(folder).resolve() for folder in (base_dir, *allow_paths)]

    def fail(self, field: str, reason: str) -> NoReturn:
        line = self.lines.get(field) or self.lines.get(field.split(".")[0].split("[")[0])
        raise MessageError(reason, file=self.source, line=line, field=field)

    def message(self) -> Message:
        unknown = sorted(str(key) for key in self.data if key not in _KNOWN_KEYS)
        if unknown:
            self.fail(unknown[0], f"不认识的字段“{unknown[0]}”。可用字段：{'、'.join(sorted(_KNOWN_KEYS))}")
        fallback = self._fallback_font()
        return Message(
            id=self._id(), title=self.text("title", required=True),
            slogan=self.text("slogan", required=True), body=self.text("body"),
            tips=self._tips(), cta=self.text("cta"), qr=self._qr(), hotlines=self._hotlines(),
            issuer=self.text("issuer"), sms_signature=self._signature(),
            video_seconds=self._video_seconds(),
            audience=self._audience(), campaign=self._campaign(),
            theme=self._theme(), logo=self._image("logo"),
            evacuation_map=self._image("evacuation_map"), fallback_font=fallback,
            variants=self._variants(), recordings=self._recordings(), icons=self._icons(),
            source=self.source,
            lines=self.lines)

    def text(self, field: str, *, required: bool = False, value: Any = None,
             limit_key: str | None = None) -> str:
        raw = self.data.get(field) if value is None else value
        if raw is None or raw == "":
            if required:
                self.fail(field, "必填，不能为空")
            return ""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raw = str(raw)
        elif isinstance(raw, dt.date):
            raw = raw.isoformat()
        if not isinstance(raw, str):
            self.fail(field, f"应是一段文字，实际是{kind(raw)} {raw!r}")
        text = join_cjk_lines(raw) if field == "body" else " ".join(raw.split())
        limit = FIELD_LIMITS[limit_key or field]
        if len(text) > limit:
            self.fail(field, f"过长：{len(text)} 字，上限 {limit} 字，请删减 {len(text) - limit} 字")
        return text

    def _id(self) -> str:
        raw = self.data.get("id")
        if not isinstance(raw, str) or not _ID.match(raw):
            self.fail("id", f"应由小写字母、数字和“-”组成（用于文件名），例如 ebike-2027；实际是 {raw!r}")
        return raw

    def _tips(self) -> tuple[str, ...]:
        raw = self.data.get("tips") or []
        if not isinstance(raw, list):
            self.fail("tips", "应是列表，每行以“- ”开头")
        if len(raw) > MAX_TIPS:
            self.fail("tips", f"提示条数过多：{len(raw)} 条，上限 {MAX_TIPS} 条")
        return tuple(self.text(f"tips[{i}]", value=tip, limit_key="tip", required=True)
                     for i, tip in enumerate(raw))

    def _icons(self) -> tuple[str, ...] | None:
        """Named pictograms; absent means picked by topic, an empty list means none."""
        if "icons" not in self.data or self.data["icons"] is None:
            return None
        raw = self.data["icons"]
        if not isinstance(raw, list):
            self.fail("icons", f"应是图标名称的列表，例如 [ebike-charging, sign-fire-phone]；"
                               f"实际是{kind(raw)} {raw!r}")
        known = icon_names()
        for index, name in enumerate(raw):
            if name not in known:
                self.fail(f"icons[{index}]", f"没有名为“{name}”的图标。可用图标：{'、'.join(known)}")
        if len(set(raw)) != len(raw):
            self.fail("icons", "同一个图标写了两次")
        return tuple(str(name) for name in raw)

    def _qr(self) -> QrLink | None:
        raw = self.data.get("qr")
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = {"url": raw}
        if not isinstance(raw, Mapping):
            self.fail("qr", f"应包含 url 和 caption，实际是{kind(raw)}")
        self._only("qr", raw, ("url", "caption"))
        url = raw.get("url")
        if url is None or url == "":
            self.fail("qr.url", "缺少二维码链接，例如 url: https://example.gov.cn/xf")
        if not isinstance(url, str):
            self.fail("qr.url", f"应是以 http:// 或 https:// 开头的链接，实际是{kind(url)} {url!r}")
        url = url.strip()
        hidden = control_characters(url)
        if hidden:
            self.fail("qr.url", f"链接含控制字符或不可见字符（{'、'.join(hidden[:3])}），"
                                "请删去后重新输入链接")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(
                c.isspace() for c in url):
            self.fail("qr.url", f"链接必须以 http:// 或 https:// 开头且不含空格，实际是 {url!r}")
        try:
            encoded = ascii_link(url)
        except (LinkError, ValueError) as exc:
            self.fail("qr.url", f"{exc}；实际是 {url!r}")
        if len(encoded) > MAX_URL:
            self.fail("qr.url", f"链接过长：编码后 {len(encoded)} 个字符，上限 {MAX_URL}"
                                "（二维码会过密，难以扫描）")
        caption = self.text("qr.caption", value=raw.get("caption"))
        return QrLink(url, caption)

    def _hotlines(self) -> tuple[tuple[str, str], ...]:
        raw = self.data.get("hotlines")
        if raw is None:
            return DEFAULT_HOTLINES
        if not isinstance(raw, Mapping) or not raw:
            self.fail("hotlines", "应是“名称: 号码”的映射，例如 火警: \"119\"")
        if len(raw) > MAX_HOTLINES:  # every medium prints them all: a few fit, hundreds do not
            self.fail("hotlines", f"热线条数过多：{len(raw)} 条，上限 {MAX_HOTLINES} 条")
        pairs = []
        for label, number in raw.items():
            field = f"hotlines.{label}"
            number_text = str(number).strip()
            if not _HOTLINE_NUMBER.match(number_text):
                self.fail(field, f"号码只能是数字（可含“-”），实际是 {number!r}")
            if not str(label).strip() or len(str(label)) > 8:
                self.fail(field, "名称应为 1–8 个字，例如 火警、隐患举报")
            pairs.append((str(label).strip(), number_text))
        return tuple(pairs)

    def _video_seconds(self) -> int:
        raw = self.data.get("video_seconds", 5)
        if isinstance(raw, bool) or not isinstance(raw, int) or not 3 <= raw <= 15:
            self.fail("video_seconds", f"视频时长应为 3–15 之间的整数秒，实际是 {raw!r}")
        return raw

    def _signature(self) -> str:
        signature = self.text("sms_signature").strip("【】[] ")
        if signature and not 2 <= len(signature) <= 16:
            self.fail("sms_signature", f"短信签名应为 2–16 个字，实际 {len(signature)} 字")
        return signature

    def _audience(self) -> str:
        raw = self.data.get("audience", "general")
        if raw not in AUDIENCES:
            self.fail("audience", f"应是 {'、'.join(AUDIENCES)} 之一，实际是 {raw!r}")
        return str(raw)

    def _campaign(self) -> Campaign | None:
        raw = self.data.get("campaign")
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = {"name": raw}
        if not isinstance(raw, Mapping):
            self.fail("campaign", f"应包含 name、start、end，实际是{kind(raw)}")
        self._only("campaign", raw, ("name", "start", "end"))
        name = self.text("campaign.name", value=raw.get("name"), required=True)
        start, end = self._date("campaign.start", raw.get("start")), self._date(
            "campaign.end", raw.get("end"))
        if start and end and end < start:
            self.fail("campaign.end", f"结束日期 {end} 早于开始日期 {start}")
        return Campaign(name, start, end)

    def _date(self, field: str, raw: Any) -> dt.date | None:
        if raw is None or isinstance(raw, dt.date):
            return raw.date() if isinstance(raw, dt.datetime) else raw
        example = "应写成 YYYY-MM-DD，例如 2027-11-01"
        found = _ISO_DATE.match(raw) if isinstance(raw, str) else None
        if found is None:
            shown = f"“{raw}”" if isinstance(raw, str) else f"{kind(raw)} {raw!r}"
            self.fail(field, f"日期{example}；实际是{shown}")
        year, month, day = (int(part) for part in found.groups())
        if not 1 <= month <= 12:
            self.fail(field, f"日期“{raw}”不存在：月份应为 01–12（{example}）")
        days = calendar.monthrange(year, month)[1] if year else 31
        if not 1 <= day <= days or not year:
            self.fail(field, f"日期“{raw}”不存在：{year} 年 {month} 月只有 {days} 天（{example}）")
        return dt.date(year, month, day)

    def _only(self, field: str, raw: Mapping[Any, Any], allowed: tuple[str, ...]) -> None:
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            self.fail(f"{field}.{unknown[0]}",
                      f"不认识的键“{unknown[0]}”，{field} 下可用：{'、'.join(allowed)}")

    def _theme(self) -> dict[str, str]:
        raw = self.data.get("theme") or {}
        if not isinstance(raw, Mapping):
            self.fail("theme", "应是颜色映射，例如 primary: \"#C8102E\"")
        theme = dict(DEFAULT_THEME)
        for key, value in raw.items():
            if key not in DEFAULT_THEME:
                self.fail(f"theme.{key}", f"不认识的颜色名，可用：{'、'.join(DEFAULT_THEME)}")
            if not isinstance(value, str) or not _COLOUR.match(value):
                self.fail(f"theme.{key}", f"颜色应写成 #RRGGBB，实际是 {value!r}")
            theme[key] = value.upper()
        return theme

    def _file(self, field: str, raw: Any) -> Path:
        if not isinstance(raw, str) or not raw.strip():
            self.fail(field, "应是文件路径（相对于消息文件）")
        try:
            path = (self.base_dir / raw).resolve()
        except (OSError, RuntimeError, ValueError):
            self.fail(field, f"路径无法解析：{raw!r}")
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            self.fail(field, f"文件 {raw} 在消息文件所在文件夹 {self.allowed[0]} 之外"
                             f"（实际位置 {path}）；请把文件放到消息旁边，或用 --allow-path 指定它所在的文件夹")
        if not path.exists():
            self.fail(field, f"文件不存在：{raw}")
        return path

    def _image(self, field: str) -> Path | None:
        raw = self.data.get(field)
        if raw is None:
            return None
        path = self._file(field, raw)
        try:
            check_image_file(path)
        except ValueError as exc:
            self.fail(field, f"{exc}（文件 {raw}）" if raw not in str(exc) else str(exc))
        return path

    def _recordings(self) -> dict[str, Path]:
        """Recorded files by profile: inside the allowed folders, regular, bounded in size.
        Their sound is decoded by the channels that speak them (at ``check``)."""
        raw = self.data.get("recordings") or {}
        if not isinstance(raw, Mapping):
            self.fail("recordings", f"应是“规格: 录音文件”的映射，例如 unlock: unlock.m4a；实际是{kind(raw)}")
        self._only("recordings", raw, RECORDING_PROFILES)
        found = {}
        for name, value in raw.items():
            field = f"recordings.{name}"
            path = self._file(field, value)
            try:
                read_bounded(path, MAX_RECORDING_BYTES)
            except FileRefused as exc:
                limit = f"（上限 {MAX_RECORDING_BYTES >> 20} MB）" if exc.too_large else ""
                self.fail(field, f"录音文件 {value} 无法读取：{exc}{limit}")
            found[str(name)] = path
        return found

    def _fallback_font(self) -> Path | None:
        raw = self.data.get("fonts")
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or set(raw) - {"fallback"}:
            self.fail("fonts", "只支持 fonts.fallback：备用字体文件路径")
        path = self._file("fonts.fallback", raw.get("fallback"))
        try:
            check_font_file(path)
        except ValueError as exc:
            self.fail("fonts.fallback", f"{exc}（文件 {raw.get('fallback')}）")
        return path

    def _variants(self) -> dict[str, Any]:
        raw = self.data.get("variants") or {}
        if not isinstance(raw, Mapping):
            self.fail("variants", f"应是“渠道: 文字”的映射，实际是{kind(raw)}")
        self._only("variants", raw, tuple(sorted(VARIANT_KEYS)))
        return {str(k): self._variant(f"variants.{k}", v, VARIANT_KEYS[k])
                for k, v in raw.items()}

    def _variant(self, field: str, raw: Any, profiles: tuple[str, ...]) -> Any:
        if not profiles:
            return self.text(field, value=raw, limit_key="variant", required=True)
        if not isinstance(raw, Mapping):
            self.fail(field, f"应按规格分别写，例如 {profiles[0]}: ……（可用：{'、'.join(profiles)}）"
                             f"；实际是{kind(raw)}")
        self._only(field, raw, profiles)
        return {str(k): self.text(f"{field}.{k}", value=v, limit_key="variant", required=True)
                for k, v in raw.items()}

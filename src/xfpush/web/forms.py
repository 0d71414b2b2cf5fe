"""The compose form ⇄ message data, and field-level Chinese messages for what was typed.

The form's names are flat (``qr_url``, ``campaign_start``, repeated ``tips`` and
``hotline_label``/``hotline_number``); ``form_data`` turns them into the same plain data a
message file holds, and ``form_values`` turns message data back into the form. Keys the form
does not show (e.g. ``variants.audio``) ride along in a hidden JSON field, so nothing a file
held is lost by editing it here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MessageError, Problem
from ..model.loader import message_from_dict
from ..model.message import (
    AUDIENCES,
    DEFAULT_HOTLINES,
    DEFAULT_THEME,
    RECORDING_PROFILES,
    Message,
)

LABELS = {"id": "编号", "title": "标题", "slogan": "口号", "body": "正文", "tips": "提示",
          "cta": "行动号召", "qr_url": "二维码链接", "qr_caption": "二维码说明",
          "issuer": "发布单位", "audience": "受众", "campaign_name": "活动名称",
          "campaign_start": "开始日期", "campaign_end": "结束日期", "hotlines": "热线",
          "sms_signature": "短信签名", "theme": "主题色", "variants": "各渠道专用文字",
          "logo": "标志图片", "evacuation_map": "逃生路线图", "recordings": "录音",
          "icons": "图标"}
AUDIENCE_NAMES = {"general": "普通群众", "elderly": "老年人", "children": "儿童",
                  "students": "学生", "riders": "骑手", "couriers": "快递员",
                  "businesses": "商户"}
THEME_NAMES = {"primary": "主色", "accent": "强调色", "ink": "文字色", "paper": "底色"}
VARIANTS = {"led": "LED 字幕", "sms": "短信正文", "waybill": "面单备注"}
_FORM_KEYS = {"id", "title", "slogan", "body", "tips", "cta", "qr", "issuer", "audience",
              "campaign", "hotlines", "sms_signature", "theme", "variants", "logo",
              "evacuation_map", "recordings", "icons"}
IMAGES = ("logo", "evacuation_map")
_PLACEHOLDER = {"id": "draft", "title": "占位", "slogan": "占位"}
MAX_ROUNDS = 16


@dataclass
class FormValues:
    """What the compose template shows in its inputs."""

    values: dict[str, str] = field(default_factory=dict)
    tips: list[str] = field(default_factory=list)
    hotlines: list[tuple[str, str]] = field(default_factory=list)
    theme: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_THEME))
    variants: dict[str, str] = field(default_factory=dict)
    recordings: dict[str, str] = field(default_factory=dict)
    """profile → the take's file name in the workspace."""
    icons: list[str] | None = None
    """The pictograms named, in order; None: picked by topic (the message has no ``icons``)."""
    extra: str = "{}"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def form_values(data: Mapping[str, Any]) -> FormValues:
    """Message data (as a file holds it) → the form's values."""
    qr, campaign = _mapping(data.get("qr")), _mapping(data.get("campaign"))
    values = {name: _text(data.get(name)) for name in
              ("id", "title", "slogan", "body", "cta", "issuer", "sms_signature", *IMAGES)}
    values["audience"] = _text(data.get("audience") or "general")
    values.update(qr_url=_text(qr.get("url")), qr_caption=_text(qr.get("caption")),
                  campaign_name=_text(campaign.get("name")),
                  campaign_start=_text(campaign.get("start")),
                  campaign_end=_text(campaign.get("end")))
    tips = data.get("tips")
    hotlines = data.get("hotlines")
    theme, variants = _mapping(data.get("theme")), _mapping(data.get("variants"))
    extra: dict[str, Any] = {k: v for k, v in data.items() if k not in _FORM_KEYS}
    hidden_variants = {k: v for k, v in variants.items() if k not in VARIANTS}
    if hidden_variants:
        extra["variants"] = hidden_variants
    return FormValues(
        values=values,
        tips=[_text(t) for t in tips] if isinstance(tips, list) else [],
        hotlines=([(str(k), _text(v)) for k, v in hotlines.items()]
                  if isinstance(hotlines, Mapping) else list(DEFAULT_HOTLINES)),
        theme={**DEFAULT_THEME, **{str(k): _text(v) for k, v in theme.items()}},
        variants={k: _text(variants.get(k)) for k in VARIANTS if isinstance(variants.get(k), str)},
        recordings={str(k): _text(v) for k, v in _mapping(data.get("recordings")).items()},
        icons=[_text(i) for i in icons] if isinstance(icons := data.get("icons"), list) else None,
        extra=json.dumps(extra, ensure_ascii=False, default=str))


def form_data(form: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The posted form (single values and repeated ones) → message data."""
    def get(name: str) -> str:
        return str(form.get(name, "")).strip()

    data: dict[str, Any] = {}
    for name in ("id", "title", "slogan", "body", "cta", "issuer", "sms_signature", *IMAGES):
        if get(name):
            data[name] = str(form.get(name, "")) if name == "body" else get(name)
    tips = [tip.strip() for tip in lists.get("tips", []) if tip.strip()]
    if tips:
        data["tips"] = tips
    if get("qr_url") or get("qr_caption"):
        data["qr"] = {"url": get("qr_url"), "caption": get("qr_caption")}
    pairs = [(label.strip(), number.strip()) for label, number in
             zip(lists.get("hotline_label", []), lists.get("hotline_number", []), strict=False)
             if label.strip() or number.strip()]
    if pairs:
        data["hotlines"] = dict(pairs)
    if get("audience") and get("audience") != "general":
        data["audience"] = get("audience")
    if get("campaign_name") or get("campaign_start") or get("campaign_end"):
        data["campaign"] = {"name": get("campaign_name"),
                            "start": get("campaign_start") or None,
                            "end": get("campaign_end") or None}
    theme = {key: get(f"theme_{key}") for key in DEFAULT_THEME if get(f"theme_{key}")}
    if any(theme.get(k, v).lower() != v.lower() for k, v in DEFAULT_THEME.items()):
        data["theme"] = {**DEFAULT_THEME, **theme}
    variants = {key: get(f"variant_{key}") for key in VARIANTS if get(f"variant_{key}")}
    try:
        extra = json.loads(form.get("extra") or "{}")
    except ValueError:
        extra = {}
    if isinstance(extra, dict):
        variants.update(extra.pop("variants", None) or {})
        data.update({k: v for k, v in extra.items() if k not in data})
    if variants:
        data["variants"] = variants
    takes = {profile: get(f"recording_{profile}") for profile in RECORDING_PROFILES
             if get(f"recording_{profile}")}
    if takes:
        data["recordings"] = takes
    if get("icons_mode") == "chosen":  # none ticked: a message without pictograms
        data["icons"] = [name.strip() for name in lists.get("icons", []) if name.strip()]
    return data


def slot_of(field_name: str | None) -> str:
    """The form slot a MessageError's field belongs to (``tips[2]`` → ``tips``)."""
    if not field_name:
        return "general"
    head, _, rest = field_name.split("[")[0].partition(".")
    if head in ("qr", "campaign"):
        slot = f"{head}_{rest or ('url' if head == 'qr' else 'name')}"
        return slot if slot in LABELS else "general"
    return head if head in LABELS else "general"


def _neutralise(work: dict[str, Any], field_name: str | None) -> bool:
    """Make ``field_name`` valid (placeholder or removal) so the next error can be found."""
    if not field_name:
        return False
    head = field_name.split("[")[0].split(".")[0]
    if head in _PLACEHOLDER:
        if work.get(head) == _PLACEHOLDER[head]:
            return False
        work[head] = _PLACEHOLDER[head]
    elif head == "tips" and "[" in field_name and isinstance(work.get("tips"), list):
        index = int(field_name.split("[")[1].split("]")[0])
        if index >= len(work["tips"]) or work["tips"][index] == "占位":
            return False
        work["tips"][index] = "占位"
    elif head in work:
        del work[head]
    else:
        return False
    return True


def field_errors(data: Mapping[str, Any],
                 files: Path | None = None) -> tuple[Message | None, dict[str, str]]:
    """The message if every field is valid, and a Chinese message per form slot; images are
    looked up in ``files`` (the workspace's uploads)."""
    work = copy.deepcopy(dict(data))
    errors: dict[str, str] = {}
    for _ in range(MAX_ROUNDS):
        try:
            message = message_from_dict(work, base_dir=files)
        except MessageError as exc:
            slot = slot_of(exc.field)
            reason = exc.reason
            if exc.field and exc.field.startswith("tips["):
                reason = f"第 {int(exc.field[5:].split(']')[0]) + 1} 条：{reason}"
            errors[slot] = (errors[slot] + "；" + reason) if slot in errors else reason
            if not _neutralise(work, exc.field):
                break
            continue
        return (None if errors else message), errors
    return None, errors


def problem_slots(problems: Sequence[Problem]) -> dict[str, list[str]]:
    """Channel problems shown under the field their reason names (``标题过长`` → title)."""
    found: dict[str, list[str]] = {}
    by_length = sorted(LABELS.items(), key=lambda item: -len(item[1]))
    for problem in problems:
        for slot, label in by_length:
            if label in problem.reason[:16]:
                found.setdefault(slot, []).append(
                    f"{problem.channel}:{problem.profile}：{problem.reason}")
                break
    return found


AUDIENCE_CHOICES = [(key, AUDIENCE_NAMES.get(key, key)) for key in AUDIENCES]

"""The Message: what one publicity message holds, and the limits every message must meet.

Built by ``loader`` (files) and ``validate`` (plain data); frozen, so every channel reads the
same values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 256 * 1024
AUDIENCES = ("general", "elderly", "children", "students", "riders", "couriers", "businesses")
DEFAULT_HOTLINES = (("火警", "119"), ("隐患举报", "96119"))
DEFAULT_THEME = {"primary": "#C8102E", "accent": "#FFC20E", "ink": "#1F1F1F", "paper": "#FFFFFF"}
# Sanity limits of the model; each channel has its own, stricter limits.
FIELD_LIMITS = {"sms_signature": 16, "title": 64, "slogan": 40, "body": 600, "cta": 40, "issuer": 60,
                "qr.caption": 40, "campaign.name": 60, "tip": 80, "variant": 600}
MAX_TIPS = 12
MAX_HOTLINES = 6
MAX_URL = 512
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}\Z")
_HOTLINE_NUMBER = re.compile(r"^[0-9][0-9-]{1,19}\Z")
_KNOWN_KEYS = {"id", "title", "slogan", "body", "tips", "cta", "qr", "hotlines", "issuer",
               "audience", "campaign", "variants", "theme", "logo", "fonts", "evacuation_map",
               "sms_signature", "video_seconds", "recordings", "icons"}
# ``recordings``: a person's recorded file per spoken profile (audio and radio profile names).
RECORDING_PROFILES = ("unlock", "ride", "lock", "spot-15s", "spot-30s", "loop-60s", "loudspeaker")
MAX_RECORDING_BYTES = 50 * 1024 * 1024

# ``variants``: per-channel wording a message may give. A key maps to () when its value is one
# text, or to the profile names it may hold (``audio: {unlock: …}``). Channels that read a new
# variant register it here (``register_variant``), so a misspelt key is an error, not ignored.
VARIANT_KEYS: dict[str, tuple[str, ...]] = {
    "poster": (), "led": (), "sms": (), "waybill": (), "sticker": (), "receipt": (), "ticker": (), "tv": (),
    "splash": (), "screen": (), "video": (), "social": (), "social_short": (), "banner": (),
    "wechat_title": (), "wechat_digest": (), "weibo": (), "douyin": (),
    "audio": ("unlock", "ride", "lock"), "radio": ("spot-15s", "spot-30s", "loop-60s", "loudspeaker"),
}


def register_variant(key: str, profiles: Iterable[str] = ()) -> None:
    """Allow ``variants.<key>`` (one text, or one text per named profile)."""
    VARIANT_KEYS[key] = tuple(dict.fromkeys((*VARIANT_KEYS.get(key, ()), *profiles)))


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

    @property
    def dates_text(self) -> str:
        """``2027年11月1日 — 2027年11月30日`` ('' without dates); portable, no ``%-m``."""
        if self.start is None:
            return ""
        end = self.end or self.start
        return f"{chinese_date(self.start)} — {chinese_date(end)}"


def chinese_date(day: dt.date) -> str:
    """``2027年11月1日``: no zero padding, on every platform (``%-m`` is glibc-only)."""
    return f"{day.year}年{day.month}月{day.day}日"


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
    recordings: Mapping[str, Path] = field(default_factory=dict)
    """Recorded speech by profile name (``unlock``, ``spot-15s`` …), used instead of synthesis."""
    icons: tuple[str, ...] | None = None
    """Pictograms by name (``assets/icons/``); None: picked by topic; (): none at all."""
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
        if self.icons is not None:
            data["icons"] = list(self.icons)
        if self.recordings:
            data["recordings"] = {name: path.name for name, path in self.recordings.items()}
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

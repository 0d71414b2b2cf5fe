"""The ``sms`` channel: carrier SMS counted the way carriers bill it.

A message in UCS-2 (any Chinese text) fits one segment up to 70 characters; longer ones are
sent as concatenated segments of 67. The 【签名】 and the opt-out count too. Characters
outside the Basic Multilingual Plane take two UCS-2 units.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model.message import Message
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import register

SINGLE_SEGMENT = 70
CONCAT_SEGMENT = 67
OPT_OUT = "拒收请回复R"
_ACTION = re.compile(r"https?://|www\.|扫码|点击|回复|登录|访问|下载|报名|链接")


@dataclass(frozen=True)
class SmsProfile:
    """A carrier SMS and what it may cost."""

    name: str
    summary: str
    max_segments: int = 1
    """Billing budget: the check fails beyond this many segments."""
    opt_out: str = OPT_OUT
    """Appended when the text carries a link or a call to action."""


PROFILES: Mapping[str, SmsProfile] = {
    "standard": SmsProfile("standard", "三大运营商温馨提示短信：【签名】+正文（+退订提示），默认 1 条计费（≤70 字）"),
}


def ucs2_units(text: str) -> int:
    """Length as an SMS in UCS-2: one unit per BMP character, two beyond it."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def segments(units: int) -> int:
    """Billed segments for a UCS-2 message of ``units`` characters."""
    if units <= SINGLE_SEGMENT:
        return 1 if units else 0
    return math.ceil(units / CONCAT_SEGMENT)


def capacity(max_segments: int) -> int:
    """Most characters that stay within ``max_segments`` segments."""
    return SINGLE_SEGMENT if max_segments == 1 else CONCAT_SEGMENT * max_segments


def signature(message: Message) -> str:
    return message.sms_signature or message.issuer


def needs_opt_out(text: str) -> bool:
    return bool(_ACTION.search(text))


def compose(message: Message, profile: SmsProfile) -> tuple[str, str]:
    """(full SMS, source): the variant as written, or the title plus as many tips as fit."""
    sign = f"【{signature(message)}】"
    variant = str(message.variants.get("sms") or "")
    if variant:
        return _with_opt_out(sign + variant, profile), "variants.sms"
    label, number = message.hotlines[0]
    closing = f"{label}请拨{number}。"
    budget = capacity(profile.max_segments)
    body = message.title.replace(" ", "，") + "："
    tips: list[str] = []
    for tip in message.tips:
        candidate = body + "；".join([*tips, tip]) + "。" + closing
        if ucs2_units(_with_opt_out(sign + candidate, profile)) > budget:
            break
        tips.append(tip)
    text = body + ("；".join(tips) + "。" if tips else "") + closing
    return _with_opt_out(sign + text, profile), f"标题+前 {len(tips)} 条提示+热线"


def _with_opt_out(text: str, profile: SmsProfile) -> str:
    if needs_opt_out(text) and profile.opt_out not in text:
        return text + profile.opt_out
    return text


class SmsChannel:
    """Carrier SMS."""

    name = "sms"
    title = "短信"
    profiles = PROFILES

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        return self.render(message, profile, fonts)  # a text: as cheap to make as to describe

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        text, source = compose(message, profile)
        return [Asset(self.name, profile.name, f"sms/{profile.name}.txt",
                      "text/plain; charset=utf-8", (text + "\n").encode("utf-8"),
                      facts=(Sms(text, signature(message), profile, source),), text=text)]


@dataclass(frozen=True)
class Sms:
    """The full SMS as billed, its signature, its budget and where the wording came from."""

    text: str
    signature: str
    profile: SmsProfile
    source: str


@register("segments", Sms)
def billed_segments(fact: Sms, asset: Asset) -> Check:
    units = ucs2_units(fact.text)
    count = segments(units)
    budget = fact.profile.max_segments
    over = units - capacity(budget)
    return Check("segments", count <= budget,
                 f"{units} 字（含签名和退订提示），计 {count} 条（单条 ≤{SINGLE_SEGMENT} 字，"
                 f"长短信每条 {CONCAT_SEGMENT} 字），预算 {budget} 条" +
                 (f"；超出 {over} 字，请删减" if over > 0 else ""))


@register("signature", Sms)
def sms_signature(fact: Sms, asset: Asset) -> Check:
    sign = fact.signature
    return Check("signature", 2 <= len(sign) <= 16, f"签名【{sign}】{len(sign)} 字（2–16 字）"
                 if sign else "缺少短信签名：请在消息中填写 sms_signature 或 issuer")


@register("opt_out", Sms)
def opt_out(fact: Sms, asset: Asset) -> Check:
    needed, opt_out = needs_opt_out(fact.text), fact.profile.opt_out
    return Check("opt_out", not needed or opt_out in fact.text,
                 f"含链接或行动号召，已附“{opt_out}”" if needed else "不含链接或行动号召，无需退订提示")


@register("source", Sms)
def wording_source(fact: Sms, asset: Asset) -> Check:
    return Check("source", True, f"正文取自 {fact.source}")


SMS = SmsChannel()

"""The ``sms`` channel: carrier SMS counted the way carriers bill it.

A message in UCS-2 (any Chinese text) fits one segment up to 70 characters; longer ones are
sent as concatenated segments of 67. The 【签名】 and the opt-out count too. Characters
outside the Basic Multilingual Plane take two UCS-2 units.

Publicity SMS are marketing-class on every bulk platform, so each one ends with the opt-out,
and the signature follows the platform's rule (the default profile: Aliyun, 2–12 characters;
the carrier-sms adapter holds the other platforms' rules and re-checks when packaging).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model.message import Message
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import register

SINGLE_SEGMENT = 70
CONCAT_SEGMENT = 67
OPT_OUT = "拒收请回复R"


@dataclass(frozen=True)
class SmsProfile:
    """A carrier SMS and what it may cost."""

    name: str
    summary: str
    max_segments: int = 1
    """Billing budget: the check fails beyond this many segments."""
    opt_out: str = OPT_OUT
    """Appended to every publicity SMS (platforms refuse marketing SMS without one)."""
    platform: str = "阿里云短信"
    """The bulk-SMS platform whose signature rule applies."""
    signature_min: int = 2
    """Fewest characters the platform accepts in 【签名】 (brackets not counted)."""
    signature_max: int = 12
    """Most characters the platform accepts in 【签名】 (brackets not counted)."""


PROFILES: Mapping[str, SmsProfile] = {
    "standard": SmsProfile("standard", "温馨提示短信：【签名】+正文+退订提示，签名按阿里云 2–12 字，默认 1 条计费（≤70 字）"),
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
    if text.endswith(profile.opt_out):
        return text
    return text + profile.opt_out


def parts(text: str, sign: str, opt_out: str) -> tuple[int, int, int]:
    """UCS-2 units of (【签名】, body, opt-out) as found in ``text`` (0 where a part is absent)."""
    head = f"【{sign}】" if sign and text.startswith(f"【{sign}】") else ""
    tail = opt_out if text.endswith(opt_out) else ""
    body = text[len(head):len(text) - len(tail)]
    return ucs2_units(head), ucs2_units(body), ucs2_units(tail)


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
    head, body, tail = parts(fact.text, fact.signature, fact.profile.opt_out)
    counted = f"签名 {head} 字 + 正文 {body} 字 + 退订提示 {tail} 字" if tail else \
        f"签名 {head} 字 + 正文 {body} 字（无退订提示）"
    return Check("segments", count <= budget,
                 f"共 {units} 字（{counted}），计 {count} 条（单条 ≤{SINGLE_SEGMENT} 字，"
                 f"长短信每条 {CONCAT_SEGMENT} 字），预算 {budget} 条" +
                 (f"；超出 {over} 字，请删减" if over > 0 else ""))


@register("signature", Sms)
def sms_signature(fact: Sms, asset: Asset) -> Check:
    sign, profile = fact.signature, fact.profile
    low, high = profile.signature_min, profile.signature_max
    if not sign:
        return Check("signature", False, "缺少短信签名：请在消息中填写 sms_signature 或 issuer")
    ok = low <= len(sign) <= high
    return Check("signature", ok, f"签名【{sign}】{len(sign)} 字，{profile.platform}要求 {low}–{high} 字"
                 + ("" if ok else "，请在 sms_signature 中填写已在平台报备的签名"))


@register("opt_out", Sms)
def opt_out(fact: Sms, asset: Asset) -> Check:
    words = fact.profile.opt_out
    present = fact.text.endswith(words)
    return Check("opt_out", present, f"末尾有退订提示“{words}”（{len(words)} 字，已计入字数）"
                 if present else f"末尾缺少退订提示“{words}”：宣传短信必须带退订方式")


@register("source", Sms)
def wording_source(fact: Sms, asset: Asset) -> Check:
    return Check("source", True, f"正文取自 {fact.source}")


SMS = SmsChannel()

"""The ``social`` channel: covers composed per platform ratio, and the post texts with hashtags."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model.message import Message
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import register
from .templated import ImageProfile, TemplatedChannel


@dataclass(frozen=True)
class PostProfile:
    """Post texts and the limits each platform enforces (in characters)."""

    name: str
    summary: str
    wechat_title: int = 32
    """WeChat article title limit."""
    wechat_digest: int = 128
    """WeChat article digest (摘要) limit."""
    weibo: int = 2000
    """Weibo post limit."""
    douyin: int = 55
    """Douyin title (作品标题) limit, hashtags included."""


PROFILES: Mapping[str, ImageProfile | PostProfile] = {
    "wechat-cover": ImageProfile("wechat-cover", "公众号头条封面 900×383（2.35:1）", 900, 383,
                                 "social-wide", min_text_px=20),
    "wechat-square": ImageProfile("wechat-square", "公众号次条封面 200×200（1:1，缩略图）", 200, 200,
                                  "social-thumb", safe=(0.05, 0.05, 0.95, 0.95), min_text_px=18),
    "douyin-cover": ImageProfile("douyin-cover", "抖音/视频号封面 1080×1440（3:4）", 1080, 1440,
                                 "social-portrait", min_text_px=32),
    "weibo": ImageProfile("weibo", "微博配图 1080×1080（1:1）", 1080, 1080, "social-square",
                          min_text_px=28),
    "post": PostProfile("post", "推文文字：公众号标题（≤32）、摘要（≤128）、微博、抖音标题（≤55），带话题标签"),
}


def hashtags(message: Message) -> list[str]:
    """#话题# tags: the campaign without year or quotes, then 消防安全."""
    tags = []
    if message.campaign:
        core = re.sub(r"^\d{4}年", "", message.campaign.name)
        core = re.sub(r"[“”\"'‘’《》「」\s]", "", core)
        if core:
            tags.append(f"#{core}#")
    tags.append("#消防安全#")
    return tags


def _sentences_within(text: str, limit: int) -> str:
    """Whole leading sentences of ``text`` that fit ``limit`` ('' if the first does not)."""
    kept = ""
    for sentence in re.findall(r"[^。！？]+[。！？]?", text):
        if len(kept + sentence) > limit:
            break
        kept += sentence
    return kept


def post_texts(message: Message, profile: PostProfile) -> list[tuple[str, str, int, str]]:
    """(file stem, text, limit, how it was made) for every platform."""
    variants = message.variants
    tags = hashtags(message)
    title = str(variants.get("wechat_title") or message.title)
    if len(title) > profile.wechat_title:
        title = message.slogan
    digest = str(variants.get("wechat_digest") or "")
    digest_note = "variants.wechat_digest"
    if not digest:
        digest = message.body if len(message.body) <= profile.wechat_digest else \
            _sentences_within(message.body, profile.wechat_digest)
        digest_note = "正文" if digest == message.body else "正文前几句（整句）"
    digest = digest or message.slogan
    numbered = "".join(f"{chr(0x2460 + i)}{tip}；" for i, tip in enumerate(message.tips[:10]))
    hotline = "，".join(f"{label}{number}" for label, number in message.hotlines)
    link = f" {message.qr.url}" if message.qr else ""
    weibo = str(variants.get("weibo") or
                f"{' '.join(tags)} 【{message.title}】{message.body}{numbered}{hotline}。{link}".strip())
    douyin = str(variants.get("douyin") or f"{message.title} {' '.join(tags)}")
    if len(douyin) > profile.douyin:
        douyin = f"{message.slogan} {tags[-1]}"
    return [("wechat-title", title, profile.wechat_title, "标题"),
            ("wechat-digest", digest, profile.wechat_digest, digest_note),
            ("weibo", weibo, profile.weibo, "标签+标题+正文+提示+热线"),
            ("douyin", douyin, profile.douyin, "标题+标签")]


class SocialChannel(TemplatedChannel):
    """New-media covers and post texts."""

    name = "social"
    title = "新媒体"
    profiles = PROFILES  # type: ignore[assignment]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        if not isinstance(profile, PostProfile):
            return super().render(message, profile_name, fonts)
        return [Asset(self.name, profile.name, f"social/{stem}.txt", "text/plain; charset=utf-8",
                      (text + "\n").encode("utf-8"), facts=(PostText(stem, limit, source),),
                      text=text)
                for stem, text, limit, source in post_texts(message, profile)]


@dataclass(frozen=True)
class PostText:
    """A post text (the asset's ``text``) and its platform's limit."""

    stem: str
    limit: int
    source: str
    """How the text was made, for the reviewer."""


@register("length", PostText)
def length(fact: PostText, asset: Asset) -> Check:
    count, limit = len(asset.text or ""), fact.limit
    if 0 < count <= limit:
        return Check("length", True, f"{count} 字（上限 {limit}），取自{fact.source}")
    return Check("length", False, f"{fact.stem} 过长：{count} 字，上限 {limit} 字，"
                                  f"请删减 {count - limit} 字或在 variants 中另写")


SOCIAL = SocialChannel()

"""Channels: one module per medium, turning a Message into assets for each of its profiles.

Owns: profiles (frozen dataclasses of a medium's constraints), what to draw or say, the channel
registry and ``-c`` selection parsing (``poster,sticker:label-60x40``), and the one checks
registry (``checks``): channels return assets carrying facts, checks are functions registered
for a kind of fact, and ``pack`` applies them. May import: ``render``, ``typeset``, ``model``,
``errors``, ``resources``. A channel never writes files, never runs checks itself and never
knows about packs, adapters or partners.

Every channel, built-in or from another package, is an entry point of the group
``xfpush.channels`` naming a channel object; the registry imports a channel's module only when
that channel is looked up, so selecting ``-c sms`` never loads python-escpos or the video code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import ChannelSelectionError
from ..resources import PluginPoint, Plugins
from .base import Asset, Channel, Check, Profile

ENTRY_POINT_GROUP = "xfpush.channels"
CHANNEL_NAMES = ("poster", "sticker", "tv", "splash", "social", "screen", "led", "sms", "receipt",
                 "audio", "radio", "video", "banner", "rollup", "leaflet", "board")
"""The stable channel names of xfpush, in pack order; no plugin may take one of them."""

__all__ = ["CHANNELS", "CHANNEL_NAMES", "ENTRY_POINT_GROUP", "Asset", "Channel", "Check",
           "Profile", "select"]


def channel_problem(target: Any, point: PluginPoint) -> str | None:
    """Why ``target`` cannot be the channel ``point`` registers (None: it can)."""
    if isinstance(target, type):
        return f"应指向一个渠道对象，而不是类 {target.__name__}（请写 模块:实例名）"
    for attribute in ("name", "title", "profiles"):
        if not hasattr(target, attribute):
            return f"缺少属性 {attribute}"
    for method in ("render", "describe"):
        if not callable(getattr(target, method, None)):
            return f"缺少方法 {method}(message, profile, fonts)"
    if target.name != point.name:
        return f"渠道的 name 是“{target.name}”，与入口点名称 {point.name} 不一致"
    if not isinstance(target.title, str) or not target.title:
        return "title 应为非空字符串（渠道的中文名）"
    profiles = target.profiles
    if not isinstance(profiles, Mapping) or not profiles:
        return "profiles 应为非空的 规格名 → 规格 映射"
    for key, profile in profiles.items():
        if getattr(profile, "name", None) != key or not isinstance(
                getattr(profile, "summary", None), str):
            return f"规格 {key} 需要与键相同的 name 和一句 summary"
        if not isinstance(key, str) or any(mark in key for mark in ",: /"):
            return f"规格名“{key}”不能含逗号、冒号、空格或“/”"
    return None


class ChannelRegistry(Mapping[str, Channel]):
    """Channel name → channel: names from entry-point metadata, modules imported on lookup."""

    def __init__(self) -> None:
        self.plugins = Plugins(ENTRY_POINT_GROUP, "渠道", channel_problem,
                               reserved=CHANNEL_NAMES, order=CHANNEL_NAMES)

    def __getitem__(self, name: str) -> Channel:
        if name not in self.plugins:
            raise KeyError(name)
        channel: Channel = self.plugins.load(name)
        return channel

    def __contains__(self, name: object) -> bool:
        return name in self.plugins  # without importing the channel

    def __iter__(self) -> Iterator[str]:
        return iter(self.plugins)

    def __len__(self) -> int:
        return len(self.plugins.points())

    def reset(self) -> None:
        """Look for channels again (after installing a plugin into the running Python)."""
        self.plugins.reset()


CHANNELS = ChannelRegistry()


def select(spec: str | None) -> list[tuple[Channel, str]]:
    """(channel, profile) pairs for a ``-c`` value; every profile of every channel if None."""
    if spec is None or not spec.strip():
        return [(channel, name) for channel in CHANNELS.values()
                for name, profile in channel.profiles.items() if _in_default(profile)]
    chosen: list[tuple[Channel, str]] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, _, profile = item.partition(":")
        channel = _channel(name)
        if profile and profile not in channel.profiles:
            raise ChannelSelectionError(
                f"渠道 {name} 没有规格“{profile}”，可选：{'、'.join(channel.profiles)}")
        defaults = [n for n, p in channel.profiles.items() if _in_default(p)]
        for chosen_profile in [profile] if profile else defaults:
            if (channel, chosen_profile) not in chosen:
                chosen.append((channel, chosen_profile))
    return chosen


def _channel(name: str) -> Channel:
    if name in CHANNELS:
        return CHANNELS[name]
    if name in CHANNEL_NAMES:
        raise ChannelSelectionError(f"渠道 {name} 尚未实现，现可用：{'、'.join(CHANNELS)}")
    raise ChannelSelectionError(f"没有名为“{name}”的渠道，可用：{'、'.join(CHANNELS)}")


def _in_default(profile: Profile) -> bool:
    """Profiles that only make sense on request (e.g. GBK twins) opt out of ``-c channel``."""
    return bool(getattr(profile, "in_default", True))

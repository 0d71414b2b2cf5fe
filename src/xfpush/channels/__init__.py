"""Channels: one module per medium, turning a Message into assets for each of its profiles.

Owns: profiles (frozen dataclasses of a medium's constraints), what to draw or say, the channel
registry and ``-c`` selection parsing (``poster,sticker:label-60x40``), and the one checks
registry (``checks``): channels return assets carrying facts, checks are functions registered
for a kind of fact, and ``pack`` applies them. May import: ``render``, ``typeset``, ``model``,
``errors``, ``resources``. A channel never writes files, never runs checks itself and never
knows about packs, adapters or partners.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import ChannelSelectionError
from .audio import AUDIO
from .base import Asset, Channel, Check, Profile
from .led import LED
from .poster import POSTER
from .radio import RADIO
from .receipt import RECEIPT
from .screen import SCREEN
from .sms import SMS
from .social import SOCIAL
from .splash import SPLASH
from .sticker import STICKER
from .tv import TV
from .video import VIDEO

CHANNEL_NAMES = ("poster", "sticker", "led", "sms", "audio", "radio", "video", "tv", "splash",
                 "receipt", "social", "screen")
CHANNELS: Mapping[str, Channel] = {channel.name: channel for channel in (POSTER, STICKER, TV, SPLASH, SOCIAL, SCREEN, LED, SMS, RECEIPT, AUDIO, RADIO, VIDEO)}

__all__ = ["CHANNELS", "CHANNEL_NAMES", "Asset", "Channel", "Check", "Profile", "select"]


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

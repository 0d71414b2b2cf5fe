"""The ``radio`` channel: broadcast spots for radio, 村村响 loudspeakers and publicity cars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model.message import Message
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import Level, register
from .spoken import hotline_sentence, speak, speech_seconds, spoken_assets

LEAD_S = 0.5  # silence before the voice, as stations expect
TAIL_S = 0.5  # at least this much silence at the end


@dataclass(frozen=True)
class SpotProfile:
    """A broadcast spot of exact length."""

    name: str
    summary: str
    length_s: float
    """Exact length of the file; speech must end TAIL_S before it."""
    loop: bool = False
    """Scripted to loop: the key line opens and closes it."""
    rate: int = 48000
    target_lufs: float = -24.0
    """Broadcast loudness (GY/T 282 / EBU R128 style)."""


PROFILES: Mapping[str, SpotProfile] = {
    "spot-15s": SpotProfile("spot-15s", "15 秒广播稿（电台、村村响），48 kHz，−24 LUFS", 15.0),
    "spot-30s": SpotProfile("spot-30s", "30 秒广播稿，48 kHz，−24 LUFS", 30.0),
    "loop-60s": SpotProfile("loop-60s", "60 秒循环稿（宣传车、村村响），主句首尾重复，可循环播放",
                            60.0, loop=True),
}


def script_for(message: Message, profile: SpotProfile) -> tuple[str, float]:
    """The longest script (most tips) whose speech fits the spot; (script, speech seconds)."""
    variant = message.variants.get("radio")
    if isinstance(variant, Mapping) and variant.get(profile.name):
        script = str(variant[profile.name])
        return script, speech_seconds(script)
    key = f"{message.slogan}。"
    closing = f"{hotline_sentence(message)}。" + (f"{message.issuer}提醒您。" if message.issuer else "")
    budget = profile.length_s - LEAD_S - TAIL_S
    best = ""
    best_seconds = 0.0
    for count in range(len(message.tips), -1, -1):
        tips = "".join(f"{tip}。" for tip in message.tips[:count])
        if profile.loop:
            script = f"{key}{message.title}。{tips}{closing}{key}"
        else:
            script = f"{message.title}。{tips}{closing}"
        seconds = speech_seconds(script)
        best, best_seconds = script, seconds
        if seconds <= budget:
            break
    return best, best_seconds


class RadioChannel:
    """Broadcast spots."""

    name = "radio"
    title = "广播"
    profiles = PROFILES

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        chosen = self.profiles[profile]
        _, seconds = script_for(message, chosen)
        return [Asset(self.name, profile, f"radio/{profile}.wav", "audio/wav", b"",
                      facts=(Draft(seconds, chosen.length_s),))]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        script, _ = script_for(message, profile)
        spoken = speak(script, profile.rate, profile.target_lufs, pad_to=profile.length_s,
                       lead_s=LEAD_S)
        facts: tuple[object, ...] = (Spot(spoken.duration_s, spoken.speech_s, profile.length_s),
                                     Level(spoken.loudness, profile.target_lufs))
        if profile.loop:
            facts += (Loop(script, f"{message.slogan}。"),)
        return spoken_assets(self.name, profile.name, spoken, facts)


# -- checks that belong to broadcast spots ---------------------------------------------------
@dataclass(frozen=True)
class Draft:
    """A script's synthesized speech length, before it becomes a spot."""

    speech_s: float
    length_s: float


@register("duration", Draft)
def draft_duration(fact: Draft, asset: Asset) -> Check:
    budget = fact.length_s - LEAD_S - TAIL_S
    if fact.speech_s <= budget:
        return Check("duration", True, f"合成后 {fact.speech_s:.1f} 秒，{fact.length_s:g} 秒广播稿"
                                       f"最多 {budget:g} 秒语音")
    return Check("duration", False, f"广播稿过长：合成后 {fact.speech_s:.1f} 秒，"
                                    f"{fact.length_s:g} 秒广播稿最多 {budget:g} 秒语音")


@dataclass(frozen=True)
class Spot:
    """A spot's file length and the speech inside it, both measured."""

    duration_s: float
    speech_s: float
    length_s: float


@register("duration", Spot)
def spot_duration(fact: Spot, asset: Asset) -> Check:
    return Check("duration", abs(fact.duration_s - fact.length_s) < 0.01,
                 f"文件实测 {fact.duration_s:.2f} 秒（应为 {fact.length_s:g} 秒）")


@register("speech_fits", Spot)
def speech_fits(fact: Spot, asset: Asset) -> Check:
    return Check("speech_fits", fact.speech_s <= fact.length_s - LEAD_S - TAIL_S,
                 f"语音 {fact.speech_s:.1f} 秒，前留 {LEAD_S:g} 秒、后至少留 {TAIL_S:g} 秒")


@dataclass(frozen=True)
class Loop:
    """A loop script and the key line it must open and close with."""

    script: str
    key: str


@register("loop", Loop)
def loops(fact: Loop, asset: Asset) -> Check:
    ok = fact.script.startswith(fact.key) and fact.script.endswith(fact.key)
    where = "稿首和稿尾都是" if ok else "稿首或稿尾不是"
    return Check("loop", ok, f"{where}主句（{len(fact.key)} 字），全稿出现 "
                             f"{fact.script.count(fact.key)} 次" + ("，可循环" if ok else ""))


RADIO = RadioChannel()

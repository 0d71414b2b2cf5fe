"""The ``audio`` channel: shared-bike voice prompts (扫码解锁、骑行途中、还车上锁)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import DependencyError, Problem
from ..model.message import Message
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .spoken import (
    chars_to_cut,
    hotline_sentence,
    loudness_check,
    speak,
    speech_seconds,
    spoken_assets,
)


@dataclass(frozen=True)
class PromptProfile:
    """A voice prompt played by the lock at one moment of a ride."""

    name: str
    summary: str
    max_s: float
    """Longest the prompt may last."""
    rate: int = 16000
    """Sample rate of the lock's player (16 kHz mono 16-bit)."""
    target_lufs: float = -16.0
    """Loudness for phone-sized speakers."""


PROFILES: Mapping[str, PromptProfile] = {
    "unlock": PromptProfile("unlock", "扫码解锁提示音 ≤4.0 秒，16 kHz 单声道，−16 LUFS", 4.0),
    "ride": PromptProfile("ride", "骑行途中定时提示 ≤8.0 秒，16 kHz 单声道，−16 LUFS", 8.0),
    "lock": PromptProfile("lock", "还车上锁提示音 ≤4.0 秒，16 kHz 单声道，−16 LUFS", 4.0),
}


def candidates(message: Message, profile: str) -> list[tuple[str, str]]:
    """(script, source) in order of preference: the variant, then shorter derived forms."""
    variants = message.variants.get("audio")
    if isinstance(variants, Mapping) and variants.get(profile):
        return [(str(variants[profile]), f"variants.audio.{profile}")]
    hotline = hotline_sentence(message)
    first_tip = message.tips[0] if message.tips else ""
    derived = {
        "unlock": [f"{message.slogan}。", "骑行注意消防安全。"],
        "ride": [f"{message.title}。{first_tip}。", f"{message.title}。", f"{message.slogan}。"],
        "lock": [f"{message.slogan}，{hotline}。", f"{hotline}。"],
    }[profile]
    return [(script, "由口号/标题生成") for script in derived if script.strip("。")]


def choose(message: Message, profile: PromptProfile) -> tuple[str, str, float]:
    """The first candidate whose synthesized speech fits; else the last one tried."""
    options = candidates(message, profile.name)
    for script, source in options:
        seconds = speech_seconds(script)
        if seconds <= profile.max_s:
            return script, source, seconds
    return script, source, seconds


class AudioChannel:
    """Shared-bike voice prompts."""

    name = "audio"
    title = "语音提示"
    profiles = PROFILES

    def check(self, message: Message, profile: str, fonts: FontSet) -> list[Problem]:
        chosen = self.profiles[profile]
        try:
            script, source, seconds = choose(message, chosen)
        except DependencyError as exc:
            return [Problem(self.name, profile, "tts", str(exc))]
        if seconds <= chosen.max_s:
            return []
        return [Problem(self.name, profile, "duration", _too_long(script, source, seconds,
                                                                   chosen.max_s))]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        script, source, _ = choose(message, profile)
        spoken = speak(script, profile.rate, profile.target_lufs)
        fits = spoken.duration_s <= profile.max_s
        checks = [
            Check("duration", fits, f"实测 {spoken.duration_s:.2f} 秒（上限 {profile.max_s:g} 秒），"
                                    f"取自 {source}" if fits else
                  _too_long(script, source, spoken.duration_s, profile.max_s)),
            loudness_check(spoken, profile.target_lufs),
            Check("format", True, f"{profile.rate} Hz 单声道 16 位 WAV + MP3"),
        ]
        return spoken_assets(self.name, profile.name, spoken, checks, profile.rate)


def _too_long(script: str, source: str, seconds: float, limit: float) -> str:
    return (f"语音过长：{source}“{script}”合成后实测 {seconds:.2f} 秒，上限 {limit:g} 秒，"
            f"请删减约 {chars_to_cut(script, seconds, limit)} 字")


AUDIO = AudioChannel()

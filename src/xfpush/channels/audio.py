"""The ``audio`` channel: shared-bike voice prompts (扫码解锁、骑行途中、还车上锁)."""

from __future__ import annotations

import io
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model.message import Message
from ..render.recording import Recording
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import Level, register
from .recorded import RECORDING_VOICE, Recorded, recorded_script, recording
from .spoken import (
    PROMPT_LEAD_S,
    PROMPT_TAIL_S,
    chars_to_cut,
    hotline_sentence,
    place,
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
    first_tip = f"{message.tips[0]}。" if message.tips else ""
    derived = {
        "unlock": [f"{message.slogan}。", "骑行注意消防安全。"],
        "ride": [f"{message.title}。{first_tip}", f"{message.title}。", f"{message.slogan}。",
                 "骑行途中注意消防安全。"],
        "lock": [f"{message.slogan}，{hotline}。", f"{hotline}。"],
    }[profile]
    return [(script, "由口号/标题生成") for script in derived if script.strip("。")]


def choose(message: Message, profile: PromptProfile) -> tuple[str, str, float]:
    """The first candidate whose synthesized speech fits; else the last one tried."""
    options = candidates(message, profile.name)
    for script, source in options:
        seconds = speech_seconds(script) + PROMPT_LEAD_S + PROMPT_TAIL_S  # as the file will be
        if seconds <= profile.max_s - 0.01:
            return script, source, seconds
    return script, source, seconds


class AudioChannel:
    """Shared-bike voice prompts."""

    name = "audio"
    title = "语音提示"
    profiles = PROFILES

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        chosen = self.profiles[profile]
        recorded = recording(message, profile, chosen.rate)
        if recorded is not None:
            return [Asset(self.name, profile, f"audio/{profile}.wav", "audio/wav", b"",
                          facts=(_recorded(message, chosen, recorded),))]
        script, source, seconds = choose(message, chosen)
        return [Asset(self.name, profile, f"audio/{profile}.wav", "audio/wav", b"",
                      facts=(Prompt(script, source, seconds, chosen.max_s),))]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        recorded = recording(message, profile_name, profile.rate)
        extra: tuple[object, ...] = ()
        if recorded is None:
            script, source, _ = choose(message, profile)
            spoken = speak(script, profile.rate, profile.target_lufs)
        else:
            script = recorded_script(message, self.name, profile_name)
            source = f"录音 {message.recordings[profile_name].name}"
            spoken = place(recorded.samples, recorded.rate, profile.target_lufs, PROMPT_LEAD_S,
                           PROMPT_TAIL_S, script, RECORDING_VOICE)
            extra = (_recorded(message, profile, recorded),)
        facts = (*extra, Prompt(script, source, spoken.duration_s, profile.max_s),
                 Level(spoken.loudness, profile.target_lufs), PromptWav(spoken.wav, profile.rate))
        return spoken_assets(self.name, profile.name, spoken, facts)


def _recorded(message: Message, profile: PromptProfile, recorded: Recording) -> Recorded:
    room = profile.max_s - PROMPT_LEAD_S - PROMPT_TAIL_S
    return Recorded(message.recordings[profile.name].name, profile.name, recorded.seconds, 0.0,
                    room, recorded.longer_than_cap)


@dataclass(frozen=True)
class Prompt:
    """A prompt's script, where it came from, and how long it lasts (measured)."""

    script: str
    source: str
    seconds: float
    max_s: float


@register("duration", Prompt)
def prompt_duration(fact: Prompt, asset: Asset) -> Check:
    if fact.seconds <= fact.max_s:
        return Check("duration", True, f"实测 {fact.seconds:.2f} 秒（上限 {fact.max_s:g} 秒），"
                                       f"取自 {fact.source}")
    return Check("duration", False,
                 f"语音过长：{fact.source}“{fact.script}”合成后实测 {fact.seconds:.2f} 秒，上限 "
                 f"{fact.max_s:g} 秒，请删减约 {chars_to_cut(fact.script, fact.seconds, fact.max_s)} 字")


@dataclass(frozen=True)
class PromptWav:
    """The WAV the lock's player gets, and the sample rate it plays."""

    wav: bytes
    rate: int


@register("format", PromptWav)
def prompt_format(fact: PromptWav, asset: Asset) -> Check:
    with wave.open(io.BytesIO(fact.wav)) as read:
        rate, channels, width = read.getframerate(), read.getnchannels(), read.getsampwidth()
    mono = {1: "单声道", 2: "立体声"}.get(channels, f"{channels} 声道")
    return Check("format", rate == fact.rate and channels == 1 and width == 2,
                 f"{rate} Hz {mono} {width * 8} 位 WAV + MP3")


AUDIO = AudioChannel()

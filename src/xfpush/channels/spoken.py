"""Shared by the channels that speak (audio, radio): script → voice → level → files."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..model.message import Message
from ..render.media import (
    Loudness,
    measure_loudness,
    mp3_bytes,
    normalize_loudness,
    resample,
    wav_bytes,
    wav_duration,
)
from ..render.speech import normalize, ssml
from ..render.tts import voice
from .base import Asset


@dataclass(frozen=True)
class Spoken:
    """A script rendered to audio, with what was measured from the result."""

    script: str
    wav: bytes
    duration_s: float
    speech_s: float
    loudness: Loudness


def speech_seconds(script: str) -> float:
    """Length of the raw synthesized speech (before levelling or padding)."""
    samples, rate = voice().synthesize(normalize(script))
    return len(samples) / rate


def speak(script: str, rate: int, target_lufs: float, pad_to: float | None = None,
          lead_s: float = 0.0) -> Spoken:
    """Synthesize, resample, bring to the target loudness, optionally pad to an exact length."""
    samples, source_rate = voice().synthesize(normalize(script))
    samples = resample(samples, source_rate, rate)
    speech_s = len(samples) / rate
    levelled, loudness = normalize_loudness(samples, rate, target_lufs)
    if pad_to is not None:
        total = round(pad_to * rate)
        lead = round(lead_s * rate)
        padded = np.zeros(total, dtype=np.int16)
        body = levelled[: max(0, total - lead)]
        padded[lead:lead + len(body)] = body
        levelled = padded
    wav = wav_bytes(levelled, rate)
    if pad_to is not None:  # padding changed the file: measure what is actually written
        loudness = measure_loudness(wav)
    return Spoken(script, wav, wav_duration(wav), speech_s, loudness)


def chars_to_cut(script: str, measured: float, limit: float) -> int:
    """Roughly how many characters make up the excess time."""
    per_second = max(1, len(script)) / max(measured, 0.1)
    return max(1, math.ceil((measured - limit) * per_second))


def spoken_assets(channel: str, profile: str, spoken: Spoken,
                  facts: tuple[object, ...]) -> list[Asset]:
    """.txt script, .ssml with pinyin hints, .wav and .mp3, all with the measured figures.

    All four are the same spot, so each carries the facts about it (its length, its level).
    """
    mp3 = mp3_bytes(spoken.wav)
    mp3_level = measure_loudness(mp3)
    level = spoken.loudness
    base = (channel, profile)
    return [
        Asset(*base, f"{channel}/{profile}.txt", "text/plain; charset=utf-8",
              (spoken.script + "\n").encode("utf-8"), facts=facts, text=spoken.script,
              duration_s=round(spoken.duration_s, 3)),
        Asset(*base, f"{channel}/{profile}.ssml", "application/ssml+xml",
              ssml(normalize(spoken.script)).encode("utf-8"), facts=facts,
              text=ssml(normalize(spoken.script))),
        Asset(*base, f"{channel}/{profile}.wav", "audio/wav", spoken.wav, facts=facts,
              duration_s=round(spoken.duration_s, 3),
              loudness_lufs=round(level.integrated_lufs, 1),
              true_peak_dbtp=round(level.true_peak_dbtp, 1)),
        Asset(*base, f"{channel}/{profile}.mp3", "audio/mpeg", mp3, facts=facts,
              duration_s=round(spoken.duration_s, 3),
              loudness_lufs=round(mp3_level.integrated_lufs, 1),
              true_peak_dbtp=round(mp3_level.true_peak_dbtp, 1)),
    ]


def hotline_sentence(message: Message) -> str:
    label, number = message.hotlines[0]
    return f"{label}请拨打{number}"

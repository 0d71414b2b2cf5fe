"""Shared by the channels that speak (audio, radio): script → voice → level → files."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np

from ..model.message import Message
from ..render.media import (
    Loudness,
    fade,
    levelled_mp3,
    measure_loudness,
    normalize_loudness,
    read_wav,
    resample,
    trim_silence,
    wav_bytes,
    wav_duration,
)
from ..render.speech import normalize, ssml
from ..render.tts import Voice, voice
from .base import Asset


@dataclass(frozen=True)
class Spoken:
    """A script rendered to audio, with what was measured from the result."""

    script: str
    wav: bytes
    duration_s: float
    speech_s: float
    loudness: Loudness
    target_lufs: float
    voice: str
    """Who speaks: ``espeak-ng``, ``recording``, or the configured engine (manifest ``voice``)."""


PROMPT_LEAD_S = 0.03
PROMPT_TAIL_S = 0.05
"""Silence around a short prompt, so the player starts and stops on digital zero."""


def _utterance(text: str) -> tuple[np.ndarray, int]:
    """Synthesized speech of ``text`` with its leading and trailing silence trimmed."""
    return _trimmed(cast(Hashable, voice()), text)


@lru_cache(maxsize=512)
def _trimmed(engine: Hashable, text: str) -> tuple[np.ndarray, int]:
    """Per engine (one object per configuration), so a changed engine is never served stale."""
    samples, rate = cast(Voice, engine).synthesize(normalize(text))
    return trim_silence(samples, rate), rate


def voice_name() -> str:
    """The manifest's ``voice`` of synthesised speech: ``espeak-ng`` or the configured program."""
    name = voice().name
    return "espeak-ng" if name.startswith("espeak-ng") else name


def speech_seconds(script: str) -> float:
    """Length of the synthesized speech, silence at both ends trimmed (before levelling)."""
    samples, rate = _utterance(script)
    return len(samples) / rate


def speak(script: str, rate: int, target_lufs: float) -> Spoken:
    """A short prompt: synthesize, trim, resample, level with fades, a few ms of silence round it."""
    samples, source_rate = _utterance(script)
    samples = resample(samples, source_rate, rate)
    levelled, _ = normalize_loudness(samples, rate, target_lufs)
    out = np.concatenate([np.zeros(round(PROMPT_LEAD_S * rate), np.int16), levelled,
                          np.zeros(round(PROMPT_TAIL_S * rate), np.int16)])
    wav = wav_bytes(out, rate)
    return Spoken(script, wav, wav_duration(wav), len(samples) / rate, measure_loudness(wav),
                  target_lufs, voice_name())


def place(samples: np.ndarray, rate: int, target_lufs: float, lead_s: float, tail_s: float,
          script: str, speaker: str) -> Spoken:
    """Speech already at ``rate`` (a recording), levelled and faded, with silence round it."""
    levelled, _ = normalize_loudness(samples, rate, target_lufs)
    out = np.concatenate([np.zeros(round(lead_s * rate), np.int16), levelled,
                          np.zeros(max(0, round(tail_s * rate)), np.int16)])
    wav = wav_bytes(out, rate)
    return Spoken(script, wav, wav_duration(wav), len(samples) / rate, measure_loudness(wav),
                  target_lufs, speaker)


def sentences(script: str) -> list[str]:
    """The script cut after each 。！？；, each piece keeping its mark."""
    return [part for part in re.findall(r"[^。！？；!?;]+[。！？；!?;]*", script) if part.strip("。！？；!?; ")]


def sentence_seconds(parts: Sequence[str], pause_s: float) -> float:
    """Speech length of ``parts`` spoken one by one with ``pause_s`` between them."""
    return sum(speech_seconds(part) for part in parts) + pause_s * max(0, len(parts) - 1)


def speak_spot(parts: Sequence[str], pause_s: float, rate: int, target_lufs: float,
               lead_s: float, length_s: float) -> Spoken:
    """Sentences with pauses between them, levelled, placed ``lead_s`` into a file of exactly
    ``length_s``; each sentence fades in and out, the rest is digital silence."""
    pieces: list[np.ndarray] = []
    source_rate = 0
    for index, part in enumerate(parts):
        samples, source_rate = _utterance(part)
        if index:
            pieces.append(np.zeros(round(pause_s * source_rate)))
        pieces.append(fade(samples, source_rate))
    joined = np.concatenate(pieces) if pieces else np.zeros(0)
    speech = resample(np.clip(np.rint(joined), -32768, 32767).astype(np.int16), source_rate, rate)
    levelled, _ = normalize_loudness(speech, rate, target_lufs)
    total, lead = round(length_s * rate), round(lead_s * rate)
    out = np.zeros(total, dtype=np.int16)
    body = levelled[: max(0, total - lead - round(0.3 * rate))]
    out[lead:lead + len(body)] = fade(body, rate) if len(body) < len(levelled) else body
    wav = wav_bytes(out, rate)
    return Spoken("".join(parts), wav, wav_duration(wav), len(speech) / rate,
                  measure_loudness(wav), target_lufs, voice_name())


def tail_silence(wav: bytes, threshold_db: float = -60.0) -> float:
    """Seconds of silence (below ``threshold_db`` dBFS) at the end of a WAV."""
    samples, rate, _ = read_wav(wav)
    loud = np.flatnonzero(np.abs(samples.astype(np.float64)) > 32768 * 10 ** (threshold_db / 20))
    return float((len(samples) - (loud[-1] + 1 if len(loud) else 0)) / rate)


def chars_to_cut(script: str, measured: float, limit: float) -> int:
    """Roughly how many characters make up the excess time."""
    per_second = max(1, len(script)) / max(measured, 0.1)
    return max(1, math.ceil((measured - limit) * per_second))


def spoken_assets(channel: str, profile: str, spoken: Spoken,
                  facts: tuple[object, ...]) -> list[Asset]:
    """.txt script, .ssml with pinyin hints, .wav and .mp3, all with the measured figures.

    All four are the same spot, so each carries the facts about it (its length, its level).
    """
    mp3, mp3_level = levelled_mp3(spoken.wav, spoken.target_lufs)
    level = spoken.loudness
    base = (channel, profile)
    return [
        Asset(*base, f"{channel}/{profile}.txt", "text/plain; charset=utf-8",
              (spoken.script + "\n").encode("utf-8"), facts=facts, text=spoken.script,
              duration_s=round(spoken.duration_s, 3), voice=spoken.voice),
        Asset(*base, f"{channel}/{profile}.ssml", "application/ssml+xml",
              ssml(normalize(spoken.script)).encode("utf-8"), facts=facts,
              text=ssml(normalize(spoken.script)), voice=spoken.voice),
        Asset(*base, f"{channel}/{profile}.wav", "audio/wav", spoken.wav, facts=facts,
              duration_s=round(spoken.duration_s, 3),
              loudness_lufs=round(level.integrated_lufs, 1),
              true_peak_dbtp=round(level.true_peak_dbtp, 1), voice=spoken.voice),
        Asset(*base, f"{channel}/{profile}.mp3", "audio/mpeg", mp3, facts=facts,
              duration_s=round(spoken.duration_s, 3),
              loudness_lufs=round(mp3_level.integrated_lufs, 1),
              true_peak_dbtp=round(mp3_level.true_peak_dbtp, 1), voice=spoken.voice),
    ]


def hotline_sentence(message: Message) -> str:
    label, number = message.hotlines[0]
    return f"{label}请拨打{number}"

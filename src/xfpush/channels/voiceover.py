"""A video's voice-over: each card's script spoken at its time, levelled as one stereo track.

The script is the one the subtitles show (``Storyboard.voice_lines``). With no speech engine
installed a video keeps a silent track and says so (``VoiceOver``) instead of failing.
"""

from __future__ import annotations

import io
import math
import wave
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import DependencyError
from ..render.media import normalize_loudness, resample
from ..render.speech import normalize
from ..render.tts import voice
from .base import Asset, Check
from .checks import register
from .storyboard import Speech

RATE = 48000
STEREO_DB = 10 * math.log10(2)
"""The same signal in both channels measures this much louder than in one (ITU-R BS.1770)."""


@dataclass(frozen=True)
class VoiceOver:
    """Which engine spoke the video, or why it is silent."""

    engine: str | None
    missing: str = ""
    """Why there is no voice (no speech engine installed), with how to add one."""


def speech_timer() -> tuple[Speech | None, VoiceOver]:
    """How long the engine takes to say a text, or None with the reason there is no voice."""
    try:
        engine = voice()
        engine.synthesize(normalize("消防"))  # a worker that cannot load espeak-ng says so here
    except DependencyError as exc:
        return None, VoiceOver(None, f"{exc.reason}（{exc.fix}）" if exc.fix else exc.reason)

    def seconds(text: str) -> float:
        samples, rate = engine.synthesize(normalize(text))
        return len(samples) / rate

    return seconds, VoiceOver(engine.name)


def voice_track(lines: Sequence[tuple[float, str]], seconds: float, target_lufs: float) -> bytes:
    """A 48 kHz stereo WAV of ``seconds``: each text spoken from its start, the whole track
    levelled to ``target_lufs`` with true peaks below −2 dBTP."""
    track = np.zeros(round(seconds * RATE), dtype=np.int16)
    engine = voice()
    for start, text in lines:
        samples, rate = engine.synthesize(normalize(text))
        samples = resample(samples, rate, RATE)
        at = round(start * RATE)
        body = samples[: max(0, len(track) - at)]
        track[at:at + len(body)] = body
    # levelled as mono, 3 dB under the target: the stereo file carries it in both channels;
    # peaks held 1 dB under the −1 dBTP limit, room for what AAC encoding adds
    levelled, _ = normalize_loudness(track, RATE, target_lufs - STEREO_DB, peak_ceiling=-2.0)
    return stereo_wav(levelled)


def stereo_wav(mono: np.ndarray) -> bytes:
    """16-bit stereo WAV with the same samples in both channels (no timestamps)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.repeat(mono.astype("<i2"), 2).tobytes())
    return buffer.getvalue()


@register("voice_over", VoiceOver)
def voice_over(fact: VoiceOver, asset: Asset) -> Check:
    if fact.engine is None:
        return Check("voice_over", True, f"无配音，音轨静音：{fact.missing}")
    said = len(asset.layout or ())
    return Check("voice_over", True, f"配音与 {said} 段屏幕文字同稿，由 {fact.engine} 合成")

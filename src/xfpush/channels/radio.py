"""The ``radio`` channel: broadcast spots for radio, 村村响 loudspeakers and publicity cars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import DependencyError, Problem
from ..model.message import Message
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .spoken import hotline_sentence, loudness_check, speak, speech_seconds, spoken_assets

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

    def check(self, message: Message, profile: str, fonts: FontSet) -> list[Problem]:
        chosen = self.profiles[profile]
        try:
            _, seconds = script_for(message, chosen)
        except DependencyError as exc:
            return [Problem(self.name, profile, "tts", str(exc))]
        budget = chosen.length_s - LEAD_S - TAIL_S
        if seconds <= budget:
            return []
        return [Problem(self.name, profile, "duration",
                        f"广播稿过长：合成后 {seconds:.1f} 秒，{chosen.length_s:g} 秒广播稿最多 "
                        f"{budget:g} 秒语音")]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        script, _ = script_for(message, profile)
        spoken = speak(script, profile.rate, profile.target_lufs, pad_to=profile.length_s,
                       lead_s=LEAD_S)
        budget = profile.length_s - LEAD_S - TAIL_S
        checks = [
            Check("duration", abs(spoken.duration_s - profile.length_s) < 0.01,
                  f"文件实测 {spoken.duration_s:.2f} 秒（应为 {profile.length_s:g} 秒）"),
            Check("speech_fits", spoken.speech_s <= budget,
                  f"语音 {spoken.speech_s:.1f} 秒，前留 {LEAD_S:g} 秒、后至少留 {TAIL_S:g} 秒"),
            loudness_check(spoken, profile.target_lufs),
        ]
        if profile.loop:
            checks.append(Check("loop", script.startswith(f"{message.slogan}。") and
                                script.endswith(f"{message.slogan}。"), "主句首尾重复，可循环"))
        return spoken_assets(self.name, profile.name, spoken, checks, profile.rate)


RADIO = RadioChannel()

"""The ``radio`` channel: broadcast spots for radio, 村村响 loudspeakers and publicity cars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model.message import Message
from ..render.recording import Recording
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import Level, register
from .recorded import RECORDING_VOICE, Recorded, recorded_script, recording
from .spoken import (
    chars_to_cut,
    hotline_sentence,
    place,
    sentence_seconds,
    sentences,
    speak_spot,
    spoken_assets,
    tail_silence,
)

LEAD_S = 0.5  # silence before the voice, as stations expect
LOOP_LEAD_S = 0.3  # a loop's lead and tail together are one sentence pause on repeat
TAIL_MIN_S, TAIL_MAX_S = 0.3, 1.0  # speech ends this long before the end of the slot
TAIL_AIM_S = 0.6
PAUSE_S, MIN_PAUSE_S, MAX_PAUSE_S = 0.4, 0.25, 1.0  # between sentences
MAX_LOUDSPEAKER_S = 60.0  # a loudspeaker file is as long as its script, up to this


@dataclass(frozen=True)
class SpotProfile:
    """A broadcast spot of exact length (or, for loudspeakers, of the length its script takes)."""

    name: str
    summary: str
    length_s: float | None
    """Exact length of the file; speech ends 0.3–1.0 s before it. None: as long as the script."""
    loop: bool = False
    """Scripted to loop: the key line opens and closes it, and the ends meet without a gap."""
    rate: int = 48000
    target_lufs: float = -24.0
    """Broadcast loudness (GY/T 282 / EBU R128 style)."""
    repeats: int = 0
    """Loudspeaker: key sentence and hotline said this many times, nothing else."""

    @property
    def lead_s(self) -> float:
        return LOOP_LEAD_S if self.loop or self.repeats else LEAD_S

    @property
    def render_weight(self) -> float:
        """Speech and loudness passes, roughly in still images: a second costs about a third."""
        return (self.length_s or MAX_LOUDSPEAKER_S / 2) / 3


PROFILES: Mapping[str, SpotProfile] = {
    "spot-15s": SpotProfile("spot-15s", "15 秒广播稿（电台、村村响），48 kHz，−24 LUFS", 15.0),
    "spot-30s": SpotProfile("spot-30s", "30 秒广播稿，48 kHz，−24 LUFS", 30.0),
    "loop-60s": SpotProfile("loop-60s", "60 秒循环稿（宣传车、村村响），主句首尾重复，可无缝循环播放",
                            60.0, loop=True),
    "loudspeaker": SpotProfile("loudspeaker", "村村响、巡逻喊话：主句和热线各说三遍，48 kHz 单声道，"
                               "−24 LUFS，可循环", None, repeats=3),
}


@dataclass(frozen=True)
class Fit:
    """The sentences chosen for a slot, the pause between them, and the speech length."""

    parts: tuple[str, ...]
    pause_s: float
    speech_s: float
    length_s: float
    lead_s: float

    @property
    def tail_s(self) -> float:
        return self.length_s - self.lead_s - self.speech_s


def _fillers(message: Message) -> list[str]:
    """What may be added to a short spot, in order: the hotline again, the key line, and the
    bare hotline number (short, for the last second or two)."""
    label, number = message.hotlines[0]
    return [f"再说一遍，{hotline_sentence(message)}。", f"{message.slogan}。", f"{label}{number}。"]


def _ladder(message: Message, profile: SpotProfile) -> list[list[str]]:
    """Scripts from the fullest to the shortest: tips dropped from the last, then the issuer,
    then the title gives way to the key line, so some script fits even a very long title."""
    key, hotline = f"{message.slogan}。", f"{hotline_sentence(message)}。"
    opening = [key, f"{message.title}。"] if profile.loop else [f"{message.title}。"]
    issuer = [f"{message.issuer}提醒您。"] if message.issuer else []
    ladder = [[*opening, *(f"{tip}。" for tip in message.tips[:count]), hotline, *issuer]
              for count in range(len(message.tips), -1, -1)]
    return [*ladder, [*opening, hotline], [key, hotline], [key]]


def fallback_parts(message: Message, profile: SpotProfile) -> list[str]:
    """The fullest script, untimed (what to read when no speech engine can time one)."""
    variant = message.variants.get("radio")
    given = variant.get(profile.name) if isinstance(variant, Mapping) else None
    if given:
        return sentences(str(given))
    if profile.repeats or profile.length_s is None:
        return [f"{message.slogan}。", f"{hotline_sentence(message)}。"] * max(1, profile.repeats)
    return [*_ladder(message, profile)[0], *([f"{message.slogan}。"] if profile.loop else [])]


def fit(message: Message, profile: SpotProfile) -> Fit:
    """Sentences and pause so that speech ends 0.3–1.0 s before the end of the slot.

    Tips are dropped from the last while the script is too long; a short script gets the
    hotline again and the key line (alternately) and then longer pauses, never dead air.
    """
    key = f"{message.slogan}。"
    variant = message.variants.get("radio")
    given = variant.get(profile.name) if isinstance(variant, Mapping) else None
    if profile.repeats or profile.length_s is None:
        parts = sentences(str(given)) if given else \
            [key, f"{hotline_sentence(message)}。"] * max(1, profile.repeats)
        speech = sentence_seconds(parts, PAUSE_S)
        return Fit(tuple(parts), PAUSE_S, speech, profile.lead_s + speech + TAIL_AIM_S,
                   profile.lead_s)
    length, lead = profile.length_s, profile.lead_s
    most = length - lead - TAIL_MIN_S - 0.05
    least = length - lead - TAIL_MAX_S + 0.05
    options = [sentences(str(given))] if given else _ladder(message, profile)
    tail = [key] if profile.loop else []
    parts = options[-1]
    for option in options:
        if sentence_seconds([*option, *tail], MIN_PAUSE_S) <= most:
            parts = option
            break
    fillers = _fillers(message)
    added = 0
    while sentence_seconds([*parts, *tail], MAX_PAUSE_S) < least and added < 40:
        turn = fillers[added % 2:2] + fillers[:added % 2] + fillers[2:]
        fitting = [f for f in turn
                   if sentence_seconds([*parts, f, *tail], MIN_PAUSE_S) <= most]
        if not fitting:
            break
        parts = [*parts, fitting[0]]
        added += 1
    parts = [*parts, *tail]
    said = sentence_seconds(parts, 0.0)
    gaps = max(1, len(parts) - 1)
    pause = min(MAX_PAUSE_S, max(MIN_PAUSE_S, (length - lead - TAIL_AIM_S - said) / gaps))
    return Fit(tuple(parts), round(pause, 4), said + pause * (len(parts) - 1), length, lead)


def script_for(message: Message, profile: SpotProfile) -> tuple[str, float]:
    """The fitted script and its speech seconds."""
    fitted = fit(message, profile)
    return "".join(fitted.parts), fitted.speech_s


class RadioChannel:
    """Broadcast spots."""

    name = "radio"
    title = "广播"
    profiles = PROFILES

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        chosen = self.profiles[profile]
        recorded = recording(message, profile, chosen.rate)
        if recorded is not None:
            return [Asset(self.name, profile, f"radio/{profile}.wav", "audio/wav", b"",
                          facts=(placement(message, chosen, recorded)[0],))]
        fitted = fit(message, chosen)
        return [Asset(self.name, profile, f"radio/{profile}.wav", "audio/wav", b"",
                      facts=(Draft(fitted.speech_s, fitted.length_s, fitted.lead_s),))]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        recorded = recording(message, profile_name, profile.rate)
        if recorded is not None:
            return self._recorded(message, profile, recorded)
        fitted = fit(message, profile)
        spoken = speak_spot(fitted.parts, fitted.pause_s, profile.rate, profile.target_lufs,
                            fitted.lead_s, fitted.length_s)
        room = fitted.length_s - fitted.lead_s - TAIL_MIN_S
        facts: tuple[object, ...] = (
            Spot(spoken.duration_s, tail_silence(spoken.wav), fitted.length_s,
                 profile.length_s is not None, max(0.0, spoken.speech_s - room), spoken.script),
            Level(spoken.loudness, profile.target_lufs))
        if profile.loop:
            facts += (Loop(spoken.script, f"{message.slogan}。"),)
        return spoken_assets(self.name, profile.name, spoken, facts)


    def _recorded(self, message: Message, profile: SpotProfile,
                  recorded: Recording) -> Sequence[Asset]:
        fact, lead, tail = placement(message, profile, recorded)
        script = recorded_script(message, self.name, profile.name)
        spoken = place(recorded.samples, recorded.rate, profile.target_lufs, lead, tail, script,
                       RECORDING_VOICE)
        length = profile.length_s or spoken.duration_s
        facts = (fact, Spot(spoken.duration_s, tail_silence(spoken.wav), length,
                            profile.length_s is not None, script=script,
                            advice="请按录音检查给出的时长重录"),
                 Level(spoken.loudness, profile.target_lufs))
        return spoken_assets(self.name, profile.name, spoken, facts)


def placement(message: Message, profile: SpotProfile,
              recorded: Recording) -> tuple[Recorded, float, float]:
    """(what the slot allows, lead, tail) for a recording: it ends about 0.6 s before the end;
    a spot (not a loop) may start up to 1 s later than usual so a slightly short take fits."""
    seconds, lead = recorded.seconds, profile.lead_s
    if profile.length_s is None:
        longest, shortest, tail = MAX_LOUDSPEAKER_S - lead - TAIL_AIM_S, 0.0, TAIL_AIM_S
    else:
        slack = 0.0 if profile.loop else 1.0
        longest = profile.length_s - lead - TAIL_MIN_S
        shortest = profile.length_s - lead - slack - TAIL_MAX_S
        lead += min(slack, max(0.0, profile.length_s - lead - TAIL_AIM_S - seconds))
        tail = profile.length_s - lead - seconds
    fact = Recorded(message.recordings[profile.name].name, profile.name, seconds, shortest,
                    longest, recorded.longer_than_cap)
    return fact, lead, tail


# -- checks that belong to broadcast spots ---------------------------------------------------
@dataclass(frozen=True)
class Draft:
    """A fitted script's speech length, before it becomes a spot."""

    speech_s: float
    length_s: float
    lead_s: float


@register("duration", Draft)
def draft_duration(fact: Draft, asset: Asset) -> Check:
    budget = fact.length_s - fact.lead_s - TAIL_MIN_S
    if fact.speech_s <= budget:
        return Check("duration", True, f"语音 {fact.speech_s:.1f} 秒，{fact.length_s:g} 秒文件"
                                       f"最多 {budget:g} 秒语音")
    return Check("duration", False, f"广播稿过长：语音 {fact.speech_s:.1f} 秒，"
                                    f"{fact.length_s:g} 秒广播稿最多 {budget:g} 秒语音")


@dataclass(frozen=True)
class Spot:
    """A spot's file length and the silence after its speech, both measured from the file."""

    duration_s: float
    tail_s: float
    length_s: float
    exact: bool
    """False for a loudspeaker script: the file is as long as its speech."""
    cut_s: float = 0.0
    """Speech that did not fit the slot and was cut (only a too long ``variants.radio`` text)."""
    script: str = ""
    advice: str = ""
    """What to change when the slot is not filled (a recording: record again)."""


@register("duration", Spot)
def spot_duration(fact: Spot, asset: Asset) -> Check:
    if not fact.exact:
        return Check("duration", fact.duration_s <= MAX_LOUDSPEAKER_S,
                     f"文件实测 {fact.duration_s:.2f} 秒（上限 {MAX_LOUDSPEAKER_S:g} 秒）")
    return Check("duration", abs(fact.duration_s - fact.length_s) < 0.01,
                 f"文件实测 {fact.duration_s:.2f} 秒（应为 {fact.length_s:g} 秒）")


@register("fills_slot", Spot)
def fills_slot(fact: Spot, asset: Asset) -> Check:
    if fact.cut_s > 0.005:
        cut = chars_to_cut(fact.script, fact.length_s + fact.cut_s, fact.length_s)
        return Check("fills_slot", False, f"广播稿过长：{fact.length_s:g} 秒的文件放不下，"
                                          f"超出 {fact.cut_s:.1f} 秒，请删减约 {cut} 字")
    ok = TAIL_MIN_S - 0.05 <= fact.tail_s <= TAIL_MAX_S + 0.05
    return Check("fills_slot", ok, f"语音结束后静音 {fact.tail_s:.2f} 秒"
                                   f"（应为 {TAIL_MIN_S:g}–{TAIL_MAX_S:g} 秒，无长时间空播）"
                                   + ("" if ok or not fact.advice else f"；{fact.advice}"))


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

"""A person's recording in place of synthesised speech: loaded, fitted to its slot, checked.

``recordings: {unlock: unlock.m4a, spot-15s: spot.wav}`` in a message gives a recorded file per
spoken profile. It is decoded at ``check`` (so a broken file or one too long for its slot is
found before any asset is made), then trimmed, levelled and faded like synthesised speech.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import MessageError
from ..model.message import Message
from ..render.recording import MAX_DECODED_S, Recording, RecordingRefused, load_recording
from .base import Asset, Check
from .checks import register

RECORDING_VOICE = "recording"
"""The manifest's ``voice`` of an asset spoken by a person."""


def recording(message: Message, profile: str, rate: int) -> Recording | None:
    """The decoded recording given for ``profile``, or None; a bad file is a MessageError."""
    path = message.recordings.get(profile)
    if path is None:
        return None
    try:
        return load_recording(path, rate)
    except RecordingRefused as exc:
        raise MessageError(f"录音文件 {path.name}（规格 {profile}）{exc}", file=message.source,
                           line=message.lines.get(f"recordings.{profile}")
                           or message.lines.get("recordings"),
                           field=f"recordings.{profile}") from None


def recorded_script(message: Message, channel: str, profile: str) -> str:
    """What the recording says, as far as the message tells: its variant text, else its name."""
    variants = message.variants.get(channel)
    if isinstance(variants, Mapping) and variants.get(profile):
        return str(variants[profile])
    return f"（真人录音 {message.recordings[profile].name}）"


@dataclass(frozen=True)
class Recorded:
    """A recording's speech length (trimmed) against what its slot allows."""

    file: str
    profile: str
    seconds: float
    min_s: float
    """Shortest speech that leaves no dead air (0: no minimum)."""
    max_s: float
    """Longest speech the slot holds."""
    capped: bool = False
    """Longer than xfpush decodes at all (``seconds`` is then a lower bound)."""


@register("recording", Recorded)
def recording_fits(fact: Recorded, asset: Asset) -> Check:
    where = f"录音 {fact.file}（规格 {fact.profile}）"
    actual = f"超过 {MAX_DECODED_S:g}" if fact.capped else f"{fact.seconds:.2f}"
    if fact.capped or fact.seconds > fact.max_s:
        return Check("recording", False, f"{where}过长：去掉首尾静音后 {actual} 秒，"
                                         f"上限 {fact.max_s:.2f} 秒；请剪短或重录")
    if fact.seconds < fact.min_s:
        return Check("recording", False, f"{where}过短：去掉首尾静音后 {actual} 秒，至少要 "
                                         f"{fact.min_s:.2f} 秒才不留空播；请重录得长一些")
    allowed = f"{fact.min_s:.2f}–{fact.max_s:.2f}" if fact.min_s else f"上限 {fact.max_s:.2f}"
    return Check("recording", True, f"{where}：语音 {actual} 秒（{allowed} 秒）")

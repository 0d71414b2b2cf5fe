"""What a person recording a spoken profile should read: the script xfpush would synthesise.

The workbench shows it beside the microphone button, so a recording says what the pack's
texts, subtitles and proof page say. Choosing a script measures synthesised speech; without
a speech engine the first (longest) candidate is shown instead.
"""

from __future__ import annotations

from ..errors import XfpushError
from ..model.message import Message
from . import audio, radio

READING_PROFILES: dict[str, tuple[str, str]] = {
    **{name: ("audio", profile.summary) for name, profile in audio.PROFILES.items()},
    **{name: ("radio", profile.summary) for name, profile in radio.PROFILES.items()},
}
"""Profile name → (channel, what the file is for), for every profile a message may record."""


def reading_script(message: Message, profile: str) -> str:
    """The text to read aloud for ``profile`` (an audio or radio profile name)."""
    channel, _ = READING_PROFILES[profile]
    try:
        if channel == "audio":
            return audio.choose(message, audio.PROFILES[profile])[0]
        return "".join(radio.fit(message, radio.PROFILES[profile]).parts)
    except XfpushError:  # no speech engine to time the candidates: the fullest text
        if channel == "audio":
            return audio.candidates(message, profile)[0][0]
        return "".join(radio.fallback_parts(message, radio.PROFILES[profile]))

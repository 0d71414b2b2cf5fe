"""The ``video`` channel: short-video and pre-roll title cards, measured after encoding."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..model.message import Message
from ..render.layout import TemplateLayout
from ..render.media import VideoProbe, frame_at, probe_video
from ..render.plan import draw_plan
from ..render.templates import load_template
from ..render.video import FPS, encode, timeline, to_yuv420
from ..typeset.fonts import FontSet
from .base import Asset, Check
from .checks import Picture, register


@dataclass(frozen=True)
class VideoProfile:
    """A title card format."""

    name: str
    summary: str
    width: int
    height: int
    template: str
    """Layout of the title frames (stages 0–2); ``<template>-end`` is the end frame."""


PROFILES: Mapping[str, VideoProfile] = {
    "vertical": VideoProfile("vertical", "竖版 1080×1920 短视频（抖音、快手、视频号），H.264+AAC，25 fps",
                             1080, 1920, "video-vertical"),
    "horizontal": VideoProfile("horizontal", "横版 1920×1080（电视、影院、网吧片头），H.264+AAC，25 fps",
                               1920, 1080, "video-horizontal"),
}


def _srt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3600000:02d}:{millis // 60000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"


class VideoChannel:
    """Title cards."""

    name = "video"
    title = "短视频"
    profiles = PROFILES

    def key_images(self, message: Message, profile: VideoProfile,
                   fonts: FontSet) -> list[Image.Image]:
        size = (profile.width, profile.height)
        stages = [TemplateLayout(message, fonts, load_template(profile.template), size,
                                 stage=stage).layout() for stage in (0, 1, 2)]
        end = TemplateLayout(message, fonts, load_template(f"{profile.template}-end"),
                             size).layout()
        return [draw_plan(plan, fonts) for plan in [*stages, end]]

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        """The cards laid out (text that does not fit fails here); nothing else to know dry."""
        chosen = self.profiles[profile]
        size = (chosen.width, chosen.height)
        TemplateLayout(message, fonts, load_template(chosen.template), size).layout()
        TemplateLayout(message, fonts, load_template(f"{chosen.template}-end"), size).layout()
        return [Asset(self.name, profile, f"video/{profile}.mp4", "video/mp4", b"")]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        seconds = float(message.video_seconds)
        keys = self.key_images(message, profile, fonts)
        shots = timeline(seconds)
        mp4 = encode([to_yuv420(k) for k in keys], shots, (profile.width, profile.height),
                     seconds)
        facts, measured = self.measure(mp4, message, profile, seconds)
        cover = io.BytesIO()
        keys[2].save(cover, "JPEG", quality=90)
        subtitles = self.subtitles(message, shots)
        base = (self.name, profile.name)
        width, height = profile.width, profile.height
        return [
            Asset(*base, f"video/{profile.name}.mp4", "video/mp4", mp4, facts=facts,
                  duration_s=round(measured, 3), width_px=width, height_px=height,
                  qr_url=message.qr.url if message.qr else None),
            Asset(*base, f"video/{profile.name}-cover.jpg", "image/jpeg", cover.getvalue(),
                  width_px=width, height_px=height),
            Asset(*base, f"video/{profile.name}.srt", "application/x-subrip",
                  subtitles.encode("utf-8"), text=subtitles, duration_s=seconds),
        ]

    def measure(self, mp4: bytes, message: Message, profile: VideoProfile,
                seconds: float) -> tuple[tuple[object, ...], float]:
        """Probe the encoded file and take its end frame, for the checks to read."""
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "card.mp4"
            path.write_bytes(mp4)
            probe = probe_video(str(path))
            end_frame = Image.open(io.BytesIO(frame_at(str(path), seconds - 0.5)))
            end_frame.load()
        qr_url = message.qr.url if message.qr else None
        return (Clip(probe, profile, seconds), Picture(end_frame, qr_url)), probe.duration_s

    def subtitles(self, message: Message, shots: Sequence[object]) -> str:
        """SRT of the on-screen text, timed to the card's shots."""
        starts, clock = [], 0.0
        for shot in shots:
            starts.append(clock)
            clock += shot.frames / FPS  # type: ignore[attr-defined]
        title_at, tips_at, end_at, total = starts[1], starts[3], starts[5], clock
        hotlines = " ".join(f"{label}{number}" for label, number in message.hotlines)
        cues = [(title_at, tips_at, f"{message.title}\n{message.slogan}")]
        if message.tips:
            cues.append((tips_at, end_at, "\n".join(message.tips[:4])))
        cues.append((end_at, total, f"{hotlines}\n{message.cta}".strip()))
        return "\n".join(f"{i}\n{_srt_time(a)} --> {_srt_time(b)}\n{text}\n"
                         for i, (a, b, text) in enumerate(cues, start=1))


@dataclass(frozen=True)
class Clip:
    """What ffprobe says about an encoded card, and what it should be."""

    probe: VideoProbe
    profile: VideoProfile
    seconds: float


@register("format", Clip)
def clip_format(fact: Clip, asset: Asset) -> Check:
    probe, profile = fact.probe, fact.profile
    ok = (probe.codec == "h264" and probe.pix_fmt == "yuv420p" and
          (probe.width, probe.height) == (profile.width, profile.height) and
          abs(probe.fps - FPS) < 0.01 and probe.audio_codec == "aac")
    return Check("format", ok, f"{probe.codec} {probe.pix_fmt} {probe.width}×{probe.height} "
                               f"{probe.fps:g} fps，音轨 {probe.audio_codec}")


@register("duration", Clip)
def clip_duration(fact: Clip, asset: Asset) -> Check:
    return Check("duration", abs(fact.probe.duration_s - fact.seconds) <= 0.1,
                 f"实测 {fact.probe.duration_s:.2f} 秒（应为 {fact.seconds:g}±0.1）")


VIDEO = VideoChannel()

"""The ``video`` channel: short-video and pre-roll title cards, measured after encoding."""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..model.message import Message
from ..render.layout import TemplateLayout
from ..render.media import VideoProbe, frame_at, probe_video
from ..render.plan import Plan, draw_plan
from ..render.templates import load_template
from ..render.video import FPS, encode, timeline, to_yuv420
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText, balanced_wrap, display_width
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
    subtitle_columns: int = 32
    """Widest subtitle line, in columns (a hanzi is two)."""


PROFILES: Mapping[str, VideoProfile] = {
    "vertical": VideoProfile("vertical", "竖版 1080×1920 短视频（抖音、快手、视频号），H.264+AAC，25 fps",
                             1080, 1920, "video-vertical", subtitle_columns=32),
    "horizontal": VideoProfile("horizontal", "横版 1920×1080（电视、影院、网吧片头），H.264+AAC，25 fps",
                               1920, 1080, "video-horizontal", subtitle_columns=44),
}
CUE_LINES = 2
"""Most lines a subtitle cue shows."""
Cue = tuple[float, float, tuple[tuple[str, str], ...]]
"""(start, end, ((field, line), …)) of one subtitle."""


def _srt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3600000:02d}:{millis // 60000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"


class VideoChannel:
    """Title cards."""

    name = "video"
    title = "短视频"
    profiles = PROFILES

    def key_plans(self, message: Message, profile: VideoProfile, fonts: FontSet) -> list[Plan]:
        """Plans of the key frames: background, title, title and tips, end frame."""
        size = (profile.width, profile.height)
        stages = [TemplateLayout(message, fonts, load_template(profile.template), size,
                                 stage=stage).layout() for stage in (0, 1, 2)]
        end = TemplateLayout(message, fonts, load_template(f"{profile.template}-end"),
                             size).layout()
        return [*stages, end]

    def key_images(self, message: Message, profile: VideoProfile,
                   fonts: FontSet) -> list[Image.Image]:
        return [draw_plan(plan, fonts) for plan in self.key_plans(message, profile, fonts)]

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
        plans = self.key_plans(message, profile, fonts)
        keys = [draw_plan(plan, fonts) for plan in plans]
        shots = timeline(seconds)
        mp4 = encode([to_yuv420(k) for k in keys], shots, (profile.width, profile.height),
                     seconds)
        facts, measured = self.measure(mp4, message, profile, seconds)
        cover = io.BytesIO()
        keys[2].save(cover, "JPEG", quality=90)
        timed = self.cues(message, shots, profile.subtitle_columns)
        subtitles = srt_text(timed)
        base = (self.name, profile.name)
        width, height = profile.width, profile.height
        return [
            Asset(*base, f"video/{profile.name}.mp4", "video/mp4", mp4, facts=facts,
                  duration_s=round(measured, 3), width_px=width, height_px=height,
                  qr_url=message.qr.url if message.qr else None,
                  layout=(*plans[2].layout, *plans[3].layout)),
            Asset(*base, f"video/{profile.name}-cover.jpg", "image/jpeg", cover.getvalue(),
                  width_px=width, height_px=height, layout=tuple(plans[2].layout)),
            Asset(*base, f"video/{profile.name}.srt", "application/x-subrip",
                  subtitles.encode("utf-8"), text=subtitles, duration_s=seconds,
                  layout=cue_layout(timed)),
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

    def cues(self, message: Message, shots: Sequence[object], columns: int) -> list[Cue]:
        """Subtitles of the on-screen text, timed to the card's shots: each text broken at word
        boundaries into even lines, at most ``CUE_LINES`` to a cue, the cues of a shot sharing
        its time by the characters they show."""
        starts, clock = [], 0.0
        for shot in shots:
            starts.append(clock)
            clock += shot.frames / FPS  # type: ignore[attr-defined]
        title_at, tips_at, end_at, total = starts[1], starts[3], starts[5], clock
        hotlines = " ".join(f"{label}{number}" for label, number in message.hotlines)
        windows = [(title_at, tips_at, [("title", message.title), ("slogan", message.slogan)])]
        if message.tips:
            windows.append((tips_at, end_at, [(f"tips[{i}]", tip)
                                              for i, tip in enumerate(message.tips[:4])]))
        windows.append((end_at, total, [("hotlines", hotlines), ("cta", message.cta)]))
        return [cue for start, end, texts in windows
                for cue in _window_cues(start, end, texts, columns)]


def _window_cues(start: float, end: float, texts: Sequence[tuple[str, str]],
                 columns: int) -> list[Cue]:
    lines = [(field, line) for field, text in texts if text
             for line in balanced_wrap(text, columns, display_width)]
    count = math.ceil(len(lines) / CUE_LINES)
    sizes = [len(lines) // count + (1 if index < len(lines) % count else 0)
             for index in range(count)]
    groups, first = [], 0
    for size in sizes:
        groups.append(tuple(lines[first:first + size]))
        first += size
    weights = [sum(len(line) for _, line in group) for group in groups]
    cues, clock = [], start
    for index, group in enumerate(groups):
        until = end if index == len(groups) - 1 else \
            round(clock + (end - start) * weights[index] / sum(weights), 3)
        cues.append((clock, until, group))
        clock = until
    return cues


def srt_text(timed: Sequence[Cue]) -> str:
    return "\n".join(f"{i}\n{_srt_time(a)} --> {_srt_time(b)}\n"
                     f"{chr(10).join(line for _, line in group)}\n"
                     for i, (a, b, group) in enumerate(timed, start=1))


def cue_layout(timed: Sequence[Cue]) -> tuple[LaidText, ...]:
    """Subtitle lines grouped by the field they come from: the manifest's ``layout``."""
    laid: list[LaidText] = []
    for _, _, group in timed:
        for field, line in group:
            if laid and laid[-1].field == field:
                laid[-1] = LaidText(field, (*laid[-1].lines, line))
            else:
                laid.append(LaidText(field, (line,)))
    return tuple(laid)


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

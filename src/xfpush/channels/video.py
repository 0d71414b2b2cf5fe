"""The ``video`` channel: short videos and TV/cinema spots, one card at a time, voiced and
subtitled from one script, measured after encoding (see ``storyboard`` for the timing)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..model.message import Message
from ..render.media import Loudness, VideoProbe, frame_at, measure_loudness, probe_video
from ..render.plan import Box, draw_plan, overlaps
from ..render.video import FPS, colour_tags, encode, to_yuv420
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText
from .base import Asset, Check
from .checks import Level, Picture, register
from .storyboard import MAX_CPS, Cue, Storyboard, storyboard
from .voiceover import VoiceOver, speech_timer, voice_track


@dataclass(frozen=True)
class Zone:
    """Part of the picture a platform covers with its own controls."""

    name: str
    """What covers it, in Chinese (named by the overlay check)."""
    box: Box
    """Where, in fractions of the picture (left, top, right, bottom)."""


# Douyin and WeChat Channels lay their UI over a 9:16 video: the tab bar on top, the caption,
# account name and comment bar along the bottom quarter, and a column of buttons (avatar, like,
# comment, share) down the right from about a third of the height.
SHORT_VIDEO_ZONES = (
    Zone("抖音、视频号顶部标签栏", (0.0, 0.0, 1.0, 0.07)),
    Zone("抖音、视频号底部文案与评论栏", (0.0, 0.76, 1.0, 1.0)),
    Zone("抖音、视频号右侧按钮列", (0.85, 0.36, 1.0, 1.0)),
)


@dataclass(frozen=True)
class VideoProfile:
    """A video format."""

    name: str
    summary: str
    width: int
    height: int
    template: str
    """Layout of the title and tip cards (stage 1 title, stage 2 one tip); ``<template>-end``
    is the end card."""
    subtitle_columns: int = 32
    """Widest subtitle line, in columns (a hanzi is two)."""
    least_s: float = 5.0
    """Shortest video: cards are held longer to reach it."""
    most_s: float = 15.0
    """Longest video: tips beyond it are left out, from the last."""
    exact: bool = False
    """Exactly ``most_s`` long (a broadcast spot): spare time is shared by every card."""
    target_lufs: float = -16.0
    """Voice-over loudness (−16 LUFS for phones, −23 for broadcast, EBU R128)."""
    zones: tuple[Zone, ...] = ()
    """Where the platform draws over the picture: no text or code may sit there."""

    @property
    def render_weight(self) -> float:
        """Encoding time, roughly in still images: a second of HD video costs about 15."""
        return 15 * self.most_s


PROFILES: Mapping[str, VideoProfile] = {
    "vertical": VideoProfile("vertical", "竖版 1080×1920 短视频（抖音、快手、视频号），5–15 秒，"
                             "配音 −16 LUFS，H.264+AAC，25 fps", 1080, 1920, "video-vertical",
                             subtitle_columns=32, zones=SHORT_VIDEO_ZONES),
    "horizontal": VideoProfile("horizontal", "横版 1920×1080（网吧片头、横屏平台），5–15 秒，"
                               "配音 −16 LUFS，H.264+AAC，25 fps", 1920, 1080, "video-horizontal",
                               subtitle_columns=44),
    "spot-15s": VideoProfile("spot-15s", "15 秒片花 1920×1080（有线电视、影院），整 15 秒，"
                             "配音 −23 LUFS", 1920, 1080, "video-horizontal",
                             subtitle_columns=44, least_s=15.0, most_s=15.0, exact=True,
                             target_lufs=-23.0),
    "spot-30s": VideoProfile("spot-30s", "30 秒片花 1920×1080（有线电视、影院），整 30 秒，"
                             "配音 −23 LUFS", 1920, 1080, "video-horizontal",
                             subtitle_columns=44, least_s=30.0, most_s=30.0, exact=True,
                             target_lufs=-23.0),
}


def _srt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3600000:02d}:{millis // 60000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"


class VideoChannel:
    """Short videos and spots."""

    name = "video"
    title = "短视频"
    profiles = PROFILES

    def board(self, message: Message, profile: VideoProfile,
              fonts: FontSet) -> tuple[Storyboard, VoiceOver]:
        """The cards, timed for the voice when a speech engine is installed."""
        speech, voice = speech_timer()
        least = profile.least_s if profile.exact else max(profile.least_s, message.video_seconds)
        board = storyboard(message, fonts, profile.template, (profile.width, profile.height),
                           (least, profile.most_s), speech, spread=profile.exact)
        return board, voice

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        """The cards laid out and timed (text that does not fit fails here)."""
        chosen = self.profiles[profile]
        board, voice = self.board(message, chosen, fonts)
        return [Asset(self.name, profile, f"video/{profile}.mp4", "video/mp4", b"",
                      facts=(Timing(board, chosen), Overlay(board, chosen), voice))]

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        board, voice = self.board(message, profile, fonts)
        keys = [draw_plan(card.plan, fonts) for card in board.cards]
        sound = None if voice.engine is None else voice_track(
            board.voice_lines(), board.seconds, profile.target_lufs)
        mp4 = encode([to_yuv420(k) for k in keys], board.shots(),
                     (profile.width, profile.height), board.seconds, sound)
        clip = self.measure(mp4, message, profile, board, keys[0])
        facts: tuple[object, ...] = (clip, Timing(board, profile), Overlay(board, profile),
                                     voice, clip.end_frame)
        if sound is not None:
            facts += (Level(clip.loudness, profile.target_lufs),)
        cover = io.BytesIO()
        keys[0].save(cover, "JPEG", quality=90)
        timed = board.cues(profile.subtitle_columns)
        subtitles = srt_text(timed)
        base = (self.name, profile.name)
        width, height = profile.width, profile.height
        end_plan = board.cards[-1].plan
        return [
            Asset(*base, f"video/{profile.name}.mp4", "video/mp4", mp4, facts=facts,
                  duration_s=round(clip.probe.duration_s, 3), width_px=width, height_px=height,
                  qr_url=message.qr.url if message.qr and end_plan.qr else None,
                  loudness_lufs=None if sound is None else round(clip.loudness.integrated_lufs, 1),
                  true_peak_dbtp=None if sound is None else round(clip.loudness.true_peak_dbtp, 1),
                  layout=board.layout()),
            Asset(*base, f"video/{profile.name}-cover.jpg", "image/jpeg", cover.getvalue(),
                  width_px=width, height_px=height, layout=tuple(board.cards[0].plan.layout)),
            Asset(*base, f"video/{profile.name}.srt", "application/x-subrip",
                  subtitles.encode("utf-8"), text=subtitles, duration_s=board.seconds,
                  layout=cue_layout(timed)),
        ]

    def measure(self, mp4: bytes, message: Message, profile: VideoProfile, board: Storyboard,
                cover: Image.Image) -> Clip:
        """Probe the encoded file, take its first and end frames, meter its sound."""
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "card.mp4"
            path.write_bytes(mp4)
            probe = probe_video(str(path))
            tags = colour_tags(str(path))
            first = Image.open(io.BytesIO(frame_at(str(path), 0.0))).convert("RGB")
            end_frame = Image.open(io.BytesIO(frame_at(str(path), board.seconds - 0.5)))
            end_frame.load()
        qr_url = message.qr.url if message.qr else None
        return Clip(probe, profile, board.seconds, tags, ink_share(first, cover),
                    measure_loudness(mp4), Picture(end_frame, qr_url))


def ink_share(frame: Image.Image, cover: Image.Image) -> tuple[float, float]:
    """(share of the decoded frame that is not its most common colour, the same of the cover
    as drawn): a blank ground has almost none."""
    def share(image: Image.Image) -> float:
        pixels = np.asarray(image.convert("RGB").reduce(4), dtype=np.int16).reshape(-1, 3)
        colours, counts = np.unique(pixels // 8, axis=0, return_counts=True)
        ground = colours[counts.argmax()] * 8 + 4
        return float(np.mean(np.abs(pixels - ground).max(axis=1) > 40))
    return share(frame), share(cover)


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
    """What ffmpeg says about an encoded video, and what it should be."""

    probe: VideoProbe
    profile: VideoProfile
    seconds: float
    colour: str
    """Colour description of the stream, as ffmpeg reads it (``tv, bt709``)."""
    ink: tuple[float, float]
    """Share of frame 0 that is not ground: decoded, and as the cover was drawn."""
    loudness: Loudness
    end_frame: Picture


@register("format", Clip)
def clip_format(fact: Clip, asset: Asset) -> Check:
    probe, profile = fact.probe, fact.profile
    ok = (probe.codec == "h264" and probe.pix_fmt == "yuv420p" and
          (probe.width, probe.height) == (profile.width, profile.height) and
          abs(probe.fps - FPS) < 0.01 and probe.audio_codec == "aac")
    return Check("format", ok, f"{probe.codec} {probe.pix_fmt} {probe.width}×{probe.height} "
                               f"{probe.fps:g} fps，音轨 {probe.audio_codec}")


@register("colour_tags", Clip)
def clip_colour(fact: Clip, asset: Asset) -> Check:
    return Check("colour_tags", fact.colour == "tv, bt709",
                 f"色彩标记 {fact.colour}（应为 tv, bt709：BT.709、电视电平）")


@register("duration", Clip)
def clip_duration(fact: Clip, asset: Asset) -> Check:
    return Check("duration", abs(fact.probe.duration_s - fact.seconds) <= 0.05,
                 f"实测 {fact.probe.duration_s:.2f} 秒（应为 {fact.seconds:g}±0.05）")


@register("first_frame", Clip)
def first_frame(fact: Clip, asset: Asset) -> Check:
    decoded, drawn = fact.ink
    return Check("first_frame", decoded >= 0.02 and abs(decoded - drawn) <= 0.02,
                 f"首帧即封面：文字与图形占画面 {decoded:.1%}（封面原图 {drawn:.1%}）")


@dataclass(frozen=True)
class Timing:
    """The storyboard and the profile's length limits."""

    board: Storyboard
    profile: VideoProfile


@register("reading_speed", Timing)
def reading_speed(fact: Timing, asset: Asset) -> Check:
    paces = [(card.chars / (card.hold / FPS), card) for card in fact.board.cards if card.script]
    fastest, card = max(paces, key=lambda pace: pace[0])
    field = card.script[0][0]
    return Check("reading_speed", fastest <= MAX_CPS,
                 f"每屏一句，最快 {fastest:.1f} 字/秒（{field}，{card.chars} 字停留 "
                 f"{card.hold / FPS:.1f} 秒；上限 {MAX_CPS:g} 字/秒）")


@register("video_length", Timing)
def video_length(fact: Timing, asset: Asset) -> Check:
    board, profile = fact.board, fact.profile
    seconds = board.seconds
    if profile.exact and seconds <= profile.most_s:
        return Check("video_length", abs(seconds - profile.most_s) < 1 / FPS,
                     f"{seconds:.2f} 秒（应为整 {profile.most_s:g} 秒），"
                     f"显示 {board.tips_shown}/{board.tips_total} 条提示")
    if seconds > profile.most_s:
        return Check("video_length", False,
                     f"标题卡和结尾卡读完、说完要 {seconds:.1f} 秒，超过上限 {profile.most_s:g} 秒；"
                     f"请缩短标题（title，现 {board.cards[0].chars} 字）")
    return Check("video_length", profile.least_s <= seconds,
                 f"{seconds:.2f} 秒（{profile.least_s:g}–{profile.most_s:g} 秒），"
                 f"显示 {board.tips_shown}/{board.tips_total} 条提示")


@register("tips_shown", Timing)
def video_tips(fact: Timing, asset: Asset) -> Check | None:
    board = fact.board
    if not board.tips_total:
        return None
    return Check("tips_shown", board.tips_shown >= 1,
                 f"显示 {board.tips_shown}/{board.tips_total} 条提示（按优先级，每屏一条）")


@dataclass(frozen=True)
class Overlay:
    """The cards' contents and the platform's overlay zones."""

    board: Storyboard
    profile: VideoProfile


@register("overlay_zones", Overlay)
def overlay_zones(fact: Overlay, asset: Asset) -> Check | None:
    profile = fact.profile
    if not profile.zones:
        return None
    for card in fact.board.cards:
        for label, box in card.plan.content_boxes():
            for zone in profile.zones:
                left, top, right, bottom = zone.box
                area = (left * profile.width, top * profile.height, right * profile.width,
                        bottom * profile.height)
                if overlaps(box, area):
                    return Check("overlay_zones", False,
                                 f"“{label}”落在{zone.name}（{zone.box}）里，会被平台遮挡")
    names = "、".join(zone.name for zone in profile.zones)
    return Check("overlay_zones", True,
                 f"{len(fact.board.cards)} 屏的文字和二维码都避开了{names}")


VIDEO = VideoChannel()

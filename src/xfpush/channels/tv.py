"""The ``tv`` channel: cable-TV home-screen banners (broadcast-legal) and the 提示字幕 crawl."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..model.message import Message
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText, balanced_wrap, display_width
from .base import Asset, Check
from .checks import register
from .templated import ImageProfile, TemplatedChannel

GRAPHICS_SAFE = (0.05, 0.05, 0.95, 0.95)  # 90% of the frame (1728×972 at 96,54 in 1080p)


@dataclass(frozen=True)
class TvProfile(ImageProfile):
    """A TV graphic: broadcast-legal levels inside the graphics-safe area."""

    luma_min: int = 16
    """Lowest legal 8-bit level (studio range black)."""
    luma_max: int = 235
    """Highest legal 8-bit level (studio range white)."""


@dataclass(frozen=True)
class TickerProfile:
    """The 提示字幕 crawl: text paced for reading."""

    name: str
    summary: str
    chars_per_second: float = 5.0
    """Reading speed no cue may exceed."""
    cue_columns: int = 36
    """Widest subtitle cue, in columns (a hanzi is two)."""
    font_px: int = 54
    """Crawl text height on a 1080-line screen."""
    screen_width: int = 1920
    min_cue_s: float = 2.0
    """Shortest time a cue stays up."""


PROFILES: Mapping[str, ImageProfile | TickerProfile] = {
    "banner-1080p": TvProfile("banner-1080p", "有线电视专栏横幅 1920×1080，90% 图文安全区，亮度 16–235",
                              1920, 1080, "tv-banner", safe=GRAPHICS_SAFE, min_text_px=22),
    "banner-720p": TvProfile("banner-720p", "有线电视专栏横幅 1280×720，90% 图文安全区，亮度 16–235",
                             1280, 720, "tv-banner", safe=GRAPHICS_SAFE, min_text_px=15),
    "ticker": TickerProfile("ticker", "提示字幕滚动文字：.txt、.srt、.ass，每秒不超过 5 字"),
}


def broadcast_legal(image: Image.Image, low: int, high: int) -> Image.Image:
    """Scale full-range RGB into [low, high] on every channel, so luma is legal too."""
    data = np.asarray(image.convert("RGB"), dtype=np.float32)
    scaled = np.rint(low + data * (high - low) / 255.0).astype(np.uint8)
    return Image.fromarray(scaled)


def luma_range(image: Image.Image) -> tuple[int, int]:
    """(min, max) BT.709 luma of an RGB image, 8-bit."""
    data = np.asarray(image.convert("RGB"), dtype=np.float32)
    luma = data @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    return int(np.floor(luma.min())), int(np.ceil(luma.max() - 1e-3))


def ticker_parts(message: Message) -> list[tuple[str, str]]:
    """(field, sentence) of the crawl: a variant if given, else title, first tips and the fire
    hotline, each ending with its full stop."""
    for key in ("ticker", "tv"):
        value = message.variants.get(key)
        if isinstance(value, str) and value:
            return [(f"variants.{key}", value)]
    parts = [("title", f"【消防安全提示】{message.title.replace(' ', '，')}")]
    parts += [(f"tips[{index}]", tip) for index, tip in enumerate(message.tips[:3])]
    label, number = message.hotlines[0]
    parts.append(("hotlines[0]", f"如遇{label}请拨打{number}"))
    return [(field, text.rstrip("。；") + "。") for field, text in parts]


def ticker_text(message: Message) -> str:
    """The crawl as one line of text."""
    return "".join(text for _, text in ticker_parts(message))


def _timestamp(seconds: float, comma: bool = True) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    if comma:
        return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"
    return f"{hours:d}:{minutes:02d}:{secs:02d}.{millis // 10:02d}"


def cue_lines(text: str, columns: int) -> list[str]:
    """Sentences split into cues of even length at word boundaries (after a comma where that
    costs no extra cue), never mid-number, never a fragment for the last cue."""
    return [line for sentence in re.split(r"(?<=[。！？；])", text) if sentence.strip()
            for line in balanced_wrap(sentence, columns, display_width)]


def cues(parts: Sequence[tuple[str, str]], profile: TickerProfile
         ) -> list[tuple[float, float, str, str]]:
    """(start, end, text, field) cues, each long enough to be read at the profile's speed."""
    timed, clock = [], 0.0
    for field, text in parts:
        for line in cue_lines(text, profile.cue_columns):
            visible = len(line.replace(" ", ""))
            duration = max(profile.min_cue_s, round(visible / profile.chars_per_second + 0.05, 1))
            timed.append((clock, clock + duration, line, field))
            clock += duration
    return timed


def cue_layout(timed: Sequence[tuple[float, float, str, str]],
               font_px: int | None = None) -> tuple[LaidText, ...]:
    """Cues grouped by the field they come from, in order: the manifest's ``layout``."""
    laid: list[LaidText] = []
    for _, _, line, field in timed:
        if laid and laid[-1].field == field:
            laid[-1] = LaidText(field, (*laid[-1].lines, line), font_px)
        else:
            laid.append(LaidText(field, (line,), font_px))
    return tuple(laid)


def srt(timed: Sequence[tuple[float, float, str, str]]) -> str:
    blocks = [f"{i}\n{_timestamp(a)} --> {_timestamp(b)}\n{t}\n"
              for i, (a, b, t, _) in enumerate(timed, start=1)]
    return "\n".join(blocks)


def ass(text: str, profile: TickerProfile, fonts: FontSet) -> tuple[str, float]:
    """An ASS crawl (Banner effect) moving at the reading speed; returns (script, seconds)."""
    speed = profile.chars_per_second * profile.font_px  # px per second: one hanzi per char
    width = fonts.width(text, profile.font_px, True)
    seconds = round((width + profile.screen_width) / speed, 2)
    delay_ms = max(1, round(1000 / speed))
    script = "\n".join([
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {profile.screen_width}",
        "PlayResY: 1080", "WrapStyle: 2", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Ticker,Noto Sans CJK SC,{profile.font_px},&H00EBEBEB,&H00EBEBEB,&H00101010,"
        "&H80101010,-1,0,0,0,100,100,0,0,3,2,0,2,0,0,60,134", "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
        f"Dialogue: 0,{_timestamp(0, False)},{_timestamp(seconds, False)},Ticker,,0,0,0,"
        f"Banner;{delay_ms},{text}", ""])
    return script, seconds


def srt_duration(data: str) -> float:
    """End time of the last cue, read back from SRT text."""
    ends = re.findall(r"--> (\d+):(\d+):(\d+),(\d+)", data)
    h, m, s, ms = (int(v) for v in ends[-1])
    return h * 3600 + m * 60 + s + ms / 1000


class TvChannel(TemplatedChannel):
    """Cable-TV banners and the ticker."""

    name = "tv"
    title = "有线电视"
    profiles = PROFILES  # type: ignore[assignment]

    def finish(self, image: Image.Image, profile: ImageProfile
               ) -> tuple[Image.Image, tuple[object, ...]]:
        assert isinstance(profile, TvProfile)
        legal = broadcast_legal(image, profile.luma_min, profile.luma_max)
        return legal, (Broadcast(legal, luma_range(image), profile.luma_min, profile.luma_max),)

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        if isinstance(profile, TickerProfile):
            return self.ticker(message, profile, fonts)
        return super().render(message, profile_name, fonts)

    def ticker(self, message: Message, profile: TickerProfile, fonts: FontSet) -> list[Asset]:
        parts = ticker_parts(message)
        text = "".join(part for _, part in parts)
        timed = cues(parts, profile)
        subtitles = srt(timed)
        script, crawl_s = ass(text, profile, fonts)
        pace = (Pace(tuple((a, b, t) for a, b, t, _ in timed), profile.chars_per_second),)
        measured = srt_duration(subtitles)
        crawl = tuple(LaidText(field, (part,), profile.font_px) for field, part in parts)
        name = profile.name
        return [
            Asset(self.name, name, "tv/ticker.txt", "text/plain; charset=utf-8",
                  (text + "\n").encode("utf-8"), facts=pace, text=text),
            Asset(self.name, name, "tv/ticker.srt", "application/x-subrip",
                  subtitles.encode("utf-8"), facts=pace, text=subtitles, duration_s=measured,
                  layout=cue_layout(timed)),
            Asset(self.name, name, "tv/ticker.ass", "text/x-ssa", script.encode("utf-8"),
                  facts=pace, text=script, duration_s=crawl_s, layout=crawl),
        ]


# -- checks that belong to television --------------------------------------------------------
@dataclass(frozen=True)
class Broadcast:
    """A graphic squeezed into the legal range, and the range it had before."""

    image: Image.Image
    before: tuple[int, int]
    low: int
    high: int


@register("broadcast_legal", Broadcast)
def legal_range(fact: Broadcast, asset: Asset) -> Check:
    low, high = luma_range(fact.image)
    bands = fact.image.getextrema()
    in_range = (low >= fact.low and high <= fact.high and
                all(lo >= fact.low and hi <= fact.high for lo, hi in bands))  # type: ignore[misc]
    return Check("broadcast_legal", in_range,
                 f"亮度 {low}–{high}（合法范围 {fact.low}–{fact.high}；"
                 f"原图 {fact.before[0]}–{fact.before[1]} 已压入合法范围）")


@dataclass(frozen=True)
class Pace:
    """Timed cues of a crawl and the reading speed none may exceed."""

    cues: tuple[tuple[float, float, str], ...]
    chars_per_second: float


@register("reading_speed", Pace)
def reading_speed(fact: Pace, asset: Asset) -> Check:
    fastest = max(len(t.replace(" ", "")) / (b - a) for a, b, t in fact.cues)
    return Check("reading_speed", fastest <= fact.chars_per_second + 1e-9,
                 f"最快 {fastest:.2f} 字/秒，上限 {fact.chars_per_second:g} 字/秒，"
                 f"共 {len(fact.cues)} 条字幕")


TV = TvChannel()

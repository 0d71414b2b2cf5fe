"""The ``tv`` channel: cable-TV home-screen banners, a lower-third overlay and the 提示字幕 crawl.

Graphics stay full-range sRGB: the playout's RGB→YUV conversion (BT.709, tv range) is what
puts luma into 16–235, so a PNG squeezed beforehand is squeezed twice and plays washed out.
The legal-range check therefore measures Y after that conversion. The lower third is a PNG
with transparency whose only opaque part is its bar, in the lower quarter of the picture and
inside the title-safe area, for keying over programmes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

from ..model.message import Message
from ..render.plan import Box
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText, balanced_wrap, display_width
from .base import Asset, Check
from .checks import fraction_box, register
from .templated import ImageProfile, TemplatedChannel

GRAPHICS_SAFE = (0.05, 0.05, 0.95, 0.95)  # 90% of the frame (1728×972 at 96,54 in 1080p)
TITLE_SAFE = (0.10, 0.10, 0.90, 0.90)  # 80%: where text keyed over a programme must stay
LOWER_THIRD = (0.10, 0.75, 0.90, 0.90)  # title-safe area within the lower 25% of the frame
BT709 = (0.2126, 0.7152, 0.0722)
TICKER_BOX_PX = 2
"""Outline of the crawl's opaque box (BorderStyle 3): it widens the text on both sides."""
TICKER_MARGIN_V = 60


@dataclass(frozen=True)
class TvProfile(ImageProfile):
    """A TV graphic: broadcast-legal levels inside the graphics-safe area."""

    luma_min: int = 16
    """Lowest legal 8-bit level (studio range black)."""
    luma_max: int = 235
    """Highest legal 8-bit level (studio range white)."""
    keyed: bool = False
    """An overlay keyed over programmes: transparent outside its bars."""


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
    "banner-1080p": TvProfile("banner-1080p", "有线电视专栏横幅 1920×1080，90% 图文安全区，全范围 sRGB（播出转换后亮度 16–235）",
                              1920, 1080, "tv-banner", safe=GRAPHICS_SAFE, min_text_px=22),
    "banner-720p": TvProfile("banner-720p", "有线电视专栏横幅 1280×720，90% 图文安全区，全范围 sRGB（播出转换后亮度 16–235）",
                             1280, 720, "tv-banner", safe=GRAPHICS_SAFE, min_text_px=15),
    "lower-third": TvProfile("lower-third", "节目叠加下三分之一字幕条 1920×1080 透明 PNG：色条在画面下方 "
                             "25%、字幕安全区（80%）内，供播控抠像叠加", 1920, 1080,
                             "tv-lower-third", safe=LOWER_THIRD, min_text_px=26, keyed=True),
    "ticker": TickerProfile("ticker", "提示字幕滚动文字：.txt、.srt、.ass，每秒不超过 5 字"),
}


def video_luma(image: Image.Image) -> np.ndarray:
    """8-bit Y of each opaque pixel after the playout's conversion: BT.709 coefficients on
    the sRGB values, scaled into tv range (Y = 16 + 219·Y'/255)."""
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float64)
    opaque = rgba[rgba[..., 3] > 0][:, :3]
    return np.asarray(np.rint(16 + 219 * (opaque @ np.array(BT709)) / 255), dtype=np.int64)


def opaque_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the pixels that are not fully transparent (None: all transparent)."""
    return image.getchannel("A").getbbox() if image.mode == "RGBA" else (0, 0, *image.size)


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


@lru_cache(maxsize=8)
def ass_em(path: Path) -> float:
    """Em per unit of ASS font size: libass sizes a font by its Windows ascent plus descent
    (``usWinAscent + usWinDescent``), not by its em, so Fontsize 78 sets a 54 px hanzi in the
    bundled Noto Sans CJK."""
    font = TTFont(str(path), fontNumber=0, lazy=True)
    os2 = font["OS/2"]
    return float(font["head"].unitsPerEm) / float(os2.usWinAscent + os2.usWinDescent)


def ass(text: str, profile: TickerProfile, fonts: FontSet) -> tuple[str, float]:
    """An ASS crawl moving right to left at the reading speed; returns (script, seconds).

    The event is a ``\\move`` from just off the right edge until the text's right end has
    left the picture on the left, and it ends exactly then (no empty seconds after it).
    """
    face = next(face for face, _ in fonts.runs(text, True))
    size = round(profile.font_px / ass_em(face.path))
    # renderers round each advance to whole pixels; half an em covers that over a long line
    width = math.ceil(fonts.width(text, size * ass_em(face.path), True) + profile.font_px / 2) \
        + 2 * TICKER_BOX_PX
    speed = profile.chars_per_second * profile.font_px  # px per second: one hanzi per char
    seconds = round((width + profile.screen_width) / speed, 2)
    y = 1080 - TICKER_MARGIN_V
    move = f"{{\\an1\\move({profile.screen_width + TICKER_BOX_PX},{y},{-width + TICKER_BOX_PX},{y},0," \
           f"{round(seconds * 1000)})}}"
    script = "\n".join([
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {profile.screen_width}",
        "PlayResY: 1080", "WrapStyle: 2", "ScaledBorderAndShadow: yes", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Ticker,{family(face.path)},{size},&H00EBEBEB,&H00EBEBEB,&H00101010,"
        f"&H80101010,-1,0,0,0,100,100,0,0,3,{TICKER_BOX_PX},0,1,0,0,{TICKER_MARGIN_V},134", "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
        f"Dialogue: 0,{_timestamp(0, False)},{_timestamp(seconds, False)},Ticker,,0,0,0,,"
        f"{move}{text}", ""])
    return script, seconds


@lru_cache(maxsize=8)
def family(path: Path) -> str:
    """The font's family name, as a subtitle renderer looks it up."""
    return str(TTFont(str(path), fontNumber=0, lazy=True)["name"].getDebugName(1))


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

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        if isinstance(profile, TickerProfile):
            return self.ticker(message, profile, fonts)
        assert isinstance(profile, TvProfile)
        image, plan, facts = self.draw(message, profile, fonts)
        if profile.keyed:
            image = keyed(image, plan.rects)
        video = Broadcast(image, profile.luma_min, profile.luma_max)
        keying = (Keying(image, fraction_box(LOWER_THIRD, image.size)),) if profile.keyed else ()
        pixels = self.picture(message, plan, image.convert("RGB"), profile.reserved)
        return [self.png_asset(message, profile, image, (*facts, video, *keying, pixels), plan)]

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


def keyed(image: Image.Image, rects: Sequence[tuple[Box, str, float]]) -> Image.Image:
    """The image made transparent outside its bars (every text of the plan sits on one)."""
    mask = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(mask)
    for box, _, radius in rects:
        draw.rounded_rectangle(box, radius=radius, fill=255) if radius else \
            draw.rectangle(box, fill=255)
    overlay = image.convert("RGBA")
    overlay.putalpha(mask)
    return overlay


# -- checks that belong to television --------------------------------------------------------
@dataclass(frozen=True)
class Broadcast:
    """A full-range sRGB graphic and the luma range the playout conversion must give."""

    image: Image.Image
    low: int
    high: int


@register("broadcast_legal", Broadcast)
def legal_range(fact: Broadcast, asset: Asset) -> Check:
    luma = video_luma(fact.image)
    low, high = int(luma.min()), int(luma.max())
    source = fact.image.convert("RGB").getextrema()
    rgb_low, rgb_high = min(lo for lo, _ in source), max(hi for _, hi in source)  # type: ignore[misc]
    return Check("broadcast_legal", fact.low <= low and high <= fact.high,
                 f"转为 BT.709 电视范围后 Y {low}–{high}（合法 {fact.low}–{fact.high}）；"
                 f"PNG 为全范围 sRGB（RGB {rgb_low}–{rgb_high}），不预先压缩")


@dataclass(frozen=True)
class Keying:
    """An overlay and the area its opaque part must stay in, in pixels."""

    image: Image.Image
    area: Box


@register("keying", Keying)
def keying(fact: Keying, asset: Asset) -> Check:
    box = opaque_box(fact.image)
    alpha = np.asarray(fact.image.getchannel("A"))
    clear = float((alpha == 0).mean()) * 100
    if box is None:
        return Check("keying", False, "整幅透明，没有可叠加的内容")
    left, top, right, bottom = fact.area
    ok = box[0] >= left and box[1] >= top and box[2] <= right and box[3] <= bottom
    return Check("keying", ok, f"不透明部分 x {box[0]}–{box[2]}、y {box[1]}–{box[3]}"
                 f"（应在 x {left:.0f}–{right:.0f}、y {top:.0f}–{bottom:.0f}：画面下方 25%、"
                 f"字幕安全区内），其余 {clear:.1f}% 全透明")


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

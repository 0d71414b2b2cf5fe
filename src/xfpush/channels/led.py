"""The ``led`` channel: caption programs for P10 LED screens, as their controller cards take them.

Controller software imports GBK text, one program per line; many cards carry only the GB2312
character set, so anything outside it would show as a blank. Width is counted in dots: a hanzi
is 16 dots, an ASCII character 8. The preview is an animated GIF at the screen's real dot
resolution, enlarged with round dots, frame by frame as the screen scrolls.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from ..model.message import Message
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText
from .base import Asset, Check
from .checks import Charset, register
from .ledtext import Program, dots, programs, show_pages

LED_COLOUR = (255, 64, 32)
OFF_COLOUR = (40, 10, 8)


@dataclass(frozen=True)
class LedProfile:
    """An LED caption screen and its controller card."""

    name: str
    summary: str
    width_dots: int
    """Screen width in dots (a P10 module is 32×16)."""
    height_dots: int
    """Screen height in dots."""
    charset: str = "gb2312"
    """Character set on the controller card: gb2312 (most cards) or gbk."""
    font_dots: int = 16
    """Smallest dot font; a hanzi is font_dots wide, ASCII half that."""
    large_font_dots: int | None = None
    """A larger dot font the card also has; the whole show uses it when it fills the rows better."""
    scroll_dots_per_s: int = 40
    """Left-scroll speed of programs longer than the screen."""
    step_dots: int = 2
    """Dots moved per scroll step (one preview frame each)."""
    stay_s: float = 3.0
    """How long a static page stays."""
    preview_scale: int = 6
    """Pixels per dot in the GIF preview."""
    in_default: bool = True
    """Selected by a bare ``-c led``; GBK twins only when asked for by name."""

    def lines(self, font: int | None = None) -> int:
        return self.height_dots // (font or self.font_dots)

    @property
    def scrolls(self) -> bool:
        """One-line strips scroll; taller boards page through static screens."""
        return self.lines() == 1


def _profiles() -> dict[str, LedProfile]:
    base = [
        LedProfile("strip-128x16", "四块 P10 单行条屏 128×16 点，一行 8 字，超长左移滚动（GB2312 字库）",
                   128, 16, preview_scale=5),
        LedProfile("strip-192x32", "双行条屏 192×32 点，每行 12 字（或 32 点大字 6 字），分屏停留（GB2312 字库）",
                   192, 32, large_font_dots=32, preview_scale=5),
        LedProfile("board-256x64", "四行屏 256×64 点，每行 16 字（或 32 点大字两行 8 字），分屏停留（GB2312 字库）",
                   256, 64, large_font_dots=32, preview_scale=4),
    ]
    profiles = {p.name: p for p in base}
    for p in base:
        twin = replace(p, name=f"{p.name}-gbk", summary=p.summary.replace("GB2312", "GBK"),
                       charset="gbk", in_default=False)
        profiles[twin.name] = twin
    return profiles


PROFILES: Mapping[str, LedProfile] = _profiles()


class LedChannel:
    """LED caption screens."""

    name = "led"
    title = "LED 字幕屏"
    profiles = PROFILES

    def charset(self, message: Message, profile: LedProfile) -> Charset:
        """The programs as the controller card must show them, within its character set."""
        wider = (f"，或确认控制卡有 GBK 字库后用 -c led:{profile.name}-gbk"
                 if profile.charset == "gb2312" else "")
        texts = tuple((f"节目 {number}（{program.field}）", program.text)
                      for number, program in enumerate(programs(message, profile.charset),
                                                       start=1))
        return Charset(texts, profile.charset, "屏上会显示空白", wider)

    def describe(self, message: Message, profile: str, fonts: FontSet) -> Sequence[Asset]:
        chosen = self.profiles[profile]
        return [Asset(self.name, profile, f"led/{profile}.txt", "text/plain; charset=gbk", b"",
                      facts=(self.charset(message, chosen),),
                      layout=laid_out(self.segments(message, chosen, fonts), chosen))]

    def segments(self, message: Message, profile: LedProfile,
                 fonts: FontSet) -> list[dict[str, object]]:
        """Each program as the controller shows it: static pages or a left scroll."""
        shown = programs(message, profile.charset)
        if profile.scrolls:
            return [self.scroll(number, program, profile, fonts)
                    for number, program in enumerate(shown, start=1)]
        font, paged = show_pages(shown, profile)
        result: list[dict[str, object]] = []
        for number, (program, pages) in enumerate(zip(shown, paged, strict=True), start=1):
            for page_number, page in enumerate(pages, start=1):
                result.append({"program": number, "field": program.field, "text": program.text,
                               "effect": "static", "font_dots": font, "page": page_number,
                               "pages": len(pages), "lines": page,
                               "duration_s": profile.stay_s})
        return result

    def scroll(self, number: int, program: Program, profile: LedProfile,
               fonts: FontSet) -> dict[str, object]:
        """A one-line program: static if it fits the strip, else a left scroll."""
        text, screen = program.text, profile.width_dots
        width = dots(text, profile)
        segment: dict[str, object] = {"program": number, "field": program.field, "text": text}
        if width <= screen:
            return {**segment, "effect": "static", "font_dots": profile.font_dots, "page": 1,
                    "pages": 1, "lines": [text], "duration_s": profile.stay_s}
        first_lit, last_lit = lit_extent(_strip((text,), profile, fonts, width))
        # From the first lit column entering on the right to the last leaving on the left.
        steps = (screen + last_lit - first_lit) // profile.step_dots
        return {**segment, "effect": "scroll_left", "lines": [text],
                "speed_dots_per_s": profile.scroll_dots_per_s, "step_dots": profile.step_dots,
                "steps": steps,
                "duration_s": round(steps * profile.step_dots / profile.scroll_dots_per_s, 2)}

    def render(self, message: Message, profile_name: str, fonts: FontSet) -> Sequence[Asset]:
        profile = self.profiles[profile_name]
        texts = [program.text for program in programs(message, profile.charset)]
        charset = (self.charset(message, profile),)
        segments = self.segments(message, profile, fonts)
        caption = "\r\n".join(texts) + "\r\n"
        # Replacement only happens when the charset check has already failed the pack.
        encoded = caption.encode(profile.charset, errors="replace")
        gif, _ = preview_gif(segments, profile, fonts)
        timing = json.dumps({"screen": {"width_dots": profile.width_dots,
                                        "height_dots": profile.height_dots,
                                        "charset": profile.charset, "font_dots": profile.font_dots},
                             "segments": segments}, ensure_ascii=False, indent=2) + "\n"
        total = round(sum(float(str(s["duration_s"])) for s in segments), 2)
        laid = laid_out(segments, profile)
        base = (self.name, profile.name)
        return [
            Asset(*base, f"led/{profile.name}.txt", "text/plain; charset=gbk", encoded,
                  facts=charset, width_px=profile.width_dots, height_px=profile.height_dots,
                  text=caption.replace("\r\n", "\n").rstrip("\n"), layout=laid),
            Asset(*base, f"led/{profile.name}.json", "application/json",
                  timing.encode("utf-8"), facts=charset, duration_s=total, text=timing,
                  layout=laid),
            Asset(*base, f"led/{profile.name}.gif", "image/gif", gif,
                  facts=(Preview(tuple(segments), profile),),
                  width_px=profile.width_dots * profile.preview_scale,
                  height_px=profile.height_dots * profile.preview_scale, duration_s=total,
                  layout=laid),
        ]


def laid_out(segments: Sequence[dict[str, object]], profile: LedProfile) -> tuple[LaidText, ...]:
    """Every page (or scroll) of the show as the manifest's ``layout`` lists it, in dots."""
    return tuple(LaidText(str(s["field"]), tuple(s["lines"]),  # type: ignore[arg-type]
                          int(str(s.get("font_dots", profile.font_dots)))) for s in segments)


@lru_cache(maxsize=64)
def _strip(lines: tuple[str, ...], profile: LedProfile, fonts: FontSet, width: int,
           font: int | None = None) -> np.ndarray:
    """Lines drawn as lit dots (True) on a width × screen-height grid, centred on a board.

    Cached (read-only result): the timing needs a scroll's lit extent and the preview its dots.
    """
    size = font or profile.font_dots
    canvas = Image.new("L", (width, profile.height_dots), 0)
    draw = ImageDraw.Draw(canvas)
    draw.fontmode = "1"
    top = (profile.height_dots - len(lines) * size) // 2
    for row, line in enumerate(lines):
        x = 0.0 if profile.scrolls else (profile.width_dots - dots(line, profile, size)) / 2
        for face, run in fonts.runs(line):
            draw.text((round(x), top + row * size + round(size * 0.86)), run,
                      font=face.pil(size), fill=255, anchor="ls")
            x += dots(run, profile, size)
    grid = np.asarray(canvas) > 127
    grid.flags.writeable = False
    return grid


def lit_extent(grid: np.ndarray) -> tuple[int, int]:
    """First and last column holding a lit dot."""
    columns = np.flatnonzero(grid.any(axis=0))
    return (int(columns[0]), int(columns[-1])) if columns.size else (0, 0)


def _enlarge(grid: np.ndarray, scale: int) -> Image.Image:
    """Every dot as a round LED: lit ones bright, unlit ones faintly visible."""
    yy, xx = np.mgrid[0:scale, 0:scale]
    centre = (scale - 1) / 2
    disc = (yy - centre) ** 2 + (xx - centre) ** 2 <= (scale * 0.42) ** 2
    big = np.kron(grid.astype(np.uint8) + 1, disc.astype(np.uint8))  # 0 gap, 1 off, 2 lit
    indices = big.astype(np.uint8)
    return Image.frombytes("P", (indices.shape[1], indices.shape[0]), indices.tobytes())


def preview_gif(segments: list[dict[str, object]], profile: LedProfile,
                fonts: FontSet) -> tuple[bytes, int]:
    """(GIF bytes, frame count) showing every page and every scroll step."""
    frames: list[Image.Image] = []
    durations: list[int] = []
    step_ms = round(1000 * profile.step_dots / profile.scroll_dots_per_s)
    for segment in segments:
        lines = list(segment["lines"])  # type: ignore[call-overload]
        if segment["effect"] == "scroll_left":
            text_width = dots(lines[0], profile)
            strip = _strip(tuple(lines), profile, fonts, text_width)
            padded = np.zeros((profile.height_dots, text_width + 2 * profile.width_dots), bool)
            padded[:, profile.width_dots:profile.width_dots + text_width] = strip
            # Every step shows some lit dots, so no two frames are alike (GIF merges those).
            first_lit, _ = lit_extent(strip)
            for step in range(int(segment["steps"])):  # type: ignore[call-overload]
                offset = first_lit + (step + 1) * profile.step_dots
                window = padded[:, offset:offset + profile.width_dots]
                frames.append(_enlarge(window, profile.preview_scale))
                durations.append(step_ms)
        else:
            grid = _strip(tuple(lines), profile, fonts, profile.width_dots,
                          int(segment["font_dots"]))  # type: ignore[call-overload]
            frames.append(_enlarge(grid, profile.preview_scale))
            durations.append(round(float(segment["duration_s"]) * 1000))  # type: ignore[arg-type]
    palette = [0, 0, 0, *OFF_COLOUR, *LED_COLOUR] + [0] * (256 * 3 - 9)
    for frame in frames:
        frame.putpalette(palette)
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=0, optimize=False, disposal=1)
    return buffer.getvalue(), len(frames)


@dataclass(frozen=True)
class Preview:
    """A GIF preview (the asset's bytes) that must show every page and every scroll step."""

    segments: tuple[dict[str, object], ...]
    profile: LedProfile


@register("preview_frames", Preview)
def preview_frames(fact: Preview, asset: Asset) -> Check:
    with Image.open(io.BytesIO(asset.data)) as written:
        frames = written.n_frames
    steps = sum(int(str(s.get("steps", 0))) for s in fact.segments)
    pages = sum(1 for s in fact.segments if s["effect"] == "static")
    profile = fact.profile
    return Check("preview_frames", frames >= steps + pages,
                 f"{frames} 帧（滚动 {steps} 步 + 静态 {pages} 屏），{profile.width_dots}×"
                 f"{profile.height_dots} 点，每点放大 {profile.preview_scale} 倍")


LED = LedChannel()

"""TV as operators take it (issue 13, item 6), measured with ffmpeg, libass and pysubs2.

Banners stay full-range sRGB and reach 16–235 only through the playout's conversion, which
ffmpeg performs here (BT.709, tv range); the lower third is transparent outside a bar in the
lower quarter, inside the title-safe area; the crawl's ASS event ends when its text has left.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pysubs2
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageFont

from xfpush import load_message
from xfpush.channels import CHANNELS
from xfpush.channels.checks import run_checks
from xfpush.pack.build import prepare_fonts

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "examples" / "demo.yaml"
BOLD = ROOT / "assets" / "fonts" / "NotoSansSC-Bold.otf"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


@pytest.fixture(scope="module")
def tv() -> dict[str, bytes]:
    message = load_message(DEMO)
    fonts = prepare_fonts(message)
    found = {}
    for profile in ("banner-1080p", "lower-third", "ticker"):
        for asset in map(run_checks, CHANNELS["tv"].render(message, profile, fonts)):
            assert all(check.ok for check in asset.checks), asset.checks
            found[asset.path] = asset.data
    return found


def video_y(png: bytes) -> np.ndarray:
    """The Y plane ffmpeg makes of a PNG for BT.709 tv-range video (what a playout does)."""
    size = Image.open(io.BytesIO(png)).size
    result = subprocess.run(
        [FFMPEG, "-v", "error", "-f", "png_pipe", "-i", "-", "-vf",
         "scale=out_color_matrix=bt709:out_range=tv,format=yuv444p", "-f", "rawvideo", "-"],
        input=png, capture_output=True, check=True)
    return np.frombuffer(result.stdout, np.uint8)[: size[0] * size[1]].reshape(size[::-1])


def test_banner_png_is_full_range_and_legal_after_conversion(tv) -> None:
    rgb = np.asarray(Image.open(io.BytesIO(tv["tv/banner-1080p.png"])).convert("RGB"))
    assert rgb.min() == 0 and rgb.max() == 255  # not pre-squeezed (was 16–235)
    luma = video_y(tv["tv/banner-1080p.png"])
    assert luma.min() >= 16 and luma.max() <= 235
    assert luma.max() >= 233  # white text reaches studio white (was 218: squeezed twice)


def test_lower_third_is_keyable_in_the_lower_quarter_inside_title_safe(tv) -> None:
    image = Image.open(io.BytesIO(tv["tv/lower-third.png"]))
    assert image.mode == "RGBA" and image.size == (1920, 1080)
    alpha = np.asarray(image.getchannel("A"))
    rows, cols = np.nonzero(alpha)
    assert rows.min() >= 1080 * 0.75 and rows.max() < 1080 * 0.90
    assert cols.min() >= 1920 * 0.10 and cols.max() < 1920 * 0.90
    assert (alpha == 0).mean() > 0.85  # the programme shows through everywhere else
    opaque = np.asarray(image.convert("RGB"))[alpha == 255]
    text = opaque[(opaque > 230).all(axis=1)]
    assert len(text) > 1000  # white lettering on the bar
    luma = video_y(tv["tv/lower-third.png"])[alpha == 255]
    assert luma.min() >= 16 and luma.max() <= 235


def crawl(tv) -> tuple[pysubs2.SSAEvent, pysubs2.SSAStyle, tuple[float, ...]]:
    subs = pysubs2.SSAFile.from_string(tv["tv/ticker.ass"].decode("utf-8"))
    (event,) = subs.events
    move = re.search(r"\\move\(([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)\)",
                     event.text)
    assert move, event.text
    return event, subs.styles[event.style], tuple(float(v) for v in move.groups())


def test_ticker_event_ends_when_the_text_has_left(tv) -> None:
    event, style, (x1, _, x2, _, t1, t2) = crawl(tv)
    assert x1 >= 1920 and t1 == 0
    assert event.end - event.start == pytest.approx(t2, abs=10)  # the event ends with the move
    font = TTFont(str(BOLD))
    win = font["OS/2"].usWinAscent + font["OS/2"].usWinDescent  # libass sizes fonts by this
    em = round(style.fontsize * font["head"].unitsPerEm / win)
    width = ImageFont.truetype(str(BOLD), em).getlength(event.plaintext)
    gone = x2 + width + style.outline
    assert gone <= 0  # the right end (with its box) has left the picture when the move ends
    assert -gone / ((x1 - x2) / (t2 - t1)) < 300  # …and not long before: < 0.3 s empty (ms)
    assert em == pytest.approx(54, abs=1)


@pytest.mark.slow
def test_libass_shows_the_crawl_until_the_event_ends(tv, tmp_path: Path) -> None:
    """Rendered by libass (ffmpeg's ass filter) with the bundled fonts: text is on screen just
    after the start and until just before the event's end, never an empty tail."""
    event, _, _ = crawl(tv)
    (tmp_path / "t.ass").write_bytes(tv["tv/ticker.ass"])
    seconds = event.end / 1000
    result = subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i",
         f"color=black:s=1920x1080:r=10:d={seconds + 1}", "-vf",
         f"ass=t.ass:fontsdir={ROOT / 'assets' / 'fonts'},format=gray,scale=480:270",
         "-f", "rawvideo", "-"], capture_output=True, check=True, cwd=tmp_path)
    frames = np.frombuffer(result.stdout, np.uint8).reshape(-1, 270, 480)
    lit = [index / 10 for index, frame in enumerate(frames) if (frame > 128).sum() > 20]
    assert lit and lit[0] <= 0.5
    assert seconds - 0.5 <= lit[-1] < seconds

"""The one layout engine: stacks, panels, bleed, audience overrides, and template errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEMO
from xfpush import load_message
from xfpush.channels.poster import POSTER
from xfpush.errors import InputError, TextFitError
from xfpush.render.layout import TemplateLayout
from xfpush.render.plan import draw_plan
from xfpush.render.templates import colour, read_template
from xfpush.typeset.fonts import font_set

PAGE = """
design = [100, 200]

[[blocks]]
type = "stack"
name = "page"
box = [0, 0, 1, 1]
padding = [0, 10]

[[blocks]]
type = "text"
in = "page"
what = "标题"
fields = ["slogan"]
size = [12, 6]
max_lines = 1
fill = "primary"
bleed = true
padding = [8, 0]

[[blocks]]
type = "tips"
in = "page"
grow = true
gap = [4, 10]
count = 2
size = [5, 4]

[[blocks]]
type = "rect"
in = "page"
height = 20
fill = "shade"
bleed = true
gap = [4, 12]
"""


def template(tmp_path: Path, text: str, name: str = "page"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, "utf-8")
    return read_template(path)


def test_stack_fills_the_page_and_panels_bleed_off_the_edges_they_touch(tmp_path) -> None:
    message = load_message(DEMO)
    bleed = 6
    layout = TemplateLayout(message, font_set(), template(tmp_path, PAGE), (212, 412),
                            bleed=bleed)
    plan = layout.layout()
    theme = message.theme
    header = next(r for r in plan.rects if r[1] == theme["primary"])
    footer = next(r for r in plan.rects if r[1] == colour("shade", theme))
    assert header[0][:3] == (0.0, 0.0, 212.0)  # off the top and both sides
    assert footer[0][1] == pytest.approx(412 - bleed - 40) and footer[0][2:] == (212.0, 412.0)
    tips = [t for t in plan.texts if "".join(t.lines) in message.tips]
    assert plan.tips_shown == len(tips) == 2
    # the tips start after the header's panel plus at most the stretched gap (10 units = 20 px)
    assert header[0][3] + 8 <= tips[0].y - 0.5 * tips[0].size <= header[0][3] + 20 + 1


def test_grow_block_without_room_says_which_text_to_cut(tmp_path) -> None:
    tight = PAGE.replace("height = 20", "height = 190")
    layout = TemplateLayout(load_message(DEMO), font_set(), template(tmp_path, tight), (100, 200))
    with pytest.raises(TextFitError, match="版面不足"):
        layout.layout()


@pytest.mark.parametrize(("change", "expected"), [
    ('fill = "shade"', 'fill = "rose"'),
    ('in = "page"\nwhat = "标题"', 'in = "body"\nwhat = "标题"'),
    ("height = 20", "height = 20\nwhen = \"sunny\""),
    ("grow = true", "grow = true\ndirection = \"sideways\""),
    ("size = [5, 4]", "size = [5, 4]\naudience.elderly = { type = \"qr\" }"),
])
def test_a_wrong_template_is_an_input_error_naming_file_and_block(tmp_path, change,
                                                                   expected) -> None:
    with pytest.raises(InputError) as caught:
        template(tmp_path, PAGE.replace(change, expected), "broken")
    assert "broken.toml" in str(caught.value) and "block" in str(caught.value)


def test_print_poster_bands_cover_the_bleed_in_pixels(write_message) -> None:
    message = load_message(write_message())
    fonts = font_set()
    plan = POSTER.plan(message, "a4", fonts)
    image = draw_plan(plan, fonts)
    width, height = image.size
    primary = tuple(int(message.theme["primary"][i:i + 2], 16) for i in (1, 3, 5))
    shade = colour("shade", message.theme)
    assert image.getpixel((1, 1)) == image.getpixel((width - 2, 1)) == primary
    assert image.getpixel((1, height - 2)) == tuple(int(shade[i:i + 2], 16) for i in (1, 3, 5))
    assert plan.trim == (35, 35, width - 35, height - 35)


def test_elderly_audience_overrides_every_size_it_names(write_message) -> None:
    general = POSTER.plan(load_message(write_message()), "a4", font_set())
    elderly = POSTER.plan(load_message(write_message({"audience": "audience: elderly"})), "a4",
                          font_set())

    def size_of(plan, text: str) -> int:
        return next(t.size for t in plan.texts if t.lines[0].startswith(text))

    for text in ("某某区", "火警", "全民消防"):
        assert size_of(elderly, text) > size_of(general, text), text

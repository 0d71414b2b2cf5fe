"""Pictograms (issue 14): icons as data, drawn alike by Pillow and as PDF paths; named in a
message or picked by its topic; an ``icons`` row in the print and screen layouts."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from conftest import DEMO
from test_print import all_objects, boxes, pdfx_structure
from xfpush import MessageError, load_message
from xfpush.channels.checks import run_checks
from xfpush.channels.poster import POSTER
from xfpush.model.icons import FIRE_PHONE, catalogue, chosen_icons, fit_icons, pick_icons
from xfpush.pack.build import prepare_fonts
from xfpush.pack.manifest import asset_entry
from xfpush.render import icons
from xfpush.render.icons import SAFETY_COLOURS, icon_image, load_icon, parse_path, pdf_icon
from xfpush.render.vector import _inks
from xfpush.typeset.fonts import bundled_fonts

SAFETY_RED = (0xC8, 0x10, 0x2E)
NAMES = sorted(catalogue())


# -- the data and the parser -------------------------------------------------------------------
def test_path_data_is_read_like_svg() -> None:
    segments = parse_path("M10 10 h20 v20 L10 30 z m5 5 c 5 10 10 15 20 20 Z")
    assert segments[:4] == [("M", ((10.0, 10.0),)), ("L", ((30.0, 10.0),)),
                            ("L", ((30.0, 30.0),)), ("L", ((10.0, 30.0),))]
    assert segments[4] == ("Z", ())
    assert segments[5] == ("M", ((15.0, 15.0),))  # relative to the closed subpath's start
    assert segments[6] == ("C", ((20.0, 25.0), (25.0, 30.0), (35.0, 35.0)))
    with pytest.raises(ValueError):
        parse_path("10 10 L 20 20")


def test_every_catalogued_icon_has_shapes_in_the_unit_square() -> None:
    for name in NAMES:
        icon = load_icon(name)
        assert icon.shapes, name
        points = [p for shape in icon.shapes for _, coords in shape.segments for p in coords]
        assert all(-1 <= x <= 101 and -1 <= y <= 101 for x, y in points), name
    files = {path.stem for path in Path(icons.asset_path("icons")).glob("*.toml")}
    assert files - {"catalogue"} == set(NAMES)


def test_a_ring_is_two_circles_filled_even_odd() -> None:
    tile = icon_image("sign-no-smoking", 200, "#C8102E", "#FFFFFF").convert("RGB")
    assert tile.getpixel((100, 16)) == SAFETY_RED  # on the ring
    assert tile.getpixel((100, 30))[1] > 200  # inside the ring: the white plate


def test_signs_use_the_safety_colours() -> None:
    assert SAFETY_COLOURS["red"] == "#C8102E" and SAFETY_COLOURS["green"] == "#00833E"
    exit_sign = np.asarray(icon_image("sign-exit", 100, "#000000", "#FFFFFF").convert("RGB"))
    assert tuple(exit_sign[8, 50]) == (0x00, 0x83, 0x3E)
    phone = icon_image("sign-fire-phone", 100, "#000000", "#FFFFFF").convert("RGB")
    assert phone.getpixel((8, 50)) == SAFETY_RED


# -- both backends -------------------------------------------------------------------------------
def pdf_raster(name: str, side: int = 120) -> Image.Image:
    """The icon drawn by the vector backend, rasterised by pdfium at one pixel per point."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(side, side), invariant=1)
    canvas.transform(1, 0, 0, -1, 0, side)  # y down, as plans are drawn
    pdf_icon(canvas, name, (0, 0, side, side), "#C8102E", "#FFFFFF",
             lambda colour: _inks(canvas, colour))
    canvas.save()
    page = pdfium.PdfDocument(buffer.getvalue())[0]
    return page.render(scale=1).to_pil().convert("RGB")


@pytest.mark.parametrize("name", NAMES)
def test_every_icon_draws_alike_in_both_backends(name: str) -> None:
    side = 200
    raster = Image.new("RGB", (side, side), "#FFFFFF")
    icons.paste_icon(raster, name, (0, 0, side, side), "#C8102E", "#FFFFFF")
    vector = pdf_raster(name, side)
    assert vector.size == raster.size
    ink_raster = np.asarray(raster.convert("L")) < 128
    ink_vector = np.asarray(vector.convert("L")) < 128
    assert ink_raster.sum() > side * side * 0.04, f"{name} draws almost nothing"
    differ = (ink_raster != ink_vector).sum() / max(ink_raster.sum(), 1)
    assert differ < 0.08, f"{name}: {differ:.1%} of its ink differs between PNG and PDF"


def test_icons_are_drawn_the_same_every_time() -> None:
    icon_image.cache_clear()
    first = icon_image("ebike-charging", 64, "#C8102E", "#FFFFFF").tobytes()
    icon_image.cache_clear()
    assert icon_image("ebike-charging", 64, "#C8102E", "#FFFFFF").tobytes() == first


# -- the message field ---------------------------------------------------------------------------
def test_named_icons_are_kept_in_order_and_written_back(write_message) -> None:
    message = load_message(write_message({"audience": "audience: general\nicons: [gas, exit]"}))
    assert message.icons == ("gas", "exit")
    assert chosen_icons(message) == (("gas", "exit"), "message")
    assert message.to_dict()["icons"] == ["gas", "exit"]
    none = load_message(write_message({"audience": "audience: general\nicons: []"}))
    assert chosen_icons(none) == ((), "message")


def test_unknown_icon_names_file_field_value_and_the_known_names(write_message) -> None:
    path = write_message({"audience": "audience: general\nicons: [gas, rocket]"})
    with pytest.raises(MessageError) as caught:
        load_message(path)
    text = str(caught.value)
    assert str(path) in text and "icons[1]" in text and "rocket" in text
    assert "ebike-charging" in text and "sign-fire-phone" in text


def test_check_exits_2_on_an_unknown_icon_without_a_traceback(write_message) -> None:
    path = write_message({"audience": "audience: general\nicons: [smoke]"})
    result = subprocess.run([sys.executable, "-m", "xfpush", "check", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "icons[0]" in result.stderr + result.stdout and "smoke" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


# -- picking by topic ----------------------------------------------------------------------------
def test_topic_picks_by_earliest_mention_and_adds_the_fire_phone_sign() -> None:
    demo = load_message(DEMO)
    picked = pick_icons(demo)
    assert picked[0] == "ebike-charging" and picked[-1] == FIRE_PHONE
    assert pick_icons(demo) == picked  # deterministic
    qingming = replace(demo, title="文明祭扫 鲜花寄哀思", slogan="祭扫不用火 山林保平安",
                       body="林区焚烧纸钱、燃放鞭炮极易引发山火。", tips=())
    assert pick_icons(qingming)[:3] == ("candle", "forest", "fireworks")
    elderly = replace(demo, title="关爱长者", slogan="安全过冬", body="", tips=(),
                      audience="elderly", hotlines=(("隐患举报", "12345"),))
    assert pick_icons(elderly) == ("elderly",)
    plain = replace(elderly, title="注意安全", audience="general")
    assert pick_icons(plain) == ("extinguisher", "smoke-alarm")


def test_fitting_keeps_the_fire_phone_sign() -> None:
    names = ("gas", "kitchen", "electric", FIRE_PHONE)
    assert fit_icons(names, 3) == ("gas", "kitchen", FIRE_PHONE)
    assert fit_icons(names, 1) == ("gas",)
    assert fit_icons(names, 9) == names
    named = (FIRE_PHONE, "gas", "kitchen", "electric")  # a message's own order stays
    assert fit_icons(named, 3) == (FIRE_PHONE, "gas", "kitchen")


# -- a poster with its icon row, in both backends ------------------------------------------------
@pytest.fixture(scope="module")
def a4_poster() -> tuple[object, dict]:
    message = load_message(DEMO)
    fonts = prepare_fonts(message)
    plan = POSTER.plan(message, "a4", fonts)
    return plan, {a.path: run_checks(a) for a in POSTER.render(message, "a4", fonts)}


def reddish(image: Image.Image) -> int:
    """Pixels that read as safety red, however a renderer converts the CMYK back."""
    rgb = np.asarray(image.convert("RGB")).astype(int)
    return int(((rgb[..., 0] > 150) & (rgb[..., 1] < 90) & (rgb[..., 2] < 110)).sum())


def test_poster_shows_its_icons_in_png_and_pdf_and_the_manifest(a4_poster, tmp_path) -> None:
    plan, assets = a4_poster
    names = [name for name, *_ in plan.icons]
    assert names[0] == "ebike-charging" and names[-1] == "sign-fire-phone"
    # the PNG preview (the trim, scaled): safety red where the row is
    png = assets["poster/a4.png"]
    scale = png.width_px / (plan.trim[2] - plan.trim[0])
    _, box, _, _ = plan.icons[-1]
    crop = tuple(round((v - plan.trim[i % 2]) * scale) for i, v in enumerate(box))
    preview = Image.open(io.BytesIO(png.data))
    assert reddish(preview.crop(crop)) > 0.3 * (crop[2] - crop[0]) * (crop[3] - crop[1])
    # the vector PDF, rasterised by poppler: the same sign in the same place
    pdf = assets["poster/a4.pdf"]
    media, _, trim = boxes(pdfx_structure(pdf.data))
    path = tmp_path / "a4.pdf"
    path.write_bytes(pdf.data)
    dpi = 60
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page.png")
    mm = 25.4 / 300
    px = dpi / 72

    def at(x: float, y: float) -> tuple[float, float]:
        return ((trim[0] + (x - plan.trim[0]) * mm * 72 / 25.4) * px,
                (media[3] - trim[3] + (y - plan.trim[1]) * mm * 72 / 25.4) * px)

    left, top = at(box[0], box[1])
    right, bottom = at(box[2], box[3])
    inside = page.crop((round(left) + 1, round(top) + 1, round(right) - 1, round(bottom) - 1))
    assert reddish(inside) > 0.3 * inside.width * inside.height
    for text in all_objects(pdf.data):
        assert "/DeviceRGB" not in text and "/CalRGB" not in text
    entry = asset_entry(pdf)
    assert entry["icons"] == names and entry["icons_from"] == "topic"


def test_a_page_without_room_leaves_the_icons_out_before_any_text() -> None:
    message = replace(load_message(DEMO), audience="elderly")
    plan = POSTER.plan(message, "phone", bundled_fonts())
    assert plan.icons == [] and plan.tips_shown == plan.tips_total
    general = POSTER.plan(replace(message, audience="general"), "phone", bundled_fonts())
    assert [name for name, *_ in general.icons][-1] == "sign-fire-phone"
    assert general.tips_shown == general.tips_total and general.omitted == []


def test_icons_give_way_when_they_would_squeeze_the_tips(write_message) -> None:
    from xfpush.channels.splash import SPLASH

    tips = ("电池热失控后几十秒内就会爆燃，释放大量有毒烟气", "一旦在楼道起火，烟气会迅速封堵唯一的逃生通道",
            "请把电动自行车停放在集中充电场所并在规定时间内充电")
    fonts = bundled_fonts()
    crowded = replace(load_message(write_message({"title": "title: 电动自行车火灾为何如此致命"})),
                      tips=tips)
    assert SPLASH.plan(crowded, "1080x1920", fonts).icons == []
    roomy = SPLASH.plan(load_message(DEMO), "1080x1920", fonts)
    assert [name for name, *_ in roomy.icons] == ["ebike-charging", "exit", FIRE_PHONE]


def test_a_column_of_icons_sits_beside_the_board_text() -> None:
    from xfpush.channels.board import BOARD

    plan = BOARD.plan(load_message(DEMO), "120x90cm", bundled_fonts())
    boxes_ = [box for _, box, *_ in plan.icons]
    assert len(boxes_) >= 3
    assert len({round((b[0] + b[2]) / 2) for b in boxes_}) == 1  # one column
    assert all(a[3] < b[1] for a, b in pairwise(boxes_))
    text_right = max(block.box()[2] for block in plan.texts if block.lines[0].startswith("不在"))
    assert text_right < min(b[0] for b in boxes_)


def test_the_sign_replaces_the_plain_phone_pictogram() -> None:
    demo = load_message(DEMO)  # its last tip says 拨打119报警
    assert "phone-119" not in pick_icons(demo)
    assert "phone-119" in pick_icons(replace(demo, hotlines=(("隐患举报", "12345"),)))


def test_the_proof_page_shows_the_icons_as_pictures_under_their_chinese_label(
        write_message) -> None:
    import re
    import xml.etree.ElementTree as ET

    from xfpush.pack.proof_parts import message_table

    picked = message_table(load_message(DEMO))
    row = picked[picked.index("<th>图标</th>"):]
    row = row[:row.index("</tr>")]
    assert "电动车充电<br><code>ebike-charging</code>" in row and "按主题挑选" in row
    pictures = [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", row)]
    assert len(pictures) == len(pick_icons(load_message(DEMO)))
    ns = "{http://www.w3.org/2000/svg}"
    fills = [{p.get("fill") for p in svg.iter(f"{ns}path")} - {"none", None} for svg in pictures]
    assert fills[0] == {"#C8102E"}  # a plain pictogram in the theme's primary colour
    assert "#C8102E" in fills[-1] and "#FFFFFF" in fills[-1]  # the fire-phone sign, red and white
    named = message_table(load_message(write_message({"audience": "audience: general\n"
                                                                  "icons: [gas]"})))
    assert "燃气<br><code>gas</code>" in named and "按主题挑选" not in named


def test_names_under_a_row_stay_inside_the_page_and_previews_list_the_icons() -> None:
    from xfpush.channels.leaflet import LEAFLET

    message = load_message(DEMO)
    for asset in LEAFLET.describe(message, "trifold", bundled_fonts()):
        checked = run_checks(asset)
        assert all(check.ok for check in checked.checks), checked.checks
    plans = LEAFLET.plans(message, LEAFLET.profiles["trifold"], bundled_fonts())
    labels = [t for plan in plans for t in plan.texts if t.lines[0] == "电动车充电"]
    icon_box = next(box for plan in plans for name, box, *_ in plan.icons if name == "ebike-charging")
    assert labels and labels[0].x >= plans[1].safe[0] - 1 and labels[0].box()[2] >= icon_box[2]
    preview = next(a for a in LEAFLET.render(message, "trifold", bundled_fonts())
                   if a.path.endswith(".png"))
    assert preview.icons == ("ebike-charging", "exit", "sign-fire-phone")
    assert preview.icons_from == "topic"


@pytest.mark.parametrize("width", [300.0, 400.0, 460.0])
def test_a_row_with_names_wider_than_its_icons_fits_its_slot(width: float) -> None:
    from types import SimpleNamespace

    from xfpush.render.iconrow import _overhang, _row_side

    wide = SimpleNamespace(width=lambda text, size, bold: 60.0 * len(text))  # 60 px a character
    layout, block = SimpleNamespace(fonts=wide), SimpleNamespace(label_size=20, bold=False)
    names = ("ebike-charging", "sign-fire-phone")
    side = _row_side(layout, block, names, width, 200.0, 20.0, 20)  # type: ignore[arg-type]
    left, right = _overhang(layout, block, names, side, 20)  # type: ignore[arg-type]
    assert side > 0 and 2 * side + 20 + left + right <= width + 1e-6
    if side < 200.0:  # not at its largest: as large as fits, not smaller
        assert 2 * (side + 1) + 20 + sum(_overhang(layout, block, names, side + 1, 20)) > width

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from conftest import RARE, TOO_LONG_HEADLINE, make_fallback_font
from xfpush import load_message
from xfpush.channels.checks import run_checks
from xfpush.channels.poster import POSTER
from xfpush.pack.build import check_message, prepare_fonts
from xfpush.render.qr import decode
from xfpush.typeset.fonts import font_set

URL = "https://example.gov.cn/xf/ebike"


@pytest.fixture(scope="module")
def demo_assets():
    message = load_message(Path(__file__).parent.parent / "assets/examples/demo.yaml")
    fonts = prepare_fonts(message)
    return {profile: {a.path: run_checks(a) for a in POSTER.render(message, profile, fonts)}
            for profile in ("phone", "a4", "a3")}


def test_phone_poster_is_1080x1920_and_its_qr_decodes(demo_assets) -> None:
    asset = demo_assets["phone"]["poster/phone.png"]
    image = Image.open(io.BytesIO(asset.data))
    assert image.size == (1080, 1920) == (asset.width_px, asset.height_px)
    assert URL in decode(image)
    assert all(check.ok for check in asset.checks)
    assert {c.name for c in asset.checks} >= {"qr_decodes", "text_fit", "safe_area", "tips_shown"}


@pytest.mark.slow
def test_a3_pdf_page_is_303x426_mm_and_qr_decodes_at_300_dpi(demo_assets) -> None:
    asset = demo_assets["a3"]["poster/a3.pdf"]
    assert (asset.width_mm, asset.height_mm, asset.dpi) == (303.0, 426.0, 300)
    assert (asset.width_px, asset.height_px) == (3578, 5031)
    document = pdfium.PdfDocument(asset.data)
    page = document[0]
    bleed = page.get_bleedbox()
    assert round((bleed[2] - bleed[0]) / 72 * 25.4, 1) == 303.0
    assert round((bleed[3] - bleed[1]) / 72 * 25.4, 1) == 426.0
    trim = page.get_trimbox()
    assert round((trim[2] - trim[0]) / 72 * 25.4, 1) == 297.0
    raster = page.render(scale=300 / 72).to_pil()
    assert URL in decode(raster)


def test_print_preview_png_decodes_and_pdf_has_crop_marks(demo_assets) -> None:
    preview = demo_assets["a4"]["poster/a4.png"]
    assert URL in decode(Image.open(io.BytesIO(preview.data)))
    page = pdfium.PdfDocument(demo_assets["a4"]["poster/a4.pdf"].data)[0]
    raster = page.render(scale=300 / 72).to_pil().convert("L")
    slug, bleed = round(10 / 25.4 * 300), round(3 / 25.4 * 300)
    trim_x = slug + bleed
    # a crop mark: dark pixels on the left trim line in the slug above the bleed, none inside
    # the bleed (the mark stops 1 mm short of it)
    column = [raster.getpixel((trim_x + dx, y)) for dx in (-1, 0, 1) for y in range(2, slug - 14)]
    assert min(column) < 60
    gap = [raster.getpixel((trim_x - 40, y)) for y in range(slug - 8, slug + bleed - 2)]
    assert min(gap) > 200


def test_rendering_is_deterministic(demo_assets) -> None:
    message = load_message(Path(__file__).parent.parent / "assets/examples/demo.yaml")
    again = POSTER.render(message, "phone", prepare_fonts(message))
    assert again[0].data == demo_assets["phone"]["poster/phone.png"].data


def test_elderly_audience_raises_minimum_text_size(write_message) -> None:
    general = load_message(write_message())
    elderly = load_message(write_message({"audience": "audience: elderly"}))
    fonts = font_set()
    assert POSTER.plan(elderly, "phone", fonts).min_text_px > POSTER.plan(general, "phone", fonts).min_text_px
    content_general = max(t.size for t in POSTER.plan(general, "a4", fonts).texts if not t.bold)
    content_elderly = max(t.size for t in POSTER.plan(elderly, "a4", fonts).texts if not t.bold)
    assert content_elderly > content_general


def test_too_long_title_gives_way_to_the_slogan(write_message) -> None:
    long_title = "title: " + "电动自行车不进楼入户" * 5
    message = load_message(write_message({"title": long_title}))
    assert check_message(message, "poster:phone") == []
    plan = POSTER.plan(message, "phone", font_set())
    headline = [laid for laid in plan.layout if laid.field == "slogan"]
    assert len(headline) == 1 and headline[0].font_px >= 72  # once, as the headline


def test_too_long_title_and_slogan_fail_the_check_with_cut_count(write_message) -> None:
    message = load_message(write_message(TOO_LONG_HEADLINE))
    problems = check_message(message, "poster:phone")
    assert len(problems) == 1
    reason = problems[0].reason
    assert problems[0].check == "text_fit" and "标题（title）过长：共 50 字" in reason
    assert "最小字号 72px" in reason and "请删减约 20 字" in reason and "slogan" in reason


def test_many_tips_keep_the_first_ones(write_message) -> None:
    text = write_message().read_text("utf-8")
    extra = "".join(f"  - 第{i}条补充提示：离开家时关闭电源和燃气阀门，检查消防通道是否畅通，"
                    f"楼道里不堆放杂物，发现隐患及时报告物业\n" for i in range(6))
    message = load_message(write_message(text=text.replace("cta:", extra + "cta:", 1)))
    plan = POSTER.plan(message, "phone", font_set())
    assert plan.tips_total == 12 and 1 <= plan.tips_shown < 12
    shown = [laid.field for laid in plan.layout if laid.field.startswith("tips[")]
    assert shown == [f"tips[{i}]" for i in range(plan.tips_shown)]  # the first ones, in order
    assert "body" in plan.omitted  # the paragraph goes before any tip does


def test_fallback_font_draws_a_character_the_bundle_lacks(tmp_path: Path, write_message) -> None:
    make_fallback_font(tmp_path / "extra.ttf")
    text = write_message().read_text("utf-8").replace("某某区", f"{RARE}溪区")
    text += "fonts:\n  fallback: extra.ttf\n"
    message = load_message(write_message(text=text))
    asset = run_checks(POSTER.render(message, "phone", prepare_fonts(message))[0])
    assert asset.checks and all(check.ok for check in asset.checks)


def test_three_hotlines_share_one_row_and_logo_is_drawn(tmp_path: Path, write_message) -> None:
    logo = Image.new("RGB", (300, 300), "#0050A0")
    logo.save(tmp_path / "logo.png")
    text = write_message().read_text("utf-8").replace(
        '  隐患举报: "96119"', '  隐患举报: "12345"\n  社区: "023-6688"')
    text += "logo: logo.png\ntheme:\n  primary: \"#0050A0\"\n"
    message = load_message(write_message(text=text))
    plan = POSTER.plan(message, "phone", font_set())
    numbers = [t for t in plan.texts if t.lines[0] in ("119", "12345", "023-6688")]
    assert len({round(t.y) for t in numbers}) == 1
    assert plan.tips_shown == plan.tips_total
    image = Image.open(io.BytesIO(POSTER.render(message, "phone", prepare_fonts(message))[0].data))
    (path, (left, top, right, bottom)), = plan.images
    assert path.name == "logo.png"
    assert image.getpixel((round(left + right) // 2, round(top + bottom) // 2)) == (0, 80, 160)

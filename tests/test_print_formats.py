"""The large print formats (issue 14): banner, roll-up, leaflet, board — every profile through
the same strict structural checks as the poster (pypdf, pikepdf's content parser, poppler's
pdffonts), its raster (pdfium) compared with the PNG preview, its QR read by zxing-cpp."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from conftest import DEMO
from test_print import pdfx_structure
from xfpush import load_message
from xfpush.channels import CHANNELS
from xfpush.channels.checks import run_checks
from xfpush.errors import TextFitError
from xfpush.pack.build import check_message, prepare_fonts
from xfpush.render.qr import decode

URL = "https://example.gov.cn/xf/ebike"
PT = 72 / 25.4
PRINT_CHANNELS = [name for name in ("banner", "rollup", "leaflet", "board") if name in CHANNELS]
PROFILES = [(channel, profile) for channel in PRINT_CHANNELS
            for profile in CHANNELS[channel].profiles]
_RENDERED: dict[tuple[str, str, str], dict] = {}


def render(channel: str, profile: str, message_path: Path = DEMO) -> dict:
    key = (channel, profile, str(message_path))
    if key not in _RENDERED:
        message = load_message(message_path)
        fonts = prepare_fonts(message)
        _RENDERED[key] = {a.path: run_checks(a)
                          for a in CHANNELS[channel].render(message, profile, fonts)}
    return _RENDERED[key]


def page_boxes_mm(page: pypdf.PageObject) -> dict[str, list[float]]:
    """MediaBox, BleedBox and TrimBox in mm, with the page's UserUnit applied."""
    unit = float(page.get("/UserUnit", 1))
    return {name: [float(v) * unit / PT for v in page[f"/{name}"]]
            for name in ("MediaBox", "BleedBox", "TrimBox")}


def page_instructions(data: bytes, index: int) -> list[tuple[str, list, str]]:
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[index]
        owners = [("page", page.obj)] + [(str(name), form) for name, form in
                                         page.Resources.get("/XObject", {}).items()
                                         if form.get("/Subtype") == "/Form"]
        for owner_name, owner in owners:
            for operands, operator in pikepdf.parse_content_stream(owner):
                values = [str(v) if isinstance(v, pikepdf.Name) else v for v in operands]
                found.append((owner_name, values, str(operator)))
    return found


def assert_print_pdf(data: bytes, profile) -> pypdf.PdfReader:
    """Everything the poster's PDF must be, on every page of a print format."""
    reader = pdfx_structure(data)
    assert len(reader.pages) == len(profile.templates)
    width, height = profile.trim_mm
    for index, page in enumerate(reader.pages):
        boxes = page_boxes_mm(page)
        trim, bleed, media = boxes["TrimBox"], boxes["BleedBox"], boxes["MediaBox"]
        assert round(trim[2] - trim[0], 1) == width and round(trim[3] - trim[1], 1) == height
        for side in range(4):
            sign = -1 if side < 2 else 1
            assert round((bleed[side] - trim[side]) * sign, 2) == profile.bleed_mm
            assert (media[side] - bleed[side]) * sign > 5  # marks have a slug
        raw = [float(v) for v in page["/MediaBox"]]
        assert max(raw[2] - raw[0], raw[3] - raw[1]) <= 14400  # PDF's page limit, in user units
        ops = page_instructions(data, index)
        assert not [op for op in ops if op[2] in ("rg", "RG", "g", "G")]
        for _, operands, op in ops:
            if op == "k":
                c, m, y, k = (float(v) for v in operands)
                assert c + m + y + k <= 3.0 + 1e-9 and not (k >= 0.5 and c + m + y > 0.6)
        assert any(op == "Tj" for _, _, op in ops)  # text is text
        _assert_marks_outside_bleed(ops, page)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            assert "/DeviceRGB" not in repr(obj) and "/CalRGB" not in repr(obj)
    _assert_fonts_embedded(data)
    return reader


def _assert_marks_outside_bleed(ops: list, page: pypdf.PageObject) -> None:
    bleed = [float(v) for v in page["/BleedBox"]]
    unit = float(page.get("/UserUnit", 1))
    in_marks, points, scales = False, [], [1.0]  # marks are drawn scaled by 1/UserUnit
    for owner, operands, op in ops:
        if owner != "page":
            continue
        if op == "q":
            scales.append(scales[-1])
        elif op == "Q":
            scales.pop()
        elif op == "cm":
            scales[-1] *= float(operands[0])
        scale = scales[-1]
        if op in ("CS", "cs"):
            in_marks = operands == ["/All"]
        elif in_marks and op in ("m", "l"):
            points += [(float(x) * scale, float(y) * scale) for x, y in
                       zip(operands[0::2], operands[1::2], strict=True)]
    assert len(points) >= 16
    for x, y in points:
        assert not (bleed[0] < x < bleed[2] and bleed[1] < y < bleed[3]), (x, y, unit)


def _assert_fonts_embedded(data: bytes) -> None:
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) not installed")
    listing = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True)
    rows = listing.stdout.decode().splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5:-2] == ["yes", "yes", "yes"], row


def pdf_pages_as_preview(data: bytes, preview: Image.Image, pages: int) -> list[Image.Image]:
    """Each page's trim rasterised by pdfium at the preview's scale."""
    document = pdfium.PdfDocument(data)
    drawn = []
    for index in range(pages):
        page = document[index]
        trim = [float(v) for v in page.get_trimbox()]
        scale = preview.width / (trim[2] - trim[0])
        raster = page.render(scale=scale).to_pil().convert("RGB")
        height = page.get_size()[1]
        left, top = round(trim[0] * scale), round((height - trim[3]) * scale)
        drawn.append(raster.crop((left, top, left + preview.width,
                                  top + round((trim[3] - trim[1]) * scale))))
    return drawn


def _from_ground(grey: np.ndarray) -> np.ndarray:
    return grey - float(np.median(grey))


@pytest.mark.slow  # one to three seconds a profile: pdffonts, pdfium and zxing on every page
@pytest.mark.parametrize(("channel", "profile"), PROFILES)
def test_every_print_profile_is_pdfx4_and_its_raster_is_its_preview(channel, profile) -> None:
    assets = render(channel, profile)
    pdf, png = assets[f"{channel}/{profile}.pdf"], assets[f"{channel}/{profile}.png"]
    spec = CHANNELS[channel].profiles[profile]
    assert all(c.ok for c in pdf.checks + png.checks), [c for c in pdf.checks + png.checks
                                                         if not c.ok]
    assert {"pdfx", "page_size", "qr_decodes", "min_text_size"} <= {c.name for c in pdf.checks}
    assert_print_pdf(pdf.data, spec)
    preview = Image.open(io.BytesIO(png.data)).convert("RGB")
    pages = pdf_pages_as_preview(pdf.data, preview, len(spec.templates))
    top = 0
    for page in pages:
        part = preview.crop((0, top, preview.width, top + page.height))
        top += page.height + 24
        # pdfium converts CMYK with its own formula, so a red ground comes out a few levels
        # darker: each raster is compared as its difference from its own ground (the median)
        a, b = (_from_ground(np.asarray(i.convert("L").filter(ImageFilter.GaussianBlur(1.5)),
                                      dtype=float)) for i in (page, part))
        difference = np.abs(a - b)
        # colour bands shift a few levels more than the ground: the mean allows for that,
        # a moved or missing shape shows as strongly different pixels
        assert difference.mean() < 12 and (difference > 48).mean() < 0.01
    assert URL in [text for page in pages for text in decode(page)]


@pytest.mark.slow
def test_banners_are_at_real_size_with_userunit_beyond_five_metres() -> None:
    for profile, unit in (("5x0.7m", 1), ("8x0.9m", 10), ("10x1m", 10)):
        data = render("banner", profile)[f"banner/{profile}.pdf"].data
        page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
        assert float(page.get("/UserUnit", 1)) == unit
        trim = page_boxes_mm(page)["TrimBox"]
        width_m, height_m = (float(v) for v in profile[:-1].split("x"))
        assert (round(trim[2] - trim[0]), round(trim[3] - trim[1])) == (
            round(width_m * 1000), round(height_m * 1000))


@pytest.mark.parametrize("profile", ["5x0.7m", pytest.param("10x1m", marks=pytest.mark.slow)])
def test_banner_letters_read_from_ten_metres_and_stay_off_the_hems(profile) -> None:
    data = render("banner", profile)[f"banner/{profile}.pdf"].data
    spec = CHANNELS["banner"].profiles[profile]
    page = pdfium.PdfDocument(data)[0]
    unit = float(pypdf.PdfReader(io.BytesIO(data)).pages[0].get("/UserUnit", 1))
    text = page.get_textpage()
    line = text.get_text_range()
    assert line.strip() == "电动车不进楼入户"
    faces = [text.get_charbox(i) for i in range(len(line)) if not line[i].isspace()]
    tallest = max(top - bottom for _, bottom, _, top in faces) * unit / PT
    assert tallest >= 250, f"hanzi face {tallest:.0f} mm high"
    # every letter inside the trim less the hem and eyelet margins
    trim = [float(v) for v in page.get_trimbox()]
    top_m, right_m, bottom_m, left_m = (v * PT / unit for v in (
        spec.safe[1] * spec.trim_mm[1], (1 - spec.safe[2]) * spec.trim_mm[0],
        (1 - spec.safe[3]) * spec.trim_mm[1], spec.safe[0] * spec.trim_mm[0]))
    for left, bottom, right, top in faces:
        assert left >= trim[0] + left_m and right <= trim[2] - right_m
        assert bottom >= trim[1] + bottom_m and top <= trim[3] - top_m
    assert min(top_m, bottom_m) * unit / PT >= 50  # hems of at least 5 cm


def test_banner_ground_is_red_and_the_hem_band_is_plain() -> None:
    png = render("banner", "8x0.9m")["banner/8x0.9m.png"]
    pixels = np.asarray(Image.open(io.BytesIO(png.data)).convert("RGB"), dtype=int)
    hem = round(60 / 900 * pixels.shape[0]) - 1
    for band in (pixels[:hem], pixels[-hem:]):
        assert (band == band[0, 0]).all()
    red, green, blue = pixels[0, 0]
    assert red > 150 and green < 60 and blue < 80


def test_banner_variant_wins_and_a_long_slogan_fails_in_chinese(write_message) -> None:
    short = write_message(text=DEMO.read_text("utf-8") + "  banner: 安全充电 平安回家\n")
    assert "安全充电" in render("banner", "5x0.7m", short)["banner/5x0.7m.pdf"].layout[0].lines[0]
    long_slogan = "slogan: 电动自行车严禁进楼入户停放充电违者依法处理请相互转告"
    message = load_message(write_message({"slogan": long_slogan}))
    with pytest.raises(TextFitError) as failure:
        CHANNELS["banner"].render(message, "5x0.7m", prepare_fonts(message))
    reason = str(failure.value)
    for words in ("横幅 5x0.7m", "slogan", "共 26 字", "28 cm", "请删减约", "variants.banner"):
        assert words in reason, reason
    problems = check_message(message, "banner")
    assert {p.profile for p in problems} >= {"5x0.7m"}
    assert all(p.check == "text_fit" for p in problems)


def _slug_lines(data: bytes, index: int) -> list[float]:
    """x (mm from the trim's left) of the vertical registration-colour lines above the sheet."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[index]
    trim = [float(v) for v in page["/TrimBox"]]
    xs, in_marks, start = [], False, None
    for owner, operands, op in page_instructions(data, index):
        if owner != "page":
            continue
        if op in ("CS", "cs"):
            in_marks = operands == ["/All"]
        elif in_marks and op == "m":
            start = (float(operands[0]), float(operands[1]))
        elif (in_marks and op == "l" and start and abs(float(operands[0]) - start[0]) < 0.01
              and min(start[1], float(operands[1])) > trim[3]):
            xs.append(round((start[0] - trim[0]) / PT, 1))
    return sorted(set(xs))


def test_trifold_folds_as_printers_fold_a_letter_fold() -> None:
    data = render("leaflet", "trifold")["leaflet/trifold.pdf"].data
    # crop marks at 0 and 297 mm; folds: outside 97 | 100 | 100, inside 100 | 100 | 97
    # (besides the crop marks at 0 and 297 mm and the registration target at 148.5 mm)
    assert _slug_lines(data, 0) == [0.0, 97.0, 148.5, 197.0, 297.0]
    assert _slug_lines(data, 1) == [0.0, 100.0, 148.5, 200.0, 297.0]
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    trim = page_boxes_mm(page)["TrimBox"]
    assert (round(trim[2] - trim[0]), round(trim[3] - trim[1])) == (297, 210)


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["a4-2side", "trifold"])
def test_leaflets_carry_the_body_and_every_tip_even_twelve_long_ones(profile,
                                                                     write_message) -> None:
    tips = "".join(f"  - 第{i + 1}条：" + "电动自行车不要在楼道、楼梯间和安全出口停放充电，" * 2 + "\n"
                   for i in range(12))
    text = DEMO.read_text("utf-8").split("tips:\n")[0] + "tips:\n" + tips + "cta: 扫码学习\n"
    assets = render("leaflet", profile, write_message(text=text))
    pdf = assets[f"leaflet/{profile}.pdf"]
    (complete,) = [c for c in pdf.checks if c.name == "content_complete"]
    assert complete.ok and "全部 12 条提示" in complete.detail
    fields = {laid.field for laid in pdf.layout}
    assert {"body", *(f"tips[{i}]" for i in range(12))} <= fields
    text_layer = "".join(pdfium.PdfDocument(pdf.data)[i].get_textpage().get_text_range()
                         for i in range(2)).replace("\r\n", "").replace("\n", "")
    assert "第12条" in text_layer and "第1条" in text_layer


def test_a_leaflet_missing_a_tip_fails_in_chinese() -> None:
    from xfpush.channels.base import Asset
    from xfpush.channels.printed import Coverage, content_complete
    check = content_complete(Coverage(("body", "tips[0]", "tips[1]"), ("body", "tips[0]")),
                             Asset("leaflet", "a4-2side", "leaflet/a4-2side.pdf", "", b""))
    assert not check.ok and "tips[1]" in check.detail and "缩短" in check.detail


@pytest.mark.parametrize("profile", ["80x200cm"])
def test_rollup_keeps_the_stand_and_the_clamp_free(profile) -> None:
    data = render("rollup", profile)[f"rollup/{profile}.pdf"].data
    page = pdfium.PdfDocument(data)[0]
    trim = [float(v) for v in page.get_trimbox()]
    text = page.get_textpage()
    boxes = [text.get_charbox(i) for i in range(text.count_chars())
             if not text.get_text_range(i, 1).isspace()]
    assert boxes
    assert min(bottom for _, bottom, _, _ in boxes) >= trim[1] + 200 * PT  # stand: 20 cm
    assert max(top for _, _, _, top in boxes) <= trim[3] - 30 * PT  # under the clamp bar
    scale = 0.5
    raster = np.asarray(page.render(scale=scale).to_pil().convert("RGB"), dtype=int)
    height = page.get_size()[1]
    stand = raster[round((height - trim[1] - 195 * PT) * scale): round((height - trim[1]) * scale),
                   round(trim[0] * scale) + 1: round(trim[2] * scale) - 1]
    assert stand.size and (np.abs(stand - stand[0, 0]).max() <= 2)  # one flat colour
    checks = {c.name: c for c in render("rollup", profile)[f"rollup/{profile}.png"].checks}
    assert checks["reserved_stand_pixels"].ok


def test_board_gives_the_evacuation_map_room(tmp_path: Path, write_message) -> None:
    plan_image = Image.new("RGB", (600, 450), "white")
    plan_image.paste((0, 150, 60), (40, 40, 560, 80))  # a green route
    plan_image.save(tmp_path / "map.png")
    text = DEMO.read_text("utf-8") + "evacuation_map: map.png\n"
    with_map = render("board", "120x90cm", write_message(text=text, name="map.yaml"))
    pdf = with_map["board/120x90cm.pdf"]
    assert all(c.ok for c in pdf.checks), [c for c in pdf.checks if not c.ok]
    (shown,) = [c for c in pdf.checks if c.name == "evacuation"]
    assert "逃生路线图短边" in shown.detail
    with pikepdf.open(io.BytesIO(pdf.data)) as document:
        images = [obj for obj in document.objects if isinstance(obj, pikepdf.Stream)
                  and obj.get("/Subtype") == "/Image"]
        assert [(int(i.Width), int(i.Height)) for i in images] == [(600, 450)]
    # the map sits right of the text column, the QR moves under them
    page = pdfium.PdfDocument(pdf.data)[0]
    raster = np.asarray(page.render(scale=0.3).to_pil().convert("RGB"), dtype=int)
    green = np.argwhere((raster[..., 1] > 100) & (raster[..., 0] < 60) & (raster[..., 2] < 110))
    assert green.size and green[:, 1].min() > raster.shape[1] * 0.5
    assert URL in decode(Image.fromarray(raster.astype("uint8")).resize(
        (raster.shape[1] * 3, raster.shape[0] * 3)))


def test_print_shop_sheet_lists_every_print_file_with_size_bleed_colour_material_quantity(
        ) -> None:
    import csv
    import importlib.util

    from xfpush.resources import asset_path
    hooks_path = asset_path("..", "adapters", "print-shop", "hooks.py")
    if not hooks_path.exists():
        hooks_path = Path(__file__).parents[1] / "adapters" / "print-shop" / "hooks.py"
    spec = importlib.util.spec_from_file_location("print_shop_hooks", hooks_path)
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    entries = []
    for channel, profile, pdf_mm, png_mm in (
            ("poster", "a4", (216.0, 303.0), (210.0, 297.0)),
            ("banner", "10x1m", (10020.0, 1020.0), (10000.0, 1000.0)),
            ("leaflet", "trifold", (303.0, 216.0), (297.0, 210.0)),
            ("rollup", "80x200cm", (810.0, 2010.0), (800.0, 2000.0))):
        for media, (w, h) in (("application/pdf", pdf_mm), ("image/png", png_mm)):
            entries.append({"channel": channel, "profile": profile, "media_type": media,
                            "width_mm": w, "height_mm": h})
    data = hooks.extra_files({"assets": entries}, {}, {"copies": 300, "banner_copies": 3})
    rows = list(csv.reader(io.StringIO(data["印刷说明.csv"].decode("utf-8-sig"))))
    header, *body = rows
    assert header == ["文件", "品类", "成品尺寸", "含出血尺寸", "出血", "页数", "颜色", "材料建议",
                      "数量", "说明"]
    by_file = {row[0]: row for row in body}
    assert by_file["印刷文件/横幅_10x1m.pdf"][2:6] == ["10000×1000 mm", "10020×1020 mm", "10 mm", "1"]
    assert by_file["印刷文件/横幅_10x1m.pdf"][8] == "3"
    assert by_file["印刷文件/宣传单_trifold.pdf"][5] == "2" and by_file[
        "印刷文件/宣传单_trifold.pdf"][8] == "300"
    assert by_file["印刷文件/易拉宝_80x200cm.pdf"][8] == "2"  # the documented default
    assert all("FOGRA39" in row[6] and "PDF/X-4" in row[6] and row[7] for row in body)

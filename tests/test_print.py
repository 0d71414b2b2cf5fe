"""Print PDFs (issue 14): vector, CMYK, PDF/X-4, marks outside the bleed — checked with tools
xfpush did not write: pypdf for the structure, pikepdf's content-stream parser, poppler's
``pdffonts`` for font embedding, pypdfium2 to rasterise and compare with the PNG preview."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from conftest import DEMO, RARE, make_fallback_font
from xfpush import load_message
from xfpush.channels.checks import run_checks
from xfpush.channels.poster import POSTER
from xfpush.channels.sticker import STICKER
from xfpush.pack.build import prepare_fonts
from xfpush.render.qr import decode
from xfpush.resources import asset_path

URL = "https://example.gov.cn/xf/ebike"
PT = 72 / 25.4
PROFILE = asset_path("icc", "ISOcoated_v2_300_bas.icc")


def render(message_path: Path, channel, profile: str) -> dict:
    message = load_message(message_path)
    fonts = prepare_fonts(message)
    return {a.path: run_checks(a) for a in channel.render(message, profile, fonts)}


@pytest.fixture(scope="module")
def a4() -> dict:
    return render(DEMO, POSTER, "a4")


@pytest.fixture(scope="module")
def sheet() -> bytes:
    return render(DEMO, STICKER, "label-60x40")["sticker/label-60x40-sheet.pdf"].data


# -- the structure, read with pypdf ------------------------------------------------------------
def pdfx_structure(data: bytes) -> pypdf.PdfReader:
    """Assert everything PDF/X-4 asks of the document; return the reader."""
    assert data.startswith(b"%PDF-1.6\n")
    reader = pypdf.PdfReader(io.BytesIO(data))
    info = reader.trailer["/Info"]
    assert info["/GTS_PDFXVersion"] == "PDF/X-4"
    assert info["/Trapped"] == "/False"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20000101000000Z"
    (intent,) = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX" and intent["/OutputConditionIdentifier"] == "FOGRA39"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4
    assert hashlib.sha256(profile.get_data()).digest() == hashlib.sha256(
        PROFILE.read_bytes()).digest()
    xmp = reader.trailer["/Root"]["/Metadata"].get_object()
    assert "/Filter" not in xmp  # readable by tools that do not inflate
    tree = ET.fromstring(xmp.get_data().split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])
    values = {el.tag.split("}")[1]: (el.text or "") for el in tree.iter()}
    assert values["GTS_PDFXVersion"] == "PDF/X-4" and values["Trapped"] == "False"
    assert values["CreateDate"] == values["ModifyDate"] == "2000-01-01T00:00:00Z"
    assert values["DocumentID"].startswith("uuid:") and values["VersionID"] == "1"
    first, second = reader.trailer["/ID"]
    assert len(first.original_bytes) == 16 and first.original_bytes == second.original_bytes
    return reader


def boxes(reader: pypdf.PdfReader) -> tuple[list[float], list[float], list[float]]:
    page = reader.pages[0]
    return ([float(v) for v in page["/MediaBox"]], [float(v) for v in page["/BleedBox"]],
            [float(v) for v in page["/TrimBox"]])


def all_objects(data: bytes):
    with pikepdf.open(io.BytesIO(data)) as pdf:
        yield from (repr(obj) for obj in pdf.objects)


def instructions(data: bytes) -> list[tuple[str, list, str]]:
    """(owner, operands, operator) of the page's and its forms' content streams, in order."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        owners = [("page", page.obj)] + [(str(name), form) for name, form in
                                         page.Resources.get("/XObject", {}).items()
                                         if form.get("/Subtype") == "/Form"]
        for owner_name, owner in owners:
            for operands, operator in pikepdf.parse_content_stream(owner):
                found.append((owner_name, [_plain(v) for v in operands], str(operator)))
    return found


def _plain(value):
    if isinstance(value, pikepdf.Name):
        return str(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def test_poster_pdf_is_pdfx4_with_trim_and_bleed_boxes(a4) -> None:
    asset = a4["poster/a4.pdf"]
    reader = pdfx_structure(asset.data)
    media, bleed, trim = boxes(reader)
    assert [round((trim[2] - trim[0]) / PT, 2), round((trim[3] - trim[1]) / PT, 2)] == [210, 297]
    assert [round(b - t, 2) for b, t in zip(bleed, trim, strict=True)] == [round(-3 * PT, 2)] * 2 + [
        round(3 * PT, 2)] * 2
    assert media[0] < bleed[0] and media[1] < bleed[1] and media[2] > bleed[2] and media[3] > bleed[3]
    assert (asset.width_mm, asset.height_mm) == (216.0, 303.0)  # the printed area, bleed included
    assert all(check.ok for check in asset.checks), asset.checks
    assert {"page_size", "pdfx", "qr_decodes"} <= {c.name for c in asset.checks}


def test_no_rgb_anywhere_and_black_is_black_ink_alone(a4) -> None:
    data = a4["poster/a4.pdf"].data
    for text in all_objects(data):
        assert "/DeviceRGB" not in text and "/CalRGB" not in text
    ops = instructions(data)
    assert not [op for op in ops if op[2] in ("rg", "RG", "g", "G")]
    colours = {tuple(operands) for _, operands, op in ops if op == "k"}
    for c, m, y, k in colours:
        assert c + m + y + k <= 3.0 + 1e-9, (c, m, y, k)  # total ink
        assert not (k >= 0.5 and c + m + y > 0.6), f"four-colour black {(c, m, y, k)}"
    assert (0, 0, 0, 1) in colours
    # every text, including the hotline numbers and the CTA, is in one colour of the theme or
    # in solid black; the QR modules (a path of rectangles after the paper square) are solid K
    text_colours = set()
    current = None
    for _, operands, op in ops:
        if op == "k":
            current = tuple(operands)
        elif op in ("Tj", "TJ"):
            text_colours.add(current)
    assert (0, 0, 0, 1) in text_colours
    assert all((c, m, y) == (0, 0, 0) or k < 0.5 for c, m, y, k in text_colours)  # no dark CMY
    rects_after_black = _qr_fill_colour(ops)
    assert rects_after_black == (0, 0, 0, 1)


def _qr_fill_colour(ops) -> tuple:
    """The colour of the fill that draws the most rectangles in one path (the QR modules)."""
    best, count, colour = None, 0, None
    for _, operands, op in ops:
        if op == "k":
            colour = tuple(operands)
        elif op == "re":
            count += 1
        elif op in ("f", "f*"):
            if best is None or count > best[0]:
                best = (count, colour)
            count = 0
        elif op == "n":
            count = 0
    assert best and best[0] > 50
    return best[1]


def test_solid_black_overprints(a4) -> None:
    with pikepdf.open(io.BytesIO(a4["poster/a4.pdf"].data)) as pdf:
        form = next(iter(pdf.pages[0].Resources.XObject.values()))
        (state,) = form.Resources.ExtGState.values()
        assert (bool(state.OP), bool(state.op), int(state.OPM)) == (True, True, 1)
    ops = instructions(a4["poster/a4.pdf"].data)
    for index, (_, _, op) in enumerate(ops):
        if op == "gs":  # the next colour set after an overprint state is solid black
            following = next(o for o in ops[index:] if o[2] == "k")
            assert tuple(following[1]) == (0, 0, 0, 1)


def test_fonts_are_embedded_subsets(a4) -> None:
    data = a4["poster/a4.pdf"].data
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = {}
    for obj_text in all_objects(data):
        for name in re.findall(r'"/BaseFont": "/([^"]+)"', obj_text):
            fonts[name] = True
    assert fonts and all(re.match(r"[A-Z]{6}\+NotoSansCJKsc-(Regular|Bold)$", f) for f in fonts)
    assert "火警" in reader.pages[0].extract_text() or "火警" in _pdfium_text(data)
    if not shutil.which("pdffonts"):
        if os.environ.get("CI"):
            pytest.fail("pdffonts (poppler-utils) is missing in CI")
        pytest.skip("pdffonts (poppler-utils) not installed")
    listing = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=False)
    if listing.returncode:  # older poppler does not read stdin
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"xfpush-fonts-{os.getpid()}.pdf"
        path.write_bytes(data)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
        path.unlink()
    rows = listing.stdout.decode().splitlines()[2:]
    assert rows
    for row in rows:
        columns = row.split()
        emb, sub, uni = columns[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert "Helvetica" not in row


def _pdfium_text(data: bytes) -> str:
    page = pdfium.PdfDocument(data)[0]
    return page.get_textpage().get_text_range()


def test_crop_and_registration_marks_are_outside_the_bleed_in_registration_colour(a4) -> None:
    data = a4["poster/a4.pdf"].data
    media, bleed, _ = boxes(pypdf.PdfReader(io.BytesIO(data)))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        space = pdf.pages[0].Resources.ColorSpace.All
        assert [str(space[0]), str(space[1]), str(space[2])] == ["/Separation", "/All",
                                                                   "/DeviceCMYK"]
        assert space[3].read_bytes().count(b"1.0 mul") == 4  # tint → C, M, Y and K alike
    in_marks, points = False, []
    for owner, operands, op in instructions(data):
        if owner != "page":
            continue
        if op in ("CS", "cs"):
            in_marks = operands == ["/All"]
        elif in_marks and op in ("m", "l", "c"):
            points += list(zip(operands[0::2], operands[1::2], strict=True))
    assert len(points) >= 16
    for x, y in points:
        assert media[0] <= x <= media[2] and media[1] <= y <= media[3]
        assert not (bleed[0] < x < bleed[2] and bleed[1] < y < bleed[3]), (x, y)
    # the marks are there in pixels too: dark pixels in the slug, on the trim line's extension
    page = pdfium.PdfDocument(data)[0]
    raster = np.asarray(page.render(scale=300 / 72).to_pil().convert("L"))
    slug = round((bleed[0] - media[0]) / 72 * 300)
    assert raster[:slug - 5, :].min() < 80  # above the bleed box
    trim_x = round((bleed[0] + 3 * PT) / 72 * 300)
    assert raster[: slug, trim_x - 2: trim_x + 3].min() < 80


def test_raster_of_pdf_matches_png_preview_and_its_qr_decodes(a4) -> None:
    data, preview_asset = a4["poster/a4.pdf"].data, a4["poster/a4.png"]
    preview = Image.open(io.BytesIO(preview_asset.data)).convert("RGB")
    page = pdfium.PdfDocument(data)[0]
    trim = [float(v) for v in page.get_trimbox()]
    scale = preview.width / (trim[2] - trim[0])
    raster = page.render(scale=scale).to_pil().convert("RGB")
    height = page.get_size()[1]
    crop = (round(trim[0] * scale), round((height - trim[3]) * scale),
            round(trim[0] * scale) + preview.width, round((height - trim[3]) * scale) + preview.height)
    drawn = raster.crop(crop)
    assert URL in decode(drawn)
    # pdfium shows CMYK with its own conversion, so colours shift a little, and edges land a
    # fraction of a pixel apart (the preview is drawn on whole 300 dpi pixels and shrunk): a
    # slight blur evens out the edges, while text moved by 3 px or a missing shape shows up as
    # several percent of strongly different pixels
    a, b = (np.asarray(i.convert("L").filter(ImageFilter.GaussianBlur(1.5)), dtype=float)
            for i in (drawn, preview))
    difference = np.abs(a - b)
    assert difference.mean() < 9, difference.mean()
    assert (difference > 48).mean() < 0.01, (difference > 48).mean()


@pytest.mark.slow
def test_byte_identical_in_a_fresh_process(a4) -> None:
    script = ("import sys; from xfpush import load_message; from xfpush.channels.poster import "
              "POSTER; from xfpush.pack.build import prepare_fonts; m = load_message(sys.argv[1]); "
              "a = POSTER.render(m, 'a4', prepare_fonts(m))[0]; sys.stdout.buffer.write(a.data)")
    fresh = subprocess.run([sys.executable, "-c", script, str(DEMO)], capture_output=True,
                           check=True).stdout
    assert fresh == a4["poster/a4.pdf"].data


def test_id_follows_the_content(a4, write_message) -> None:
    other = render(write_message({"slogan": "slogan: 电动车不进楼 安全又放心"}), POSTER, "a4")
    first = pypdf.PdfReader(io.BytesIO(a4["poster/a4.pdf"].data)).trailer["/ID"][0]
    second = pypdf.PdfReader(io.BytesIO(other["poster/a4.pdf"].data)).trailer["/ID"][0]
    assert first.original_bytes != second.original_bytes


def test_logo_keeps_its_pixels_in_cmyk_with_a_soft_mask(tmp_path: Path, write_message) -> None:
    logo = Image.new("RGBA", (317, 211), (0, 80, 160, 255))
    logo.paste((0, 0, 0, 0), (0, 0, 100, 211))  # a transparent band
    logo.save(tmp_path / "logo.png")
    text = write_message().read_text("utf-8") + "logo: logo.png\n"
    assets = render(write_message(text=text), POSTER, "a4")
    data = assets["poster/a4.pdf"].data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                  and obj.get("/Subtype") == "/Image" and "/SMask" in obj]
        assert len(images) == 1
        image = images[0]
        assert (int(image.Width), int(image.Height)) == (317, 211)
        assert str(image.ColorSpace) == "/DeviceCMYK"
        assert str(image.SMask.ColorSpace) == "/DeviceGray"
    assert all(check.ok for check in assets["poster/a4.pdf"].checks)


def test_fallback_font_character_is_drawn(tmp_path: Path, write_message) -> None:
    make_fallback_font(tmp_path / "extra.ttf")
    text = write_message().read_text("utf-8").replace("某某区", f"{RARE}溪区")
    text += "fonts:\n  fallback: extra.ttf\n"
    assets = render(write_message(text=text), POSTER, "a4")
    data = assets["poster/a4.pdf"].data
    assert all(check.ok for check in assets["poster/a4.pdf"].checks)
    assert any("XfpushTestFallback" in obj for obj in all_objects(data))
    # the glyph (a filled square) is inked where the text layer puts the character before 溪区
    page = pdfium.PdfDocument(data)[0]
    text = page.get_textpage()
    index = text.get_text_range().index("溪区消防") - 1
    left, bottom, right, top = text.get_charbox(index)
    scale = 4
    raster = np.asarray(page.render(scale=scale).to_pil().convert("L"))
    height = page.get_size()[1]
    inside = raster[round((height - top) * scale) + 2: round((height - bottom) * scale) - 2,
                    round(left * scale) + 2: round(right * scale) - 2]
    assert inside.size and inside.mean() > 200  # the square is white on the dark footer band


# -- sticker sheets ------------------------------------------------------------------------------
def test_sticker_sheet_is_a4_pdfx_with_labels_at_physical_size(sheet) -> None:
    reader = pdfx_structure(sheet)
    media, bleed, trim = boxes(reader)
    assert media == bleed == trim
    assert [round(v / PT, 2) for v in media] == [0, 0, 210, 297]
    placed = []
    matrix = None
    for owner, operands, op in instructions(sheet):
        if owner == "page" and op == "cm":
            matrix = operands
        elif owner == "page" and op == "Do":
            placed.append(matrix)
    with pikepdf.open(io.BytesIO(sheet)) as pdf:
        (form,) = pdf.pages[0].Resources.XObject.values()
        box = [float(v) for v in form.BBox]
    width_px, height_px = box[2] - box[0], box[3] - box[1]
    assert len(placed) >= 12
    for a, _, _, d, _, _ in placed:
        assert round(a * width_px / PT, 3) == 60.0 and round(d * height_px / PT, 3) == 40.0
    lefts = sorted({round(m[4] / PT, 3) for m in placed})
    assert all(round(b - a, 3) == 64.0 for a, b in itertools.pairwise(lefts))  # 4 mm gutter


def test_sticker_sheet_cut_marks_stay_off_the_labels_and_qr_codes_read(sheet) -> None:
    labels = []
    for owner, operands, op in instructions(sheet):
        if owner == "page" and op == "cm":
            left, top = operands[4], operands[5]
            labels.append((left, top - 40 * PT, left + 60 * PT, top))
    in_marks, points = False, []
    for owner, operands, op in instructions(sheet):
        if owner != "page":
            continue
        if op in ("CS", "cs"):
            in_marks = operands == ["/All"]
        elif in_marks and op in ("m", "l"):
            points += list(zip(operands[0::2], operands[1::2], strict=True))
    assert points
    for x, y in points:
        assert not any(l0 - 0.5 < x < l1 + 0.5 and b0 - 0.5 < y < t1 + 0.5
                       for l0, b0, l1, t1 in labels), (x, y)
    page = pdfium.PdfDocument(sheet)[0]
    raster = page.render(scale=203.2 / 72).to_pil().convert("L")
    assert len(decode(raster)) >= 12


@pytest.mark.slow
def test_a2_poster_profile_prints_at_420x594_mm() -> None:
    assets = render(DEMO, POSTER, "a2")
    pdf = assets["poster/a2.pdf"]
    reader = pdfx_structure(pdf.data)
    _, _, trim = boxes(reader)
    assert [round((trim[2] - trim[0]) / PT, 2), round((trim[3] - trim[1]) / PT, 2)] == [420, 594]
    assert (pdf.width_mm, pdf.height_mm) == (426.0, 600.0)
    assert all(check.ok for check in pdf.checks), pdf.checks
    assert assets["poster/a2.png"].width_px == 1240

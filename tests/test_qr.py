from __future__ import annotations

from PIL import Image

from xfpush.render import qr


def test_matrix_uses_m_or_h_and_renders_on_whole_pixels() -> None:
    matrix = qr.build_matrix("https://example.gov.cn/xf")
    assert matrix.error_correction == "M"
    assert qr.build_matrix("https://example.gov.cn/xf", with_logo=True).error_correction == "H"
    image = qr.render(matrix, 5)
    assert image.size == ((matrix.modules + 8) * 5,) * 2
    # the quiet zone is four modules of light pixels on every side
    quiet = image.crop((0, 0, 4 * 5, image.height))
    assert quiet.getextrema() == (255, 255)


def test_module_size_limits_for_print_and_thermal() -> None:
    assert qr.min_module_px(300) == 6  # 0.5 mm at 300 dpi
    assert qr.min_module_px(203) == 3  # 3 dots on a 203 dpi thermal head
    matrix = qr.build_matrix("https://example.gov.cn/xf")
    assert qr.module_px_for(matrix, 10, 300) == 6


def test_decode_check_reads_back_and_rejects_wrong_or_missing() -> None:
    url = "https://example.gov.cn/xf/ebike"
    image = qr.render(qr.build_matrix(url), 4)
    assert qr.decode_check(image, url)[0]
    ok, detail = qr.decode_check(image, "https://other.example/")
    assert not ok and "应为" in detail
    blank = Image.new("L", (200, 200), 255)
    assert qr.decode_check(blank, url) == (False, "成品图上没有识别出二维码")

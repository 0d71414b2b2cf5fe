"""The workbench over real HTTP on 127.0.0.1: compose, live checks, previews, save/download/upload,
generate, sign-off, voiding, zip download, security headers and CSRF."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from webtools import DEMO_FORM, Browser, running
from xfpush import load_message, verify_pack
from xfpush.web.forms import LABELS

FIELD_LABELS = ["编号", "标题", "口号", "正文", "提示 1", "行动号召", "二维码链接", "二维码说明",
                "发布单位", "受众", "活动名称", "开始日期", "结束日期"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("workbench")
    with running(data) as base:
        yield base, data


@pytest.fixture
def browser(workspace: tuple[str, Path]) -> Iterator[Browser]:
    client = Browser(workspace[0])
    yield client
    client.close()


class Labels(HTMLParser):
    """label text → the id it names, and every input/select/textarea id."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, str] = {}
        self.controls: set[str] = set()
        self._open: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self._open, self._text = attributes.get("for") or "", ""
        if tag in ("input", "select", "textarea") and attributes.get("id"):
            self.controls.add(str(attributes["id"]))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._open is not None:
            self.labels[self._text.replace("*", "").strip()] = self._open
            self._open = None


def fragment(html: str, ident: str) -> str:
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</', html, re.S)
    return found.group(1) if found else ""


def test_every_field_has_a_visible_chinese_label(browser: Browser) -> None:
    response = browser.post(
        "/compose/upload", files={"file": ("m.yaml", yaml.safe_dump(
            {"id": "x-1", "title": "标题", "slogan": "口号", "tips": ["一条"]},
            allow_unicode=True).encode())})
    assert response.status_code == 200, response.text
    parser = Labels()
    parser.feed(response.text)
    for label in FIELD_LABELS:
        assert label in parser.labels, f"no <label> {label}"
        assert parser.labels[label] in parser.controls, f"<label> {label} names no input"
    assert "热线" in response.text and "＋ 添加一条提示" in response.text


def test_live_check_names_field_limit_and_actual_value(browser: Browser) -> None:
    form = {**DEMO_FORM, "qr_url": "ftp://example.cn", "title": "电动车不进楼" * 12}
    response = browser.post("/compose/live", form)
    assert response.status_code == 200
    assert "http:// 或 https://" in fragment(response.text, "err-qr_url")
    assert "ftp://example.cn" in fragment(response.text, "err-qr_url")
    assert "72 字，上限 64 字" in fragment(response.text, "err-title")


def test_live_preview_shows_images_sms_segments_and_fit_decisions(browser: Browser) -> None:
    form = {**DEMO_FORM, "preview": ["poster:phone", "sms:standard", "led:strip-128x16"]}
    response = browser.post("/compose/live", form)
    assert response.status_code == 200
    assert "显示 3/3 条提示" in response.text
    assert re.search(r"计 1 条", response.text)
    images = re.findall(r'<img src="(/preview/[0-9a-f]+)"', response.text)
    assert len(images) == 2
    picture = browser.get(images[0])
    assert picture.headers["content-type"] == "image/png" and picture.content[:4] == b"\x89PNG"
    changed = browser.post("/compose/live", {**form, "slogan": "电动车不进楼入户 安全"})
    assert re.findall(r'<img src="(/preview/[0-9a-f]+)"', changed.text)[0] != images[0]


def test_too_long_title_is_shown_under_the_title_field(browser: Browser) -> None:
    form = {**DEMO_FORM, "title": "电动车不进楼 充电安全记心间 电动车不进楼 充电安全记心间 电动车不进楼 充电安全",
            "slogan": "电动车不进楼入户充电安全记心间" * 2 + "电动自行车不进楼入户"}  # no fallback
    response = browser.post("/compose/live", {**form, "preview": ["poster:phone"]})
    warning = fragment(response.text, "warn-title")
    assert "poster:phone" in warning and "过长" in warning and "请删减" in warning


def test_typed_html_is_escaped_everywhere(browser: Browser) -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    form = {**DEMO_FORM, "id": "xss-test", "title": "防火" + evil[:20], "issuer": evil}
    response = browser.post("/compose/live", form)
    assert "<script>alert" not in response.text and "<img src=x" not in response.text
    saved = browser.post("/compose/save", form)
    assert saved.status_code == 303
    page = browser.get("/m/xss-test")
    assert "&lt;script&gt;alert(1)" in page.text and "<script>alert" not in page.text
    listing = browser.get("/")
    assert "<script>alert" not in listing.text


def test_save_download_and_upload_round_trip(browser: Browser, tmp_path: Path) -> None:
    assert browser.post("/compose/save", DEMO_FORM).headers["location"] == "/m/ebike-2027?saved=1"
    download = browser.get("/m/ebike-2027/message.yaml")
    assert download.status_code == 200
    assert 'filename="ebike-2027.yaml"' in download.headers["content-disposition"]
    path = tmp_path / "ebike-2027.yaml"
    path.write_bytes(download.content)
    message = load_message(path)
    assert message.tips == tuple(DEMO_FORM["tips"]) and message.hotlines[1] == ("隐患举报", "96119")
    reopened = browser.post("/compose/upload", files={"file": ("m.yaml", download.content)})
    assert 'value="不私拉电线“飞线”充电"' in reopened.text


def test_upload_is_bounded_and_checked(browser: Browser) -> None:
    big = browser.post("/compose/upload", files={"file": ("m.yaml", b"#" * (300 * 1024))})
    assert big.status_code == 413 and "过大" in big.text
    wrong = browser.post("/compose/upload", files={"file": ("m.yaml", "标题: [".encode())})
    assert wrong.status_code == 422 and "YAML 格式错误" in wrong.text
    gbk = browser.post("/compose/upload", files={"file": ("m.yaml", "title: 消防".encode("gbk"))})
    assert gbk.status_code == 422 and "UTF-8" in gbk.text


def test_forms_without_the_session_token_are_refused(browser: Browser) -> None:
    for path in ("/compose/live", "/compose/save", "/m/ebike-2027/generate"):
        response = browser.post(path, DEMO_FORM, csrf=False)
        assert response.status_code == 403, path
        assert "CSRF" in response.text


def test_security_headers_and_host_check(workspace: tuple[str, Path], browser: Browser) -> None:
    response = browser.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "samesite=strict" in response.headers["set-cookie"].lower()
    assert "httponly" in response.headers["set-cookie"].lower()
    rebinding = browser.http.get("/", headers={"Host": "attacker.example"})
    assert rebinding.status_code == 400


def test_fonts_and_htmx_are_served_locally(browser: Browser) -> None:
    font = browser.get("/fonts/NotoSansSC-Regular.otf")
    assert font.status_code == 200 and font.content[:4] == b"OTTO"
    assert browser.get("/static/htmx.min.js").status_code == 200
    assert "Zero-Clause BSD" in browser.get("/static/htmx.LICENSE.txt").text
    assert browser.get("/fonts/..%2Fexamples%2Fdemo.yaml").status_code == 404


def test_generate_sign_download_and_void(browser: Browser, workspace: tuple[str, Path],
                                         tmp_path: Path) -> None:
    browser.post("/compose/save", DEMO_FORM)
    started = browser.post("/m/ebike-2027/generate", {"channel": ["sms", "led"]})
    assert started.status_code == 200 and "sms" in started.text
    finished = browser.wait_job(started.text)
    assert "完成" in finished.text and finished.headers["hx-redirect"] == "/m/ebike-2027/review"
    review = browser.get("/m/ebike-2027/review")
    pack = re.search(r"/packs/(\d+)/files/proof.html", review.text)
    assert pack, review.text
    proof = browser.get(f"/packs/{pack.group(1)}/files/proof.html")
    assert "NotoSansSC-Regular.otf" in proof.text and "sandbox" in proof.headers[
        "content-security-policy"]
    assert browser.get(f"/packs/{pack.group(1)}/files/../../workbench.sqlite").status_code == 404
    signed = browser.post(f"/packs/{pack.group(1)}/sign",
                          {"role": "终审", "signer": "王干事", "comment": "同意<b>发布</b>"})
    assert signed.status_code == 204
    review = browser.get("/m/ebike-2027/review")
    assert "✓ 王干事" in review.text and "同意&lt;b&gt;发布&lt;/b&gt;" in review.text
    download = browser.get(f"/packs/{pack.group(1)}/download")
    assert download.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(download.content)).extractall(tmp_path)
    assert verify_pack(tmp_path / "ebike-2027") == []
    assert (tmp_path / "ebike-2027" / "approvals.json").is_file()
    browser.post("/compose/save", {**DEMO_FORM, "slogan": "电动车不进楼 不入户"})
    review = browser.get("/m/ebike-2027/review")
    assert "消息已修改" in review.text and "此签字已作废" in review.text
    again = browser.post(f"/packs/{pack.group(1)}/sign", {"role": "初审", "signer": "李"})
    assert again.status_code == 409


def test_labels_cover_the_proof_page_names() -> None:
    assert {"编号", "标题", "口号", "正文", "提示", "行动号召", "二维码链接", "二维码说明", "发布单位",
            "受众", "活动名称", "开始日期", "结束日期"} <= set(LABELS.values())


@pytest.mark.slow
def test_deliver_needs_a_sign_off_records_the_ledger_and_resends(
        browser: Browser, workspace: tuple[str, Path], tmp_path: Path) -> None:
    form = {**DEMO_FORM, "id": "deliver-1"}
    browser.post("/compose/save", form)
    browser.wait_job(browser.post("/m/deliver-1/generate", {"channel": ["sms", "led"]}).text)
    page = browser.get("/m/deliver-1/deliver")
    assert 'data-adapter="carrier-sms"' in page.text and "物料包缺少：poster:a4" in page.text
    target = tmp_path / "drop"
    unsigned = browser.post("/m/deliver-1/deliver", {"adapter": "led-screen",
                                                     "to_led-screen": target.as_uri()})
    assert "审核签字" in browser.wait_job(unsigned.text).text
    pack = re.search(r"物料包 #(\d+)", page.text)
    assert pack
    browser.post(f"/packs/{pack.group(1)}/sign", {"role": "终审", "signer": "王干事"})
    sent = browser.post("/m/deliver-1/deliver", {"adapter": ["led-screen", "carrier-sms"],
                                                 "to_led-screen": target.as_uri(),
                                                 "to_carrier-sms": (tmp_path / "sms").as_uri()})
    done = browser.wait_job(sent.text)
    assert done.text.count("已送达") == 2, done.text
    assert sorted(p.name for p in target.iterdir()) == ["led-screen_deliver-1.manifest.json",
                                                        "led-screen_deliver-1.zip"]
    ledger = browser.get("/m/deliver-1/deliver")
    assert ledger.text.count('data-state="acknowledged"') == 2
    nothing = browser.post("/m/deliver-1/resend")
    assert nothing.status_code == 422 and "没有需要重新发送" in nothing.text
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    failed = browser.wait_job(browser.post("/m/deliver-1/deliver", {
        "adapter": "led-screen", "to_led-screen": (blocked / "in").as_uri()}).text)
    assert "失败" in failed.text
    assert 'data-state="failed"' in browser.get("/m/deliver-1/deliver").text
    blocked.unlink()
    resent = browser.wait_job(browser.post("/m/deliver-1/resend").text)
    assert "已送达" in resent.text and (blocked / "in" / "led-screen_deliver-1.zip").is_file()
    assert 'data-state="failed"' not in browser.get("/m/deliver-1/deliver").text


def png_header(width: int, height: int) -> bytes:
    """A PNG that only claims its size (enough for a header check)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b""))
            + chunk(b"IEND", b""))


def test_logo_upload_is_checked_stored_by_hash_and_used(browser: Browser) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 120), "#c8102e").save(buffer, "PNG")
    ok = browser.post("/compose/image", {"kind": "logo"},
                      files={"upload_logo": ("../../标志.png", buffer.getvalue(), "image/png")})
    assert ok.status_code == 200 and ok.headers["hx-trigger-after-swap"] == "xf-changed"
    name = re.search(r'name="logo" value="([0-9a-f]{24}\.png)"', ok.text)
    assert name, ok.text
    assert browser.get(f"/files/{name.group(1)}").content == buffer.getvalue()
    live = browser.post("/compose/live", {**DEMO_FORM, "logo": name.group(1),
                                          "preview": "poster:phone"})
    assert "<img src=\"/preview/" in live.text and not fragment(live.text, "err-logo")
    bomb = browser.post("/compose/image", {"kind": "logo"},
                        files={"upload_logo": ("big.png", png_header(30000, 30000))})
    assert "尺寸过大" in bomb.text and 'name="logo"' not in bomb.text
    text = browser.post("/compose/image", {"kind": "evacuation_map"},
                        files={"upload_evacuation_map": ("map.png", b"not an image")})
    assert "不是可用的图片" in text.text
    missing = browser.post("/compose/live", {**DEMO_FORM, "logo": "nothere.png"})
    assert "nothere.png" in fragment(missing.text, "err-logo")
    assert browser.get("/files/..%2Fworkbench.sqlite").status_code == 404


def test_a_new_user_can_start_from_the_example(browser: Browser) -> None:
    page = browser.get("/compose?example=1")
    assert page.status_code == 200 and 'value="ebike-2027"' in page.text and "示例消息" in page.text
    assert "/compose?example=1" in browser.get("/").text


def test_icons_are_picked_in_the_form_in_order_and_kept_in_the_file(browser: Browser) -> None:
    uploaded = browser.post(
        "/compose/upload", files={"file": ("m.yaml", yaml.safe_dump(
            {"id": "icons-1", "title": "标题", "slogan": "口号", "tips": ["一条"],
             "icons": ["sign-exit", "gas"]}, allow_unicode=True).encode())})
    page = uploaded.text
    boxes = re.findall(r'<input type="checkbox" id="f-icon-([a-z0-9-]+)"[^>]*?(checked)?>', page)
    assert [name for name, _ in boxes[:2]] == ["sign-exit", "gas"]  # the file's order first
    assert {name for name, ticked in boxes if ticked} == {"sign-exit", "gas"}
    assert len(boxes) >= 19 and re.search(r'value="chosen" checked', page)
    parser = Labels()
    parser.feed(page)
    assert parser.labels["燃气"] == "f-icon-gas"  # each picture has its Chinese name as label

    def saved(**changes: object) -> dict:
        answer = browser.post("/compose/download", {**DEMO_FORM, **changes})
        assert answer.status_code == 200, answer.text
        return yaml.safe_load(answer.content.decode("utf-8"))

    assert saved(icons_mode="chosen", icons=["gas", "sign-exit"])["icons"] == ["gas", "sign-exit"]
    assert saved(icons_mode="chosen")["icons"] == []  # none ticked: no pictograms at all
    assert "icons" not in saved(icons_mode="auto", icons=["gas"])  # picked by topic


def test_an_unknown_icon_is_named_under_the_icons_field(browser: Browser) -> None:
    response = browser.post("/compose/live", {**DEMO_FORM, "icons_mode": "chosen",
                                              "icons": ["gas", "dragon"]})
    error = fragment(response.text, "err-icons")
    assert "dragon" in error and "sign-exit" in error, error


def test_icon_pictures_are_drawn_by_the_asset_code(browser: Browser) -> None:
    import numpy as np
    from PIL import Image

    picture = browser.get("/icons/sign-fire-phone.png")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(picture.content)).convert("RGB")
    assert image.size == (96, 96)
    r, g, b = np.asarray(image).astype(int).transpose(2, 0, 1)
    assert np.mean((r > 180) & (g < 60) & (b < 80)) > 0.5  # the sign's red square
    assert browser.get("/icons/../../etc/passwd.png").status_code == 404
    assert browser.get("/icons/dragon.png").status_code == 404

"""The proof page a reviewer reads: Chinese throughout, one card per profile, overview first,
the message itself, escaped input, and the bundled font inside the page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from xfpush import load_message
from xfpush.channels import CHANNELS
from xfpush.channels.checks import registered
from xfpush.model.message import AUDIENCES
from xfpush.pack.labels import AUDIENCE_NAMES, CHECK_NAMES, check_name
from xfpush.pack.proof import proof_html

MESSAGE_FIELDS = ("编号", "标题", "口号", "正文", "提示", "行动号召", "二维码链接", "二维码说明",
                  "发布单位", "受众", "活动名称", "开始日期", "结束日期")


class Page(HTMLParser):
    """Text, element ids, cards with their file figures and check rows, and script tags."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.ids: list[str] = []
        self.cards: dict[str, dict[str, list[str]]] = {}
        self.scripts = 0
        self.style = ""
        self._card: str | None = None
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self._in.append(tag)
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "script":
            self.scripts += 1
        if tag == "article" and "card" in found.get("class", ""):
            self._card = found["id"]
            self.cards[self._card] = {"files": [], "checks": []}
        if self._card and tag == "figure":
            self.cards[self._card]["files"].append("")
        if self._card and tag in ("img", "video", "audio", "a") and found.get("href", found.get(
                "src")) and self.cards[self._card]["files"]:
            self.cards[self._card]["files"][-1] = found.get("href") or found.get("src", "")

    def handle_endtag(self, tag: str) -> None:
        if self._in:
            self._in.pop()
        if tag == "article":
            self._card = None

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "style":
            self.style += data
            return
        self.text.append(data)
        if self._card and self._in and self._in[-1] == "th":
            self.cards[self._card]["checks"].append(data.strip())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_every_registered_check_and_audience_has_a_chinese_name() -> None:
    for _name, channel in CHANNELS.items():  # importing every channel registers its checks
        assert channel.profiles
    names = {entry.name for entry in registered()}
    assert {"text_fit", "qr_decodes", "segments", "loudness"} <= names
    assert sorted(names - set(CHECK_NAMES)) == []
    assert CHECK_NAMES["text_fit"] == "文字排版" and CHECK_NAMES["qr_decodes"] == "二维码可识别"
    assert check_name("reserved_skip") == "保留区（skip）留空"
    assert check_name("zpl_bitmap") == "ZPL 点阵与预览一致"
    assert set(AUDIENCE_NAMES) == set(AUDIENCES)
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name in AUDIENCE_NAMES.values())


def test_still_pack_proof_page_is_chinese_and_one_card_per_profile(still_pack: Path) -> None:
    manifest = json.loads((still_pack / "manifest.json").read_text("utf-8"))
    html = (still_pack / "proof.html").read_text("utf-8")
    page = parse(html)
    text = "".join(page.text)
    profiles = list(dict.fromkeys((a["channel"], a["profile"]) for a in manifest["assets"]))
    assert len(page.cards) == len(profiles)
    for asset in manifest["assets"]:  # every file shown in its own profile's card
        card = page.cards[f"p-{asset['channel']}-{asset['profile']}"]
        assert asset["path"] in card["files"]
        for check in asset["checks"]:
            assert check_name(check["name"]) != check["name"], check["name"]
    a4 = page.cards["p-poster-a4"]
    assert a4["files"] == ["poster/a4.pdf", "poster/a4.png"]
    rows = [row for row in a4["checks"] if row]
    assert len(rows) == len(set(rows)) and any("二维码可识别" in row for row in rows)
    assert "text_fit" not in text and "qr_decodes" not in text and "None" not in text
    assert "受众" in text and "公众" in text and "general" not in text
    for label in MESSAGE_FIELDS:
        assert label in text, label
    assert page.ids.index("overview") < page.ids.index("assets")
    assert "@font-face" in page.style and "data:font/woff;base64," in page.style


def test_user_text_is_escaped_and_failures_and_skips_are_listed(demo_path: Path) -> None:
    message = load_message(demo_path)
    hostile = message.__class__(**{**message.__dict__, "title": "<script>alert(1)</script>火灾"})
    manifest = {"xfpush_version": "0.1.0", "message": {"id": message.id, "sha256": "0" * 64},
                "assets": [],
                "failures": [{"channel": "poster", "profile": "phone", "check": "text_fit",
                              "reason": "标题过长<b>", "fix": "请把标题删减约 20 字"}],
                "skipped": [{"channel": "audio", "profile": "unlock", "reason": "未安装",
                             "fix": "pip install x"}]}
    html = proof_html(hostile, manifest)
    page = parse(html)
    text = "".join(page.text)
    assert page.scripts == 0 and "&lt;script&gt;" in html and "<b>" not in html
    assert "<script>alert(1)</script>火灾" in text
    assert page.ids[0] == "failures" and "文字排版" in text and "请把标题删减约 20 字" in text
    assert "已跳过" in text and "audio" in text
    assert html == proof_html(hostile, manifest)  # deterministic

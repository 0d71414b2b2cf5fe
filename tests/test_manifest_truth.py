"""The manifest tells the truth (issue 13, item 9): ``qr_url`` only where a QR code is drawn,
checked with zxing-cpp on the finished pixels, and every check's detail names a measured value."""

from __future__ import annotations

import re
from pathlib import Path

import zxingcpp
from PIL import Image

from conftest import assets_by_path

URL = "https://example.gov.cn/xf/ebike"
IMAGES = ("image/png", "image/jpeg")


def decoded(path: Path) -> set[str]:
    with Image.open(path) as image:
        return {found.text for found in zxingcpp.read_barcodes(image.convert("L"))}


def test_qr_url_is_listed_exactly_where_a_qr_code_decodes(still_pack: Path) -> None:
    assets = assets_by_path(still_pack)
    images = {path: entry for path, entry in assets.items() if entry["media_type"] in IMAGES}
    listed = {path for path, entry in images.items() if entry["qr_url"]}
    found = {path for path in images if URL in decoded(still_pack / path)}
    assert listed == found, (sorted(listed - found), sorted(found - listed))
    # the wide and portrait covers draw no QR (the weibo square does): both cases are present
    assert {"social/wechat-cover.png", "social/douyin-cover.png"} <= set(images) - listed
    assert {"social/weibo.png", "poster/a3.png", "sticker/label-60x40.png"} <= listed


def test_every_check_detail_names_what_was_measured(still_pack: Path) -> None:
    vague = [(path, check["name"], check["detail"])
             for path, entry in assets_by_path(still_pack).items() for check in entry["checks"]
             if not re.search(r"\d", check["detail"])]
    assert not vague, vague

"""The manifest tells the truth (issue 13, item 9): ``qr_url`` only where a QR code is drawn,
checked with zxing-cpp on the finished pixels, and every check's detail names a measured value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from conftest import assets_by_path

URL = "https://example.gov.cn/xf/ebike"
IMAGES = ("image/png", "image/jpeg")


def decoded(path: Path) -> set[str]:
    with Image.open(path) as image:
        return {found.text for found in zxingcpp.read_barcodes(image.convert("L"))}


def listed_and_found(pack: Path) -> tuple[set[str], set[str], set[str]]:
    """(image paths, those listing a qr_url, those in which zxing-cpp decodes the link)."""
    images = {path: entry for path, entry in assets_by_path(pack).items()
              if entry["media_type"] in IMAGES}
    listed = {path for path, entry in images.items() if entry["qr_url"]}
    return set(images), listed, {path for path in images if URL in decoded(pack / path)}


def vague_details(pack: Path) -> list[tuple[str, str, str]]:
    return [(path, check["name"], check["detail"])
            for path, entry in assets_by_path(pack).items() for check in entry["checks"]
            if not re.search(r"\d", check["detail"])]


def test_qr_url_is_listed_exactly_where_a_qr_code_decodes(still_pack: Path) -> None:
    images, listed, found = listed_and_found(still_pack)
    assert listed == found, (sorted(listed - found), sorted(found - listed))
    # the wide and portrait covers draw no QR (the weibo square does): both cases are present
    assert {"social/wechat-cover.png", "social/douyin-cover.png"} <= images - listed
    assert {"social/weibo.png", "poster/a3.png", "sticker/label-60x40.png"} <= listed


def test_every_check_detail_names_what_was_measured(still_pack: Path) -> None:
    assert not vague_details(still_pack)


@pytest.mark.slow
def test_the_whole_demo_pack_tells_the_truth(demo_pack: Path) -> None:
    """Video covers and end frames, audio and radio included."""
    _, listed, found = listed_and_found(demo_pack)
    assert listed == found
    assert not vague_details(demo_pack)

"""Internationalised and non-ASCII links: accepted, carried in ASCII form by QR codes and ESC/POS
printers (punycode host, percent-encoded path), control characters refused at check time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xfpush import MessageError, build_pack, load_message
from xfpush.model.links import ascii_link
from xfpush.render.qr import build_matrix, decode, render

IDN = "https://消防.中国/xf/东城"
IDN_ASCII = "https://xn--r1wm18f.xn--fiqs8s/xf/%E4%B8%9C%E5%9F%8E"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.gov.cn/xf/东城", "https://example.gov.cn/xf/%E4%B8%9C%E5%9F%8E"),
    ("https://消防.中国/xf", "https://xn--r1wm18f.xn--fiqs8s/xf"),
    (IDN, IDN_ASCII),
    ("https://消防。中国/xf", "https://xn--r1wm18f.xn--fiqs8s/xf"),  # ideographic full stop
    ("https://例子.cn:8443/a?区=东城#第二段",
     "https://xn--fsqu00a.cn:8443/a?%E5%8C%BA=%E4%B8%9C%E5%9F%8E#%E7%AC%AC%E4%BA%8C%E6%AE%B5"),
    ("https://a.cn/已编码%20的", "https://a.cn/%E5%B7%B2%E7%BC%96%E7%A0%81%20%E7%9A%84"),
    ("https://example.gov.cn/xf?a=1&b=%E4", "https://example.gov.cn/xf?a=1&b=%E4"),  # ASCII: as is
])
def test_ascii_link_encodes_host_and_path_per_rfc(url: str, expected: str) -> None:
    assert ascii_link(url) == expected
    assert ascii_link(expected) == expected  # idempotent: an encoded link stays as it is


def _message(tmp_path: Path, url: str, name: str = "m.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"id": "a", "title": "标题", "slogan": "口号",
                                "tips": ["不在楼道充电"], "qr": {"url": url}},
                               ensure_ascii=True), "utf-8")
    return path


@pytest.mark.parametrize("url", ["https://example.gov.cn/xf/东城", "https://消防.中国/xf"])
def test_non_ascii_links_are_accepted_as_written(tmp_path: Path, url: str) -> None:
    message = load_message(_message(tmp_path, url))
    assert message.qr is not None and message.qr.url == url  # people still read the real form


@pytest.mark.parametrize("bad", ["\u0000", "\u0007", "\u001b[31m", "\u007f", "\u202e",
                                 "\u200b", "\u0085"])
def test_control_characters_in_the_link_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(MessageError, match="控制字符或不可见字符") as raised:
        load_message(_message(tmp_path, f"https://example.gov.cn/x{bad}f"))
    assert "字段 qr.url" in str(raised.value) and "U+" in str(raised.value)


def test_a_host_idna_cannot_carry_is_refused_at_check_time(tmp_path: Path) -> None:
    with pytest.raises(MessageError, match="国际化域名"):
        load_message(_message(tmp_path, "https://" + "消" * 70 + ".cn/"))
    with pytest.raises(MessageError, match=r"qr\.url"):
        load_message(_message(tmp_path, "https://消防..中国/"))


def test_the_length_limit_counts_the_encoded_link(tmp_path: Path) -> None:
    # 150 hanzi are 150 characters as written but 1350 once percent-encoded
    with pytest.raises(MessageError, match=r"编码后 .* 个字符，上限 512"):
        load_message(_message(tmp_path, "https://a.cn/" + "东" * 150))


def test_qr_codes_carry_the_ascii_form() -> None:
    assert decode(render(build_matrix(IDN), 4)) == [IDN_ASCII]


def test_receipt_and_image_channels_pack_an_idn_link(tmp_path: Path) -> None:
    message = load_message(_message(tmp_path, IDN))
    result = build_pack(message, tmp_path / "out", "receipt,poster:phone,sticker:label-60x40",
                        workers=1)
    stream = (tmp_path / "out" / "receipt" / "58mm.bin").read_bytes()
    assert b"\x1d(k" in stream and IDN_ASCII.encode("ascii") in stream
    checks = [check for asset in result.manifest["assets"] for check in asset["checks"]
              if check["name"] in ("qr_decodes", "native_qr")]
    assert len(checks) >= 4 and all(check["ok"] for check in checks), checks

"""manifest.json ``layout``: every asset carrying text lists it as set, field by field.

Read back from a real pack: the lines of each field, joined, give the message's text (nothing
lost, nothing added), and no line break falls inside a word of the Python jieba.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jieba
import pytest
import yaml

from conftest import assets_by_path
from xfpush.channels.ledtext import normalize

jieba.setLogLevel(60)
_MARKS = re.compile(r"[\s，。、；：！？“”‘’（）《》【】,.;:!?()\"']")


@pytest.fixture
def pack(still_pack: Path) -> Path:
    """The session's pack of every still channel (read only here)."""
    return still_pack


def read(pack: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    message = yaml.safe_load((pack / "message.yaml").read_text("utf-8"))
    return message, json.loads((pack / "manifest.json").read_text("utf-8"))["assets"]


def source(message: dict[str, Any], field: str) -> list[str] | None:
    """The words a layout field must show (each piece in order); None for fixed wording."""
    hotlines = list(message["hotlines"].items())
    if match := re.fullmatch(r"hotlines\[(\d+)\](?:\.(label|number))?", field):
        label, number = hotlines[int(match.group(1))]
        return {"label": [label], "number": [number]}.get(match.group(2) or "", [label, number])
    if field == "hotlines":
        return [part for pair in hotlines for part in pair]
    if match := re.fullmatch(r"tips\[(\d+)\]", field):
        return [message["tips"][int(match.group(1))]]
    if field.startswith("variants."):
        return [message["variants"][field.split(".", 1)[1]]]
    if field in ("qr.caption", "qr.url", "campaign.name"):
        group, key = field.split(".")
        return [message[group][key]]
    if field in ("title", "slogan", "body", "cta", "issuer"):
        return [message[field]]
    return None  # fixed wording ("text"), the campaign's dates, library reminders


def merged(layout: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Consecutive entries of one field joined (LED pages, subtitle cues)."""
    joined: list[tuple[str, list[str]]] = []
    for entry in layout:
        if joined and joined[-1][0] == entry["field"]:
            joined[-1][1].extend(entry["lines"])
        else:
            joined.append((entry["field"], list(entry["lines"])))
    return joined


def test_every_asset_has_a_layout_key_and_text_assets_have_entries(pack: Path) -> None:
    _, assets = read(pack)
    for asset in assets:
        assert "layout" in asset
        if asset["media_type"].startswith("image/") or asset["path"].endswith(
                (".pdf", ".srt", ".ass", ".bin", ".zpl", ".tspl")):
            assert asset["layout"], asset["path"]
        for entry in asset["layout"] or []:
            assert set(entry) == {"field", "lines", "font_px"}
            assert entry["lines"] and all(isinstance(line, str) for line in entry["lines"])
            assert entry["font_px"] is None or entry["font_px"] > 0
    by_path = {asset["path"]: asset for asset in assets}
    assert by_path["sms/standard.txt"]["layout"] is None  # the phone sets an SMS itself
    title = next(e for e in by_path["poster/phone.png"]["layout"] if e["field"] == "title")
    assert title == {"field": "title", "lines": ["电动车不进楼", "充电安全记心间"],
                     "font_px": title["font_px"]} and title["font_px"] >= 72


def test_lines_joined_give_each_field_back(pack: Path) -> None:
    message, assets = read(pack)
    checked = 0
    for asset in assets:
        for field, lines in merged(asset["layout"] or []):
            words = source(message, field)
            if words is None:
                continue
            shown = "".join(lines)
            if asset["path"].startswith("led/"):
                words = [normalize(word, "gb2312") for word in words]
            if asset["path"].startswith("tv/ticker") or field.startswith("hotlines"):
                # the crawl adds 【消防安全提示】, 如遇…请拨打 and full stops around the words
                flat = _MARKS.sub("", shown)
                assert all(_MARKS.sub("", word) in flat for word in words), (asset["path"], field)
            else:
                assert shown.replace(" ", "") == "".join(words).replace(" ", ""), (
                    asset["path"], field, lines)
            checked += 1
    assert checked > 150


def test_no_line_break_falls_inside_a_word(pack: Path) -> None:
    _, assets = read(pack)
    inside, breaks = [], 0
    for asset in assets:
        for field, lines in merged(asset["layout"] or []):
            text, offset, cuts = "".join(lines), 0, set()
            for line in lines[:-1]:
                offset += len(line)
                cuts.add(offset)
            breaks += len(cuts)
            start = 0
            for word in jieba.lcut(text, HMM=False):
                inside += [f"{asset['path']} {field}: {word}" for cut in cuts
                           if start < cut < start + len(word)]
                start += len(word)
    assert breaks > 50 and inside == []


@pytest.mark.slow
def test_video_assets_list_their_cards_and_cues(demo_pack) -> None:
    from xfpush import load_message

    message = load_message(demo_pack / "message.yaml")
    entries = assets_by_path(demo_pack)
    for profile in ("vertical", "horizontal", "spot-15s", "spot-30s"):
        mp4, cover, srt = (entries[f"video/{profile}{end}"]["layout"]
                           for end in (".mp4", "-cover.jpg", ".srt"))
        card = [laid["field"] for laid in mp4]
        assert card[: len(cover)] == [laid["field"] for laid in cover]  # the cover comes first
        assert {"title", "slogan", "tips[0]", "cta"} <= set(card)  # title, tip and end cards
        assert all(laid["font_px"] for laid in mp4)
        cues = {laid["field"]: "".join(laid["lines"]) for laid in srt}
        assert cues["title"].replace(" ", "") == message.title.replace(" ", "")
        tips = {field for field in cues if field.startswith("tips[")}
        assert tips == {field for field in card if field.startswith("tips[")}
        assert all(cues[f"tips[{i}]"] == message.tips[i] for i in range(len(tips)))

"""The one checks registry: channels render, the registry checks by what an asset is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import xfpush.channels.checks as checks
from conftest import DEMO
from xfpush import build_pack, load_message
from xfpush.channels import CHANNELS, Check
from xfpush.channels.checks import Picture, Registered, register, registered, run_checks
from xfpush.pack.build import check_message, prepare_fonts


def test_channels_return_facts_and_the_registry_turns_them_into_checks() -> None:
    message = load_message(DEMO)
    fonts = prepare_fonts(message)
    for channel, profile in (("poster", "phone"), ("sms", "standard"), ("receipt", "58mm"),
                             ("tv", "ticker"), ("social", "post")):
        for asset in CHANNELS[channel].render(message, profile, fonts):
            assert asset.facts and not asset.checks, asset.path
            checked = run_checks(asset)
            assert checked.checks and not checked.facts, asset.path
            assert all(check.ok for check in checked.checks), checked.checks


def test_a_new_check_is_one_registered_function(tmp_path: Path, monkeypatch,
                                                write_message) -> None:
    seen: list[str] = []

    def corners_are_paper(fact: Picture, asset) -> Check:
        seen.append(asset.path)
        ok = fact.image.getpixel((fact.image.width // 2, fact.image.height - 1)) != (0, 0, 0)
        return Check("not_black_at_bottom", ok, "底边中点不是纯黑")

    registry = dict(checks._REGISTRY)
    monkeypatch.setattr(checks, "_REGISTRY", registry)
    register("not_black_at_bottom", Picture)(corners_are_paper)
    assert Registered("not_black_at_bottom", Picture, corners_are_paper) in registered()
    message = load_message(write_message({"id": "id: registry-test"}))  # rendered afresh
    manifest = build_pack(message, tmp_path / "pack", "poster:phone,receipt:58mm").manifest
    names = {a["path"]: [c["name"] for c in a["checks"]] for a in manifest["assets"]}
    # every asset with finished pixels got it, after the checks it already had; others did not
    assert names["poster/phone.png"][-1] == "not_black_at_bottom"
    assert names["receipt/58mm.png"] == ["qr_decodes", "not_black_at_bottom"]
    assert "not_black_at_bottom" not in names["receipt/58mm.bin"]
    assert sorted(seen) == ["poster/phone.png", "receipt/58mm.png"]
    # the dry check describes without pixels, so no pixel check runs there
    seen.clear()
    assert check_message(message, "poster:phone,receipt:58mm") == []
    assert seen == []


def test_dry_check_never_draws(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("xfpush check drew pixels")

    monkeypatch.setattr("xfpush.channels.templated.draw_plan", refuse)
    assert check_message(load_message(DEMO), "poster,sticker,tv,splash,social,screen") == []


def test_the_layout_checks_apply_to_every_template_drawn_asset(tmp_path: Path) -> None:
    pack = build_pack(load_message(DEMO), tmp_path / "pack",
                      "poster:a4,splash:1080x1920,sticker:label-60x40,social:weibo").path
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    drawn = [a for a in manifest["assets"] if a["media_type"] in ("image/png", "application/pdf")
             and not a["path"].endswith("-sheet.pdf")]
    for asset in drawn:
        names = {c["name"] for c in asset["checks"]}
        assert {"text_fit", "min_text_size", "safe_area"} <= names, asset["path"]
    page = next(a for a in manifest["assets"] if a["path"] == "poster/a4.pdf")
    assert [c["name"] for c in page["checks"]][-3:] == ["page_size", "pdfx", "qr_decodes"]


@pytest.mark.parametrize("name", ["qr_decodes", "safe_area", "min_text_size", "page_size",
                                  "charset", "loudness", "reserved_<zone>", "duration"])
def test_checks_by_what_an_asset_is_are_registered(name: str) -> None:
    list(CHANNELS.values())  # a channel's checks register when the channel loads
    assert name in {entry.name for entry in registered()}

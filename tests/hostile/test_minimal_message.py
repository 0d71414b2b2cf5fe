"""A message with only a title, a slogan and an issuer (no tips, no QR, no body) makes every
channel it can; no channel complains about an empty first tip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import STILL_CHANNELS
from xfpush import build_pack, load_message
from xfpush.cli import main
from xfpush.pack.build import check_message

MINIMAL = "id: mini\ntitle: 电动车不进楼 充电安全记心间\nslogan: 电动车不进楼入户\n" \
          "issuer: 某某区消防救援大队\n"
EMPTY_TIP = "连第一条“”"


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(MINIMAL, "utf-8")
    return path


def test_minimal_message_passes_check_on_every_still_channel(minimal: Path) -> None:
    problems = check_message(load_message(minimal), STILL_CHANNELS)
    assert problems == [], [str(p) for p in problems]


@pytest.mark.slow
@pytest.mark.parametrize("extra", ["", "body: 电动自行车进楼充电极易引发火灾，请在集中充电点充电。\n"])
def test_minimal_message_packs_every_still_channel(tmp_path: Path, minimal: Path,
                                                   extra: str) -> None:
    minimal.write_text(MINIMAL + extra, "utf-8")
    result = build_pack(load_message(minimal), tmp_path / "out", STILL_CHANNELS, workers=1)
    made = {asset["channel"] for asset in result.manifest["assets"]}
    assert made == set(STILL_CHANNELS.split(","))
    assert EMPTY_TIP not in json.dumps(result.manifest, ensure_ascii=False)


@pytest.mark.slow
def test_minimal_message_packs_everything_from_the_command_line(tmp_path: Path,
                                                                 minimal: Path) -> None:
    for command in (["check", str(minimal)], ["pack", str(minimal), "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        assert EMPTY_TIP not in result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert not manifest.get("failures")
    assert len({asset["channel"] for asset in manifest["assets"]}) >= 12

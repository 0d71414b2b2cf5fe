"""A pack renders its profiles concurrently, with the same bytes and order as one at a time."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from conftest import TOO_LONG_HEADLINE, pack_files
from xfpush import ChecksFailed, build_pack, load_message, render_assets
from xfpush.pack.build import map_in_order

# Every still channel but the print posters (the slowest to draw): enough to interleave.
CHANNELS = "poster:phone,sticker,tv,splash,social,screen,led,sms,receipt"


@pytest.mark.slow
def test_concurrent_and_one_at_a_time_write_the_same_bytes(tmp_path: Path, demo_path) -> None:
    message = load_message(demo_path)
    one = pack_files(build_pack(message, tmp_path / "one", CHANNELS, workers=1).path)
    many = pack_files(build_pack(message, tmp_path / "many", CHANNELS, workers=4).path)
    assert sorted(one) == sorted(many)
    assert [name for name in one if one[name] != many[name]] == []
    channels = [a["channel"] for a in json.loads(one["manifest.json"])["assets"]]
    assert list(dict.fromkeys(channels)) == [c.split(":")[0] for c in CHANNELS.split(",")]


@pytest.mark.parametrize("channels", ["sms,poster:phone,led", "poster:phone,led,sms"])
def test_every_failure_is_listed_in_selection_order(write_message, channels) -> None:
    # a 50-character title and a 40-character slogan: too long for the phone poster (the
    # slogan is its fallback headline), and SMS needs a second segment
    message = load_message(write_message(TOO_LONG_HEADLINE))
    with pytest.raises(ChecksFailed) as failed:
        render_assets(message, channels, workers=3)
    found = [(p.channel, p.profile, p.check) for p in failed.value.problems]
    expected = {"sms": ("sms", "standard", "segments"),
                "poster:phone": ("poster", "phone", "text_fit")}
    assert found == [expected[c] for c in channels.split(",") if c in expected]


def test_results_keep_the_order_of_the_items_whatever_finishes_first() -> None:
    second_done = threading.Event()

    def work(item: int) -> int:
        if item == 0:
            assert second_done.wait(30)  # item 0 finishes only after item 1
        if item == 1:
            second_done.set()
        return item * 10

    assert map_in_order(work, [0, 1, 2, 3], workers=2) == [0, 10, 20, 30]


def test_the_first_failing_item_in_order_is_raised() -> None:
    later_failed = threading.Event()

    def work(item: int) -> int:
        if item == 2:
            later_failed.set()
            raise ValueError("item 2")
        if item == 1:
            assert later_failed.wait(30)  # item 2 has failed before item 1 fails
            raise ValueError("item 1")
        return item

    with pytest.raises(ValueError, match="item 1"):
        map_in_order(work, [0, 1, 2, 3], workers=3)


def test_the_heaviest_items_start_first() -> None:
    started: list[int] = []
    both_heavy_running = threading.Barrier(2, timeout=30)

    def work(item: int) -> int:
        started.append(item)
        if item in (2, 3):
            both_heavy_running.wait()  # holds both threads: nothing else may start meanwhile
        return item

    assert map_in_order(work, [0, 1, 2, 3], workers=2, weights=[1, 1, 5, 9]) == [0, 1, 2, 3]
    assert sorted(started[:2]) == [2, 3]

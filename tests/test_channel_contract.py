"""The channel contract kit over every channel the loader finds, built-in or installed."""

from __future__ import annotations

import pytest

from xfpush.channels import CHANNELS
from xfpush.testing import assert_channel_contract

# Rendering these twice encodes speech or video, or a print PDF: a second or more per profile,
# so the kit renders only their first profile (the channels' own tests cover the others).
HEAVY = {"audio", "radio", "video", "poster", "banner", "rollup", "leaflet", "board"}


def _param(name: str) -> object:
    marks = [pytest.mark.slow] if name in HEAVY else []
    return pytest.param(name, marks=marks)


@pytest.mark.parametrize("name", [_param(n) for n in CHANNELS])
def test_every_channel_keeps_the_channel_contract(name: str, xfpush_demo_message) -> None:
    profiles = [next(iter(CHANNELS[name].profiles))] if name in HEAVY else None
    assert_channel_contract(name, xfpush_demo_message, profiles)

"""Rendered assets are reused only through an explicit cache, and only for identical inputs."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from PIL import Image

from xfpush import build_pack, load_message, render_assets
from xfpush.pack.cache import RenderCache

# A stand-in for a local speech program: a 440 Hz tone, 0.12 s per character it is given.
VOICE_SCRIPT = """import math, sys, wave
text = sys.stdin.read()
rate = 22050
count = int(rate * 0.12 * len(text))
out = wave.open(sys.argv[1], "wb")
out.setnchannels(1); out.setsampwidth(2); out.setframerate(rate)
out.writeframes(b"".join(int(8000 * math.sin(2 * math.pi * 440 * i / rate)).to_bytes(
    2, "little", signed=True) for i in range(count)))
"""


def local_voice(tmp_path: Path) -> str:
    """An ``XFPUSH_TTS_COMMAND`` running the stand-in speech program."""
    script = tmp_path / "voice.py"
    script.write_text(VOICE_SCRIPT, "utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{sys.executable} {script} {{wav}}"


def unlock_wav(pack: Path) -> tuple[str, dict]:
    """The unlock prompt's WAV (its hash, to keep failure messages short) and manifest entry."""
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    entry = next(a for a in manifest["assets"] if a["path"] == "audio/unlock.wav")
    return hashlib.sha256((pack / "audio/unlock.wav").read_bytes()).hexdigest(), entry


@pytest.mark.slow
def test_a_second_speech_engine_in_the_same_process_is_heard(tmp_path, demo_path,
                                                             monkeypatch) -> None:
    """espeak-ng, then a local program: each pack has its own engine's audio, cache or not."""
    message = load_message(demo_path)
    shared = RenderCache()
    monkeypatch.delenv("XFPUSH_TTS", raising=False)
    monkeypatch.delenv("XFPUSH_TTS_COMMAND", raising=False)
    espeak = build_pack(message, tmp_path / "espeak", "audio:unlock").path
    espeak_cached = build_pack(message, tmp_path / "espeak-c", "audio:unlock", cache=shared).path
    monkeypatch.setenv("XFPUSH_TTS", "command")
    monkeypatch.setenv("XFPUSH_TTS_COMMAND", local_voice(tmp_path))
    local = build_pack(message, tmp_path / "local", "audio:unlock").path
    local_cached = build_pack(message, tmp_path / "local-c", "audio:unlock", cache=shared).path
    assert unlock_wav(local)[0] != unlock_wav(espeak)[0]
    assert unlock_wav(local_cached)[0] == unlock_wav(local)[0]
    assert unlock_wav(espeak_cached)[0] == unlock_wav(espeak)[0]
    # the unlock script 电动车不进楼入户。 is 9 characters: 9 × 0.12 s from the stand-in, with
    # the prompt's 30 ms + 50 ms of silence round it
    assert unlock_wav(local)[1]["duration_s"] == pytest.approx(1.16, abs=0.01)
    assert unlock_wav(espeak)[1]["duration_s"] != pytest.approx(1.16, abs=0.01)
    assert shared.hits == 0 and shared.misses == 2


def test_without_a_cache_nothing_is_reused(demo_path, monkeypatch) -> None:
    """Two builds in one process both render: the second is not served from anywhere."""
    message = load_message(demo_path)
    calls: list[str] = []
    from xfpush.channels.sms import SMS

    original = type(SMS).render

    def counting(self, message, profile, fonts):  # type: ignore[no-untyped-def]
        calls.append(profile)
        return original(self, message, profile, fonts)

    monkeypatch.setattr(type(SMS), "render", counting)
    first = render_assets(message, "sms")
    second = render_assets(message, "sms")
    assert calls == ["standard", "standard"]
    assert [a.data for a in first] == [a.data for a in second]


def test_a_cache_serves_only_identical_inputs(tmp_path, write_message, monkeypatch) -> None:
    Image.new("RGB", (300, 300), "#0050A0").save(tmp_path / "logo.png")
    text = write_message().read_text("utf-8") + "logo: logo.png\n"
    message = load_message(write_message(text=text))
    cache = RenderCache()
    first = render_assets(message, "sms,poster:phone", cache=cache)
    again = render_assets(message, "sms,poster:phone", cache=cache)
    assert (cache.hits, cache.misses) == (2, 2)
    assert [a.data for a in again] == [a.data for a in first]
    monkeypatch.setenv("XFPUSH_TTS", "command")  # a speech setting: no reuse, even for SMS
    render_assets(message, "sms", cache=cache)
    assert (cache.hits, cache.misses) == (2, 3)
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 300), "#C8102E").save(logo)  # same name, new content
    # a later file time too: the drawing plan keeps decoded images by path and file time
    os.utime(logo, ns=(logo.stat().st_atime_ns, logo.stat().st_mtime_ns + 10**9))
    redrawn = render_assets(message, "poster:phone", cache=cache)
    assert (cache.hits, cache.misses) == (2, 4)
    poster = next(a for a in first if a.path == "poster/phone.png")
    assert redrawn[0].data != poster.data


def test_the_cache_is_bounded_by_bytes(demo_path) -> None:
    message = load_message(demo_path)
    cache = RenderCache(max_bytes=1)
    render_assets(message, "sms,led:strip-128x16", cache=cache)
    assert len(cache) == 1  # the newest entry is kept, older ones are evicted
    render_assets(message, "led:strip-128x16", cache=cache)
    assert cache.hits == 1

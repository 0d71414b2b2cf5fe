"""Recording spoken assets in the workbench: the script to read, takes checked and kept by
content hash, and a pack whose prompt is the person's voice, measured with soundfile and
pyloudnorm (not xfpush's own meter). Takes are made with ffmpeg as a browser makes them
(WebM/Opus from MediaRecorder)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from webtools import Browser, running
from xfpush.render.media import ffmpeg_exe

DEMO_FORM = {"id": "take-demo", "title": "电动车不进楼 充电安全记心间", "slogan": "电动车不进楼入户",
             "issuer": "某某区消防安全委员会办公室", "tips": ["不在楼道、楼梯间停放和充电"],
             "hotline_label": ["火警"], "hotline_number": ["119"]}


def take(path: Path, graph: str, codec: str = "libopus") -> bytes:
    """A take as a browser records it: a tone with silence before and after."""
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", graph,
                    "-c:a", codec, str(path)], check=True)
    return path.read_bytes()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("workbench")
    with running(data) as base:
        yield base, data


@pytest.fixture
def browser(workspace: tuple[str, Path]) -> Iterator[Browser]:
    client = Browser(workspace[0])
    yield client
    client.close()


def upload(browser: Browser, profile: str, data: bytes, name: str = "take"):
    return browser.post("/compose/take", {"profile": profile}, files={"take": (name, data)})


def test_compose_page_offers_a_recorder_per_spoken_profile(browser: Browser) -> None:
    page = browser.get("/compose?example=1").text
    for profile in ("unlock", "ride", "lock", "spot-15s", "spot-30s", "loop-60s", "loudspeaker"):
        assert f'data-record="{profile}"' in page and f'id="script-{profile}"' in page
        assert f'<label for="f-take-{profile}">' in page


@pytest.mark.slow  # the scripts are timed with synthesised speech
def test_scripts_to_read_follow_the_message(browser: Browser) -> None:
    html = browser.post("/compose/scripts", DEMO_FORM).text
    scripts = dict(re.findall(r'id="script-([a-z0-9-]+)" class="script" hx-swap-oob="true">'
                              r'([^<]*)</p>', html))
    assert scripts["unlock"] == "电动车不进楼入户。"
    assert scripts["loudspeaker"].count("火警请拨打119") == 3
    assert "不在楼道、楼梯间停放和充电" in scripts["spot-30s"]
    empty = browser.post("/compose/scripts", {"id": "x"}).text
    assert "script-unlock" not in empty and "填好标题" in empty


def test_a_take_is_checked_kept_by_hash_and_refused_when_not_audio(browser: Browser,
                                                                    tmp_path: Path) -> None:
    data = take(tmp_path / "t.webm", "sine=f=440:d=1.5,adelay=400,apad=pad_dur=0.5")
    ok = upload(browser, "unlock", data, "../../我的录音.webm")
    assert ok.status_code == 200 and ok.headers["hx-trigger-after-swap"] == "xf-changed"
    name = re.search(r'name="recording_unlock" value="([0-9a-f]{24}\.webm)"', ok.text)
    assert name, ok.text
    served = browser.get(f"/takes/{name.group(1)}")
    assert served.content == data and served.headers["content-type"] == "audio/webm"
    assert "不是可识别的录音格式" in upload(browser, "unlock", b"<html>not audio</html>").text
    silent = take(tmp_path / "s.wav", "anullsrc=r=16000:cl=mono:d=2", "pcm_s16le")
    refused = upload(browser, "lock", silent)
    assert "录音未能使用" in refused.text and "recording_lock" not in refused.text
    assert upload(browser, "nosuch", data).status_code == 422
    assert browser.get("/takes/..%2Fworkbench.sqlite").status_code == 404


@pytest.mark.slow
def test_a_pack_speaks_with_the_recorded_take(browser: Browser, tmp_path: Path) -> None:
    import pyloudnorm
    import soundfile

    data = take(tmp_path / "t.webm", "sine=f=330:d=2.0,adelay=600,apad=pad_dur=0.8")
    name = re.search(r'value="([0-9a-f]{24}\.webm)"', upload(browser, "unlock", data).text)
    assert name
    form = {**DEMO_FORM, "recording_unlock": name.group(1)}
    assert browser.post("/compose/save", form).status_code == 303
    job = browser.post(f"/m/{DEMO_FORM['id']}/generate", {"channel": ["audio"]})
    assert "完成" in browser.wait_job(job.text).text
    review = browser.get(f"/m/{DEMO_FORM['id']}/review").text
    pack_id = re.search(r"/packs/(\d+)/files/proof.html", review)
    assert pack_id, review
    archive = browser.get(f"/packs/{pack_id.group(1)}/download")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as pack:
        manifest_name = next(n for n in pack.namelist() if n.endswith("manifest.json"))
        manifest = json.loads(pack.read(manifest_name))
        entry = next(a for a in manifest["assets"] if a["path"] == "audio/unlock.wav")
        wav = pack.read(manifest_name.replace("manifest.json", "audio/unlock.wav"))
    assert entry["voice"] == "recording"
    samples, rate = soundfile.read(io.BytesIO(wav))
    loud = np.abs(samples) > 10 ** (-40 / 20)
    speech_s = (len(samples) - np.argmax(loud) - np.argmax(loud[::-1])) / rate
    assert 1.8 < speech_s < 2.2  # the tone, its silence trimmed
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(samples) - (-16)) < 0.5

"""Without the optional speech engine (the ``tts`` extra) everything else still works.

The engine is made missing for real: the child process finds an ``espeakng_loader`` that fails
to import, exactly as ``import espeakng_loader`` fails where the extra is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xfpush.model.loader import load_message
from xfpush.pack.proof import proof_html
from xfpush.resources import asset_path

DEMO = asset_path("examples", "demo.yaml")
SPOKEN = {("audio", p) for p in ("unlock", "ride", "lock")} | {
    ("radio", p) for p in ("spot-15s", "spot-30s", "loop-60s", "loudspeaker")}


@pytest.fixture
def without_tts(tmp_path: Path) -> dict[str, str]:
    """Environment of a child process in which the tts extra is not installed."""
    stub = tmp_path / "no-tts" / "espeakng_loader"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(
        'raise ImportError("No module named \'espeakng_loader\'")\n', "utf-8")
    path = os.pathsep.join(filter(None, [str(stub.parent), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "XFPUSH_TTS": "espeak-ng", "XFPUSH_DEBUG": ""}


def xfpush(*args: object, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xfpush", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=900)


def test_explicitly_asked_speech_without_engine_is_an_input_error(tmp_path, without_tts) -> None:
    result = xfpush("pack", DEMO, "-o", "out", "-c", "sms,audio:unlock", cwd=tmp_path,
                    env=without_tts)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output and "未安装语音引擎 espeak-ng" in output
    assert 'python -m pip install' in output and '[tts]"' in output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_check_without_engine_skips_speech_unless_asked_for(tmp_path, without_tts) -> None:
    result = xfpush("check", DEMO, "--json", cwd=tmp_path, env=without_tts)
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stderr
    assert report["ok"] is True and report["problems"] == []
    assert {(s["channel"], s["profile"]) for s in report["skipped"]} == SPOKEN
    plain = xfpush("check", DEMO, cwd=tmp_path, env=without_tts)
    assert plain.returncode == 0 and "检查通过" in plain.stdout
    assert "已跳过 audio（unlock、ride、lock）" in plain.stderr and '[tts]"' in plain.stderr
    asked = xfpush("check", DEMO, "-c", "radio:spot-15s", cwd=tmp_path, env=without_tts)
    assert asked.returncode == 2 and "未安装语音引擎" in asked.stderr
    assert "Traceback" not in plain.stderr + asked.stderr


@pytest.mark.slow
def test_demo_without_engine_builds_the_rest_and_says_what_was_skipped(tmp_path,
                                                                       without_tts) -> None:
    result = xfpush("demo", "-o", "demo", cwd=tmp_path, env=without_tts)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    assert "已跳过 audio（unlock、ride、lock）、radio（spot-15s、spot-30s、loop-60s、loudspeaker）" in output
    assert 'python -m pip install' in output and '[tts]"' in output

    pack = tmp_path / "demo"
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    skipped = {(s["channel"], s["profile"]) for s in manifest["skipped"]}
    assert skipped == SPOKEN
    assert all("espeak-ng" in s["reason"] and "[tts]" in s["fix"] for s in manifest["skipped"])
    built = {a["channel"] for a in manifest["assets"]}
    assert {"poster", "sticker", "led", "sms", "video", "tv", "receipt"} <= built
    assert not built & {"audio", "radio"}
    proof = (pack / "proof.html").read_text("utf-8")
    assert "已跳过 7 个规格" in proof and "audio:unlock" in proof and "radio:loop-60s" in proof
    assert xfpush("verify", pack, cwd=tmp_path, env=without_tts).returncode == 0


def test_proof_page_lists_skipped_profiles_with_the_fix() -> None:
    manifest = {"xfpush_version": "0", "message": {"sha256": "0" * 64}, "assets": [],
                "skipped": [{"channel": "audio", "profile": "ride", "reason": "未安装<语音>",
                             "fix": 'python -m pip install "xfpush[tts]"'}]}
    page = proof_html(load_message(DEMO), manifest)
    assert "已跳过 1 个规格" in page and "audio:ride" in page and "未安装&lt;语音&gt;" in page
    assert "python -m pip install &quot;xfpush[tts]&quot;" in page
    del manifest["skipped"]
    assert "已跳过" not in proof_html(load_message(DEMO), manifest)

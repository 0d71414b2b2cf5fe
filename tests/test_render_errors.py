"""Encoder failures (ffmpeg, the speech program) end as RenderError: exit 1, a Chinese line naming
channel and profile and the tool's own last words, nothing written, no traceback.

The failures are real: ``IMAGEIO_FFMPEG_EXE`` and ``XFPUSH_TTS_COMMAND`` point at small
programs that fail the way a broken encoder does.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from xfpush.resources import asset_path

DEMO = asset_path("examples", "demo.yaml")

FAILING_FFMPEG = """
import sys
sys.stdin.buffer.read(1)
sys.stderr.write("[libx264 @ 0x1] broken pipe ahead\\nUnknown encoder 'libx264'\\n")
sys.exit(1)
"""

FAKE_VOICE = """
import math, struct, sys, wave
sys.stdin.read()
with wave.open(sys.argv[1], "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(16000)
    out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8)))
                             for i in range(8000)))
"""

FAILING_VOICE = """
import sys
sys.stderr.write("loading voice\\nmodel zh_CN.onnx not found\\n")
sys.exit(3)
"""


def program(folder: Path, name: str, source: str) -> Path:
    """An executable Python script standing in for a real tool."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{source}", "utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def pack(tmp: Path, channels: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xfpush", "pack", str(DEMO), "-o", "out", "-c",
                           channels], cwd=tmp, capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "XFPUSH_DEBUG": "", **env}, timeout=600)


def assert_render_error(result: subprocess.CompletedProcess[str], tmp: Path,
                        expected: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output and output.startswith("错误："), output
    for part in expected:
        assert part in output, (part, output)
    assert not (tmp / "out").exists()


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="shebang scripts as programs")


@pytest.mark.slow
def test_ffmpeg_failing_while_encoding_video(tmp_path: Path) -> None:
    ffmpeg = program(tmp_path, "ffmpeg", FAILING_FFMPEG)
    # no speech program: the video keeps a silent track, so encoding is ffmpeg's first job
    result = pack(tmp_path, "video:horizontal", IMAGEIO_FFMPEG_EXE=str(ffmpeg),
                  XFPUSH_TTS="command", XFPUSH_TTS_COMMAND=f"{tmp_path / 'no-voice'} {{wav}}")
    assert_render_error(result, tmp_path, ["[video:horizontal]", "视频编码失败",
                                           "ffmpeg 最后的输出：Unknown encoder 'libx264'"])


def test_ffmpeg_failing_while_levelling_speech(tmp_path: Path) -> None:
    ffmpeg = program(tmp_path, "ffmpeg", FAILING_FFMPEG)
    voice = program(tmp_path, "voice", FAKE_VOICE)
    result = pack(tmp_path, "audio:unlock", IMAGEIO_FFMPEG_EXE=str(ffmpeg), XFPUSH_TTS="command",
                  XFPUSH_TTS_COMMAND=f"{voice} {{wav}}")
    assert_render_error(result, tmp_path, ["[audio:unlock]", "ffmpeg 处理失败（退出码 1）",
                                           "Unknown encoder 'libx264'"])


@pytest.mark.slow
def test_ffmpeg_that_cannot_start(tmp_path: Path) -> None:
    result = pack(tmp_path, "video:horizontal", IMAGEIO_FFMPEG_EXE=str(tmp_path / "no-ffmpeg"))
    assert_render_error(result, tmp_path, ["[video:horizontal]", "无法启动 ffmpeg", "不存在",
                                           "IMAGEIO_FFMPEG_EXE"])


def test_speech_program_failing(tmp_path: Path) -> None:
    voice = program(tmp_path, "voice", FAILING_VOICE)
    result = pack(tmp_path, "audio:unlock", XFPUSH_TTS="command",
                  XFPUSH_TTS_COMMAND=f"{voice} --out {{wav}}")
    assert_render_error(result, tmp_path, ["[audio:unlock]", "语音程序", "退出码 3",
                                           "model zh_CN.onnx not found"])


def test_speech_program_missing_is_a_setup_error(tmp_path: Path) -> None:
    result = pack(tmp_path, "radio:spot-15s", XFPUSH_TTS="command",
                  XFPUSH_TTS_COMMAND="no-such-voice-program {wav}")
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output and "无法启动语音程序 no-such-voice-program" in output
    assert "XFPUSH_TTS_COMMAND" in output and not (tmp_path / "out").exists()

"""Speech synthesis behind one small interface, so a better local voice plugs in by configuration.

Engines (chosen by the ``XFPUSH_TTS`` environment variable):

- ``espeak-ng`` (default): the espeak-ng 1.52 library and data shipped in the
  ``espeakng-loader`` wheel (``pip install "xfpush[tts]"``), Mandarin voice ``cmn``, driven
  each utterance in a fresh worker process (``espeak_worker``). GPL-3.0-or-later; an optional
  extra, never loaded into the xfpush process.
- ``command``: any program that reads text on stdin and writes a WAV file, given by
  ``XFPUSH_TTS_COMMAND`` with ``{wav}`` where the output path goes, e.g. a piper or
  sherpa-onnx model the user already has:
  ``piper --model zh_CN-huayan-medium.onnx --output_file {wav}``.
- ``tencent``: Tencent Cloud TTS over HTTPS (``cloud``), keys from the environment, answers
  cached by content hash.
- any other name: a plugin registered under the entry-point group ``xfpush.voices`` (a class
  or factory called without arguments, returning an object with ``name``, ``licence`` and
  ``synthesize(text) -> (int16 samples, rate)``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys
import tempfile
import wave
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import DependencyError, RenderError, last_line, os_reason
from ..resources import PluginPoint, Plugins
from .media import read_wav


class Voice(Protocol):
    """A speech engine: text in, mono int16 samples and their rate out."""

    @property
    def name(self) -> str: ...

    @property
    def licence(self) -> str: ...

    def synthesize(self, text: str) -> tuple[np.ndarray, int]: ...

VOICE_GROUP = "xfpush.voices"
BUILTIN_VOICES = ("espeak-ng", "command", "tencent")

_ENGINE_MISSING = 3
"""Exit code of ``espeak_worker`` when espeak-ng cannot be loaded or started."""


class EspeakVoice:
    """espeak-ng, each utterance spoken by a fresh worker process (see ``espeak_worker``).

    The library keeps state between utterances, so in one long-lived process the same text
    would not give the same samples twice; a process per utterance (a few tens of ms) keeps
    every pack byte-identical and lets utterances of concurrent renders run in parallel.
    """

    name = "espeak-ng cmn"
    licence = "GPL-3.0-or-later (espeak-ng 1.52, via the espeakng-loader wheel)"

    def __init__(self, words_per_minute: int = 175) -> None:
        if importlib.util.find_spec("espeakng_loader") is None:
            raise DependencyError("未安装语音引擎 espeak-ng（可选组件 tts，GPL-3.0），"
                                  "也可用 XFPUSH_TTS=command 指定本地语音程序",
                                  fix=install_hint())
        self.words_per_minute = words_per_minute

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        rate, samples = _espeak(text, self.words_per_minute)
        return np.frombuffer(samples, dtype=np.int16).copy(), rate


@lru_cache(maxsize=128)
def _espeak(text: str, words_per_minute: int) -> tuple[int, bytes]:
    """(rate, samples) from a fresh worker. Remembered: the same text at the same speed always
    gives the same samples, and channels speak a script more than once (measure, then level)."""
    worker = Path(__file__).with_name("espeak_worker.py")
    result = subprocess.run([sys.executable, str(worker), str(words_per_minute)],
                            input=text.encode("utf-8"), capture_output=True, check=False,
                            timeout=120)
    reason = last_line(result.stderr.decode("utf-8", "replace")) or str(result.returncode)
    if result.returncode == _ENGINE_MISSING:  # the worker could not load or start espeak-ng
        raise DependencyError(f"未安装语音引擎 espeak-ng，或它无法加载（{reason}）；"
                              "也可用 XFPUSH_TTS=command 指定本地语音程序", fix=install_hint())
    if result.returncode != 0 or len(result.stdout) < 6:
        raise RenderError(f"espeak-ng 合成失败（{reason}）：{text[:20]}", tool="espeak-ng")
    return int.from_bytes(result.stdout[:4], "little"), result.stdout[4:]


class CommandVoice:
    """An external program: text on stdin, a WAV file out."""

    licence = "由所配置的程序和模型决定"

    def __init__(self, command: str) -> None:
        if "{wav}" not in command:
            raise DependencyError("XFPUSH_TTS_COMMAND 必须包含 {wav}（输出 WAV 文件的位置）")
        self.command = command
        self.name = f"command: {shlex.split(command)[0]}"

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        with tempfile.TemporaryDirectory() as work:
            wav = Path(work) / "speech.wav"
            args = [part.replace("{wav}", str(wav)) for part in shlex.split(self.command)]
            result = self._run(args, text)
            if result.returncode != 0 or not wav.is_file():
                raise RenderError(f"语音程序 {args[0]} 失败（退出码 {result.returncode}）",
                                  tool=args[0], said=last_line(result.stderr))
            try:
                samples, rate, channels = read_wav(wav.read_bytes())
            except (wave.Error, EOFError) as exc:
                raise RenderError(f"语音程序 {args[0]} 写出的不是 16 位 PCM WAV：{exc}",
                                  tool=args[0]) from exc
        if channels != 1:
            samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
        return samples, rate

    @staticmethod
    def _run(args: list[str], text: str) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(args, input=text.encode("utf-8"), capture_output=True,
                                  check=False, timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"语音程序 {args[0]} 120 秒内没有完成", tool=args[0],
                              said=last_line(exc.stderr or b"")) from exc
        except OSError as exc:
            raise DependencyError(f"无法启动语音程序 {args[0]}（{os_reason(exc)}），"
                                  "请检查 XFPUSH_TTS_COMMAND") from exc


def install_hint() -> str:
    """The one command that adds the speech engine to the environment xfpush runs in."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        origin = json.loads(distribution("xfpush").read_text("direct_url.json") or "{}")
    except (PackageNotFoundError, ValueError):
        origin = {}
    if isinstance(origin, dict) and "dir_info" in origin:  # installed from a source checkout
        editable = "-e " if origin["dir_info"].get("editable") else ""
        return f'python -m pip install {editable}".[tts]"（在 xfpush 源码根目录运行）'
    return 'python -m pip install "xfpush[tts]"'


def command_voice() -> CommandVoice:
    """The ``command`` engine, from ``XFPUSH_TTS_COMMAND``."""
    return CommandVoice(os.environ.get("XFPUSH_TTS_COMMAND", ""))


def _voice_problem(target: Any, point: PluginPoint) -> str | None:
    if not callable(target):
        return "应指向一个语音类或无参数的工厂函数，返回带 name、licence 和 synthesize(text) 的对象"
    return None


VOICES = Plugins(VOICE_GROUP, "语音引擎", _voice_problem, reserved=BUILTIN_VOICES,
                 order=BUILTIN_VOICES)
"""Speech engines by name: the built-ins and any registered under ``xfpush.voices``."""


def voice() -> Voice:
    """The configured engine (``XFPUSH_TTS``), one object per configuration."""
    engine = os.environ.get("XFPUSH_TTS", "espeak-ng")
    settings = tuple(sorted((key, value) for key, value in os.environ.items()
                            if key.startswith(("XFPUSH_", "TENCENTCLOUD_"))))
    return _voice(engine, settings)


@cache
def _voice(engine: str, settings: tuple[tuple[str, str], ...]) -> Voice:
    """``settings`` is only the cache key: an engine reads its own settings when made."""
    if engine not in VOICES:
        raise DependencyError(f"不认识的语音引擎 XFPUSH_TTS={engine}"
                              f"（可用 {'、'.join(VOICES.names())}）")
    made: Voice = VOICES.load(engine)()
    return made

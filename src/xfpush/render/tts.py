"""Speech synthesis behind one small interface, so a better local voice plugs in by configuration.

Engines (chosen by the ``XFPUSH_TTS`` environment variable):

- ``espeak-ng`` (default): the espeak-ng 1.52 library and data shipped in the
  ``espeakng-loader`` wheel (``pip install "xfpush[tts]"``), Mandarin voice ``cmn``, driven
  through ctypes. GPL-3.0-or-later; it is an optional extra, never imported otherwise.
- ``command``: any program that reads text on stdin and writes a WAV file, given by
  ``XFPUSH_TTS_COMMAND`` with ``{wav}`` where the output path goes, e.g. a piper or
  sherpa-onnx model the user already has:
  ``piper --model zh_CN-huayan-medium.onnx --output_file {wav}``.
"""

from __future__ import annotations

import ctypes
import json
import os
import shlex
import subprocess
import tempfile
import threading
import wave
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import DependencyError, RenderError, last_line, os_reason
from .media import read_wav


class Voice(Protocol):
    """A speech engine: text in, mono int16 samples and their rate out."""

    @property
    def name(self) -> str: ...

    @property
    def licence(self) -> str: ...

    def synthesize(self, text: str) -> tuple[np.ndarray, int]: ...


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.c_void_p)
_SYNCHRONOUS, _POS_CHARACTER, _CHARS_UTF8, _RATE = 2, 1, 1, 1


class EspeakVoice:
    """espeak-ng through ctypes; one process-wide instance (the library is not re-entrant)."""

    name = "espeak-ng cmn"
    licence = "GPL-3.0-or-later (espeak-ng 1.52, via the espeakng-loader wheel)"

    def __init__(self, words_per_minute: int = 175) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:
            raise DependencyError("未安装语音引擎 espeak-ng（可选组件 tts，GPL-3.0），"
                                  "也可用 XFPUSH_TTS=command 指定本地语音程序",
                                  fix=install_hint()) from exc
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                                ctypes.c_int]
        self._lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint,
                                           ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                           ctypes.c_void_p, ctypes.c_void_p]
        self.rate = self._lib.espeak_Initialize(
            _SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if self.rate <= 0 or self._lib.espeak_SetVoiceByName(b"cmn") != 0:
            raise DependencyError("espeak-ng 初始化失败（找不到 cmn 普通话语音）", fix=install_hint())
        self._lib.espeak_SetParameter(_RATE, words_per_minute, 0)
        self._chunks: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)
        self._lib.espeak_SetSynthCallback(self._callback)
        self._lock = threading.Lock()

    def _collect(self, samples: ctypes.Array[ctypes.c_short], count: int, _events: object) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        data = text.encode("utf-8")
        with self._lock:
            self._chunks = []
            status = self._lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0,
                                            _CHARS_UTF8, None, None)
            self._lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        if status != 0 or not chunks:
            raise RenderError(f"espeak-ng 合成失败（状态 {status}）：{text[:20]}", tool="espeak-ng")
        return np.concatenate(chunks).astype(np.int16), self.rate


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


def voice() -> Voice:
    """The configured engine (cached per configuration)."""
    engine = os.environ.get("XFPUSH_TTS", "espeak-ng")
    command = os.environ.get("XFPUSH_TTS_COMMAND", "")
    return _voice(engine, command)


@cache
def _voice(engine: str, command: str) -> Voice:
    if engine == "espeak-ng":
        return EspeakVoice()
    if engine == "command":
        return CommandVoice(command)
    raise DependencyError(f"不认识的语音引擎 XFPUSH_TTS={engine}（可用 espeak-ng、command）")

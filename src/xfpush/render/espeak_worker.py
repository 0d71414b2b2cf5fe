"""Speak one utterance with espeak-ng in this (fresh) process; run by ``tts.EspeakVoice``.

Reads UTF-8 text on stdin; writes the sample rate (4 bytes, little-endian) and then the mono
16-bit samples to stdout; exits 3 with a Chinese reason on stderr when espeak-ng cannot start.

espeak-ng keeps state between utterances in file-level variables (the pitch flutter phase,
filter memories), so the same text spoken twice in one process gives different samples, and
the audio of a pack would depend on what was spoken before it and in which thread order. One
process per utterance makes the samples a function of the text alone. Standalone on purpose:
it imports nothing from xfpush, so it starts in a few tens of milliseconds.

    python espeak_worker.py WORDS_PER_MINUTE < text > rate+samples
"""

from __future__ import annotations

import ctypes
import sys

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.c_void_p)
_SYNCHRONOUS, _POS_CHARACTER, _CHARS_UTF8, _RATE = 2, 1, 1, 1


def speak(text: bytes, words_per_minute: int) -> tuple[int, bytes]:
    """(sample rate, native-endian int16 samples) of ``text``; RuntimeError if espeak-ng fails."""
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
    if rate <= 0 or lib.espeak_SetVoiceByName(b"cmn") != 0:
        raise RuntimeError("espeak-ng 初始化失败（找不到 cmn 普通话语音）")
    lib.espeak_SetParameter(_RATE, words_per_minute, 0)
    chunks: list[bytes] = []

    def collect(samples: ctypes._Pointer[ctypes.c_short], count: int, _events: object) -> int:
        if count > 0:
            chunks.append(ctypes.string_at(samples, count * 2))
        return 0

    callback = _CALLBACK(collect)  # kept referenced until synthesis is over
    lib.espeak_SetSynthCallback(callback)
    status = lib.espeak_Synth(text, len(text) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
    lib.espeak_Synchronize()
    if status != 0 or not chunks:
        raise RuntimeError(f"espeak-ng 合成失败（状态 {status}）")
    return rate, b"".join(chunks)


def main() -> int:
    try:
        rate, samples = speak(sys.stdin.buffer.read(), int(sys.argv[1]))
    except (ImportError, OSError) as exc:  # espeak-ng is not installed or cannot load
        sys.stderr.write(f"{exc}\n")
        return 3
    except RuntimeError as exc:
        sys.stderr.write(f"{exc}\n")
        return 4
    sys.stdout.buffer.write(rate.to_bytes(4, "little") + samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())

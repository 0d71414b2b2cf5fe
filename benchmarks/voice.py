"""Speech engines: the real-time factor of each available engine, measured in the same run.

Real-time factor = seconds spent synthesising / seconds of speech produced (below 1: faster
than real time). Every sentence is synthesised fresh (xfpush's per-text caches are cleared),
and each engine speaks the same sentences, so the figures compare within one run.

Engines: espeak-ng when the ``tts`` extra is installed; ``command`` when ``XFPUSH_TTS_COMMAND``
is set. A character error rate needs an offline recogniser with its model weights (Whisper),
which do not install from PyPI alone; ``error_rate`` says so rather than guessing a figure.

    python benchmarks/voice.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from typing import Any

from xfpush.errors import XfpushError
from xfpush.render import tts
from xfpush.render.speech import normalize

SENTENCES = [
    "电动车不进楼入户。",
    "不在楼道、楼梯间、安全出口停放和充电。",
    "使用原厂充电器，充满即断电，充电时间不超过8小时。",
    "发现起火立即远离，火警请拨打119。",
]


def engines() -> dict[str, tts.Voice]:
    found: dict[str, tts.Voice] = {}
    with contextlib.suppress(XfpushError):
        found["espeak-ng"] = tts.EspeakVoice()
    command = os.environ.get("XFPUSH_TTS_COMMAND")
    if command:
        found["command"] = tts.CommandVoice(command)
    return found


def real_time_factor(engine: tts.Voice, rounds: int) -> dict[str, float]:
    spent = produced = 0.0
    for _ in range(rounds):
        for sentence in SENTENCES:
            tts._espeak.cache_clear()  # a cached result would measure nothing
            start = time.perf_counter()
            samples, rate = engine.synthesize(normalize(sentence))
            spent += time.perf_counter() - start
            produced += len(samples) / rate
    return {"synth_s": round(spent, 3), "speech_s": round(produced, 3),
            "real_time_factor": round(spent / produced, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    found = engines()
    report: dict[str, Any] = {"sentences": len(SENTENCES), "rounds": rounds,
                              "engines": {name: real_time_factor(engine, rounds)
                                          for name, engine in found.items()},
                              "error_rate": "未测：需要离线识别器及其模型权重（如 Whisper）"}
    if not found:
        report["note"] = "没有可用的语音引擎：pip install \".[tts]\" 或设置 XFPUSH_TTS_COMMAND"
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

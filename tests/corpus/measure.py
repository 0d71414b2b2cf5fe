"""The stress corpus read and measured: shared by tests/test_corpus.py and
benchmarks/typesetting.py.

Every message is set by every non-time channel; the figures are the share of profiles whose
assets were produced with every check passing, the share of tips shown, and the line breaks
that fall inside a word — read from each asset's ``layout`` (what the manifest lists) and
judged by the Python jieba, an independent segmenter (xfpush itself breaks lines with rjieba
and its fire-safety dictionary).
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jieba
import yaml

from xfpush.channels import select
from xfpush.channels.checks import run_checks
from xfpush.errors import TextFitError
from xfpush.model.loader import message_from_dict
from xfpush.model.message import Message
from xfpush.pack.build import prepare_fonts
from xfpush.typeset.text import LaidText

jieba.setLogLevel(60)

CORPUS = Path(__file__).with_name("messages.yaml")
CHANNELS = "poster,sticker,tv,splash,social,screen,led,sms,receipt,banner,rollup,leaflet,board"
"""Every channel that is not time-based (audio, radio and video are measured elsewhere)."""
PROMINENT = ("title", "slogan", "cta")
"""Fields whose lines must never break inside a word (with the variants that stand for them)."""
_SHOWN = re.compile(r"显示 (\d+)/(\d+) 条")


def corpus_messages(path: Path = CORPUS) -> list[Message]:
    """The corpus messages, each with the corpus ``defaults`` under its own fields."""
    data = yaml.safe_load(path.read_text("utf-8"))
    return [message_from_dict({**data.get("defaults", {}), **raw}, base_dir=path.parent)
            for raw in data["messages"]]


def prominent(name: str) -> bool:
    return name in PROMINENT or name.startswith("variants.")


def breaks_inside_words(lines: list[str] | tuple[str, ...]) -> tuple[int, list[str]]:
    """(line breaks, the ones inside a jieba word as "前/后") of lines set from one text."""
    text = "".join(line.strip() for line in lines)
    offsets, position = set(), 0
    for line in lines[:-1]:
        position += len(line.strip())
        offsets.add(position)
    inside, start = [], 0
    for word in jieba.lcut(text, HMM=False):
        end = start + len(word)
        inside += [f"{word[: o - start]}/{word[o - start:]}" for o in sorted(offsets)
                   if start < o < end]
        start = end
    return len(offsets), inside


def merged(layout: tuple[LaidText, ...]) -> list[tuple[str, list[str]]]:
    """Layout entries with consecutive pages of one field joined (LED pages, subtitle cues)."""
    joined: list[tuple[str, list[str]]] = []
    for laid in layout:
        if joined and joined[-1][0] == laid.field:
            joined[-1][1].extend(laid.lines)
        else:
            joined.append((laid.field, list(laid.lines)))
    return joined


@dataclass
class Tally:
    """What one run over the corpus found."""

    profiles: int = 0
    produced: int = 0
    failures: list[str] = field(default_factory=list)
    tips_shown: int = 0
    tips_total: int = 0
    breaks: dict[str, list[int]] = field(
        default_factory=lambda: {"prominent": [0, 0], "other": [0, 0]})
    """kind → [breaks, inside words]."""
    inside: list[str] = field(default_factory=list)
    layout_s: dict[str, list[float]] = field(default_factory=dict)
    """channel → seconds per layout (``describe``: fitting and planning, no pixels)."""

    def add_layout(self, message: Message, where: str, layout: tuple[LaidText, ...]) -> None:
        for name, lines in merged(layout):
            count, inside = breaks_inside_words(lines)
            kind = "prominent" if prominent(name) else "other"
            self.breaks[kind][0] += count
            self.breaks[kind][1] += len(inside)
            self.inside += [f"{message.id} {where} {name}: {piece}" for piece in inside]

    def report(self, mode: str) -> dict[str, Any]:
        times = [t for values in self.layout_s.values() for t in values]
        kinds = {kind: {"breaks": b, "inside_words": i, "share": round(i / b, 4) if b else 0.0}
                 for kind, (b, i) in self.breaks.items()}
        total_b = sum(b for b, _ in self.breaks.values())
        total_i = sum(i for _, i in self.breaks.values())
        kinds["all"] = {"breaks": total_b, "inside_words": total_i,
                        "share": round(total_i / total_b, 4) if total_b else 0.0}
        return {
            "mode": mode, "profiles": self.profiles, "produced": self.produced,
            "produced_share": round(self.produced / self.profiles, 4) if self.profiles else 0.0,
            "failures": self.failures, "tips_shown": self.tips_shown,
            "tips_total": self.tips_total,
            "tips_share": round(self.tips_shown / self.tips_total, 4) if self.tips_total else 1.0,
            "breaks_inside_words": kinds, "inside_examples": self.inside[:20],
            "segmenter": f"jieba {jieba.__version__} (HMM off)",
            "layout_ms": {
                "median": round(statistics.median(times) * 1000, 2) if times else 0.0,
                "mean": round(statistics.fmean(times) * 1000, 2) if times else 0.0,
                "by_channel": {name: round(statistics.median(values) * 1000, 2)
                               for name, values in self.layout_s.items()}},
        }


def measure(messages: list[Message], render: bool = False, channels: str = CHANNELS) -> Tally:
    """Set every message with every selected profile; ``render`` also draws and encodes (so
    the checks that read pixels run too), else only the layouts and their dry checks."""
    tally = Tally()
    for message in messages:
        fonts = prepare_fonts(message)
        for channel, profile in select(channels):
            tally.profiles += 1
            where = f"{channel.name}:{profile}"
            try:
                start = time.perf_counter()
                assets = channel.describe(message, profile, fonts)
                tally.layout_s.setdefault(channel.name, []).append(time.perf_counter() - start)
                if render:
                    assets = channel.render(message, profile, fonts)
            except TextFitError as exc:
                tally.failures.append(f"{message.id} {where}: {exc}")
                continue
            checked = [run_checks(asset) for asset in assets]
            problems = [p for asset in checked for p in asset.problems()]
            if problems:
                tally.failures.append(f"{message.id} {where}: {problems[0].reason}")
                continue
            tally.produced += 1
            shown = {m.groups() for a in checked for c in a.checks if c.name == "tips_shown"
                     if (m := _SHOWN.search(c.detail))}
            for count, total in shown:
                tally.tips_shown += int(count)
                tally.tips_total += int(total)
            distinct = {tuple((laid.field, laid.lines) for laid in a.layout): a.layout
                        for a in checked if a.layout is not None}  # PDF and PNG set alike
            for layout in distinct.values():
                tally.add_layout(message, where, layout)
    return tally

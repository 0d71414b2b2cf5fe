"""The stress corpus (tests/corpus/messages.yaml) through every channel that is not time-based.

Goals from the typesetting issue: at least 98% of the profiles produced, the tips shown, no line
break inside a word (by the Python jieba) in titles, slogans and calls to action, at most 1% of
the breaks elsewhere. The dry run (layouts and their checks) is fast; the slow one also draws,
encodes and reads every QR back from the pixels. ``python benchmarks/typesetting.py`` prints the
same figures as JSON.
"""

from __future__ import annotations

import pytest

from corpus.measure import CHANNELS, Tally, corpus_messages, measure
from xfpush.channels import select


def assert_goals(tally: Tally) -> None:
    report = tally.report("test")
    assert report["profiles"] == len(corpus_messages()) * len(select(CHANNELS))
    assert report["produced_share"] >= 0.98, report["failures"]
    assert report["tips_share"] >= 0.95
    breaks = report["breaks_inside_words"]
    assert breaks["prominent"]["breaks"] > 300 and breaks["other"]["breaks"] > 200
    assert breaks["prominent"]["inside_words"] == 0, report["inside_examples"]
    assert breaks["other"]["share"] <= 0.01, report["inside_examples"]


def test_corpus_is_realistic() -> None:
    messages = corpus_messages()
    assert len(messages) >= 30
    assert {m.audience for m in messages} >= {"general", "elderly", "children", "students",
                                               "riders", "couriers", "businesses"}
    assert max(len(m.title.replace(" ", "")) for m in messages) >= 24
    assert {len(m.tips) for m in messages} >= {1, 8}
    assert any(" " in m.title for m in messages) and any(" " not in m.title for m in messages)


def test_corpus_layouts_meet_the_goals() -> None:
    assert_goals(measure(corpus_messages()))


@pytest.mark.slow
def test_corpus_assets_meet_the_goals_when_drawn_and_read_back() -> None:
    assert_goals(measure(corpus_messages(), render=True))

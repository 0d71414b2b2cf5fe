"""What a video shows and says, card by card, and for how long.

A video is a row of cards: the title card (also frame 0, so the cover a platform shows), one card
per tip, the end card with hotlines and QR code. Each card's words are shown, spoken and
subtitled from one script. A card is held fully on screen for the longest of: reading its words
at ``READ_CPS``, speaking them with a breath either side, a glance (``MIN_HOLD_S``), and for the
end card the time to raise a phone and scan (``END_HOLD_S``). Tips that would make the video
longer than the profile allows are left out from the last (tips come in priority order); a video
shorter than the profile's least length holds its cards longer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..model.message import Message
from ..render.layout import TemplateLayout
from ..render.plan import Plan
from ..render.templates import Template, field_text, load_template
from ..render.video import FPS, Shot, timeline
from ..typeset.fonts import FontSet
from ..typeset.text import LaidText, balanced_wrap, display_width

READ_CPS = 5.0
"""Reading speed a card is timed for (characters per second); the check allows MAX_CPS."""
MAX_CPS = 6.0
"""Fastest reading a viewer is asked for: more and a tip flashes by unread."""
FADE = 8
"""Frames of each cross-fade (0.32 s): text is not readable while it fades."""
MIN_HOLD_S = 2.0
END_HOLD_S = 3.0
SPEECH_LEAD_S = 0.15
"""Silence between a card settling and its voice starting."""
SPEECH_TAIL_S = 0.35
"""Silence after a card's voice before the next fade starts."""
CUE_LINES = 2
"""Most lines a subtitle cue shows."""
Cue = tuple[float, float, tuple[tuple[str, str], ...]]
"""(start, end, ((field, line), …)) of one subtitle."""
Speech = Callable[[str], float]
"""Seconds a text takes to speak."""
_NOT_READ = re.compile(r"[\s，。、；：！？“”‘’（）《》,.;:!?\"'()·—-]")


def reading_chars(text: str) -> int:
    """Characters a viewer reads: spaces and punctuation are not counted."""
    return len(_NOT_READ.sub("", text))


@dataclass(frozen=True)
class Card:
    """One screen of the video: its plan, what it says, and how long it is held."""

    kind: str
    """``title``, ``tip`` or ``end``."""
    plan: Plan
    script: tuple[tuple[str, str], ...]
    """(field, text) shown, spoken and subtitled on this card."""
    speech_s: float | None
    """Seconds its voice-over takes (None: no voice)."""
    hold: int = 0
    """Frames it is fully on screen (fades not counted)."""
    unspoken: tuple[str, ...] = ()
    """New text the card shows but does not say (the cover's slogan): read, so timed too."""

    @property
    def chars(self) -> int:
        """Characters new on this card that a viewer reads."""
        return sum(reading_chars(text) for text in (*(t for _, t in self.script),
                                                    *self.unspoken))

    def needed(self) -> int:
        """Frames this card needs to be read, spoken and (end card) scanned."""
        seconds = max(MIN_HOLD_S, self.chars / READ_CPS,
                      END_HOLD_S if self.kind == "end" else 0.0)
        if self.speech_s is not None:
            seconds = max(seconds, SPEECH_LEAD_S + self.speech_s + SPEECH_TAIL_S)
        return math.ceil(seconds * FPS)


@dataclass(frozen=True)
class Storyboard:
    """The cards in order with their holds; the timeline, cues and layout follow from it."""

    cards: tuple[Card, ...]
    tips_total: int
    """Tips the message has (the cards show the first ``tips_shown``)."""

    @property
    def frames(self) -> int:
        return sum(card.hold for card in self.cards) + FADE * (len(self.cards) - 1)

    @property
    def seconds(self) -> float:
        return self.frames / FPS

    @property
    def tips_shown(self) -> int:
        return sum(1 for card in self.cards if card.kind == "tip")

    def hold_starts(self) -> list[int]:
        """Frame at which each card is fully on screen."""
        starts, frame = [], 0
        for card in self.cards:
            starts.append(frame)
            frame += card.hold + FADE
        return starts

    def shots(self) -> list[Shot]:
        return timeline([card.hold for card in self.cards], FADE)

    def voice_lines(self) -> list[tuple[float, str]]:
        """(start second, text) of each card's voice-over."""
        return [(start / FPS + SPEECH_LEAD_S, "。".join(text for _, text in card.script))
                for start, card in zip(self.hold_starts(), self.cards, strict=True)
                if card.script]

    def cues(self, columns: int) -> list[Cue]:
        """Subtitles: each card's script from the middle of the fade that brings it in to the
        middle of the fade that takes it away, at most ``CUE_LINES`` lines to a cue."""
        edges = [0.0] + [(start - FADE / 2) / FPS for start in self.hold_starts()[1:]]
        edges.append(self.seconds)
        return [cue for index, card in enumerate(self.cards) if card.script
                for cue in window_cues(edges[index], edges[index + 1], card.script, columns)]

    def layout(self) -> tuple[LaidText, ...]:
        """Every text any card shows, once, in order of first appearance."""
        seen: dict[tuple[str, tuple[str, ...]], LaidText] = {}
        for card in self.cards:
            for laid in card.plan.layout:
                seen.setdefault((laid.field, laid.lines), laid)
        return tuple(seen.values())


def storyboard(message: Message, fonts: FontSet, template: str, size: tuple[int, int],
               span: tuple[float, float], speech: Speech | None,
               spread: bool = False) -> Storyboard:
    """The cards of one video between ``span`` (least, most seconds); ``spread``: time beyond
    what the cards need goes to every card (a spot of exact length), else to the end card."""
    title = _title_card(message, fonts, template, size, speech)
    end = _end_card(message, fonts, template, size, speech)
    tips = [_tip_card(message, fonts, template, size, index, speech)
            for index in range(len(message.tips))]
    count = len(tips)
    while count and _frames([title, *tips[:count], end]) > round(span[1] * FPS):
        count -= 1
    cards = [replace(card, hold=card.needed()) for card in (title, *tips[:count], end)]
    spare = max(0, round(span[0] * FPS) - _frames(cards))
    share = spare // len(cards) if spread else 0
    cards = [replace(card, hold=card.hold + share) for card in cards]
    cards[-1] = replace(cards[-1], hold=cards[-1].hold + spare - share * len(cards))
    return Storyboard(tuple(cards), len(message.tips))


def _frames(cards: Sequence[Card]) -> int:
    return sum(card.needed() for card in cards) + FADE * (len(cards) - 1)


def _spoken(speech: Speech | None, script: tuple[tuple[str, str], ...]) -> float | None:
    return None if speech is None else speech("。".join(text for _, text in script))


def _title_card(message: Message, fonts: FontSet, template: str, size: tuple[int, int],
                speech: Speech | None) -> Card:
    plan = TemplateLayout(message, fonts, load_template(template), size, stage=1).layout()
    used = plan.used_fields.get("标题", "title")
    script = ((used, field_text(message, used)),)
    unspoken = tuple(field_text(message, field) for name, field in plan.used_fields.items()
                     if name != "标题" and field not in ("campaign.name",)
                     and not field.startswith("text:"))
    return Card("title", plan, script, _spoken(speech, script), unspoken=unspoken)


def _tip_card(message: Message, fonts: FontSet, template: str, size: tuple[int, int],
              index: int, speech: Speech | None) -> Card:
    plan = TemplateLayout(message, fonts, one_tip(load_template(template), index), size,
                          stage=2).layout()
    script = ((f"tips[{index}]", message.tips[index]),)
    return Card("tip", plan, script, _spoken(speech, script))


def _end_card(message: Message, fonts: FontSet, template: str, size: tuple[int, int],
              speech: Speech | None) -> Card:
    plan = TemplateLayout(message, fonts, load_template(f"{template}-end"), size).layout()
    script = (("hotlines", " ".join(f"{label}{number}" for label, number in message.hotlines)),)
    return Card("end", plan, script, _spoken(speech, script))


def one_tip(template: Template, index: int) -> Template:
    """The template with its tips block showing only tip ``index``."""
    blocks = tuple(replace(block, first=index, count=1) if block.type == "tips" else block
                   for block in template.blocks)
    return replace(template, blocks=blocks)


def window_cues(start: float, end: float, texts: Sequence[tuple[str, str]],
                columns: int) -> list[Cue]:
    """The texts broken at word boundaries into even lines, at most ``CUE_LINES`` to a cue, the
    cues sharing the window by the characters they show."""
    lines = [(field, line) for field, text in texts if text
             for line in balanced_wrap(text, columns, display_width)]
    count = math.ceil(len(lines) / CUE_LINES)
    sizes = [len(lines) // count + (1 if index < len(lines) % count else 0)
             for index in range(count)]
    groups, first = [], 0
    for size in sizes:
        groups.append(tuple(lines[first:first + size]))
        first += size
    weights = [max(1, sum(reading_chars(line) for _, line in group)) for group in groups]
    cues, clock = [], start
    for index, group in enumerate(groups):
        until = end if index == len(groups) - 1 else \
            round(clock + (end - start) * weights[index] / sum(weights), 3)
        cues.append((clock, until, group))
        clock = until
    return cues

"""Which pictograms a message shows: the catalogue of bundled icons, and picking by topic.

The catalogue (``assets/icons/catalogue.toml``) names every icon with its Chinese label, the
keywords that make it fit a message and the audiences it suits. A message may name its icons
(``icons: [ebike-charging, sign-fire-phone]``); without that they are picked here from its
wording and audience, so every channel shows the same icons in the same order.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache

from ..resources import asset_path
from .message import Message

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIRE_PHONE = "sign-fire-phone"
"""Added to picked icons when the message lists 119, so the fire number has its sign."""
PHONE = "phone-119"
"""The plain phone pictogram, left out of picked icons when the fire-phone sign is there."""
FALLBACK = ("extinguisher", "smoke-alarm")
"""Picked when nothing in the message names a topic: the two things every home should have."""
TOPIC_FIELDS = ("title", "slogan", "body")
"""Fields read for keywords, in priority order (then the tips)."""


@dataclass(frozen=True)
class IconInfo:
    name: str
    label: str
    """Chinese name shown under the icon and on the proof page."""
    keywords: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()


@cache
def catalogue() -> dict[str, IconInfo]:
    """Every bundled icon by name, in catalogue order."""
    data = tomllib.loads(asset_path("icons", "catalogue.toml").read_text("utf-8"))
    return {name: IconInfo(name, str(entry["label"]), tuple(entry.get("keywords", ())),
                           tuple(entry.get("audiences", ())))
            for name, entry in data.items()}


def icon_names() -> tuple[str, ...]:
    return tuple(catalogue())


def icon_label(name: str) -> str:
    return catalogue()[name].label


def chosen_icons(message: Message) -> tuple[tuple[str, ...], str]:
    """(icons in order, ``message`` or ``topic``): the message's own, else picked by topic."""
    if message.icons is not None:
        return message.icons, "message"
    return pick_icons(message), "topic"


def pick_icons(message: Message) -> tuple[str, ...]:
    """Icons whose keywords the message uses (earliest mention first: title, slogan, body,
    tips), then those of its audience, then the fire-phone sign when 119 is a hotline."""
    texts = [getattr(message, name) for name in TOPIC_FIELDS] + list(message.tips)
    found: list[tuple[int, int, str]] = []
    for order, info in enumerate(catalogue().values()):
        hits = [(index, text.find(word)) for index, text in enumerate(texts)
                for word in info.keywords if word in text]
        if hits:
            field, position = min(hits)
            found.append((field * 1000 + position, order, info.name))
        elif message.audience in info.audiences:
            found.append((len(texts) * 1000, order, info.name))
    picked = [name for _, _, name in sorted(found)] or list(FALLBACK)
    if any(number == "119" for _, number in message.hotlines) and FIRE_PHONE not in picked:
        picked = [name for name in picked if name != PHONE]  # the sign says it the standard way
        picked.append(FIRE_PHONE)
    return tuple(picked)


def fit_icons(names: tuple[str, ...], room: int) -> tuple[str, ...]:
    """The first ``room`` icons in their order, keeping the fire-phone sign where it stands
    (last when picked by topic) if it is there."""
    if len(names) <= room:
        return names
    if room >= 2 and FIRE_PHONE in names:
        kept = {*[name for name in names if name != FIRE_PHONE][: room - 1], FIRE_PHONE}
        return tuple(name for name in names if name in kept)
    return names[:room]

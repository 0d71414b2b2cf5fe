"""Layouts as data: the TOML templates under ``assets/layouts/`` and what their keys mean.

A template is a list of ``[[blocks]]``. A new size of an existing medium is a profile that names
a template; a new composition is a new TOML file, not a new renderer. ``render.layout`` lays a
template out into a drawing plan; nothing here touches pixels.

Units. Boxes are fractions of the finished page (the trim: the canvas less any print bleed).
Lengths (text sizes, gaps, paddings, heights, radii) are in template units: by default a
fraction of the page's shorter side; a template with ``design = [1080, 1920]`` gives them in
pixels of that reference page instead, scaled by the largest factor at which the reference fits
the page (so an A4 page sets the text of a 1080×1920 design at its A4 height).

Block types:

- ``text``: the first of ``fields`` (message fields in priority order, e.g. ``["variants.led",
  "slogan", "title"]``, or ``"text:固定文字"``) that fits, at the largest size in ``size``
  ``[largest, smallest]``; when none fits, the block fails naming the text and how much to cut
  (``optional = true`` blocks are left out instead). Nothing is ever clipped.
- ``tips`` (the message's tips, first ones first; ``first = N`` starts at tip N) and ``list``
  (``items`` from ``assets/library.toml``): numbered or bulleted items at the largest shared size
  that fits, dropping the last items when even the smallest size is too big. ``lead = "body"``
  sets a paragraph before the items at the same size.
- ``hotlines``: label and number per hotline; ``style = "stack"`` (one row), ``"inline"`` (one
  line of text) or ``"grid"`` (as many columns as fit the numbers, ``label_size`` labels,
  optional ``divider`` lines between columns).
- ``qr`` (the message's link, module size at least what scans at the profile's dpi and
  viewing distance), ``image`` (``source = "logo"`` or ``"evacuation"``; in an ``across`` stack
  it is as tall as the stack), ``rect`` (a filled, optionally rounded box). Any block in a
  stack may have a ``width`` (a side column, a map beside the text).
- ``area = "safe"`` instead of a ``box``: the block fills the profile's safe area (a banner's
  hem margin, a roll-up's stand, a board's frame differ by size, so they are the profile's).
- ``part = [2, 3]`` on a ``tips`` block: the second of three near-equal parts of the tips, so a
  folded leaflet spreads them over its panels.
- ``icons``: a row of pictograms (``assets/icons/``): the message's ``icons``, or those picked
  by its topic; at most ``count``, each a square between ``size`` [largest, smallest] (template
  units), ``spacing`` apart, in ``color``; ``tile`` puts a disc of that colour behind each plain
  pictogram, ``label_size`` sets its Chinese name under it in ``label_color``;
  ``style = "column"`` stacks them instead (beside a text, in an ``across`` stack). Icons are dropped
  from the end (the fire-phone sign is kept) until the rest fit; a row with none that fits is
  left out. Icons give way to text: a page whose text had to be left out, or whose lists are
  set markedly smaller (``render.layout.ICON_GAIN``) than they would be without icons, is laid
  out without them.
- ``stack``: a vertical (``direction = "down"``) or horizontal (``"across"``) flow. Blocks join
  it with ``in = "<its name>"`` in file order and need no box: each is measured (text by its
  fitted lines, a QR by its side, ``height`` for rects and images) and placed after the one
  before, ``gap`` apart (``gap = [least, most]`` stretches to share spare room). One block may
  ``grow`` into the room the others leave; a stack with such a block fills its box and puts
  what is still spare before its last block (a footer stays at the bottom). Stacks nest.

Panels. Any block in a stack may sit on a panel: ``fill`` colour, ``border`` colour with
``border_width``, ``radius`` (more than half the height gives a pill), ``padding`` (one value,
``[vertical, horizontal]`` or ``[top, right, bottom, left]``), ``hug = true`` to shrink the panel
to the text, ``bleed = true`` to run it across the whole canvas and off the page edge it touches.

Conditions and audiences. ``when = "qr"`` (or ``logo``, ``evacuation``, ``tips``, ``issuer``,
``!qr`` …) keeps a block only when the message has that. ``audience.elderly = {size = [..]}``
replaces any keys of a block for that audience, e.g. larger minimum sizes for the elderly.

The fit ladder. Every text block tries its fields in order (a variant, the field, a shorter
one), each reflowed and shrunk between its sizes; a field already shown by an earlier block is
not shown twice. A list drops its ``lead`` paragraph before it drops items, then drops items from
the last. No text is set below the medium's smallest size (raised for the elderly). When a page
had to leave something out, or squeeze a list well below its largest size, it is laid out once
more with every block's ``compact`` keys (``compact = {height = 200}``: a smaller title, a
smaller QR within its minimum module size, tighter gaps), and that layout is kept if it shows
more, or sets the lists markedly larger. Only when even the first item cannot be set does the
page fail, naming the field, the size limit, the room and how much to cut.

Colours: theme names (``primary``, ``accent``, ``ink``, ``paper``), derived ones (``shade``,
``tint``, ``muted``, ``faint``, ``body``, ``soft``, ``divider``, ``white``, ``black``) or
``#RRGGBB``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model.message import Message
from ..resources import asset_path
from .raster import mix

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BLOCK_TYPES = ("rect", "text", "tips", "list", "hotlines", "qr", "image", "icons", "stack")
DERIVED_COLOURS = ("shade", "tint", "muted", "faint", "body", "soft", "divider", "white", "black")
THEME_COLOURS = ("primary", "accent", "ink", "paper")
CONDITIONS = ("qr", "logo", "evacuation", "tips", "issuer")
CHOICES = {"align": ("left", "center", "right"), "valign": ("top", "middle", "bottom"),
           "direction": ("down", "across"), "style": ("stack", "inline", "grid", "column"),
           "source": ("logo", "evacuation"), "area": ("", "safe")}
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class Block:
    """One element of a template; unused keys keep their defaults."""

    type: str
    box: tuple[float, float, float, float] | None = None
    """Where the block goes, in fractions of the page; None for blocks in a stack."""
    fill: str = ""
    """Rect colour, or the panel behind a block in a stack ('' for none)."""
    radius: float = 0.0
    fields: tuple[str, ...] = ()
    size: tuple[float, float] = (0.08, 0.04)
    """Largest and smallest text size, in template units."""
    bold: bool = False
    color: str = "ink"
    align: str = "left"
    valign: str = "top"
    max_lines: int | None = None
    balanced: bool = True
    line_height: float = 1.3
    optional: bool = False
    count: int = 3
    """Most items a tips/list/hotlines block shows."""
    first: int = 0
    """Index of the first tip a tips block shows (a video card shows one tip at a time)."""
    label_color: str = "ink"
    when: str | None = None
    items: str | None = None
    style: str = "stack"
    source: str = "logo"
    what: str = "文字"
    """How errors and checks name the block (in Chinese)."""
    stage: int = 0
    """Animation stage at which the block appears (video title cards)."""
    until: int = 99
    """Last animation stage that shows the block (a cover's line the tip cards replace)."""
    name: str = ""
    """A stack's name, for blocks joining it with ``in``."""
    in_: str = ""
    """The stack this block flows in (TOML key ``in``)."""
    direction: str = "down"
    gap: tuple[float, float] = (0.0, 0.0)
    """Space before the block in its stack: at least, at most (template units)."""
    padding: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """Panel padding: top, right, bottom, left (template units)."""
    grow: bool = False
    height: float | None = None
    """Height in a stack (template units): exact for rects and images, at most for text."""
    width: float | None = None
    """Width in a stack (template units), at most: a side column, a map beside the text."""
    area: str = ""
    """``safe``: a block without a box fills the profile's safe area."""
    part: tuple[int, int] = (1, 1)
    """(which, of how many): the share of the tips a ``tips`` block shows."""
    hug: bool = False
    bleed: bool = False
    border: str = ""
    border_width: float = 0.0
    label_size: float | None = None
    divider: str = ""
    spacing: float = 0.0
    """Space between the icons of an ``icons`` row (template units)."""
    tile: str = ""
    """Colour of the disc behind each plain pictogram of an ``icons`` row ('' for none)."""
    lead: str = ""
    audience: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Keys replaced for one audience (``audience.elderly = {size = [..]}``)."""
    compact: Mapping[str, Any] = field(default_factory=dict)
    """Keys replaced when the page is laid out again to make room (``compact = {height = ..}``)."""

    def adapted(self, audience: str, compact: bool = False) -> Block:
        """The block for this audience, and with its ``compact`` keys when room is short.

        An audience may bring its own compact keys: ``audience.elderly = {compact = {..}}``.
        """
        block = replace(self, **self.audience[audience]) if audience in self.audience else self
        return replace(block, **block.compact) if compact and block.compact else block


@dataclass(frozen=True)
class Template:
    """A named composition for one aspect ratio."""

    name: str
    description: str
    background: str
    blocks: tuple[Block, ...]
    design: tuple[float, float] = (1.0, 1.0)
    """Reference page that template units are pixels of; (1, 1): fractions of the shorter side."""

    def children(self, stack: str) -> list[Block]:
        return [block for block in self.blocks if block.in_ == stack]

    @property
    def has_compact(self) -> bool:
        """Whether laying the page out again with ``compact`` keys could make more room."""
        return any(block.compact or any("compact" in changes for changes in
                                        block.audience.values()) for block in self.blocks)


_KEYS = {f.name for f in fields(Block)} - {"in_"} | {"in"}


@cache
def load_template(name: str) -> Template:
    """``assets/layouts/<name>.toml``, read once per process."""
    return read_template(asset_path("layouts", f"{name}.toml"))


def read_template(path: Path) -> Template:
    """Read a template file; a wrong key, colour or reference fails here, naming file and block."""
    name = path.stem
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"版式模板 {path} 无法读取：{exc}") from exc
    blocks: list[Block] = []
    for index, raw in enumerate(data.get("blocks", [])):
        where = f"版式模板 {path.name} 第 {index + 1} 个 block"
        block = _block(raw, where)
        stacks = {b.name for b in blocks if b.type == "stack"}
        if block.in_ and block.in_ not in stacks:
            raise InputError(f"{where}：in = \"{block.in_}\" 不是前面定义过的 stack")
        if block.box is None and not block.in_ and not block.area:
            raise InputError(f"{where}：缺少 box（不在 stack 里的 block 必须有 box 或 area）")
        blocks.append(block)
    design = tuple(float(v) for v in data.get("design", (1.0, 1.0)))
    background = str(data.get("background", "paper"))
    _check_colour(background, f"版式模板 {path.name} 的 background")
    if len(design) != 2 or min(design) <= 0:
        raise InputError(f"版式模板 {path.name}：design 应为 [宽, 高]")
    return Template(name, data.get("description", ""), background, tuple(blocks),
                    (design[0], design[1]))


def _block(raw: dict[str, Any], where: str) -> Block:
    if not isinstance(raw, dict):
        raise InputError(f"{where} 应是 [[blocks]] 表，实际是 {raw!r}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise InputError(f"{where}：不认识的键 {unknown[0]}，可用：{'、'.join(sorted(_KEYS))}")
    if raw.get("type") not in BLOCK_TYPES:
        raise InputError(f"{where}：type = \"{raw.get('type')}\" 不认识，可用 {'、'.join(BLOCK_TYPES)}")
    values = _values(raw, where)
    plain = _KEYS - {"audience", "compact", "in", "type"}
    for audience, changes in dict(raw.get("audience", {})).items():
        if not isinstance(changes, dict) or not set(changes) <= plain | {"compact"}:
            raise InputError(f"{where}：audience.{audience} 只能替换本 block 的普通键和 compact")
        label = f"{where} audience.{audience}"
        values.setdefault("audience", {})[audience] = {
            **_values(changes, label), **_compact(changes, plain, label)}
    values.update(_compact(raw, plain, where))
    return Block(**values)


def _compact(raw: dict[str, Any], plain: set[str], where: str) -> dict[str, Any]:
    """``{"compact": keys}`` from a block (or an audience of it), checked; {} if it has none."""
    if "compact" not in raw:
        return {}
    if not isinstance(raw["compact"], dict) or not set(raw["compact"]) <= plain:
        raise InputError(f"{where}：compact 只能替换本 block 的普通键")
    return {"compact": _values(raw["compact"], f"{where} compact")}


def _values(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Block keys from TOML, lengths turned into tuples; colours checked."""
    values = {("in_" if key == "in" else key): value for key, value in raw.items()
              if key not in ("audience", "compact")}
    try:
        if "box" in raw:
            values["box"] = tuple(float(v) for v in raw["box"])
            if len(values["box"]) != 4:
                raise ValueError("box")
        for key in ("fields", "size"):
            if key in raw:
                values[key] = tuple(float(v) for v in raw[key]) if key == "size" else \
                    tuple(str(v) for v in raw[key])
        if "gap" in raw:
            gap = raw["gap"] if isinstance(raw["gap"], list) else [raw["gap"]] * 2
            values["gap"] = (float(gap[0]), float(gap[-1]))
        if "padding" in raw:
            values["padding"] = _padding(raw["padding"])
        if "part" in raw:
            which, count = (int(v) for v in raw["part"])
            if not 1 <= which <= count:
                raise ValueError(f"part = [{which}, {count}]")
            values["part"] = (which, count)
    except (TypeError, ValueError, IndexError) as exc:
        raise InputError(f"{where}：数值格式不对（{exc}）") from exc
    if raw.get("when") and str(raw["when"]).lstrip("!") not in CONDITIONS:
        raise InputError(f"{where}：when = \"{raw['when']}\" 不认识，可用 {'、'.join(CONDITIONS)}")
    for key, allowed in CHOICES.items():
        if key in raw and raw[key] not in allowed:
            raise InputError(f"{where}：{key} = \"{raw[key]}\" 不认识，可用 {'、'.join(allowed)}")
    for key in ("fill", "color", "label_color", "border", "divider", "tile"):
        if raw.get(key):
            _check_colour(str(raw[key]), f"{where} 的 {key}")
    return values


def _padding(raw: Any) -> tuple[float, float, float, float]:
    values = [float(v) for v in (raw if isinstance(raw, list) else [raw])]
    if len(values) == 1:
        values *= 4
    elif len(values) == 2:
        values = [values[0], values[1], values[0], values[1]]
    elif len(values) != 4:
        raise ValueError("padding 应为 1、2 或 4 个数")
    return (values[0], values[1], values[2], values[3])


def _check_colour(name: str, where: str) -> None:
    if name in THEME_COLOURS or name in DERIVED_COLOURS or _HEX.fullmatch(name):
        return
    raise InputError(f"{where}：未知颜色“{name}”，可用 {'、'.join(THEME_COLOURS)}、"
                     f"{'、'.join(DERIVED_COLOURS)} 或 #RRGGBB")


@cache
def library() -> dict[str, Any]:
    """Fixed wording shared by layouts (e.g. general evacuation reminders)."""
    loaded: dict[str, Any] = tomllib.loads(asset_path("library.toml").read_text("utf-8"))
    return loaded


def field_text(message: Message, name: str) -> str:
    """The text of a message field by template name ('' when absent)."""
    if name.startswith("text:"):
        return name[5:]
    if name.startswith("variants."):
        value: Any = message.variants
        for part in name.split(".")[1:]:
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) else ""
    campaign, link = message.campaign, message.qr
    derived = {
        "campaign.name": campaign.name if campaign else "",
        "campaign.dates": campaign.dates_text if campaign else "",
        "qr.caption": link.caption if link else "",
        "qr.url": link.url if link else "",
    }
    if name in derived:
        return derived[name]
    if name == "hotline":
        label, number = message.hotlines[0]
        return f"{label}{number}"
    if name == "hotlines":
        return "  ".join(f"{label} {number}" for label, number in message.hotlines)
    value = getattr(message, name, "")
    return value if isinstance(value, str) else ""


def colour(name: str, theme: Mapping[str, str]) -> str:
    """A theme colour by name, a derived one (shade, tint, muted …) or a literal #RRGGBB."""
    if name.startswith("#"):
        return name
    if name in theme:
        return theme[name]
    primary, ink, paper = theme["primary"], theme["ink"], theme["paper"]
    derived = {"shade": (primary, "#000000", 0.35), "tint": (primary, paper, 0.92),
               "muted": (ink, paper, 0.35), "faint": (ink, paper, 0.45),
               "body": (ink, paper, 0.2), "soft": (paper, primary, 0.12),
               "divider": (primary, paper, 0.6), "white": ("#FFFFFF", "#FFFFFF", 0.0),
               "black": ("#000000", "#000000", 0.0)}
    base, other, amount = derived[name]
    return mix(base, other, amount)

"""The one checks registry: a check is a function registered once with the fact it reads.

Channels only render. Each asset they return carries *facts*: what is known about it that a
check needs (the drawing plan and the medium's limits, the finished pixels, the measured
loudness …). ``run_checks`` — applied by ``pack.build`` to every asset, rendered or only
described for ``xfpush check`` — runs, fact by fact in the asset's order, every check
registered for that kind of fact, in registration order, and drops the facts.

So a check applies by what an asset *is*: anything with finished pixels and a QR gets
``qr_decodes``, anything drawn from a plan gets the safe-area, text-size, reserved-zone and
QR-module checks, a print PDF its page size, text for a character set its charset check, audio
its loudness. A dry description carries only the facts known without pixels, so only those
checks run. The checks every medium shares are here; one that belongs to one medium is
registered the same way from that channel's module. A new check is one decorated function::

    @register("qr_decodes", Picture)
    def qr_decodes(fact: Picture, asset: Asset) -> Check | None: ...
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from PIL import Image

from ..render.media import Loudness
from ..render.pdf import MM_PER_INCH, bleed_box_mm
from ..render.pdfx import PDFX_VERSION, preflight
from ..render.plan import Box, Plan, outside, overlaps
from ..render.qr import decode_check, min_module_px
from ..typeset.text import charset_violations
from .base import Asset, Check

F = TypeVar("F")
Outcome = Check | Iterable[Check] | None
CheckFunction = Callable[[F, Asset], Outcome]


@dataclass(frozen=True)
class Registered:
    """One entry of the registry."""

    name: str
    """The check's name in manifests (``reserved_<zone>`` for a family of names)."""
    fact: type
    """The kind of fact it reads: it runs on every asset carrying one."""
    function: Callable[[Any, Asset], Outcome]


_REGISTRY: dict[tuple[type, str], Registered] = {}


def register(name: str, fact: type[F]) -> Callable[[CheckFunction[F]], CheckFunction[F]]:
    """Register ``function`` as check ``name`` of every asset carrying a ``fact``."""

    def add(function: CheckFunction[F]) -> CheckFunction[F]:
        _REGISTRY[(fact, name)] = Registered(name, fact, function)
        return function

    return add


def registered() -> list[Registered]:
    """Every registered check, in the order checks of one fact run."""
    return list(_REGISTRY.values())


def run_checks(asset: Asset) -> Asset:
    """The asset with every check that applies to its facts run, and the facts dropped."""
    checks: list[Check] = list(asset.checks)
    for fact in asset.facts:
        for entry in _REGISTRY.values():
            if isinstance(fact, entry.fact):
                outcome = entry.function(fact, asset)
                if isinstance(outcome, Check):
                    checks.append(outcome)
                elif outcome is not None:
                    checks.extend(outcome)
    # the manifest's icons are read off the plans, as the checks are
    plans = [fact.plan for fact in asset.facts if isinstance(fact, Layout)]
    if any(plan.icons for plan in plans):
        asset = replace(asset, **icons_of(plans))
    return replace(asset, checks=tuple(checks), facts=())


def icons_of(plans: Sequence[Plan]) -> dict[str, Any]:
    """The manifest's ``icons`` and ``icons_from`` of an asset drawn from these plans."""
    drawn = [plan for plan in plans if plan.icons]
    return {"icons": tuple(name for plan in drawn for name, *_ in plan.icons) or None,
            "icons_from": drawn[0].icons_from if drawn else None}


# -- images drawn from a plan --------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """An image laid out as a drawing plan, and the limits of its medium."""

    plan: Plan
    dpi: int | None
    """Print resolution; None for screens."""
    min_text_px: int
    """Smallest text on screens and labels."""
    min_text_mm: float | None = None
    """Smallest text on paper (em of a hanzi); used instead of pixels when set."""
    reserved: tuple[tuple[str, Box], ...] = ()
    """Zones the platform draws over, in fractions of the canvas."""
    note: str = ""
    """Why the limits are what they are, e.g. raised for the elderly."""


@register("text_fit", Layout)
def text_fit(fact: Layout, asset: Asset) -> Check:
    used = fact.plan.used_fields
    listed = "；所用文字：" + "、".join(f"{slot}={name}" for slot, name in used.items()) if used else ""
    left_out = fact.plan.omitted
    if left_out:
        return Check("text_fit", True, f"排入 {len(used)} 段文字，为留出版面省略了 "
                                       f"{len(left_out)} 段：{'、'.join(left_out)}" + listed)
    return Check("text_fit", True, f"全部 {len(used)} 段文字已排入版面" + listed)


@register("min_text_size", Layout)
def min_text_size(fact: Layout, asset: Asset) -> Check:
    smallest = fact.plan.min_text_px
    field = fact.plan.smallest_field
    which = f"（{field}）" if field else ""
    if fact.min_text_mm is not None and fact.dpi:
        size_mm = smallest * MM_PER_INCH / fact.dpi
        return Check("min_text_size", size_mm >= fact.min_text_mm,
                     f"最小文字 {size_mm:.1f} mm{which}，下限 {fact.min_text_mm:g} mm{fact.note}")
    return Check("min_text_size", smallest >= fact.min_text_px,
                 f"最小字号 {smallest}px{which}，下限 {fact.min_text_px}px{fact.note}")


@register("tips_shown", Layout)
def tips_shown(fact: Layout, asset: Asset) -> Check | None:
    plan = fact.plan
    if not plan.tips_total:
        return None
    body = "；正文已省略，留出版面给提示" if "body" in plan.omitted else ""
    return Check("tips_shown", plan.tips_shown >= 1,
                 f"显示 {plan.tips_shown}/{plan.tips_total} 条提示（按优先级）{body}")


@register("safe_area", Layout)
def safe_area(fact: Layout, asset: Asset) -> Check:
    boxes = fact.plan.content_boxes()
    stray = [label for label, box in boxes if outside(box, fact.plan.safe)]
    margin = min((edge_margin(box, fact.plan.safe) for _, box in boxes), default=0.0)
    if stray:
        return Check("safe_area", False, f"内容超出安全区：{stray[0]}（最多超出 {-margin:.0f}px）")
    return Check("safe_area", True, f"{len(boxes)} 个文字、二维码和图片框都在安全区内，"
                                    f"离安全区边缘最近 {margin:.0f}px")


def edge_margin(box: Box, area: Box) -> float:
    """The smallest distance from ``box`` to an edge of ``area`` (negative when it sticks out)."""
    return min(box[0] - area[0], box[1] - area[1], area[2] - box[2], area[3] - box[3])


@register("reserved_<zone>", Layout)
def reserved_zones(fact: Layout, asset: Asset) -> list[Check]:
    checks = []
    for zone_name, zone in fact.reserved:
        left, top, right, bottom = fraction_box(zone, fact.plan.canvas)
        hits = [label for label, box in fact.plan.content_boxes()
                if overlaps(box, (left, top, right, bottom))]
        size = f"{zone_name} 区域（{right - left:.0f}×{bottom - top:.0f}px）"
        checks.append(Check(f"reserved_{zone_name}", not hits,
                            f"{size}被 {len(hits)} 个内容框占用：{hits[0]}" if hits else
                            f"{size}留空，与之重叠的内容框 0 个"))
    return checks


@register("qr_module_size", Layout)
def qr_module_size(fact: Layout, asset: Asset) -> Check | None:
    if fact.plan.qr is None:
        return None
    matrix, module, _, _ = fact.plan.qr
    needed = min_module_px(fact.dpi)
    return Check("qr_module_size", module >= needed,
                 f"二维码 {matrix.modules}×{matrix.modules} 模块，每模块 {module}px（下限 "
                 f"{needed}px），静区 4 模块，纠错等级 {matrix.error_correction}")


def fraction_box(box: Box, size: tuple[int, int]) -> Box:
    return (box[0] * size[0], box[1] * size[1], box[2] * size[0], box[3] * size[1])


# -- print pages -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PrintPage:
    """A print PDF (the asset's bytes) whose BleedBox must be this trim plus bleed."""

    trim_mm: tuple[float, float]
    bleed_mm: float


@register("page_size", PrintPage)
def page_size(fact: PrintPage, asset: Asset) -> Check:
    page_w, page_h = bleed_box_mm(asset.data)
    (trim_w, trim_h), bleed = fact.trim_mm, fact.bleed_mm
    ok = abs(page_w - trim_w - 2 * bleed) < 0.2 and abs(page_h - trim_h - 2 * bleed) < 0.2
    return Check("page_size", ok, f"页面 {page_w:.1f}×{page_h:.1f} mm（成品 {trim_w:g}×"
                                  f"{trim_h:g} mm + 出血 {bleed:g} mm）")


@register("pdfx", PrintPage)
def pdfx(fact: PrintPage, asset: Asset) -> Check:
    problems = preflight(asset.data)
    if problems:
        return Check("pdfx", False, f"不符合 {PDFX_VERSION}：" + "；".join(problems))
    return Check("pdfx", True, f"{PDFX_VERSION}：CMYK（FOGRA39 输出意图），字体全部嵌入，无 RGB，"
                               "裁切框、出血框齐全")


# -- finished pixels -------------------------------------------------------------------------
@dataclass(frozen=True)
class Picture:
    """The finished pixels of an asset (after the medium's treatment), or a frame of it."""

    image: Image.Image
    qr_url: str | None = None
    """What a QR drawn in it must decode to; None when it shows no QR."""
    reserved: tuple[tuple[str, Box], ...] = ()
    """Zones that must stay one flat colour, in fractions of the image."""


@register("reserved_<zone>_pixels", Picture)
def reserved_pixels(fact: Picture, asset: Asset) -> list[Check]:
    checks = []
    for zone_name, zone in fact.reserved:
        left, top, right, bottom = (round(v) for v in fraction_box(zone, fact.image.size))
        extrema = fact.image.crop((left, top, right, bottom)).getextrema()
        bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
        flat = all(low == high for low, high in bands)
        spread = max(high - low for low, high in bands)
        checks.append(Check(f"reserved_{zone_name}_pixels", flat,
                            f"{zone_name} 区域 {right - left}×{bottom - top}px 像素"
                            f"{'纯色' if flat else '有内容'}（各通道最大差 {spread}）"))
    return checks


@register("qr_decodes", Picture)
def qr_decodes(fact: Picture, asset: Asset) -> Check | None:
    if fact.qr_url is None:
        return None
    return Check("qr_decodes", *decode_check(fact.image, fact.qr_url))


# -- text for a character set ----------------------------------------------------------------
@dataclass(frozen=True)
class Charset:
    """Texts that a device can only show within one character set."""

    texts: tuple[tuple[str, str], ...]
    """(label, text) pairs, e.g. ("节目 1", "电动车不进楼")."""
    charset: str
    consequence: str
    """What a reader sees for a character outside the set."""
    alternative: str = ""
    """A wider option to suggest after 换用常用字 (e.g. a GBK profile)."""


@register("charset", Charset)
def charset(fact: Charset, asset: Asset) -> list[Check]:
    name = fact.charset.upper()
    failed = []
    for label, text in fact.texts:
        for position, char in charset_violations(text, fact.charset):
            folded = unicodedata.normalize("NFKC", char)
            advice = (f"改写为“{folded}”" if folded != char and
                      not charset_violations(folded, fact.charset)
                      else f"换用常用字{fact.alternative}")
            failed.append(Check("charset", False,
                                f"{label} 第 {position + 1} 字“{char}”（U+{ord(char):04X}）不在 "
                                f"{name} 字符集内，{fact.consequence}；建议{advice}"))
    total = sum(len(text) for _, text in fact.texts)
    return failed or [Check("charset", True, f"全部 {total} 字都在 {name} 字符集内")]


# -- sound -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Level:
    """Loudness measured from the audio, and what the medium asks for."""

    measured: Loudness
    target_lufs: float
    peak_ceiling_dbtp: float = -1.0


@register("loudness", Level)
def loudness(fact: Level, asset: Asset) -> Check:
    measured, target, ceiling = fact.measured, fact.target_lufs, fact.peak_ceiling_dbtp
    ok = abs(measured.integrated_lufs - target) <= 0.5 and measured.true_peak_dbtp <= ceiling
    return Check("loudness", ok, f"响度 {measured.integrated_lufs:.1f} LUFS（目标 {target:g}±0.5），"
                                 f"真峰值 {measured.true_peak_dbtp:.1f} dBTP（上限 {ceiling:g}）")

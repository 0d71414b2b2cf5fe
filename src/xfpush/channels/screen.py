"""The ``screen`` channel: cinema pre-show and internet-café boot slides with escape guidance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image

from ..render.plan import Plan
from .base import Asset, Check
from .checks import register
from .templated import ImageProfile, TemplatedChannel

MIN_MAP_SHARE = 0.5  # the map must be at least half the screen high to be read from a seat

PROFILES: Mapping[str, ImageProfile] = {
    "boot-1080p": ImageProfile("boot-1080p", "网吧开机/电视开机画面 1920×1080，逃生路线图或通用逃生提示",
                               1920, 1080, "screen-boot", min_text_px=28),
    "dcp-flat": ImageProfile("dcp-flat", "影院映前 Flat 画幅 1998×1080（PNG 画面，可交影院制作 DCP）",
                             1998, 1080, "screen-boot", min_text_px=28),
}


class ScreenChannel(TemplatedChannel):
    """Boot and pre-show slides."""

    name = "screen"
    title = "开机/映前画面"
    profiles = PROFILES

    def layout_facts(self, plan: Plan, profile: ImageProfile,
                     audience: str = "general") -> tuple[object, ...]:
        return (*super().layout_facts(plan, profile, audience),
                Evacuation(plan, profile.min_text_px))


@dataclass(frozen=True)
class Evacuation:
    """A slide's plan: the escape map it shows, or the general reminders instead."""

    plan: Plan
    min_text_px: int


@register("evacuation", Evacuation)
def evacuation(fact: Evacuation, asset: Asset) -> Check:
    plan = fact.plan
    if not plan.images:
        reminders = sum(1 for t in plan.texts if t.size >= fact.min_text_px)
        return Check("evacuation", reminders > 0, f"未提供逃生路线图，已展示通用逃生提示 {reminders} 段")
    path, box = plan.images[-1]
    with Image.open(path) as source:
        scale = min((box[2] - box[0]) / source.width, (box[3] - box[1]) / source.height)
        shown = source.height * scale
    share = shown / plan.canvas[1]
    return Check("evacuation", share >= MIN_MAP_SHARE, f"逃生路线图显示高度 {shown:.0f}px，"
                                                       f"占画面 {share:.0%}（下限 {MIN_MAP_SHARE:.0%}）")


SCREEN = ScreenChannel()

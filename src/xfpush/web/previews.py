"""Live previews: the chosen channel profiles rendered with their checks, cached by content.

A preview is the channel's own ``render`` followed by the checks registry, exactly what a pack
holds, so the fit ladder's decisions (tips shown n/m, the text each slot used, the smallest
size, SMS segments) are the pack's. Images are kept in a small in-memory cache keyed by the
content hash of the message, so an unchanged preview is never drawn twice and its URL changes
whenever the message does. Rendering holds one lock: two cores, and the renderers' caches are
shared.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from ..channels import select
from ..channels.base import Check
from ..channels.checks import run_checks
from ..errors import XfpushError
from ..model.message import Message
from ..pack.build import prepare_fonts
from ..pack.cache import render_inputs

RENDER_LOCK = threading.Lock()
"""Held while any library renderer runs (previews and pack builds alike)."""
CHOICES = {
    "poster:phone": "手机海报", "sticker:label-60x40": "包裹贴纸 60×40", "led:strip-128x16": "LED 字幕屏",
    "sms:standard": "短信", "social:wechat-cover": "公众号封面", "social:post": "新媒体文案",
    "tv:banner-1080p": "电视横幅", "tv:ticker": "电视字幕", "splash:1080x1920": "开屏页",
    "receipt:58mm": "外卖小票 58 mm", "screen:boot-1080p": "开机画面", "poster:a4": "A4 海报",
}
DEFAULT = ("poster:phone", "sticker:label-60x40", "led:strip-128x16", "sms:standard")
KEY_CHECKS = ("tips_shown", "text_fit", "min_text_size", "segments", "charset", "length",
              "columns", "reading_speed")
_SHOWN_IMAGES = ("image/png", "image/gif", "image/jpeg")


@dataclass
class Preview:
    """One profile's preview: images (cache ids), texts, checks, or why it cannot be drawn."""

    spec: str
    title: str
    images: list[tuple[str, str]] = field(default_factory=list)
    """(cache id, file name)."""
    texts: list[tuple[str, str]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    problem: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problem and all(check.ok for check in self.checks)

    @property
    def decisions(self) -> list[Check]:
        """The fit ladder's decisions, first: what was kept, shrunk or dropped."""
        return [c for c in self.checks if c.name in KEY_CHECKS]

    @property
    def other_checks(self) -> list[Check]:
        return [c for c in self.checks if c.name not in KEY_CHECKS]


class ImageCache:
    """Rendered preview files by id, bounded by total bytes (oldest dropped first)."""

    def __init__(self, max_bytes: int = 96 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.items: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def put(self, ident: str, media_type: str, data: bytes) -> None:
        with self.lock:
            if ident in self.items:
                self.items.move_to_end(ident)
                return
            self.items[ident] = (media_type, data)
            self.size += len(data)
            while self.size > self.max_bytes and len(self.items) > 1:
                _, (_, dropped) = self.items.popitem(last=False)
                self.size -= len(dropped)

    def get(self, ident: str) -> tuple[str, bytes] | None:
        with self.lock:
            return self.items.get(ident)


class Previewer:
    """Renders previews, remembering the last result of each (message, profile)."""

    def __init__(self) -> None:
        self.images = ImageCache()
        self.results: OrderedDict[tuple[str, str], Preview] = OrderedDict()

    def render(self, message: Message, specs: list[str]) -> list[Preview]:
        key = render_inputs(message)
        return [self._one(message, key, spec) for spec in specs if spec in CHOICES]

    def _one(self, message: Message, key: str, spec: str) -> Preview:
        found = self.results.get((key, spec))
        if found is not None:
            self.results.move_to_end((key, spec))
            return found
        start = time.perf_counter()
        preview = Preview(spec, CHOICES[spec])
        try:
            with RENDER_LOCK:
                fonts = prepare_fonts(message)
                (channel, profile), = select(spec)
                assets = [run_checks(a) for a in channel.render(message, profile, fonts)]
        except XfpushError as exc:
            preview.problem = str(exc)
            assets = []
        for asset in assets:
            preview.checks += [c for c in asset.checks if c not in preview.checks]
            if asset.media_type in _SHOWN_IMAGES:
                ident = hashlib.sha256(f"{key}|{spec}|{asset.path}".encode()).hexdigest()[:32]
                self.images.put(ident, asset.media_type, asset.data)
                preview.images.append((ident, asset.path.rsplit("/", 1)[-1]))
            elif asset.media_type.startswith("text/plain") and asset.text is not None:
                preview.texts.append((asset.path.rsplit("/", 1)[-1], asset.text))
        preview.seconds = time.perf_counter() - start
        self.results[(key, spec)] = preview
        while len(self.results) > 256:
            self.results.popitem(last=False)
        return preview


def chosen(values: list[str]) -> list[str]:
    """The previews asked for, in the order of ``CHOICES``; the default set when none."""
    picked = [spec for spec in CHOICES if spec in values]
    return picked or list(DEFAULT)

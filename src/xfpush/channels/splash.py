"""The ``splash`` channel: app splash screens (开屏页) that leave the platform's zones free."""

from __future__ import annotations

from collections.abc import Mapping

from .templated import ImageProfile, TemplatedChannel

# Apps draw a skip button (and the status bar) top right and their own logo along the bottom.
SKIP_ZONE = ("skip_button", (0.72, 0.0, 1.0, 0.10))
LOGO_STRIP = ("logo_strip", (0.0, 0.84, 1.0, 1.0))
SAFE = (0.05, 0.03, 0.95, 0.835)


def _profile(width: int, height: int, summary: str) -> ImageProfile:
    return ImageProfile(f"{width}x{height}", summary, width, height, "splash", safe=SAFE,
                        reserved=(SKIP_ZONE, LOGO_STRIP), min_text_px=round(width * 0.03))


PROFILES: Mapping[str, ImageProfile] = {
    "1080x1920": _profile(1080, 1920, "开屏页 1080×1920（16:9 手机），右上跳过区与底部标志区留空"),
    "1242x2688": _profile(1242, 2688, "开屏页 1242×2688（全面屏），右上跳过区与底部标志区留空"),
    "2160x3840": _profile(2160, 3840, "开屏页 2160×3840（4K 竖屏/平板），右上跳过区与底部标志区留空"),
}


class SplashChannel(TemplatedChannel):
    """App splash screens."""

    name = "splash"
    title = "开屏页"
    profiles = PROFILES


SPLASH = SplashChannel()

"""xfpush: one fire-safety publicity message, every channel's assets (消防宣传物料一键生成).

The public API is loaded on first use, so ``import xfpush`` (and ``xfpush --help``) stays fast:
Pillow, numpy, ffmpeg helpers and the channels load only when a pack is built.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    ChecksFailed,
    GlyphError,
    InputError,
    MessageError,
    Problem,
    RenderError,
    TextFitError,
    XfpushError,
)

if TYPE_CHECKING:
    from .model.loader import load_message, message_from_dict
    from .model.message import Message
    from .pack.build import PackResult, build_pack, check_message, render_assets
    from .pack.manifest import verify_pack

_LAZY = {
    "Message": "model.message",
    "PackResult": "pack.build",
    "build_pack": "pack.build",
    "check_message": "pack.build",
    "load_message": "model.loader",
    "message_from_dict": "model.loader",
    "render_assets": "pack.build",
    "verify_pack": "pack.manifest",
}

__all__ = [
    "ChecksFailed",
    "GlyphError",
    "InputError",
    "Message",
    "MessageError",
    "PackResult",
    "Problem",
    "RenderError",
    "TextFitError",
    "XfpushError",
    "__version__",
    "build_pack",
    "check_message",
    "load_message",
    "message_from_dict",
    "render_assets",
    "verify_pack",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'xfpush' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

"""xfpush: one fire-safety publicity message, every channel's assets (消防宣传物料一键生成)."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (
    ChecksFailed,
    GlyphError,
    InputError,
    MessageError,
    Problem,
    TextFitError,
    XfpushError,
)
from .message import Message, load_message, message_from_dict
from .pack import PackResult, build_pack, check_message, render_assets, verify_pack

__all__ = [
    "ChecksFailed",
    "GlyphError",
    "InputError",
    "Message",
    "MessageError",
    "PackResult",
    "Problem",
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

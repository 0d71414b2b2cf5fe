"""Bounded reading of the files a person hands to xfpush, and bounded parsing of their text.

A file is read with a byte limit that does not trust ``stat``: at most ``limit + 1`` bytes are
read, whatever size the file system reports (``/proc`` files say 0, ``/dev/zero`` never ends).
Only regular files are read: folders, device files, FIFOs and sockets are refused without
blocking (a FIFO is opened non-blocking, then refused). Nesting in JSON and TOML text is
measured before parsing, so 50 000 ``[`` are a Chinese error rather than a RecursionError.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import os_reason

MAX_DEPTH = 32
"""Deepest nesting of lists and maps any xfpush input needs (a message needs 3)."""


class FileRefused(ValueError):
    """A file that is not read, with a Chinese reason (no path: the caller names the file)."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.too_large = too_large


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or ``FileRefused``."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        if Path(path).is_dir():
            raise FileRefused("这是一个文件夹，不是文件")
        descriptor = os.open(path, flags)
    except FileNotFoundError as exc:
        raise FileRefused("文件不存在") from exc
    except IsADirectoryError as exc:
        raise FileRefused("这是一个文件夹，不是文件") from exc
    except PermissionError as exc:
        raise FileRefused("没有读取权限") from exc
    except OSError as exc:
        raise FileRefused(f"无法打开（{_reason(exc)}）") from exc
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise FileRefused("这是一个文件夹，不是文件")
        if not stat.S_ISREG(mode):
            raise FileRefused(f"这不是普通文件（{_kind(mode)}），请给出保存在磁盘上的文件")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise FileRefused(f"读取失败（{_reason(exc)}）") from exc
    finally:
        os.close(descriptor)
    if total > limit:
        raise FileRefused(f"文件过大：超过上限 {_size(limit)}", too_large=True)
    return b"".join(chunks)


def check_regular(path: str | Path, limit: int) -> int:
    """Size of a regular file of at most ``limit`` bytes (for files a library reads itself,
    such as an XLSX), refused like ``read_bounded`` without reading it."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise FileRefused("文件不存在") from exc
    except OSError as exc:
        raise FileRefused(f"无法读取（{_reason(exc)}）") from exc
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused("这是一个文件夹，不是文件")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"这不是普通文件（{_kind(info.st_mode)}），请给出保存在磁盘上的文件")
    if info.st_size > limit:
        raise FileRefused(f"文件过大：{_size(info.st_size)}，上限 {_size(limit)}", too_large=True)
    return info.st_size


def nesting_depth(text: str, *, comments: str = "", literal_quote: str = "") -> int:
    """Deepest ``[``/``{`` nesting outside strings (JSON; TOML with ``#`` and ``'``)."""
    depth = deepest = 0
    quote = ""
    escaped = in_comment = False
    for char in text:
        if in_comment:
            in_comment = char != "\n"
        elif quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char == '"' or (literal_quote and char == literal_quote):
            quote = char
        elif comments and char in comments:
            in_comment = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def too_deep(depth: int) -> str:
    """The Chinese reason for nesting deeper than ``MAX_DEPTH``."""
    shown = f"超过 {MAX_DEPTH}" if depth > MAX_DEPTH else str(depth)
    return f"嵌套层数过深（{shown} 层，上限 {MAX_DEPTH} 层）：请检查括号是否多写或未闭合"


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISFIFO(mode):
        return "管道"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def _size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MB"
    return f"{count / 1024:.0f} KB"


def _reason(exc: OSError) -> str:
    return os_reason(exc)

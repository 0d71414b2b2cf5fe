"""A streaming ``multipart/form-data`` reader: parts go to files as they arrive, in bounded memory.

``read_parts(source, boundary, sinks)`` reads ``source`` (anything with ``read(n)``) chunk by
chunk and copies each part's data into ``sinks[name]`` (a writable binary file), refusing unknown,
repeated or oversized parts and part headers longer than 8 KiB.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.parser import HeaderParser
from typing import BinaryIO, Protocol

CHUNK = 64 * 1024
MAX_PART_HEADERS = 8 * 1024
BOUNDARY = re.compile(r"""boundary="?([0-9A-Za-z'()+_,./:=?-]{1,70})"?""")


class MultipartError(ValueError):
    """The body is not the multipart form it claims to be (message in Chinese)."""


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def boundary_of(content_type: str) -> str | None:
    """The boundary of a ``multipart/form-data`` content type, or None."""
    kind = content_type.split(";", 1)[0].strip().lower()
    found = BOUNDARY.search(content_type)
    return found.group(1) if kind == "multipart/form-data" and found else None


class _Stream:
    def __init__(self, source: Readable, prefix: bytes) -> None:
        self.source, self.buffer = source, bytearray(prefix)

    def more(self) -> None:
        chunk = self.source.read(CHUNK)
        if not chunk:
            raise MultipartError("正文在分段中途结束")
        self.buffer += chunk

    def peek(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self.more()
        return bytes(self.buffer[:size])

    def until(self, marker: bytes, limit: int) -> bytes:
        """Bytes before ``marker`` (consumed), at most ``limit`` of them."""
        while (index := self.buffer.find(marker)) < 0:
            if len(self.buffer) > limit + len(marker):
                raise MultipartError(f"分段头超过 {limit} 字节")
            self.more()
        if index > limit:
            raise MultipartError(f"分段头超过 {limit} 字节")
        data = bytes(self.buffer[:index])
        del self.buffer[:index + len(marker)]
        return data

    def copy_until(self, marker: bytes, sink: BinaryIO | None, limit: int) -> int:
        """Copy bytes before ``marker`` into ``sink`` (None: discard); how many were copied."""
        copied = 0
        while True:
            index = self.buffer.find(marker)
            end = index if index >= 0 else max(0, len(self.buffer) - len(marker) + 1)
            copied += end
            if copied > limit:
                raise MultipartError(f"分段超过 {limit} 字节")
            if sink is not None:
                sink.write(self.buffer[:end])
            del self.buffer[:end + (len(marker) if index >= 0 else 0)]
            if index >= 0:
                return copied
            self.more()


def read_parts(source: Readable, boundary: str, sinks: Mapping[str, BinaryIO],
               limits: Mapping[str, int]) -> set[str]:
    """Copy each named part into its sink; the names found (each at most once)."""
    delimiter = b"\r\n--" + boundary.encode("ascii")
    stream = _Stream(source, b"\r\n")
    stream.copy_until(delimiter, None, MAX_PART_HEADERS)  # the preamble
    found: set[str] = set()
    while True:
        if stream.peek(2) == b"--":
            return found
        stream.until(b"\r\n", 64)  # transport padding after the delimiter
        headers = stream.until(b"\r\n\r\n", MAX_PART_HEADERS).decode("utf-8", "replace")
        name = HeaderParser().parsestr(headers + "\r\n\r\n").get_param(
            "name", header="content-disposition")
        if not isinstance(name, str) or name not in sinks:
            raise MultipartError(f"不认识的分段 {str(name)[:40]!r}（只收 {'、'.join(sinks)}）")
        if name in found:
            raise MultipartError(f"分段 {name} 出现了两次")
        found.add(name)
        stream.copy_until(delimiter, sinks[name], limits[name])

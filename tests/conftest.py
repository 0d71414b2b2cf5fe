from __future__ import annotations

import json
import struct
import textwrap
import zlib
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from xfpush.cli import main
from xfpush.resources import asset_path


def _registered_by_an_old_install() -> bool:
    """Installs made before the plugin became opt-in still load it through ``pytest11``;
    opting in again would register it twice (test_plugins says to reinstall)."""
    return any(point.value == "xfpush.testing" for point in entry_points(group="pytest11"))


# The contract kits are an opt-in pytest plugin; xfpush's own tests opt in here.
pytest_plugins = [] if _registered_by_an_old_install() else ["xfpush.testing"]

DEMO = asset_path("examples", "demo.yaml")
RARE = "\U00020000"  # 𠀀: CJK Extension B, not in the bundled fonts


@pytest.fixture
def demo_path() -> Path:
    return DEMO


@pytest.fixture
def write_message(tmp_path: Path) -> Callable[..., Path]:
    """Write a message file from the demo with some top-level lines replaced."""

    def write(replace: dict[str, str] | None = None, *, text: str | None = None,
              name: str = "message.yaml") -> Path:
        content = text if text is not None else DEMO.read_text("utf-8")
        for key, line in (replace or {}).items():
            lines = content.splitlines()
            index = next(i for i, ln in enumerate(lines) if ln.startswith(f"{key}:"))
            lines[index] = line
            content = "\n".join(lines) + "\n"
        path = tmp_path / name
        path.write_text(textwrap.dedent(content), "utf-8")
        return path

    return write


def make_fallback_font(path: Path, codepoint: int = 0x20000) -> Path:
    """A tiny TrueType font whose only glyph is a square for ``codepoint``."""
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "square"])
    builder.setupCharacterMap({codepoint: "square"})
    pen = TTGlyphPen(None)
    pen.moveTo((100, -80))
    pen.lineTo((100, 800))
    pen.lineTo((900, 800))
    pen.lineTo((900, -80))
    pen.closePath()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "square": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "square": (1000, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "XfpushTestFallback", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims ``width``×``height`` (the pixel data is a stub)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))
    path.write_bytes(body + chunk(b"IEND", b""))
    return path


def pack_demo(out: Path, channels: str) -> Path:
    """``xfpush pack`` the demo message with ``channels`` into ``out``; fails the test otherwise."""
    result = CliRunner().invoke(main, ["pack", str(DEMO), "-o", str(out), "-c", channels])
    assert result.exit_code == 0, result.output
    return out


def assets_by_path(pack: Path) -> dict[str, dict]:
    """The pack's manifest entries, keyed by asset path."""
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    return {asset["path"]: asset for asset in manifest["assets"]}

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
from xfpush.render import tts, video
from xfpush.resources import asset_path


def _registered_by_an_old_install() -> bool:
    """Installs made before the plugin became opt-in still load it through ``pytest11``;
    opting in again would register it twice (test_plugins says to reinstall)."""
    return any(point.value == "xfpush.testing" for point in entry_points(group="pytest11"))


# The contract kits are an opt-in pytest plugin; xfpush's own tests opt in here.
pytest_plugins = [] if _registered_by_an_old_install() else ["xfpush.testing"]

DEMO = asset_path("examples", "demo.yaml")
RARE = "\U00020000"  # 𠀀: CJK Extension B, not in the bundled fonts
# Every channel that neither encodes video nor synthesizes speech: what fast tests may pack.
STILL_CHANNELS = "poster,sticker,tv,splash,social,screen,led,sms,receipt"


class _MediaGuard:
    """Fails a test not marked slow that encodes video or synthesizes speech in this process.

    Keeps the fast suite fast: ``-c`` without time channels, or ``@pytest.mark.slow``.
    """

    fast = False

    def wrap(self, owner: object, name: str) -> None:
        original = getattr(owner, name)

        def guarded(*args, **kwargs):  # type: ignore[no-untyped-def]
            if self.fast:
                raise AssertionError(f"a fast test called {name} (video or speech): mark it "
                                     "@pytest.mark.slow or pack STILL_CHANNELS only")
            return original(*args, **kwargs)

        setattr(owner, name, guarded)


_GUARD = _MediaGuard()
_GUARD.wrap(tts.EspeakVoice, "synthesize")
_GUARD.wrap(tts.CommandVoice, "synthesize")
_GUARD.wrap(video, "encoder_args")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # set before the test's fixtures, so a module fixture built for a fast test is guarded too
    _GUARD.fast = item.get_closest_marker("slow") is None


def pytest_runtest_teardown(item: pytest.Item) -> None:
    _GUARD.fast = False


@pytest.fixture
def demo_path() -> Path:
    return DEMO


# A 50-character title and a 40-character slogan (its fallback headline): too long for the
# phone poster; as ``write_message`` replacements.
TOO_LONG_HEADLINE = {"title": "title: " + "电动自行车不进楼入户" * 5,
                     "slogan": "slogan: " + "电动车不进楼入户充电安全记心间" * 2 + "电动自行车不进楼入户"}


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


@pytest.fixture(scope="session")
def still_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo message packed in this process with every still channel, built once."""
    return pack_demo(tmp_path_factory.mktemp("still") / "pack", STILL_CHANNELS)


@pytest.fixture(scope="session")
def demo_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``xfpush demo`` in this process: every channel, video and speech included (slow tests)."""
    out = tmp_path_factory.mktemp("demo") / "pack"
    result = CliRunner().invoke(main, ["demo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def pack_files(pack: Path) -> dict[str, bytes]:
    """Every file of a pack, by its path relative to the pack."""
    return {path.relative_to(pack).as_posix(): path.read_bytes()
            for path in sorted(pack.rglob("*")) if path.is_file()}


def assets_by_path(pack: Path) -> dict[str, dict]:
    """The pack's manifest entries, keyed by asset path."""
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    return {asset["path"]: asset for asset in manifest["assets"]}

"""Rebuild the bundled fonts under assets/fonts/ from Debian's fonts-noto-cjk.

Reproducible: the same Debian package gives byte-identical files (no timestamps are
recalculated). Run as root on Debian bookworm:

    apt-get install -y fonts-noto-cjk
    python scripts/subset_fonts.py

The character set is the 8105 characters of 通用规范汉字表 (assets/fonts/tongyong-guifan-hanzi-8105.txt),
every character of GB2312 (so LED captions checked against GB2312 can always be previewed), ASCII,
Latin-1 punctuation, general punctuation, CJK symbols and punctuation, full-width forms and the
symbols the layouts draw (circled numbers, arrows, ℃, ☎ …).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = ROOT / "assets" / "fonts"
SOURCES = {
    "NotoSansSC-Regular.otf": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "NotoSansSC-Bold.otf": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
SC_FAMILY = "Noto Sans CJK SC"
RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (·, ×, ÷, °)
    (0x2010, 0x205E),  # general punctuation (—, …, ‘’“”, ‰)
    (0x2100, 0x214F),  # letterlike symbols (℃, №)
    (0x2160, 0x216B),  # Roman numerals
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (● ■ ▲)
    (0x2600, 0x26FF),  # miscellaneous symbols (☎ ★ ⚠)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK (㈠)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def tongyong_characters() -> set[int]:
    lines = (FONT_DIR / "tongyong-guifan-hanzi-8105.txt").read_text("utf-8").splitlines()
    return {int(line.split("\t")[0][2:], 16) for line in lines if line.startswith("U+")}


def gb2312_characters() -> set[int]:
    found: set[int] = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([lead, trail]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def wanted_codepoints() -> set[int]:
    wanted = tongyong_characters() | gb2312_characters()
    for first, last in RANGES:
        wanted.update(range(first, last + 1))
    return wanted


def extract_sc(collection_path: Path, out_path: Path, unicodes: set[int]) -> None:
    collection = TTCollection(str(collection_path), recalcTimestamp=False)
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == SC_FAMILY)
    options = subset.Options()
    options.layout_features = ["kern", "palt", "halt", "vert", "locl"]
    options.hinting = False
    options.desubroutinize = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    font.save(str(out_path), reorderTables=True)


def main() -> int:
    unicodes = wanted_codepoints()
    for name, source in SOURCES.items():
        if not source.exists():
            print(f"缺少 {source}：请先 apt-get install fonts-noto-cjk", file=sys.stderr)
            return 2
        target = FONT_DIR / name
        extract_sc(source, target, unicodes)
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

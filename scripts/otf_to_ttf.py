"""Convert the bundled CFF fonts (assets/fonts/*.otf) to TrueType outlines for the PDF writer.

The vector print backend embeds fonts with reportlab, which reads TrueType (``glyf``) outlines
only. This converts each cubic CFF outline to quadratic curves with fontTools' cu2qu (maximum
error 1 unit of the 1000-unit em, invisible at any print size) and keeps everything else —
character map, advances, names — so text measured with the .otf sets identically in the PDF.

Reproducible: the same .otf gives byte-identical .ttf (no timestamps are recalculated).

    python scripts/otf_to_ttf.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = ROOT / "assets" / "fonts"
PAIRS = {"NotoSansSC-Regular.otf": "NotoSansSC-Regular.ttf",
         "NotoSansSC-Bold.otf": "NotoSansSC-Bold.ttf"}
MAX_ERR_EM = 1.0 / 1000  # cu2qu tolerance as a fraction of the em
POST_FORMAT = 2.0  # keeps glyph names (cid…), so both files name the same glyphs


def glyf_from_cff(font: TTFont) -> dict[str, object]:
    """Every glyph of the CFF table drawn again as quadratic TrueType outlines."""
    glyph_set = font.getGlyphSet()
    max_err = font["head"].unitsPerEm * MAX_ERR_EM
    glyphs = {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()
    return glyphs


def convert(source: Path, target: Path) -> None:
    font = TTFont(str(source), recalcTimestamp=False, recalcBBoxes=False)
    if "CFF " not in font:
        raise SystemExit(f"{source} 没有 CFF 表，无需转换")
    order = font.getGlyphOrder()
    glyphs = glyf_from_cff(font)
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attribute in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                      "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    for attribute in ("maxPoints", "maxContours", "maxCompositePoints",
                      "maxCompositeContours", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attribute, 0)
    font["head"].indexToLocFormat = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = POST_FORMAT
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True
    font.save(str(target), reorderTables=True)


def main() -> int:
    for source_name, target_name in PAIRS.items():
        source, target = FONT_DIR / source_name, FONT_DIR / target_name
        if not source.exists():
            print(f"缺少 {source}：请先运行 scripts/subset_fonts.py", file=sys.stderr)
            return 2
        convert(source, target)
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

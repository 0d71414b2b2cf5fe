"""print-shop: the print spec sheet (印刷说明.csv), which needs settings the data cannot hold.

One row per print file: what it is, finished size, size with bleed, bleed, pages, colour,
material and quantity. Quantities come from the adapter's settings (``copies`` for posters and
leaflets, ``banner_copies``, ``rollup_copies``, ``board_copies``); the defaults are in
adapter.toml. Every cell goes through ``safe_cell``, so a spreadsheet never runs one as a formula.
"""

import csv
import io

from xfpush.partners.safe import safe_cell

KINDS = {"poster": "海报", "banner": "横幅", "rollup": "易拉宝", "leaflet": "宣传单", "board": "展板"}
MATERIAL = {
    ("poster", "a4"): "157 g 铜版纸",
    ("poster", "a3"): "200 g 铜版纸",
    ("poster", "a2"): "200 g 铜版纸（宣传栏）",
    ("banner", ""): "户外横幅布（春亚纺或牛津布），四周卷边，两端及上下边每 50 cm 打扣眼",
    ("rollup", ""): "易拉宝写真（PP 背胶或防卷曲 PET），配同宽铝合金底座",
    ("leaflet", "a4-2side"): "157 g 铜版纸，双面四色",
    ("leaflet", "trifold"): "157 g 铜版纸，双面四色，折三折（内折页 97 mm 朝里）",
    ("board", ""): "KT 板或 PVC 板覆写真；室外宣传栏用户外写真",
}
PAGES = {("leaflet", "a4-2side"): 2, ("leaflet", "trifold"): 2}
NOTES = {
    "banner": "原尺寸；长于 5.08 m 的页面带 UserUnit 10（Acrobat 显示原尺寸，部分软件显示为 1/10）",
    "rollup": "底部 20 cm 插入底座，不放内容",
    "leaflet": "正反面各一页；三折页折线标在出血外",
    "board": "四周 3 cm 内不放内容（边框）",
}
COPIES = {"banner": "banner_copies", "rollup": "rollup_copies", "board": "board_copies"}
DEFAULT_COPIES = {"copies": 200, "banner_copies": 5, "rollup_copies": 2, "board_copies": 2}
COLOUR = "CMYK（FOGRA39，ISO Coated v2），PDF/X-4，黑色文字与二维码单黑叠印"


def extra_files(manifest, message, settings):
    previews = {(a["channel"], a["profile"]): a for a in manifest["assets"]
                if a["media_type"] == "image/png"}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["文件", "品类", "成品尺寸", "含出血尺寸", "出血", "页数", "颜色", "材料建议",
                     "数量", "说明"])
    for asset in manifest["assets"]:
        channel, profile = asset["channel"], asset["profile"]
        if asset["media_type"] != "application/pdf" or channel not in KINDS:
            continue
        preview = previews.get((channel, profile))
        trim_w, trim_h = ((preview["width_mm"], preview["height_mm"]) if preview
                          else (asset["width_mm"] - 6, asset["height_mm"] - 6))
        bleed = round((asset["width_mm"] - trim_w) / 2, 1)
        key = COPIES.get(channel, "copies")
        copies = int(settings.get(key) or DEFAULT_COPIES[key])
        # where the package puts the PDF, as adapter.toml's [[files]] name it
        name = (f"印刷文件/{profile}.pdf" if channel == "poster"
                else f"印刷文件/{KINDS[channel]}_{profile}.pdf")
        row = [name, KINDS[channel], f"{trim_w:g}×{trim_h:g} mm",
               f"{asset['width_mm']:g}×{asset['height_mm']:g} mm", f"{bleed:g} mm",
               PAGES.get((channel, profile), 1), COLOUR,
               MATERIAL.get((channel, profile)) or MATERIAL.get((channel, ""), ""), copies,
               NOTES.get(channel, "")]
        writer.writerow([safe_cell(value) for value in row])
    return {"印刷说明.csv": ("\ufeff" + buffer.getvalue()).encode("utf-8")}


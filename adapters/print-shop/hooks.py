"""print-shop: the print spec sheet (印刷说明.csv), which needs settings the data cannot hold."""

import csv
import io

PAPER = {"a4": "157g 铜版纸", "a3": "200g 铜版纸", "phone": ""}


def extra_files(manifest, message, settings):
    copies = int(settings.get("copies") or 200)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["文件", "成品尺寸", "含出血尺寸", "出血", "分辨率", "数量", "纸张建议"])
    for asset in manifest["assets"]:
        if asset["media_type"] != "application/pdf" or asset["channel"] != "poster":
            continue
        trim_w, trim_h = asset["width_mm"] - 6, asset["height_mm"] - 6
        writer.writerow([f"印刷文件/{asset['profile']}.pdf", f"{trim_w:g}×{trim_h:g} mm",
                         f"{asset['width_mm']:g}×{asset['height_mm']:g} mm", "3 mm",
                         f"{asset['dpi']} dpi", copies, PAPER.get(asset["profile"], "")])
    return {"印刷说明.csv": ("\ufeff" + buffer.getvalue()).encode("utf-8")}

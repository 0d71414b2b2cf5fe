"""carrier-sms: the bulk-SMS import sheet (群发导入.csv) in the shape carrier platforms take,
and the chosen platform's signature rule (platforms.toml) checked before anything is packaged."""

import csv
import io
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_PLATFORMS = Path(__file__).with_name("platforms.toml")


def extra_files(manifest, message, settings):
    sms = next(a for a in manifest["assets"] if a["channel"] == "sms")
    text = sms["text"]
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    segments = 1 if units <= 70 else -(-units // 67)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["序号", "短信内容", "字数", "计费条数", "发送时段"])
    writer.writerow([1, text, units, segments, "08:00-20:00"])
    return {"群发导入.csv": ("\ufeff" + buffer.getvalue()).encode("utf-8")}


def check_pack(manifest, message, settings):
    platforms = tomllib.loads(_PLATFORMS.read_text("utf-8"))
    key = settings.get("platform") or "aliyun"
    if key not in platforms:
        return f"设置 platform 为“{key}”，platforms.toml 中没有这个平台，可用：{'、'.join(platforms)}"
    rule = platforms[key]
    sms = next(a for a in manifest["assets"] if a["channel"] == "sms")
    found = re.match(r"【([^】]*)】", sms["text"] or "")
    sign = found.group(1) if found else ""
    low, high = rule["signature_min"], rule["signature_max"]
    if not low <= len(sign) <= high:
        return (f"短信签名【{sign}】{len(sign)} 字，{rule['name']}要求 {low}–{high} 字："
                f"请在消息的 sms_signature 中填写已在该平台报备的签名")
    return None

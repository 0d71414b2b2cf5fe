"""Parts of the proof page: the message table, one card per profile, the bundled font.

Everything a person typed (the message, file names, check details) goes through ``escape``.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from html import escape
from typing import Any

from ..model.icons import chosen_icons, icon_label
from ..model.message import Message
from ..render.icons import icon_svg
from ..resources import asset_path
from .labels import audience_name, channel_name, check_name

FONT_FAMILY = "XfpushNotoSansSC"
_FILE_KINDS = {
    "application/pdf": "PDF 印刷文件", "application/x-zpl": "ZPL 标签打印指令",
    "application/x-tspl": "TSPL 标签打印指令", "application/vnd.escpos": "ESC/POS 小票打印指令",
    "application/json": "JSON 分段与时序", "application/ssml+xml": "SSML 朗读稿（含注音）",
    "application/x-subrip": "SRT 字幕", "text/x-ssa": "ASS 字幕",
}


def _row(label: str, value: object) -> str:
    return f"<tr><th>{escape(label)}</th><td>{escape(str(value))}</td></tr>"


def message_table(message: Message) -> str:
    """Every field of the message, under its Chinese name."""
    rows = [_row("编号", message.id), _row("标题", message.title), _row("口号", message.slogan),
            _row("正文", message.body)]
    rows += [_row(f"提示 {i + 1}", tip) for i, tip in enumerate(message.tips)]
    rows += [_row("行动号召", message.cta)]
    if message.qr:
        rows += [_row("二维码链接", message.qr.url), _row("二维码说明", message.qr.caption)]
    rows += [_row(f"热线：{label}", number) for label, number in message.hotlines]
    rows += [_row("发布单位", message.issuer), _row("受众", audience_name(message.audience))]
    rows.append(_icons_row(message))
    if message.sms_signature:
        rows.append(_row("短信签名", message.sms_signature))
    if message.campaign:
        rows += [_row("活动名称", message.campaign.name),
                 _row("开始日期", message.campaign.start or "—"),
                 _row("结束日期", message.campaign.end or "—")]
    rows += [_row(f"渠道文案（{name[len('variants.'):]}）", text)
             for name, text in message.text_fields() if name.startswith("variants.")]
    rows += [_row(f"真人录音（{name}）", path.name) for name, path in message.recordings.items()]
    return '<table class="message">' + "".join(rows) + "</table>"


def _icons_row(message: Message) -> str:
    """The pictograms as pictures with their names (drawn from the same paths as the PDF)."""
    names, source = chosen_icons(message)
    cells = "".join(
        f'<span class="icon">{icon_svg(name, message.theme["primary"], "#FFFFFF")}'
        f"<span>{escape(icon_label(name))}<br><code>{escape(name)}</code></span></span>"
        for name in names) or "不用图标"
    how = "" if source == "message" else '<span class="muted">（按主题挑选）</span>'
    return f'<tr><th>图标</th><td><div class="icons">{cells}</div>{how}</td></tr>'


def anchor(channel: str, profile: str) -> str:
    return escape(f"p-{channel}-{profile}")


def facts(asset: dict[str, Any]) -> list[str]:
    """Only what applies to this file: no "576×None px"."""
    found = []
    if asset.get("width_px") and asset.get("height_px"):
        found.append(f"{asset['width_px']}×{asset['height_px']} 像素")
    if asset.get("width_mm") and asset.get("height_mm"):
        found.append(f"{asset['width_mm']:g}×{asset['height_mm']:g} 毫米")
    if asset.get("dpi"):
        found.append(f"{asset['dpi']} dpi")
    if asset.get("duration_s") is not None:
        found.append(f"{asset['duration_s']:.2f} 秒")
    if asset.get("loudness_lufs") is not None:
        found.append(f"响度 {asset['loudness_lufs']} LUFS，真峰值 {asset['true_peak_dbtp']} dBTP")
    if asset.get("voice"):
        found.append(voice_label(asset["voice"]))
    found.append(_size(asset["bytes"]))
    return found


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} 字节"


def preview(asset: dict[str, Any]) -> str:
    """How one file shows: picture, player, text, or a labelled link."""
    path, media = escape(asset["path"]), asset["media_type"]
    if media.startswith("image/"):
        return f'<a href="{path}"><img src="{path}" alt="{path}" loading="lazy"></a>'
    if media.startswith("video/"):
        return f'<video controls preload="metadata" src="{path}"></video>'
    if media.startswith("audio/"):
        return f'<audio controls preload="metadata" src="{path}"></audio>'
    if asset.get("text") is not None:
        return f'<pre>{escape(asset["text"])}</pre>'
    kind = _FILE_KINDS.get(media.split(";")[0], "文件")
    return f'<a class="doc" href="{path}">{escape(kind)}</a>'


def file_box(asset: dict[str, Any]) -> str:
    name = asset["path"].rsplit("/", 1)[-1]
    return (f'<figure>{preview(asset)}<figcaption><a href="{escape(asset["path"])}">'
            f'{escape(name)}</a><br>{escape(" · ".join(facts(asset)))}</figcaption></figure>')


def merged_checks(assets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checks of a profile's files, identical ones once, failed ones first."""
    seen: dict[tuple[str, bool, str], dict[str, Any]] = {}
    for asset in assets:
        for check in asset["checks"]:
            seen.setdefault((check["name"], check["ok"], check["detail"]), check)
    return sorted(seen.values(), key=lambda check: check["ok"])


def checks_block(checks: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr class="{"ok" if c["ok"] else "bad"}"><th>{"✓" if c["ok"] else "✗"} '
        f'{escape(check_name(c["name"]))}</th><td>{escape(c["detail"])}</td></tr>'
        for c in checks)
    failed = sum(1 for c in checks if not c["ok"])
    summary = (f'<span class="bad">{failed}/{len(checks)} 项检查未通过</span>' if failed
               else f'<span class="ok">✓ {len(checks)} 项检查全部通过</span>')
    return (f'<details class="checks"{" open" if failed else ""}><summary>{summary}</summary>'
            f"<table>{rows}</table></details>")


def profile_card(channel: str, profile: str, assets: list[dict[str, Any]]) -> str:
    """One card: the profile's files side by side, then its checks (each once)."""
    files = "".join(file_box(a) for a in assets)
    title = f"{channel_name(channel)} · {profile}"
    return (f'<article class="card" id="{anchor(channel, profile)}"><h3>{escape(title)}'
            f' <small>{escape(channel)}:{escape(profile)}</small></h3>'
            f'<div class="files">{files}</div>{checks_block(merged_checks(assets))}</article>')


def font_face(text: str) -> str:
    """An ``@font-face`` rule carrying the bundled font, cut to the characters of ``text``
    (a fresh machine has no CJK fonts; the page stays one self-contained file)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(asset_path("fonts", "NotoSansSC-Regular.ttf"), recalcTimestamp=False)
    options = subset.Options()
    options.flavor, options.hinting, options.desubroutinize = "woff", False, True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in text if ord(c) >= 32}))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'@font-face{{font-family:"{FONT_FAMILY}";font-weight:400;font-style:normal;'
            f'src:url(data:font/woff;base64,{data}) format("woff")}}')


def voice_label(voice: str) -> str:
    """Who speaks in a spoken file, in words a reviewer knows."""
    if voice == "recording":
        return "真人录音"
    if voice == "espeak-ng":
        return "机器合成语音（espeak-ng）"
    return f"合成语音（{voice}）"


def voice_note(assets: list[dict[str, Any]]) -> str:
    """A warning when speech was synthesised by espeak-ng: listeners may not understand it."""
    spoken = list(dict.fromkeys(f"{a['channel']}:{a['profile']}" for a in assets
                                if a.get("voice") == "espeak-ng"))
    if not spoken:
        return ""
    return ('<p id="voice" class="bad">注意：' + escape("、".join(spoken))
            + " 的语音由 espeak-ng 机器合成（离线备用），普通话发音生硬，听众可能听不清。"
            "播出前请试听；最好在消息文件的 recordings 中给出真人录音（见 README）。</p>")

"""proof.html: the one page a reviewer opens to see every asset, its checks, and sign off."""

from __future__ import annotations

from html import escape
from typing import Any

from ..model.message import Message

_STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;background:#f4f4f4;color:#1f1f1f}
header{background:#c8102e;color:#fff;padding:24px 32px}
header h1{margin:0 0 6px;font-size:26px}
main{padding:24px 32px;max-width:1280px}
section{background:#fff;border-radius:10px;padding:18px 22px;margin-bottom:20px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
table{border-collapse:collapse}td,th{padding:4px 10px;text-align:left;vertical-align:top;
border-bottom:1px solid #eee}
.assets{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:18px}
.asset{border:1px solid #e2e2e2;border-radius:8px;padding:12px;background:#fff}
.asset img,.asset video{max-width:100%;max-height:560px;display:block;margin:8px auto;
border:1px solid #ddd}
.ok{color:#137333}.bad{color:#c5221f;font-weight:bold}
pre{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:8px}
.sign td{height:40px;min-width:200px}
.summary{font-size:18px}
h3.channel{margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #c8102e}
"""


def _row(label: str, value: object) -> str:
    return f"<tr><th>{escape(label)}</th><td>{escape(str(value))}</td></tr>"


def _message_table(message: Message) -> str:
    rows = [_row("编号", message.id), _row("标题", message.title), _row("口号", message.slogan),
            _row("正文", message.body)]
    rows += [_row(f"提示 {i + 1}", tip) for i, tip in enumerate(message.tips)]
    rows += [_row("行动号召", message.cta)]
    if message.qr:
        rows += [_row("二维码链接", message.qr.url), _row("二维码说明", message.qr.caption)]
    rows += [_row(f"热线：{label}", number) for label, number in message.hotlines]
    rows += [_row("发布单位", message.issuer), _row("受众", message.audience)]
    if message.campaign:
        rows.append(_row("活动", f"{message.campaign.name}（{message.campaign.start or ''} — "
                                 f"{message.campaign.end or ''}）"))
    return "<table>" + "".join(rows) + "</table>"


def _preview(asset: dict[str, Any]) -> str:
    path, media = escape(asset["path"]), asset["media_type"]
    if media.startswith("image/"):
        return f'<a href="{path}"><img src="{path}" alt="{path}" loading="lazy"></a>'
    if media.startswith("video/"):
        return f'<video controls preload="metadata" src="{path}"></video>'
    if media.startswith("audio/"):
        return f'<audio controls preload="metadata" src="{path}"></audio>'
    if media == "application/pdf":
        size = f"{asset['width_mm']}×{asset['height_mm']} mm" if asset["width_mm"] else ""
        return f'<p><a href="{path}">打开 PDF 印刷文件</a> {escape(size)}</p>'
    if asset.get("text") is not None:
        return f"<pre>{escape(asset['text'])}</pre>"
    return f'<p><a href="{path}">{path}</a></p>'


def _facts(asset: dict[str, Any]) -> str:
    facts = []
    if asset["width_px"]:
        facts.append(f"{asset['width_px']}×{asset['height_px']} px")
    if asset["width_mm"]:
        facts.append(f"{asset['width_mm']}×{asset['height_mm']} mm")
    if asset["dpi"]:
        facts.append(f"{asset['dpi']} dpi")
    if asset["duration_s"] is not None:
        facts.append(f"{asset['duration_s']:.2f} s")
    if asset.get("loudness_lufs") is not None:
        facts.append(f"{asset['loudness_lufs']} LUFS / {asset['true_peak_dbtp']} dBTP")
    facts.append(f"{asset['bytes']:,} 字节")
    facts.append(f"sha256 {asset['sha256'][:12]}…")
    return " · ".join(facts)


def _checks(asset: dict[str, Any]) -> str:
    items = []
    for check in asset["checks"]:
        mark, css = ("✓", "ok") if check["ok"] else ("✗", "bad")
        items.append(f'<li class="{css}">{mark} {escape(check["name"])}：'
                     f'{escape(check["detail"])}</li>')
    return "<ul>" + "".join(items) + "</ul>"


def _asset_card(asset: dict[str, Any]) -> str:
    title = f"{asset['channel']}:{asset['profile']} — {asset['path']}"
    return (f'<div class="asset"><h3>{escape(title)}</h3>{_preview(asset)}'
            f"<p>{escape(_facts(asset))}</p>{_checks(asset)}</div>")


def _skipped(manifest: dict[str, Any]) -> str:
    """The profiles left out of this pack (an optional engine missing), and how to add them."""
    skipped = manifest.get("skipped") or []
    if not skipped:
        return ""
    rows = "".join(f"<tr><td>{escape(s['channel'])}:{escape(s['profile'])}</td>"
                   f"<td>{escape(s['reason'])}</td><td><code>{escape(s['fix'])}</code></td></tr>"
                   for s in skipped)
    return (f'<section id="skipped"><h2 class="bad">已跳过 {len(skipped)} 个规格（未生成）</h2>'
            "<p>这些规格需要未安装的可选组件，本包中没有它们的文件。安装后重新生成即可。</p>"
            f"<table><tr><th>渠道:规格</th><th>原因</th><th>启用方法</th></tr>{rows}</table>"
            "</section>")


def proof_html(message: Message, manifest: dict[str, Any]) -> str:
    """The review page of a pack; deterministic (no dates), assets linked relatively."""
    assets = manifest["assets"]
    failed = sum(1 for a in assets for c in a["checks"] if not c["ok"])
    total = sum(len(a["checks"]) for a in assets)
    verdict = (f'<span class="ok">全部 {total} 项检查通过</span>' if not failed
               else f'<span class="bad">{failed}/{total} 项检查未通过</span>')
    channels = list(dict.fromkeys(a["channel"] for a in assets))
    cards = "".join(
        f'<h3 class="channel" id="ch-{escape(channel)}">{escape(channel)}（'
        f'{sum(1 for a in assets if a["channel"] == channel)} 个文件）</h3><div class="assets">'
        + "".join(_asset_card(a) for a in assets if a["channel"] == channel) + "</div>"
        for channel in channels)
    toc = " · ".join(f'<a href="#ch-{escape(c)}">{escape(c)}</a>' for c in channels)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>审核单：{escape(message.title)}</title><style>{_STYLE}</style></head>
<body><header><h1>物料审核单：{escape(message.title)}</h1>
<div>编号 {escape(message.id)} · {len(assets)} 个文件 · xfpush {escape(manifest['xfpush_version'])}
· 消息 sha256 {escape(manifest['message']['sha256'][:12])}…</div></header>
<main>
<section><p class="summary">{verdict}</p>
<table class="sign"><tr><th>审核人</th><td></td><th>审核日期</th><td></td></tr>
<tr><th>审核意见</th><td colspan="3"></td></tr></table></section>
<section><h2>消息内容</h2>{_message_table(message)}</section>
{_skipped(manifest)}<section><h2>物料</h2><p>{toc}</p>{cards}</section>
</main></body></html>
"""

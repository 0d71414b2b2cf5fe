"""proof.html: the one page a reviewer opens to see every asset, its checks, and sign off.

Top down: what could not be made (red), the verdict and sign-off, an overview grid of every
profile, the profiles left out, the message itself, then one card per profile with its files
side by side. Deterministic (no dates); assets linked relatively; the font travels inside.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ..model.message import Message
from .labels import channel_name, check_name
from .proof_parts import (
    FONT_FAMILY,
    anchor,
    font_face,
    message_table,
    profile_card,
    voice_note,
)

_STYLE = """
body{font-family:"@FONT@","Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",
sans-serif;margin:0;background:#f4f4f4;color:#1f1f1f;font-size:15px}
header{background:#c8102e;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:24px}
main{padding:18px 28px;max-width:1400px}
section{background:#fff;border-radius:10px;padding:14px 20px;margin-bottom:16px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:19px;margin:4px 0 10px}
table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;vertical-align:top;
border-bottom:1px solid #eee}th{white-space:nowrap;font-weight:600}
#failures{background:#fdecea;border:2px solid #c5221f}#failures h2{color:#c5221f}
#failures td,#failures th{border-color:#f5c6c2}#failures td,#failures p{font-weight:normal}
.ok{color:#137333}.bad{color:#c5221f;font-weight:bold}
.summary{font-size:18px;margin:0 0 8px}
.sign td{height:32px;min-width:180px}
.top{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
.top section{margin:0}.message td{max-width:420px}
.icons{display:flex;flex-wrap:wrap;gap:8px 14px}.icon{display:flex;align-items:center;gap:6px;
font-size:13px;line-height:1.3}.icon code{color:#888;font-size:11px}.muted{color:#888}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(112px,1fr));gap:8px}
.tile{display:block;border:1px solid #ddd;border-radius:6px;padding:4px;text-align:center;
color:inherit;text-decoration:none;font-size:12px;background:#fff}
.tile img{display:block;margin:0 auto 2px;max-width:100%;height:64px;object-fit:contain}
.tile .none{display:block;height:64px;line-height:64px;color:#999;font-size:20px}
.tile.failed{border-color:#c5221f;background:#fdecea}.tile.skipped{background:#f1f1f1}
h3.channel{margin:22px 0 8px;padding-bottom:3px;border-bottom:2px solid #c8102e;font-size:18px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
.card{border:1px solid #e2e2e2;border-radius:8px;padding:10px 12px;background:#fff}
.card h3{margin:0 0 6px;font-size:16px}.card h3 small{color:#888;font-weight:normal}
.files{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
figure{margin:0;flex:1 1 150px;max-width:100%;font-size:12px;color:#555}
figure img,figure video{display:block;max-width:100%;max-height:240px;border:1px solid #ddd}
figure audio{width:100%;min-width:200px}
figure pre{max-height:150px;overflow:auto;margin:0;font-size:13px;color:#1f1f1f}
a.doc{display:block;padding:14px 8px;border:1px dashed #bbb;border-radius:6px;text-align:center}
pre{font-family:"@FONT@",monospace;white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:6px}
details.checks{margin-top:6px;font-size:13px}details.checks summary{cursor:pointer}
details.checks tr.bad td{color:#c5221f}
""".replace("@FONT@", FONT_FAMILY)


def _failures(manifest: dict[str, Any]) -> str:
    """What could not be made, why and how to fix it: first, in red."""
    failures = manifest.get("failures") or []
    if not failures:
        return ""
    rows = "".join(
        f'<tr><th>{escape(channel_name(f["channel"]))} · {escape(f["channel"])}:'
        f'{escape(f["profile"])}</th><td>{escape(check_name(f["check"]))}</td>'
        f'<td>{escape(f["reason"])}</td><td>{escape(f["fix"])}</td></tr>' for f in failures)
    count = len({(f["channel"], f["profile"]) for f in failures})
    return (f'<section id="failures" class="bad"><h2>✗ {count} 个规格未能生成</h2>'
            "<p>本包中没有这些规格的文件，其余物料可以审核。按“修改方法”改好消息后重新生成。</p>"
            "<table><tr><th>规格</th><th>检查</th><th>原因</th><th>修改方法</th></tr>"
            f"{rows}</table></section>")


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


def _profiles(assets: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for asset in assets:
        grouped.setdefault((asset["channel"], asset["profile"]), []).append(asset)
    return grouped


def _tile(channel: str, profile: str, assets: list[dict[str, Any]], status: str) -> str:
    picture = next((a["path"] for a in assets if a["media_type"].startswith("image/")), None)
    thumb = (f'<img src="{escape(picture)}" alt="" loading="lazy">' if picture
             else f'<span class="none">{"✗" if status == "failed" else "…"}</span>')
    ok = status == "made" and all(c["ok"] for a in assets for c in a["checks"])
    mark = {"failed": '<span class="bad">✗ 未生成</span>', "skipped": "已跳过"}.get(
        status, '<span class="ok">✓</span>' if ok else '<span class="bad">✗</span>')
    target = anchor(channel, profile) if status == "made" else status
    return (f'<a class="tile {status}" href="#{target}">{thumb}'
            f"{escape(channel_name(channel))} {escape(profile)}<br>{mark}</a>")


def _overview(manifest: dict[str, Any], grouped: dict[tuple[str, str], list[dict[str, Any]]]) -> str:
    """A compact grid of every profile: thumbnail and status, linked to its card."""
    failed = list(dict.fromkeys((f["channel"], f["profile"]) for f in manifest.get("failures") or []))
    skipped = [(s["channel"], s["profile"]) for s in manifest.get("skipped") or []]
    tiles = [_tile(c, p, [], "failed") for c, p in failed]
    tiles += [_tile(c, p, assets, "made") for (c, p), assets in grouped.items()]
    tiles += [_tile(c, p, [], "skipped") for c, p in skipped]
    return (f'<section id="overview"><h2>总览：{len(grouped)} 个规格已生成'
            f'{f"，{len(failed)} 个未生成" if failed else ""}'
            f'{f"，{len(skipped)} 个已跳过" if skipped else ""}</h2>'
            f'<div class="grid">{"".join(tiles)}</div></section>')


def _cards(grouped: dict[tuple[str, str], list[dict[str, Any]]]) -> str:
    channels = list(dict.fromkeys(channel for channel, _ in grouped))
    parts = []
    for channel in channels:
        profiles = [(p, assets) for (c, p), assets in grouped.items() if c == channel]
        parts.append(f'<h3 class="channel" id="ch-{escape(channel)}">{escape(channel_name(channel))}'
                     f"（{escape(channel)}，{len(profiles)} 个规格）</h3><div class=\"cards\">"
                     + "".join(profile_card(channel, p, assets) for p, assets in profiles)
                     + "</div>")
    return "".join(parts)


def proof_html(message: Message, manifest: dict[str, Any]) -> str:
    """The review page of a pack; deterministic (no dates), assets linked relatively."""
    assets = manifest["assets"]
    grouped = _profiles(assets)
    failed = sum(1 for a in assets for c in a["checks"] if not c["ok"])
    total = sum(len(a["checks"]) for a in assets)
    missing = len({(f["channel"], f["profile"]) for f in manifest.get("failures") or []})
    verdict = (f'<span class="bad">{failed}/{total} 项检查未通过</span>' if failed
               else f'<span class="ok">已生成的 {len(grouped)} 个规格全部 {total} 项检查通过</span>')
    if missing:
        verdict += f'；<span class="bad">另有 {missing} 个规格未能生成（见上方红框）</span>'
    body = f"""<body><header><h1>物料审核单：{escape(message.title)}</h1>
<div>编号 {escape(message.id)} · {len(grouped)} 个规格 {len(assets)} 个文件 ·
xfpush {escape(manifest['xfpush_version'])} · 消息 sha256 {escape(manifest['message']['sha256'][:12])}…
</div></header>
<main>
{_failures(manifest)}<div class="top"><section id="verdict"><p class="summary">{verdict}</p>{voice_note(assets)}
<table class="sign"><tr><th>审核人</th><td></td></tr><tr><th>审核日期</th><td></td></tr>
<tr><th>审核意见</th><td></td></tr></table></section>
<section id="message"><h2>消息内容</h2>{message_table(message)}</section></div>
{_overview(manifest, grouped)}{_skipped(manifest)}<section id="assets"><h2>物料</h2>{_cards(grouped)}</section>
</main></body></html>
"""
    head = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">\n'
            f"<title>审核单：{escape(message.title)}</title>")
    style = f"<style>{font_face(head + body + _STYLE)}{_STYLE}</style></head>\n"
    return head + style + body

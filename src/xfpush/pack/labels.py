"""What a reviewer reads instead of code words: check names, audiences, failures with a fix.

Every check registered in ``channels.checks`` (and every check a channel names itself) has a
Chinese name here; a test keeps the table complete. Family names such as ``reserved_<zone>``
are matched by their pattern, so ``reserved_skip`` reads 保留区（skip）留空.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import Problem

CHECK_NAMES: dict[str, str] = {
    "text_fit": "文字排版",
    "min_text_size": "最小字号",
    "tips_shown": "提示条数",
    "safe_area": "安全区",
    "reserved_<zone>": "保留区留空",
    "reserved_<zone>_pixels": "保留区像素纯色",
    "qr_module_size": "二维码模块大小",
    "qr_decodes": "二维码可识别",
    "page_size": "页面尺寸",
    "pdfx": "PDF/X 印刷规范",
    "charset": "字符集",
    "gb18030": "GB18030 编码",
    "loudness": "响度",
    "broadcast_legal": "广播安全色",
    "keying": "叠加抠像区域",
    "reading_speed": "阅读速度",
    "columns": "每行字数",
    "cut": "切纸指令",
    "native_qr": "打印机原生二维码",
    "duration": "时长",
    "fills_slot": "填满时段（无空播）",
    "recording": "录音时长",
    "loop": "循环首尾",
    "format": "文件格式",
    "evacuation": "逃生图",
    "length": "字数",
    "segments": "短信条数",
    "signature": "短信签名",
    "opt_out": "退订提示",
    "source": "文字来源",
    "one_bit": "单色位图",
    "edge_clear": "标签边缘留白",
    "ink_coverage": "黑色覆盖率",
    "sheet": "拼版",
    "remark_length": "备注字数",
    "<language>_bitmap": "打印语言点阵一致",
    "preview_frames": "预览帧",
    "tts": "语音合成",
    "colour_tags": "色彩标记",
    "first_frame": "首帧（封面）",
    "video_length": "视频长度",
    "overlay_zones": "平台遮挡区",
    "voice_over": "配音",
    "content_complete": "正文和提示齐全",
}

_FAMILIES = (
    (re.compile(r"^reserved_(.+)_pixels$"), "保留区（{0}）像素纯色"),
    (re.compile(r"^reserved_(.+)$"), "保留区（{0}）留空"),
    (re.compile(r"^(zpl|tspl)_bitmap$"), "{0} 点阵与预览一致"),
)

AUDIENCE_NAMES: dict[str, str] = {
    "general": "公众", "elderly": "老年人", "children": "儿童", "students": "学生",
    "riders": "骑行者", "couriers": "快递外卖员", "businesses": "商户",
}

CHANNEL_NAMES: dict[str, str] = {
    "poster": "海报", "sticker": "包裹贴纸", "tv": "有线电视", "splash": "开屏页",
    "social": "新媒体", "screen": "开机/映前画面", "led": "LED 字幕屏", "sms": "短信",
    "receipt": "外卖小票", "audio": "语音提示", "radio": "广播", "video": "短视频",
    "banner": "横幅", "rollup": "易拉宝", "leaflet": "宣传单", "board": "展板",
}

_DEFAULT_FIXES: dict[str, str] = {
    "text_fit": "缩短这段文字，或在 variants 中为该渠道另写一句短文案",
    "min_text_size": "缩短标题、提示等文字，让版面能用更大的字号；或在 variants 中为该渠道另写短文案",
    "tips_shown": "缩短第一条提示",
    "safe_area": "缩短文字，让内容回到安全区内",
    "qr_module_size": "换一个更短的二维码链接（模块更少、每个模块更大）",
    "qr_decodes": "换一个更短的二维码链接后重新生成",
    "charset": "把不在字符集内的字换成常用字",
    "segments": "缩短短信正文，或在 variants.sms 中另写一条更短的短信",
    "length": "删减文字，或在 variants 中为该渠道另写",
    "reading_speed": "缩短屏幕文字，或加长 video_seconds",
    "recording": "按给出的时长剪辑或重录这段录音",
    "fills_slot": "缩短 variants.radio 中该规格的广播稿，或删去它由 xfpush 自动配稿",
    "video_length": "缩短标题或热线，或在 variants.video 中另写更短的标题",
    "duration": "缩短朗读文字，或在 variants 中另写更短的稿子",
    "opt_out": "在短信正文末尾加上“拒收请回复R”",
    "signature": "在 sms_signature 中填写已在短信平台报备的签名（阿里云 2–12 字）",
    "content_complete": "缩短正文或提示，让它们都排得下",
}
_GENERIC_FIX = "按原因修改消息文件后重新运行 xfpush pack；仍不通过请报告给维护者"
# Where a reason already says what to do: "……，请删减约 3 字" / "……；建议换用常用字".
_ADVICE = re.compile(r"[，；。,;]\s*(请|建议)")
_OVER = re.compile(r"超出 ?(\d+) ?字")
_SUBJECT = re.compile(r"^(?:[^：]*：)?([^：，；\s]{1,12}?)过长")


def check_name(name: str) -> str:
    """The Chinese name of a check (the code name itself when nobody named it yet)."""
    if name in CHECK_NAMES:
        return CHECK_NAMES[name]
    for pattern, template in _FAMILIES:
        found = pattern.match(name)
        if found:
            return template.format(*(g.upper() if g in ("zpl", "tspl") else g
                                     for g in found.groups()))
    return name


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


def audience_name(audience: str) -> str:
    return AUDIENCE_NAMES.get(audience, audience)


def split_advice(check: str, reason: str) -> tuple[str, str]:
    """(what went wrong, how to fix it): the advice a reason carries, made precise (which
    field, how many characters), else the check's default advice."""
    found = list(_ADVICE.finditer(reason))[-1:]
    if not found:
        return reason, _DEFAULT_FIXES.get(check, _GENERIC_FIX)
    what, advice = reason[: found[0].start()], reason[found[0].start(1):]
    over = _OVER.search(what)
    if over and not re.search(r"\d", advice):
        advice += f" {over.group(1)} 字"
    subject = _SUBJECT.match(what)
    if subject and advice.startswith("请删减"):
        field = re.sub(r"（[^）]*）$", "", subject.group(1))  # the reason already names the key
        advice = f"请把{field}删减" + advice[len("请删减"):]
    alternative = _DEFAULT_FIXES.get(check)
    if subject and advice.startswith("请把"):
        advice += "，或在 variants 中为该渠道另写短文案"
    elif alternative and len(advice) < 10:
        advice += f"：{alternative}"
    return what, advice


def failure_entry(problem: Problem) -> dict[str, str]:
    """How manifest.json records one asset that could not be made (Chinese reason and fix)."""
    reason, fix = split_advice(problem.check, problem.reason)
    return {"channel": problem.channel, "profile": problem.profile, "check": problem.check,
            "reason": reason, "fix": fix}


def failures_of(manifest: dict[str, Any]) -> list[dict[str, str]]:
    """The failures a manifest records (none for packs made before the key existed)."""
    found = manifest.get("failures") or []
    return [f for f in found if isinstance(f, dict)]

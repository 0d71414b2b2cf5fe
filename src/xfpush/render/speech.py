"""Text for the ear: numbers read the way announcers read them, and SSML with pinyin hints.

Phone numbers are read digit by digit with 1 as 幺 (119 → 幺幺九), years digit by digit,
small quantities as numbers (8小时 → 八小时); ℃, % and dashes become words or pauses. The
SSML marks every polyphonic character with the reading its context needs (重阳 chóng,
重要 zhòng, 银行 háng), as taken from pypinyin's phrase dictionary.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

DIGITS = "零一二三四五六七八九"
_PHONE = DIGITS.replace("一", "幺")
_DROP = str.maketrans("", "", "“”‘’\"'《》【】「」『』")


def cardinal(number: int) -> str:
    """0–9999 in words: 8 → 八, 10 → 十, 25 → 二十五, 105 → 一百零五."""
    if number < 10:
        return DIGITS[number]
    if number < 20:
        return "十" + (DIGITS[number % 10] if number % 10 else "")
    words, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            words += ("零" if zero and words else "") + DIGITS[digit] + unit
            zero = False
        elif words:
            zero = True
    return words


def _number(match: re.Match[str]) -> str:
    digits, after = match.group(1), match.group(2) or ""
    if after == "年" and len(digits) == 4:
        return "".join(DIGITS[int(d)] for d in digits) + after
    if len(digits) >= 3 or digits.startswith("0"):
        return "".join(_PHONE[int(d)] for d in digits) + after
    return cardinal(int(digits)) + after


def normalize(text: str) -> str:
    """Text as it should be spoken."""
    text = text.translate(_DROP)
    text = re.sub(r"(\d+(?:\.\d+)?)\s*%", lambda m: "百分之" + _decimal(m.group(1)), text)
    text = text.replace("℃", "摄氏度").replace("°C", "摄氏度")
    text = re.sub(r"[—–~～…]+|(?<=\S)-(?=\S)", "，", text)
    text = re.sub(r"(\d+)(年)?", _number, text)
    text = re.sub(r"\s+", "，", text.strip())
    return re.sub(r"，{2,}", "，", text)


def _decimal(value: str) -> str:
    whole, _, fraction = value.partition(".")
    spoken = cardinal(int(whole)) if len(whole) <= 4 else "".join(DIGITS[int(d)] for d in whole)
    return spoken + ("点" + "".join(DIGITS[int(d)] for d in fraction) if fraction else "")


def _each_char(chunk: str) -> Any:
    return list(chunk)


def is_polyphonic(char: str) -> bool:
    return "," in pinyin_dict.get(ord(char), "")


def ssml(text: str) -> str:
    """SSML 1.0 with a pinyin phoneme hint (tone numbers) on every polyphonic character."""
    # Whole text in, so phrases (重阳, 银行) pick their reading; non-hanzi stay one per char.
    readings = pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=_each_char)
    parts = []
    for char, (reading,) in zip(text, readings, strict=True):
        if is_polyphonic(char):
            parts.append(f'<phoneme alphabet="py" ph="{reading}">{escape(char)}</phoneme>')
        else:
            parts.append(escape(char))
    body = "".join(parts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-CN">'
            f"{body}</speak>\n")

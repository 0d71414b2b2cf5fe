"""Cloud voices: Tencent Cloud TTS (TextToVoice) over HTTPS, cached by content hash.

Keys come from the environment (``TENCENTCLOUD_SECRET_ID``, ``TENCENTCLOUD_SECRET_KEY``, the
names Tencent's own SDK reads) and are never printed. Requests are signed with TC3-HMAC-SHA256
as the API requires. Every answer is kept in a cache folder under the hash of everything that
shapes the sound (engine, voice, speed, rate, text), so the same message gives the same bytes
on every run, offline after the first, and a pack stays deterministic.

Settings: ``XFPUSH_TENCENT_VOICE`` (voice type, default 101001), ``XFPUSH_TENCENT_SPEED``
(-2…6, default 0), ``TENCENTCLOUD_REGION`` (default ap-guangzhou), ``XFPUSH_TENCENT_ENDPOINT``
(default https://tts.tencentcloudapi.com), ``XFPUSH_VOICE_CACHE`` (default
``~/.cache/xfpush/voices``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import time
import uuid
import wave
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from ..errors import DependencyError, RenderError
from .media import read_wav

ENDPOINT = "https://tts.tencentcloudapi.com"
SERVICE, ACTION, VERSION = "tts", "TextToVoice", "2019-08-23"
MAX_CHARS = 150
"""Longest text one TextToVoice request takes (Chinese characters); longer text is split."""
RATE = 16000


def cache_folder() -> Path:
    """Where cloud answers are kept (``XFPUSH_VOICE_CACHE`` or the user's cache folder)."""
    configured = os.environ.get("XFPUSH_VOICE_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "xfpush" / "voices"


def tc3_authorization(secret_id: str, secret_key: str, host: str, payload: bytes,
                      timestamp: int) -> str:
    """The ``Authorization`` header of a TC3-HMAC-SHA256 signed JSON POST to ``/``."""
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    canonical = "\n".join(["POST", "/", "", f"content-type:application/json; charset=utf-8\n"
                           f"host:{host}\n", "content-type;host",
                           hashlib.sha256(payload).hexdigest()])
    scope = f"{date}/{SERVICE}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("TC3" + secret_key).encode()
    for part in (date, SERVICE, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}")


class TencentVoice:
    """Tencent Cloud TTS, one request per piece of at most ``MAX_CHARS`` characters."""

    licence = "腾讯云语音合成服务条款（商用需开通付费服务）"

    def __init__(self) -> None:
        self.secret_id = os.environ.get("TENCENTCLOUD_SECRET_ID", "")
        self.secret_key = os.environ.get("TENCENTCLOUD_SECRET_KEY", "")
        if not self.secret_id or not self.secret_key:
            raise DependencyError("腾讯云语音合成需要密钥：请设置环境变量 TENCENTCLOUD_SECRET_ID 和 "
                                  "TENCENTCLOUD_SECRET_KEY（不会写入任何文件）",
                                  fix="在腾讯云控制台“访问管理 → API 密钥”创建密钥后设置这两个环境变量")
        self.voice_type = _int_setting("XFPUSH_TENCENT_VOICE", 101001, 0, 10**7)
        self.speed = _int_setting("XFPUSH_TENCENT_SPEED", 0, -2, 6)
        self.region = os.environ.get("TENCENTCLOUD_REGION", "ap-guangzhou")
        self.endpoint = os.environ.get("XFPUSH_TENCENT_ENDPOINT", ENDPOINT)
        self.name = "tencent-tts"

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        pieces = [self._cached(piece) for piece in split_text(text)]
        return (np.concatenate(pieces) if pieces else np.zeros(0, np.int16)), RATE

    def _cached(self, text: str) -> np.ndarray:
        shape = json.dumps([self.name, self.voice_type, self.speed, RATE, text], ensure_ascii=False)
        path = cache_folder() / f"{hashlib.sha256(shape.encode()).hexdigest()}.wav"
        if not path.is_file():
            wav = self._request(text)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{uuid.uuid4().hex}.part")
            partial.write_bytes(wav)
            os.replace(partial, path)  # atomic: a parallel render never reads half a file
        samples, rate, channels = read_wav(path.read_bytes())
        if rate != RATE or channels != 1:
            raise RenderError(f"腾讯云返回的音频不是 {RATE} Hz 单声道（{rate} Hz，{channels} 声道）",
                              tool=self.name)
        return samples

    def _request(self, text: str) -> bytes:
        import httpx

        payload = json.dumps({"Text": text, "SessionId": uuid.uuid4().hex, "VoiceType":
                              self.voice_type, "Speed": self.speed, "Codec": "wav",
                              "SampleRate": RATE, "ModelType": 1, "PrimaryLanguage": 1},
                             ensure_ascii=False).encode()
        host = urlsplit(self.endpoint).netloc
        stamp = int(time.time())
        headers = {"Content-Type": "application/json; charset=utf-8", "Host": host,
                   "X-TC-Action": ACTION, "X-TC-Version": VERSION, "X-TC-Region": self.region,
                   "X-TC-Timestamp": str(stamp), "Authorization": tc3_authorization(
                       self.secret_id, self.secret_key, host, payload, stamp)}
        try:
            answer = httpx.post(self.endpoint, content=payload, headers=headers, timeout=30)
            body = answer.json().get("Response", {})
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise RenderError(f"腾讯云语音合成请求失败（{type(exc).__name__}）：{text[:20]}",
                              tool=self.name) from None
        error = body.get("Error")
        if error or "Audio" not in body:
            code = (error or {}).get("Code", f"HTTP {answer.status_code}")
            said = (error or {}).get("Message", "")
            raise RenderError(f"腾讯云语音合成拒绝了请求（{code}）：{text[:20]}", tool=self.name,
                              said=said[:200])
        return _wav(base64.b64decode(body["Audio"]), self.name)


def _wav(data: bytes, tool: str) -> bytes:
    try:
        read_wav(data)
    except (wave.Error, EOFError) as exc:
        raise RenderError(f"腾讯云返回的音频不是 WAV（{exc}）", tool=tool) from None
    return data


def split_text(text: str) -> list[str]:
    """Pieces of at most ``MAX_CHARS`` characters, cut after sentence or clause marks."""
    pieces: list[str] = []
    for clause in re.findall(r"[^。！？；，,!?;]+[。！？；，,!?;]*", text) or [text]:
        while len(clause) > MAX_CHARS:
            pieces.append(clause[:MAX_CHARS])
            clause = clause[MAX_CHARS:]
        if pieces and len(pieces[-1]) + len(clause) <= MAX_CHARS:
            pieces[-1] += clause
        elif clause.strip():
            pieces.append(clause)
    return pieces


def _int_setting(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not re.fullmatch(r"-?\d+", raw.strip()) or not low <= int(raw) <= high:
        raise DependencyError(f"环境变量 {name}={raw} 无效：应为 {low}–{high} 的整数")
    return int(raw)

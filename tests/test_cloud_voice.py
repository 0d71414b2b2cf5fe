"""The Tencent Cloud voice, against a local stand-in for the TextToVoice API on 127.0.0.1.

The stand-in checks the TC3-HMAC-SHA256 signature with its own implementation of Tencent's
published algorithm, and answers with a WAV whose length depends on the text; it counts the
requests, so the content-hash cache is seen to work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import threading
import time
import wave
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from xfpush.errors import DependencyError, RenderError
from xfpush.render import tts
from xfpush.render.cloud import MAX_CHARS, split_text

SECRET_ID, SECRET_KEY = "AKIDstandin", "standin-secret-key"


def expected_signature(headers: dict[str, str], body: bytes, secret: str) -> str:
    stamp = int(headers["x-tc-timestamp"])
    day = time.strftime("%Y-%m-%d", time.gmtime(stamp))
    request = (f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\n"
               f"content-type;host\n{hashlib.sha256(body).hexdigest()}")
    text = (f"TC3-HMAC-SHA256\n{stamp}\n{day}/tts/tc3_request\n"
            f"{hashlib.sha256(request.encode()).hexdigest()}")

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(("TC3" + secret).encode(), day), "tts"), "tc3_request")
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def tone_wav(seconds: float) -> bytes:
    rate = 16000
    t = np.arange(round(seconds * rate)) / rate
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes())
    return buffer.getvalue()


class StandIn(BaseHTTPRequestHandler):
    texts: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {key.lower(): value for key, value in self.headers.items()}
        given = headers.get("authorization", "").rsplit("Signature=", 1)[-1]
        if headers.get("x-tc-action") != "TextToVoice" or \
                given != expected_signature(headers, body, SECRET_KEY) or \
                f"Credential={SECRET_ID}/" not in headers["authorization"]:
            answer = {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}
        else:
            request = json.loads(body)
            assert request["Codec"] == "wav" and request["SampleRate"] == 16000
            self.texts.append(request["Text"])
            audio = tone_wav(0.1 * len(request["Text"]))
            answer = {"Audio": base64.b64encode(audio).decode(), "RequestId": "1"}
        data = json.dumps({"Response": answer}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    StandIn.texts = []
    monkeypatch.setenv("XFPUSH_TTS", "tencent")
    monkeypatch.setenv("XFPUSH_TENCENT_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("XFPUSH_VOICE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
    yield StandIn.texts
    server.shutdown()
    server.server_close()


def test_signed_request_then_cached_by_content(stand_in: list[str], tmp_path: Path) -> None:
    samples, rate = tts.voice().synthesize("电动车不进楼入户。")
    assert rate == 16000 and len(samples) == round(0.1 * 9 * 16000)
    assert stand_in == ["电动车不进楼入户。"]
    again, _ = tts.voice().synthesize("电动车不进楼入户。")
    assert np.array_equal(again, samples) and len(stand_in) == 1  # from the cache
    assert len(list((tmp_path / "cache").glob("*.wav"))) == 1
    tts.voice().synthesize("火警请拨打幺幺九。")
    assert len(stand_in) == 2


def test_a_wrong_key_is_a_chinese_error_without_the_secret(stand_in: list[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "wrong-secret")
    with pytest.raises(RenderError) as raised:
        tts.voice().synthesize("电动车不进楼入户。")
    assert "腾讯云语音合成拒绝了请求（AuthFailure.SignatureFailure）" in str(raised.value)
    assert "wrong-secret" not in str(raised.value) and stand_in == []


def test_missing_keys_name_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XFPUSH_TTS", "tencent")
    monkeypatch.delenv("TENCENTCLOUD_SECRET_ID", raising=False)
    with pytest.raises(DependencyError, match="TENCENTCLOUD_SECRET_ID"):
        tts.voice()


def test_no_server_is_a_chinese_error(stand_in: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XFPUSH_TENCENT_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(RenderError, match="腾讯云语音合成请求失败"):
        tts.voice().synthesize("电动车不进楼入户。")


def test_long_text_is_split_at_punctuation_within_the_limit() -> None:
    text = "，".join(["不在楼道停放充电"] * 40) + "。"
    pieces = split_text(text)
    assert "".join(pieces) == text and all(len(piece) <= MAX_CHARS for piece in pieces)
    assert all(piece.endswith(("，", "。")) for piece in pieces)


@pytest.mark.slow
def test_a_pack_spoken_by_the_cloud_voice_says_so(stand_in: list[str], tmp_path: Path) -> None:
    from xfpush import build_pack, load_message

    demo = Path(__file__).resolve().parents[1] / "assets/examples/demo.yaml"
    pack = build_pack(load_message(demo), tmp_path / "pack", channels="audio:unlock").path
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    assert {a["voice"] for a in manifest["assets"]} == {"tencent-tts"}
    assert stand_in and not manifest.get("failures")
    proof = (pack / "proof.html").read_text("utf-8")
    assert "合成语音（tencent-tts）" in proof and "由 espeak-ng 机器合成" not in proof

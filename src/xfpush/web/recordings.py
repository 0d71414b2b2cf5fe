"""Recording the spoken assets in the browser: the script to read, and the takes.

The page records with the microphone (MediaRecorder, usually WebM/Opus) or takes a file; the
take is stored in the workspace under its content hash, decoded once here exactly as ``pack``
will decode it (``render.recording``), and becomes the message's ``recordings.<profile>``.
Trimming, levelling, fading and the slot checks are the pack's, as for a recording named in
a message file.
"""

from __future__ import annotations

import hashlib
import os
import re

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..channels.scripts import READING_PROFILES, reading_script
from ..render.recording import RecordingRefused, load_recording
from .compose import posted_data
from .core import Workbench, bench, read_form, require
from .forms import field_errors

MAX_TAKE_BYTES = 20 * 1024 * 1024  # a browser take of a few minutes is far below this
_TAKE_NAME = re.compile(r"^[0-9a-f]{24}\.(webm|ogg|wav|m4a|mp3)\Z")
_MEDIA_TYPES = {"webm": "audio/webm", "ogg": "audio/ogg", "wav": "audio/wav",
                "m4a": "audio/mp4", "mp3": "audio/mpeg"}


def sniff_suffix(head: bytes) -> str | None:
    """The container a take is in, from its first bytes (never from the name it was sent as)."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def store_take(wb: Workbench, raw: bytes) -> str:
    """Keep a take under its content hash after decoding it as the pack will; its file name.

    Raises RecordingRefused with a Chinese reason for anything that is not usable audio.
    """
    if len(raw) > MAX_TAKE_BYTES:
        raise RecordingRefused(f"录音文件过大：{len(raw) >> 20} MB，上限 {MAX_TAKE_BYTES >> 20} MB")
    suffix = sniff_suffix(raw[:16])
    if suffix is None:
        raise RecordingRefused("不是可识别的录音格式（支持 WebM、Ogg、WAV、M4A、MP3）")
    name = f"{hashlib.sha256(raw).hexdigest()[:24]}.{suffix}"
    target = wb.files / name
    if not target.exists():
        staged = wb.files / f".take-{os.urandom(6).hex()}.{suffix}"
        staged.write_bytes(raw)
        try:
            load_recording(staged, 16000)  # decodes, trims: refuses silence and non-audio
            os.replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)
    return name


async def take_upload(request: Request) -> Response:
    """A take for one profile, from the microphone or a file: the fragment that holds it."""
    require(request, "compose")
    wb = bench(request)
    form = await read_form(request, max_bytes=MAX_TAKE_BYTES)
    profile = str(form.get("profile", ""))
    item = form.get("take")
    if profile not in READING_PROFILES or not isinstance(item, UploadFile):
        raise HTTPException(422, "请录音或选择一个录音文件")
    raw = await item.read(MAX_TAKE_BYTES + 1)
    error, name = "", ""
    try:
        name = await run_in_threadpool(store_take, wb, raw)
    except RecordingRefused as exc:
        error = f"录音未能使用：{exc}"
    response = wb.page(request, "_take.html", profile=profile, name=name, error=error)
    if name:
        response.headers["HX-Trigger-After-Swap"] = "xf-changed"  # re-check the spoken assets
    return response


async def take_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = bench(request).files / name
    if not _TAKE_NAME.match(name) or not path.is_file():
        raise HTTPException(404, "没有这段录音")
    return FileResponse(path, media_type=_MEDIA_TYPES[name.rsplit(".", 1)[1]],
                        headers={"Cache-Control": "private, max-age=86400, immutable"})


async def scripts(request: Request) -> Response:
    """What to read for each spoken profile, for the message as typed so far."""
    require(request, "compose")
    wb = bench(request)
    form = await read_form(request)
    message, _ = field_errors(posted_data(form), wb.files)
    texts = {}
    if message is not None:
        texts = await run_in_threadpool(
            lambda: {profile: reading_script(message, profile) for profile in READING_PROFILES})
    return wb.page(request, "_scripts.html", texts=texts)


ROUTES = [
    Route("/compose/take", take_upload, methods=["POST"], max_body_size=MAX_TAKE_BYTES + 64 * 1024),
    Route("/takes/{name}", take_file),
    Route("/compose/scripts", scripts, methods=["POST"]),
]

"""Compose: the message form, its live checks and previews, save, download and upload.

Every change of the form posts it to ``/compose/live`` (debounced by htmx); the answer is the
preview panel plus out-of-band replacements of each field's message, so the officer sees
“标题过长：共 39 字……请删减约 7 字” under 标题 while typing. The spoken channels (speech
synthesis, a second or two) are checked by a second, slower request.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from typing import Any

import yaml
from PIL import Image
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ..channels import CHANNELS
from ..errors import MessageError, Problem, XfpushError
from ..model.icons import catalogue
from ..model.images import check_image_file
from ..model.loader import parse_text
from ..model.message import DEFAULT_THEME, MAX_FILE_BYTES, Message
from ..pack.build import check_message
from ..render.icons import icon_image
from ..resources import asset_path
from .core import bench, read_form, require
from .forms import IMAGES, LABELS, field_errors, form_data, form_values, problem_slots, slot_of
from .previews import DEFAULT, RENDER_LOCK, chosen

SPOKEN = ("audio", "radio", "video")  # their checks time synthesised speech: asked separately
MAX_IMAGE_BYTES = 10 * 1024 * 1024
ICON_PX = 96  # drawn at twice the 48 px the picker shows, for sharp high-DPI screens
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
_IMAGE_NAME = re.compile(r"^[0-9a-f]{24}\.(png|jpg|webp)\Z")


def message_file(data: dict[str, Any]) -> bytes:
    """The message data as a YAML message file (what ``xfpush pack`` reads)."""
    head = "# xfpush 消息文件（在工作台编写）。用法：xfpush pack 本文件 -o 输出文件夹\n"
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return (head + body).encode("utf-8")


def _lists(form: FormData) -> dict[str, list[str]]:
    return {name: [str(v) for v in form.getlist(name)]
            for name in ("tips", "hotline_label", "hotline_number", "preview", "icons")}


def posted_data(form: FormData) -> dict[str, Any]:
    return form_data({k: str(v) for k, v in form.items() if isinstance(v, str)}, _lists(form))


async def home(request: Request) -> Response:
    wb = bench(request)
    return wb.page(request, "home.html", messages=wb.store.messages())


def _compose_page(request: Request, data: dict[str, Any], *, saved: bool = False,
                  status: int = 200, notice: str = "", previews: list[str] | None = None) -> Response:
    wb = bench(request)
    _, errors = field_errors(data, wb.files) if data else (None, {})
    stored = wb.store.message(str(data.get("id", ""))) is not None
    return wb.page(request, "compose.html", status=status, form=form_values(data), errors=errors,
                   saved=saved, stored=stored, notice=notice,
                   previews=previews or list(DEFAULT))


async def compose_new(request: Request) -> Response:
    require(request, "compose")
    recipe = request.query_params.get("recipe")
    if recipe:
        from .campaign import recipe_message

        year = request.query_params.get("year", "")
        try:
            data = await run_in_threadpool(recipe_message, recipe,
                                           int(year) if year.isdigit() else None)
        except XfpushError as exc:
            raise HTTPException(400, str(exc)) from None
        return _compose_page(request, data, notice="已按配方填好，请核对后保存")
    if request.query_params.get("example"):
        text = asset_path("examples", "demo.yaml").read_text("utf-8")
        data, _ = parse_text(text, ".yaml", "示例消息")
        return _compose_page(request, data, notice="这是示例消息：改成你自己的内容后保存")
    return _compose_page(request, {})


async def compose_saved(request: Request) -> Response:
    require(request, "compose")
    data = bench(request).store.message(request.path_params["ident"])
    if data is None:
        raise HTTPException(404, "没有这条消息，可能已被删除")
    return _compose_page(request, data, saved=request.query_params.get("saved") == "1")


def _quick_spec() -> str:
    return ",".join(name for name in CHANNELS if name not in SPOKEN)


def _checked(message: Message, spec: str) -> tuple[list[Problem], dict[str, str]]:
    try:
        with RENDER_LOCK:
            return check_message(message, spec), {}
    except MessageError as exc:
        return [], {slot_of(exc.field): exc.reason}
    except XfpushError as exc:
        return [], {"general": str(exc)}


async def live(request: Request) -> Response:
    """Field messages, channel problems and previews for the form as it is now."""
    require(request, "compose")
    wb = bench(request)
    form = await read_form(request)
    data = posted_data(form)
    message, errors = field_errors(data, wb.files)
    problems: list[Problem] = []
    previews = []
    more: dict[str, str] = {}
    if message is not None:
        problems, more = await run_in_threadpool(_checked, message, _quick_spec())
        errors.update(more)
        if not more:
            previews = await run_in_threadpool(wb.previewer.render, message,
                                               chosen(_lists(form)["preview"]))
    response = wb.page(request, "_live.html", errors=errors, problems=problems,
                       slots=problem_slots(problems), previews=previews,
                       valid=message is not None and not more)
    if not previews:  # keep the last good previews; the note says why they do not change
        response.headers["HX-Reswap"] = "none"
    return response


async def spoken(request: Request) -> Response:
    """Checks of the spoken channels (speech is synthesised: slower, so asked separately)."""
    require(request, "compose")
    form = await read_form(request)
    message, errors = field_errors(posted_data(form), bench(request).files)
    problems: list[Problem] = []
    if message is not None:
        problems, more = await run_in_threadpool(_checked, message, ",".join(
            name for name in SPOKEN if name in CHANNELS))
        errors.update(more)
    return bench(request).page(request, "_spoken.html", problems=problems, errors=errors,
                               valid=message is not None)


async def save(request: Request) -> Response:
    who = require(request, "compose")
    wb = bench(request)
    form = await read_form(request)
    data = posted_data(form)
    ident = str(data.get("id", ""))
    if not _ID.match(ident):
        return _compose_page(request, data, status=422,
                             notice="未保存：编号必填，只能用小写字母、数字和连字符（例如 ebike-2027）")
    wb.store.save_message(ident, data, who.name)
    return RedirectResponse(f"/m/{ident}?saved=1", status_code=303)


async def download_form(request: Request) -> Response:
    require(request, "compose")
    data = posted_data(await read_form(request))
    return _yaml_response(data)


async def download_saved(request: Request) -> Response:
    require(request, "compose")
    data = bench(request).store.message(request.path_params["ident"])
    if data is None:
        raise HTTPException(404, "没有这条消息")
    return _yaml_response(data)


def _yaml_response(data: dict[str, Any]) -> Response:
    ident = str(data.get("id") or "message")
    name = ident if _ID.match(ident) else "message"
    return Response(message_file(data), media_type="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'})


async def upload(request: Request) -> Response:
    """A message file (YAML, TOML or JSON, ≤ 256 KB) opened in the form, not yet saved."""
    require(request, "compose")
    form = await read_form(request, max_bytes=MAX_FILE_BYTES)
    item = form.get("file")
    if not isinstance(item, UploadFile) or not item.filename:
        return _compose_page(request, {}, status=422, notice="请选择一个消息文件（.yaml、.toml 或 .json）")
    raw = await item.read(MAX_FILE_BYTES + 1)
    suffix = "." + item.filename.rsplit(".", 1)[-1].lower() if "." in item.filename else ""
    if len(raw) > MAX_FILE_BYTES:
        return _compose_page(request, {}, status=413, notice=f"消息文件过大：上限 "
                             f"{MAX_FILE_BYTES // 1024} KB，实际超过此值")
    try:
        data, _ = parse_text(raw.decode("utf-8"), suffix, "上传的文件")
    except UnicodeDecodeError:
        return _compose_page(request, {}, status=422, notice="文件不是 UTF-8 编码，请另存为 UTF-8 后再上传")
    except MessageError as exc:
        return _compose_page(request, {}, status=422, notice=str(exc))
    return _compose_page(request, data, notice="已打开上传的消息文件，尚未保存")


async def image_upload(request: Request) -> Response:
    """A logo or evacuation map: checked (type, bytes, pixels), stored by content hash."""
    require(request, "compose")
    wb = bench(request)
    form = await read_form(request, max_bytes=MAX_IMAGE_BYTES)
    kind = str(form.get("kind", ""))
    item = form.get(f"upload_{kind}")
    if kind not in IMAGES or not isinstance(item, UploadFile):
        raise HTTPException(422, "请选择一张 PNG 或 JPEG 图片")
    raw = await item.read(MAX_IMAGE_BYTES + 1)
    error, name = "", ""
    if len(raw) > MAX_IMAGE_BYTES:
        error = f"图片文件过大：上限 {MAX_IMAGE_BYTES >> 20} MB"
    else:
        staged = wb.files / f".upload-{os.urandom(6).hex()}"
        staged.write_bytes(raw)
        try:
            check_image_file(staged)
            with Image.open(staged) as image:
                suffix = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}[str(image.format)]
            name = hashlib.sha256(raw).hexdigest()[:24] + suffix
            os.replace(staged, wb.files / name)
        except ValueError as exc:
            error = str(exc).replace(staged.name, item.filename or "")
        finally:
            staged.unlink(missing_ok=True)
    response = wb.page(request, "_image.html", kind=kind, name=name, error=error)
    if name:
        response.headers["HX-Trigger-After-Swap"] = "xf-changed"  # once the field is in
    return response


async def image_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = bench(request).files / name
    if not _IMAGE_NAME.match(name) or not path.is_file():
        raise HTTPException(404, "没有这张图片")
    return FileResponse(path, headers={"Cache-Control": "private, max-age=86400, immutable"})


async def icon_file(request: Request) -> Response:
    """A bundled pictogram as the picker shows it (drawn by the same code as the assets)."""
    name = request.path_params["name"]
    if name not in catalogue():
        raise HTTPException(404, "没有这个图标")
    buffer = io.BytesIO()
    icon_image(name, ICON_PX, DEFAULT_THEME["primary"], "#FFFFFF").save(buffer, "PNG")
    return Response(buffer.getvalue(), media_type="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})


async def preview_file(request: Request) -> Response:
    found = bench(request).previewer.images.get(request.path_params["ident"])
    if found is None:
        raise HTTPException(404, "预览已过期，请修改任意内容以重新生成")
    media_type, data = found
    return Response(data, media_type=media_type,
                    headers={"Cache-Control": "private, max-age=3600, immutable"})


ROUTES = [
    Route("/", home),
    Route("/compose", compose_new),
    Route("/m/{ident}", compose_saved),
    Route("/m/{ident}/message.yaml", download_saved),
    Route("/compose/live", live, methods=["POST"]),
    Route("/compose/spoken", spoken, methods=["POST"]),
    Route("/compose/save", save, methods=["POST"]),
    Route("/compose/download", download_form, methods=["POST"]),
    Route("/compose/upload", upload, methods=["POST"], max_body_size=MAX_FILE_BYTES + 64 * 1024),
    Route("/preview/{ident}", preview_file),
    Route("/icons/{name}.png", icon_file),
    Route("/compose/image", image_upload, methods=["POST"],
          max_body_size=MAX_IMAGE_BYTES + 256 * 1024),
    Route("/files/{name}", image_file),
]
__all__ = ["LABELS", "ROUTES"]

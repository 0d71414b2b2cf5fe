"""Generate and review: build the pack with per-channel progress, show the proof page, sign off
by role bound to the manifest hash (``approve``), void sign-offs when the message changes,
download the pack as a zip.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..channels import CHANNELS
from ..errors import XfpushError
from ..model.loader import message_from_dict
from ..pack.build import build_pack, render_checked
from ..pack.cache import RenderCache
from ..pack.manifest import MANIFEST, message_yaml, safe_relative, sha256
from ..partners.delivery import ROLES, approve
from .core import Job, Workbench, bench, read_form, require
from .previews import RENDER_LOCK
from .store import PackRow, SignOff

FONT_FACE = ("<style>@font-face{font-family:\"Noto Sans CJK SC\";src:url(/fonts/NotoSansSC-Regular"
             ".otf)}@font-face{font-family:\"Noto Sans CJK SC\";font-weight:bold;src:url(/fonts/"
             "NotoSansSC-Bold.otf)}</style>")
FILES_CSP = ("default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; media-src 'self'; font-src 'self'; frame-ancestors 'self'; "
             "sandbox allow-same-origin allow-popups")


def channel_choices() -> list[tuple[str, str]]:
    return [(name, CHANNELS[name].title) for name in CHANNELS]


def step_name(channel: str) -> str:
    return f"{CHANNELS[channel].title}（{channel}）"


def current_sha(data: dict[str, Any] | None, files: Path) -> str:
    """sha256 of the normalized message file of ``data`` ('' when it does not validate)."""
    if data is None:
        return ""
    try:
        return sha256(message_yaml(message_from_dict(data, base_dir=files)))
    except XfpushError:
        return ""


def _failures(problems: list[Any]) -> list[dict[str, str]]:
    return [{"channel": p.channel, "profile": p.profile, "check": p.check, "reason": p.reason}
            for p in problems]


def run_build(wb: Workbench, job: Job, ident: str, data: dict[str, Any],
              channels: list[str]) -> None:
    """Render channel by channel (progress), then write the pack from the warmed cache."""
    try:
        message = message_from_dict(data, base_dir=wb.files)
        done: list[str] = []
        failures: list[dict[str, str]] = []
        cache = RenderCache()  # the pack below reuses these renders instead of redoing them
        for name in channels:
            step = step_name(name)
            job.steps[step] = "生成中…"
            start = time.perf_counter()
            try:
                with RENDER_LOCK:
                    rendered = render_checked(message, name, cache=cache)
            except XfpushError as exc:
                failures.append({"channel": name, "profile": "", "check": "render",
                                 "reason": str(exc)})
                job.steps[step] = f"失败：{exc}"
                continue
            failures += _failures(rendered.problems)
            if rendered.problems and not rendered.assets:
                job.steps[step] = f"未通过：{rendered.problems[0].reason}"
                continue
            done.append(name)
            note = f"，{len(rendered.problems)} 项未通过" if rendered.problems else ""
            job.steps[step] = (f"完成：{len(rendered.assets)} 个文件{note}，"
                               f"{time.perf_counter() - start:.1f} 秒")
        if not done:
            raise XfpushError("所选渠道都未能生成，未写入物料包")
        folder = wb.folder("packs", ident) / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.urandom(3).hex()}"
        with RENDER_LOCK:
            result = build_pack(message, folder, ",".join(done), cache=cache)
        manifest_sha = sha256((folder / MANIFEST).read_bytes())
        pack_id = wb.store.add_pack(ident, str(folder), ",".join(done),
                                    result.manifest["message"]["sha256"], manifest_sha,
                                    failures, job.owner)
        wb.store.audit(job.owner, "生成物料包", f"{ident} #{pack_id}（{len(done)} 个渠道）")
        job.result = {"pack_id": pack_id, "link": f"/m/{ident}/review", "link_text": "查看审核单"}
    except XfpushError as exc:
        job.error = str(exc)
    except Exception as exc:
        job.error = f"生成时出错：{exc}"
    finally:
        job.done = True


async def generate(request: Request) -> Response:
    who = require(request, "generate")
    wb = bench(request)
    ident = request.path_params["ident"]
    form = await read_form(request)
    data = wb.store.message(ident)
    if data is None:
        raise HTTPException(404, "没有这条消息，请先保存")
    if not current_sha(data, wb.files):
        raise HTTPException(422, "消息还有未通过的字段，请回到编写页面修改后再生成")
    channels = [str(c) for c in form.getlist("channel") if str(c) in CHANNELS]
    if not channels:
        raise HTTPException(422, "请至少选择一个渠道")
    job = Job("build", who.name, {step_name(name): "等待" for name in channels})
    job_id = wb.add_job(job)
    threading.Thread(target=run_build, args=(wb, job, ident, data, channels), daemon=True,
                     name=f"build-{ident}").start()
    return job_response(request, wb, job, job_id)


def job_response(request: Request, wb: Workbench, job: Job, job_id: str) -> Response:
    """The job's progress fragment; a finished build sends the page to its review."""
    response = wb.page(request, "_job.html", job=job, job_id=job_id)
    if job.done and job.kind == "build" and not job.error:
        response.headers["HX-Redirect"] = job.result["link"]
    return response


async def job_status(request: Request) -> Response:
    wb = bench(request)
    job_id = request.path_params["job"]
    job = wb.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "任务不存在（工作台可能已重启）")
    return job_response(request, wb, job, job_id)


@dataclass(frozen=True)
class Status:
    """A sign-off and whether it still holds."""

    signoff: SignOff
    valid: bool
    reason: str


def signoff_status(wb: Workbench, ident: str, pack: PackRow | None) -> tuple[bool, list[Status]]:
    """(pack is current, every sign-off with its validity) for the latest pack of a message."""
    stale = pack is None or current_sha(wb.store.message(ident), wb.files) != pack.message_sha256
    manifest = ""
    if pack is not None:
        try:
            manifest = sha256((Path(pack.folder) / MANIFEST).read_bytes())
        except OSError:
            manifest = ""
    found = []
    for entry in wb.store.signoffs(ident):
        if pack is None or entry.pack_id != pack.id:
            found.append(Status(entry, False, "已重新生成物料包，此签字针对旧的物料包，已作废"))
        elif stale:
            found.append(Status(entry, False, "消息在签字后被修改，此签字已作废，请重新生成并审核"))
        elif entry.manifest_sha256 != manifest:
            found.append(Status(entry, False, "物料包文件在签字后被改动，此签字已作废"))
        else:
            found.append(Status(entry, True, ""))
    return not stale, found


async def review_page(request: Request) -> Response:
    who = require(request, "compose")
    wb = bench(request)
    ident = request.path_params["ident"]
    data = wb.store.message(ident)
    if data is None:
        raise HTTPException(404, "没有这条消息")
    pack = wb.store.latest_pack(ident)
    current, statuses = signoff_status(wb, ident, pack)
    return wb.page(request, "review.html", ident=ident, title=data.get("title", ""), pack=pack,
                   current=current, statuses=statuses, roles=ROLES,
                   my_roles=[r for r in ROLES if who.may(f"sign:{r}")],
                   channels=channel_choices(), chosen=pack.channels.split(",") if pack else
                   [name for name, _ in channel_choices()])


async def sign(request: Request) -> Response:
    wb = bench(request)
    form = await read_form(request)
    role = str(form.get("role", ""))
    if role not in ROLES:
        raise HTTPException(422, f"审核角色应为 {'、'.join(ROLES)} 之一")
    who = require(request, f"sign:{role}")
    pack = wb.store.pack(int(request.path_params["pack"]))
    if pack is None:
        raise HTTPException(404, "没有这个物料包")
    latest = wb.store.latest_pack(pack.message_id)
    current, _ = signoff_status(wb, pack.message_id, latest)
    if latest is None or latest.id != pack.id or not current:
        raise HTTPException(409, "消息或物料包已变化，这份物料包不能再签字；请重新生成物料包后审核")
    signer = who.name if who.signed_in else str(form.get("signer", "")).strip()[:32]
    comment = str(form.get("comment", "")).strip()[:500]
    try:
        entry = approve(pack.folder, signer, role)
    except XfpushError as exc:
        raise HTTPException(422, str(exc).replace("（--by）", "")) from None
    wb.store.sign(pack.id, role, entry["by"], comment, entry["manifest_sha256"])
    wb.store.audit(who.name, f"签字{role}", f"{pack.message_id} #{pack.id} 签字人 {entry['by']}"
                   f" manifest {entry['manifest_sha256'][:12]}")
    response = Response(status_code=204)
    response.headers["HX-Redirect"] = f"/m/{pack.message_id}/review"
    return response


def _pack_or_404(wb: Workbench, request: Request) -> PackRow:
    pack = wb.store.pack(int(request.path_params["pack"]))
    if pack is None or not Path(pack.folder).is_dir():
        raise HTTPException(404, "没有这个物料包")
    return pack


async def pack_file(request: Request) -> Response:
    require(request, "compose")
    wb = bench(request)
    folder = Path(_pack_or_404(wb, request).folder)
    try:
        path = folder / safe_relative(request.path_params["path"])
    except ValueError:
        raise HTTPException(404, "路径越界") from None
    if not path.is_file():
        raise HTTPException(404, "物料包中没有这个文件")
    headers = {"Content-Security-Policy": FILES_CSP}
    if path.name == "proof.html" and path.parent == folder:
        html = path.read_text("utf-8").replace("<head>", "<head>" + FONT_FACE, 1)
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    return FileResponse(path, headers=headers)


def zip_folder(folder: Path, root: str, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{root}/{path.relative_to(folder).as_posix()}")


async def download(request: Request) -> Response:
    require(request, "compose")
    wb = bench(request)
    pack = _pack_or_404(wb, request)
    handle, name = tempfile.mkstemp(suffix=".zip", dir=wb.folder("tmp"))
    os.close(handle)
    target = Path(name)
    zip_folder(Path(pack.folder), pack.message_id, target)
    return FileResponse(target, media_type="application/zip",
                        filename=f"{pack.message_id}-pack{pack.id}.zip",
                        background=BackgroundTask(target.unlink, missing_ok=True))


ROUTES = [
    Route("/m/{ident}/review", review_page),
    Route("/m/{ident}/generate", generate, methods=["POST"]),
    Route("/jobs/{job}", job_status),
    Route("/packs/{pack:int}/sign", sign, methods=["POST"]),
    Route("/packs/{pack:int}/files/{path:path}", pack_file),
    Route("/packs/{pack:int}/download", download),
]

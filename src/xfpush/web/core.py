"""What every page handler shares: the workbench state, who is asking, CSRF, templates.

``Workbench`` holds the workspace (folder, database, previews, running jobs); ``actor``
says who made a request and what they may do; ``read_form`` is the only way a handler reads a
posted form, and it refuses any form without the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .._version import __version__
from ..channels.scripts import READING_PROFILES
from ..model.icons import catalogue
from .forms import AUDIENCE_CHOICES, LABELS, THEME_NAMES, VARIANTS
from .previews import CHOICES, Previewer
from .store import LEDGER, Store

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SECRET_FILE = "session.key"
LOCAL_USER = "本机用户"
ROLE_NAMES = {"admin": "管理员", "reviewer": "审核员", "editor": "编辑"}
_EDITOR = {"compose", "generate", "sign:初审", "batch"}
_REVIEWER = _EDITOR | {"sign:复审", "sign:终审", "deliver", "report"}
PERMISSIONS = {"editor": _EDITOR, "reviewer": _REVIEWER,
               "admin": _REVIEWER | {"users", "audit"}}
MAX_FORM_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """How the workbench was started."""

    data: Path
    accounts: bool = False
    """Require login (always when bound to an address other than loopback)."""
    loopback: bool = True
    """Bound to 127.0.0.1/::1 only: the Host header must then name this machine."""
    upload_limit: int = 20 * 1024 * 1024


@dataclass
class Job:
    """A long task (pack build, batch, delivery) the page polls for progress."""

    kind: str
    owner: str
    steps: dict[str, str] = field(default_factory=dict)
    """step → state text, in order (e.g. channel → 完成 12 个文件)."""
    done: bool = False
    error: str = ""
    result: dict[str, Any] = field(default_factory=dict)


class Workbench:
    """The state of one running workbench."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data = settings.data.resolve()
        self.store = Store(self.data)
        self.previewer = Previewer()
        self.jobs: dict[str, Job] = {}
        self.jobs_lock = threading.Lock()
        self.secret = _secret(self.data)
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(version=__version__, LABELS=LABELS, AUDIENCES=AUDIENCE_CHOICES,
                                THEME_NAMES=THEME_NAMES, VARIANTS=VARIANTS, CHOICES=CHOICES,
                                ROLE_NAMES=ROLE_NAMES, READING_PROFILES=READING_PROFILES,
                                ICONS={name: info.label for name, info in catalogue().items()})
        self.env.filters["plain"] = plain
        self.env.filters["local"] = local_time

    @property
    def files(self) -> Path:
        """Uploaded images (logo, evacuation map), named by their content hash."""
        return self.folder("files")

    @property
    def ledger(self) -> Path:
        return self.data / LEDGER

    def folder(self, *parts: str) -> Path:
        path = self.data.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def add_job(self, job: Job) -> str:
        ident = secrets.token_hex(8)
        with self.jobs_lock:
            self.jobs[ident] = job
        return ident

    def page(self, request: Request, template: str, status: int = 200,
             **context: Any) -> HTMLResponse:
        who = actor(request)
        context.update(request=request, actor=who, csrf=csrf_token(request),
                       accounts=self.settings.accounts)
        html = self.env.get_template(template).render(context)
        return HTMLResponse(html, status_code=status)


def local_time(stamp: str) -> str:
    """An ISO UTC timestamp from the database, in this computer's time zone, to the minute."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def plain(text: str) -> str:
    """A check's detail for people: ``标题=title、口号=slogan`` → ``标题、口号``."""
    return _FIELD_NAMES.sub("", text)


_FIELD_NAMES = re.compile(r"=[A-Za-z_][A-Za-z0-9_.\[\]]*")


def _secret(data: Path) -> str:
    """The session-signing key of this workspace, made once and readable only by its owner."""
    path = data / SECRET_FILE
    if not path.is_file():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def bench(request: Request) -> Workbench:
    found: Workbench = request.app.state.bench
    return found


@dataclass(frozen=True)
class Actor:
    """Who made a request."""

    name: str
    role: str
    signed_in: bool

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, set())


def actor(request: Request) -> Actor:
    """The signed-in user, or the one local user when accounts are off."""
    if not bench(request).settings.accounts:
        return Actor(LOCAL_USER, "admin", False)
    name = request.session.get("user")
    user = bench(request).store.user(name) if isinstance(name, str) else None
    if user is None:
        return Actor("", "", False)
    return Actor(user.name, user.role, True)


def require(request: Request, permission: str) -> Actor:
    who = actor(request)
    if not who.may(permission):
        role = ROLE_NAMES.get(who.role, "未登录")
        raise HTTPException(403, f"没有权限：{role}不能执行此操作（需要“{permission}”权限）")
    return who


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def read_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> FormData:
    """The posted form, after checking its CSRF token (header or hidden field)."""
    form = await request.form(max_files=4, max_fields=400, max_part_size=max_bytes)
    sent = request.headers.get("x-csrf-token") or str(form.get("csrf") or "")
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "表单已过期或来源不明（CSRF 校验未通过），请刷新页面后重试")
    return form

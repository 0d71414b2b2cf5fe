"""Accounts: argon2 password hashes, login with throttling, logout, users page, audit log.

Roles: ``editor`` writes messages, builds packs and signs 初审; ``reviewer`` also signs 复审 and
终审, delivers and reports; ``admin`` also manages accounts and reads the audit log. Logins
are throttled: 5 failures in 15 minutes lock the account for the rest of that window, 30
failures from one address lock that address. Every login, sign-off, delivery and account
change is written to the audit log.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import InputError
from .core import ROLE_NAMES, bench, read_form, require
from .store import ROLES, Store

MIN_PASSWORD = 8
MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 30
WINDOW_S = 15 * 60
_NAME = re.compile(r"^[\w.\-\u4e00-\u9fff]{1,32}\Z")
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("xfpush-dummy-password")


def add_user(data: Path, name: str, role: str, password: str, actor: str = "命令行") -> None:
    """Create or replace an account (``xfpush serve --add-user``)."""
    if not _NAME.match(name):
        raise InputError(f"用户名“{name}”不可用：1–32 个字，只能用汉字、字母、数字、点、连字符和下划线")
    if role not in ROLES:
        raise InputError(f"角色应为 {'、'.join(ROLES)} 之一，实际是 {role}")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"密码太短：{len(password)} 位，至少 {MIN_PASSWORD} 位")
    store = Store(data)
    try:
        store.add_user(name, role, _HASHER.hash(password))
        store.audit(actor, "添加账号", f"{name}（{ROLE_NAMES[role]}）")
    finally:
        store.close()


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def check_password(store: Store, name: str, password: str, address: str) -> str:
    """'' when the password is right; otherwise the Chinese reason to show."""
    account, from_address = store.failed_logins(name, address, time.time() - WINDOW_S)
    if account >= MAX_FAILURES or from_address >= MAX_ADDRESS_FAILURES:
        return f"登录失败次数过多（{max(account, from_address)} 次），请 15 分钟后再试"
    user = store.user(name)
    try:
        ok = _HASHER.verify(user.hash if user else _DUMMY, password) and user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    store.record_login(name, address, ok, time.time())
    if not ok:
        store.audit(name or "?", "登录失败", f"来自 {address}")
        return "用户名或密码不对"
    store.audit(name, "登录", f"来自 {address}")
    return ""


async def login_page(request: Request) -> Response:
    return bench(request).page(request, "login.html", error="")


async def login(request: Request) -> Response:
    wb = bench(request)
    form = await read_form(request)
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    error = check_password(wb.store, name, password, _address(request))
    if error:
        return wb.page(request, "login.html", status=401, error=error, name=name)
    request.session.clear()
    request.session["user"] = name
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    await read_form(request)
    request.session.clear()
    return RedirectResponse("/login" if bench(request).settings.accounts else "/", 303)


async def users_page(request: Request) -> Response:
    require(request, "users")
    wb = bench(request)
    return wb.page(request, "users.html", users=wb.store.users(), log=wb.store.audit_log(),
                   roles=ROLES, error="")


async def users_add(request: Request) -> Response:
    who = require(request, "users")
    wb = bench(request)
    form = await read_form(request)
    name, role = str(form.get("name", "")).strip(), str(form.get("role", ""))
    try:
        add_user(wb.data, name, role, str(form.get("password", "")), who.name)
    except InputError as exc:
        return wb.page(request, "users.html", status=422, users=wb.store.users(),
                       log=wb.store.audit_log(), roles=ROLES, error=str(exc))
    return RedirectResponse("/users", status_code=303)


async def users_delete(request: Request) -> Response:
    who = require(request, "users")
    wb = bench(request)
    form = await read_form(request)
    name = str(form.get("name", ""))
    if name == who.name:
        raise HTTPException(422, "不能删除自己正在使用的账号")
    wb.store.delete_user(name)
    wb.store.audit(who.name, "删除账号", name)
    return RedirectResponse("/users", status_code=303)


ROUTES = [
    Route("/login", login_page),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/users", users_page),
    Route("/users/add", users_add, methods=["POST"]),
    Route("/users/delete", users_delete, methods=["POST"]),
]

"""Accounts on the workbench (login, throttling, roles, audit) and the ``xfpush serve`` command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from webtools import DEMO_FORM, Browser, running
from xfpush.cli import main
from xfpush.web.accounts import add_user
from xfpush.web.store import Store

PASSWORD = "correct horse 119"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("office")
    for name, role in (("管理员", "admin"), ("审核员", "reviewer"), ("编辑", "editor"),
                       ("试错", "editor")):
        add_user(data, name, role, PASSWORD)
    with running(data, accounts=True) as base:
        yield base


def signed_in(base: str, name: str) -> Browser:
    browser = Browser(base)
    browser.get("/login")
    response = browser.post("/login", {"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    browser.get("/")  # the session (and its CSRF token) is new after login
    return browser


def test_everything_needs_a_login(office: str) -> None:
    browser = Browser(office)
    assert browser.get("/").headers["location"] == "/login"
    assert browser.get("/compose").status_code == 303
    assert browser.http.get("/static/app.css").status_code == 200
    htmx = browser.http.post("/compose/live", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login"


def test_login_is_throttled_after_five_failures(office: str) -> None:
    browser = Browser(office)
    browser.get("/login")
    for _ in range(5):
        wrong = browser.post("/login", {"name": "试错", "password": "wrong password"})
        assert wrong.status_code == 401 and "用户名或密码不对" in wrong.text
    locked = browser.post("/login", {"name": "试错", "password": PASSWORD})
    assert locked.status_code == 401 and "15 分钟" in locked.text


def test_a_forged_session_cookie_signs_nobody_in(office: str) -> None:
    browser = signed_in(office, "编辑")
    cookie = browser.http.cookies["xfpush_session"]
    browser.http.cookies.clear()
    browser.http.cookies.set("xfpush_session", cookie[:-4] + "AAAA")
    assert browser.get("/").status_code == 303


@pytest.mark.slow
def test_roles_are_enforced_and_sign_offs_audited(office: str) -> None:
    editor = signed_in(office, "编辑")
    assert editor.post("/compose/save", {**DEMO_FORM, "id": "roles-1"}).status_code == 303
    started = editor.post("/m/roles-1/generate", {"channel": ["sms"]})
    assert "完成" in editor.wait_job(started.text).text
    review = editor.get("/m/roles-1/review")
    pack = re.search(r"/packs/(\d+)/files/proof.html", review.text)
    assert pack
    final = editor.post(f"/packs/{pack.group(1)}/sign", {"role": "终审", "signer": "冒名"})
    assert final.status_code == 403 and "没有权限" in final.text
    assert editor.post(f"/packs/{pack.group(1)}/sign", {"role": "初审"}).status_code == 204
    assert editor.get("/users").status_code == 403
    reviewer = signed_in(office, "审核员")
    signed = reviewer.post(f"/packs/{pack.group(1)}/sign",
                           {"role": "终审", "signer": "冒名", "comment": "同意"})
    assert signed.status_code == 204
    review = reviewer.get("/m/roles-1/review")
    assert "✓ 审核员" in review.text and "冒名" not in review.text
    admin = signed_in(office, "管理员")
    users = admin.get("/users")
    assert users.status_code == 200
    assert "签字终审" in users.text and "签字初审" in users.text and "登录失败" in users.text


def test_only_admins_manage_accounts(office: str) -> None:
    admin = signed_in(office, "管理员")
    admin.get("/users")
    short = admin.post("/users/add", {"name": "新人", "role": "editor", "password": "123"})
    assert short.status_code == 422 and "至少 8 位" in short.text
    assert admin.post("/users/add", {"name": "新人", "role": "editor",
                                     "password": PASSWORD}).status_code == 303
    reviewer = signed_in(office, "审核员")
    assert reviewer.post("/users/add", {"name": "黑客", "role": "admin",
                                        "password": PASSWORD}).status_code == 403


def test_add_user_command_hashes_with_argon2(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["serve", "--data", str(tmp_path), "--add-user", "张干事",
                                  "--role", "admin"], env={"XFPUSH_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    user = Store(tmp_path).user("张干事")
    assert user is not None and user.role == "admin" and user.hash.startswith("$argon2")
    short = runner.invoke(main, ["serve", "--data", str(tmp_path), "--add-user", "李",
                                 "--role", "editor"], env={"XFPUSH_PASSWORD": "short"})
    assert short.exit_code == 2 and "至少 8 位" in short.output
    no_role = runner.invoke(main, ["serve", "--data", str(tmp_path), "--add-user", "李"],
                            env={"XFPUSH_PASSWORD": PASSWORD})
    assert no_role.exit_code == 2 and "--role" in no_role.output


def test_another_address_needs_an_admin_first(tmp_path: Path) -> None:
    # 192.0.2.1 is a documentation address: the command refuses before binding anything
    result = CliRunner().invoke(main, ["serve", "--host", "192.0.2.1", "--no-browser",
                                       "--data", str(tmp_path)])
    assert result.exit_code == 2 and "管理员账号" in result.output and "--add-user" in result.output


@pytest.mark.slow
def test_serve_command_starts_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "xfpush", "serve", "--port", "0", "--no-browser", "--data",
         str(tmp_path / "ws")], stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(found.group(0), timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 200 and "消防宣传工作台" in response.text
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

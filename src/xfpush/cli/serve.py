"""``xfpush serve``: the web workbench; ``--add-user`` adds an account to its workspace."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import XfpushError
from .app import fail, main


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；不是本机地址（127.0.0.1）时必须有账号并登录")
@click.option("--port", type=click.IntRange(0, 65535), default=8700, show_default=True,
              help="端口（0 表示任选一个空闲端口）")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False),
              default=Path("xfpush-data"), show_default=True,
              help="工作区文件夹：消息、物料包、签字、投递台账都存在这里")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器")
@click.option("--login", is_flag=True, help="在本机地址上也要求登录（多人共用一台电脑时）")
@click.option("--add-user", "add_user", metavar="NAME", default=None,
              help="添加账号后退出（密码在提示时输入两次，或取自环境变量 XFPUSH_PASSWORD）")
@click.option("--role", type=click.Choice(["admin", "reviewer", "editor"]), default=None,
              help="与 --add-user 一起用：admin 管理员、reviewer 审核员、editor 编辑")
def serve(host: str, port: int, data: Path, no_browser: bool, login: bool,
          add_user: str | None, role: str | None) -> None:
    """启动网页工作台：在浏览器里编写、预览、生成、审核、下载和投递。"""
    if add_user is not None:
        _add_user(data, add_user, role)
        return
    if role is not None:
        click.echo("错误：--role 只能和 --add-user 一起使用", err=True)
        sys.exit(2)
    from ..web.server import bind, settings_for, url_of
    from ..web.server import serve as run

    try:
        settings = settings_for(host, data, login)
        sock = bind(host, port)
    except XfpushError as exc:
        fail(exc)
    url = url_of(host, sock)
    click.echo(f"工作台已启动：{url}（工作区 {data.resolve()}；按 Ctrl-C 停止）", err=True)
    try:
        run(settings, sock, not no_browser, url)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def _add_user(data: Path, name: str, role: str | None) -> None:
    from ..web.accounts import add_user

    if role is None:
        click.echo("错误：添加账号需要 --role admin|reviewer|editor", err=True)
        sys.exit(2)
    password = os.environ.get("XFPUSH_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            click.echo("错误：没有终端可输入密码，请设置环境变量 XFPUSH_PASSWORD", err=True)
            sys.exit(2)
        password = click.prompt("密码", hide_input=True)
        if click.prompt("再输入一次密码", hide_input=True) != password:
            click.echo("错误：两次输入的密码不一致，未添加账号", err=True)
            sys.exit(2)
    try:
        add_user(data, name, role, password)
    except XfpushError as exc:
        fail(exc)
    click.echo(f"已添加账号 {name}（{role}），工作区 {data}")

"""Starting the workbench: bind the socket (clear Chinese errors), run uvicorn, open the browser."""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser
from pathlib import Path

from ..errors import InputError
from .core import Settings
from .store import Store

DEFAULT_PORT = 8700


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def settings_for(host: str, data: Path, login: bool = False) -> Settings:
    """The settings for serving ``data`` on ``host``; refuses an open address without an admin."""
    loopback = is_loopback(host)
    if not loopback:
        store = Store(data)
        try:
            ready = store.has_admin()
        finally:
            store.close()
        if not ready:
            raise InputError(f"绑定到 {host} 时必须登录使用，但工作区 {data} 还没有管理员账号。请先运行："
                             f"xfpush serve --data {data} --add-user 姓名 --role admin")
    return Settings(data=data, accounts=login or not loopback, loopback=loopback)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        reason = "端口已被占用，请换一个 --port" if exc.errno in (98, 48, 10048) else (
            exc.strerror or str(exc))
        raise InputError(f"无法在 {host}:{port} 上启动工作台：{reason}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(settings: Settings, sock: socket.socket, open_browser: bool, url: str) -> None:
    """Run until Ctrl-C."""
    import uvicorn

    from .app import create_app

    app = create_app(settings)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_keep_alive=5, limit_concurrency=64, server_header=False)
    server = uvicorn.Server(config)
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    server.run(sockets=[sock])

"""Transports, chosen by the ``--to`` URL's scheme; each is one small class with one ``send()``.

    file:///dir                    atomic drop into a folder
    http(s)://host/path            signed multipart upload (see http.py)
    smtp://host:port?to=a@b        e-mail with the package attached

Each transport is an entry point of the group ``xfpush.transports`` (the built-ins too) naming a
class or factory called as ``factory(url, options)``, with a ``schemes`` tuple saying which URL
schemes it takes. The entry point's name is what an adapter's ``transport`` key refers to.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ...errors import InputError, PluginError, XfpushError
from ...resources import PluginPoint, Plugins
from .base import HttpOptions, Outgoing, Receipt, Transport

ENTRY_POINT_GROUP = "xfpush.transports"
BUILTIN_TRANSPORTS = ("file", "http", "smtp")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*\Z")

__all__ = ["BUILTIN_TRANSPORTS", "ENTRY_POINT_GROUP", "TRANSPORTS", "HttpOptions", "Outgoing",
           "Receipt", "Transport", "transport_for", "transport_names", "url_schemes"]


def transport_problem(target: Any, point: PluginPoint) -> str | None:
    """Why ``target`` cannot be the transport ``point`` registers (None: it can)."""
    if not callable(target):
        return "应指向一个传输类或工厂函数：factory(url, options) 返回带 send(outgoing) 的对象"
    schemes = getattr(target, "schemes", None)
    if (not isinstance(schemes, (tuple, list)) or not schemes
            or not all(isinstance(s, str) and _SCHEME.match(s) for s in schemes)):
        return f"schemes 应为非空的小写 URL 协议名元组，例如 (\"sftp\",)，实际是 {schemes!r}"
    if isinstance(target, type) and not callable(getattr(target, "send", None)):
        return "缺少方法 send(outgoing) -> Receipt"
    return None


TRANSPORTS = Plugins(ENTRY_POINT_GROUP, "投递方式", transport_problem,
                     reserved=BUILTIN_TRANSPORTS, order=BUILTIN_TRANSPORTS)


def transport_names() -> list[str]:
    """Every installed transport's name, without importing any of them."""
    return TRANSPORTS.names()


def url_schemes() -> dict[str, str]:
    """URL scheme → transport name, over every installed transport (imports them all)."""
    owners: dict[str, str] = {}
    for name, factory in TRANSPORTS.load_all().items():
        for scheme in factory.schemes:
            if scheme in owners:  # built-ins come first, so the newcomer is the one to blame
                raise PluginError(f"投递方式插件 {name} 想处理 {scheme}:// 地址，但它已由 "
                                  f"{owners[scheme]} 处理；{TRANSPORTS.points()[name]}")
            owners[scheme] = name
    return owners


def transport_for(url: str, http_options: HttpOptions | None = None) -> Transport:
    """The transport for ``url``, chosen by its scheme."""
    scheme = urlsplit(url).scheme.lower()
    owners = url_schemes()
    if scheme not in owners:
        plugins = sorted(s for s, name in owners.items() if name not in BUILTIN_TRANSPORTS)
        more = f"；已安装的插件还支持 {'、'.join(s + '://' for s in plugins)}" if plugins else ""
        raise InputError(f"不支持的目标地址“{url}”：请用 file:///文件夹、http(s)://… 或 "
                         f"smtp://主机:端口?to=邮箱{more}")
    name = owners[scheme]
    try:
        transport = TRANSPORTS.load(name)(url, http_options or HttpOptions())
    except XfpushError:
        raise
    except Exception as exc:  # foreign code: say which plugin failed, not a traceback
        raise PluginError(f"投递方式 {name} 无法处理地址“{url}”：{type(exc).__name__}: {exc}；"
                          f"{TRANSPORTS.points()[name]}") from exc
    if not callable(getattr(transport, "send", None)) or not hasattr(transport, "destination"):
        raise PluginError(f"投递方式插件 {name} 返回的对象缺少 send(outgoing) 或 destination；"
                          f"{TRANSPORTS.points()[name]}")
    return transport  # type: ignore[no-any-return]

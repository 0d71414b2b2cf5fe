"""Transports, chosen by the ``--to`` URL; each is one small class with one ``send()``.

    file:///dir                    atomic drop into a folder
    http(s)://host/path            signed multipart upload (see http.py)
    smtp://host:port?to=a@b        e-mail with the package attached
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ...errors import InputError
from .base import Outgoing, Receipt, Transport
from .folder import FolderTransport
from .http import HttpOptions, HttpTransport
from .smtp import SmtpTransport

__all__ = ["FolderTransport", "HttpOptions", "HttpTransport", "Outgoing", "Receipt",
           "SmtpTransport", "Transport", "transport_for"]


def transport_for(url: str, http_options: HttpOptions | None = None) -> Transport:
    scheme = urlsplit(url).scheme
    if scheme == "file":
        return FolderTransport(url)
    if scheme in ("http", "https"):
        return HttpTransport(url, http_options or HttpOptions())
    if scheme == "smtp":
        return SmtpTransport(url)
    raise InputError(f"不支持的目标地址“{url}”：请用 file:///文件夹、http(s)://… 或 smtp://主机:端口?to=邮箱")

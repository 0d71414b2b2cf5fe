"""``smtp://[user:password@]host:port?to=a@b[,c@d][&from=x@y][&starttls=1]`` — the package as an
e-mail attachment.

Login uses the URL's user and password, else XFPUSH_SMTP_USER / XFPUSH_SMTP_PASSWORD; they are
held only in memory for the login (the destination shown and stored is redacted).
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ...errors import InputError
from ..safe import redact_url
from .base import Outgoing, Receipt


class SmtpTransport:
    """E-mail, the way many offices still exchange material."""

    schemes = ("smtp",)

    def __init__(self, url: str, options: Any = None) -> None:
        self.destination = redact_url(url)
        try:
            parts = urlsplit(url)
            self.port = parts.port or 25
        except ValueError:
            raise InputError(f"smtp 地址无效：{self.destination}（例如 "
                             "smtp://mail.example.cn:25?to=a@b.cn）") from None
        query = parse_qs(parts.query)
        self.host = parts.hostname or "localhost"
        self.recipients = [r for value in query.get("to", []) for r in value.split(",") if r]
        if not self.recipients:
            raise InputError(f"smtp 地址缺少收件人：{self.destination}"
                             "（例如 smtp://mail.example.cn:25?to=a@b.cn）")
        self._login = ((unquote(parts.username), unquote(parts.password or ""))
                       if parts.username else None)
        self.sender = query.get("from", [os.environ.get("XFPUSH_SMTP_FROM", "xfpush@localhost")])[0]
        self.starttls = query.get("starttls", ["0"])[0] in ("1", "true", "yes")

    def send(self, outgoing: Outgoing) -> Receipt:
        message = EmailMessage()
        message["Subject"] = f"[xfpush] {outgoing.adapter_name or outgoing.name} 宣传物料"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Message-ID"] = f"<{outgoing.idempotency_key}@xfpush>"
        files = "\n".join(f"- {f['path']}" for f in outgoing.manifest.get("files", []))
        message.set_content(f"附件为宣传物料包 {outgoing.name}.zip，内含：\n{files}\n\n"
                            f"幂等键：{outgoing.idempotency_key}\n")
        message.add_attachment(outgoing.zip_bytes, maintype="application", subtype="zip",
                               filename=f"{outgoing.name}.zip")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=30) as server:
                if self.starttls:
                    server.starttls()
                login = self._login or _login_from_environment()
                if login:
                    server.login(*login)
                refused = server.send_message(message)
        except smtplib.SMTPResponseException as exc:
            return Receipt("failed", f"邮件服务器拒绝：{exc.smtp_code}")
        except (smtplib.SMTPException, OSError) as exc:
            return Receipt("unknown" if isinstance(exc, TimeoutError) else "failed",
                           f"邮件发送失败：{type(exc).__name__}")
        if refused:
            return Receipt("failed", f"收件人被拒：{', '.join(refused)}")
        return Receipt("acknowledged", f"邮件服务器已接收，收件人 {', '.join(self.recipients)}",
                       f"<{outgoing.idempotency_key}@xfpush>")


def _login_from_environment() -> tuple[str, str] | None:
    user = os.environ.get("XFPUSH_SMTP_USER")
    return (user, os.environ.get("XFPUSH_SMTP_PASSWORD", "")) if user else None

"""``smtp://host:port?to=a@b[,c@d][&from=x@y][&starttls=1]`` — the package as an e-mail attachment.

Login, when the server wants one, comes from XFPUSH_SMTP_USER / XFPUSH_SMTP_PASSWORD.
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ...errors import InputError
from .base import Outgoing, Receipt


class SmtpTransport:
    """E-mail, the way many offices still exchange material."""

    schemes = ("smtp",)

    def __init__(self, url: str, options: Any = None) -> None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.destination = url
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 25
        self.recipients = [r for value in query.get("to", []) for r in value.split(",") if r]
        if not self.recipients:
            raise InputError(f"smtp 地址缺少收件人：{url}（例如 smtp://mail.example.cn:25?to=a@b.cn）")
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
                user = os.environ.get("XFPUSH_SMTP_USER")
                if user:
                    server.login(user, os.environ.get("XFPUSH_SMTP_PASSWORD", ""))
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

"""``file:///dir`` — drop the package into a folder atomically (temp name, then rename)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ...errors import os_reason
from ..safe import redact_url
from .base import Outgoing, Receipt


class FolderTransport:
    """An atomic drop: readers of the folder never see a half-written zip."""

    schemes = ("file",)

    def __init__(self, url: str, options: Any = None) -> None:
        self.destination = redact_url(url)
        self.folder = Path(unquote(urlsplit(url).path))

    def send(self, outgoing: Outgoing) -> Receipt:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{outgoing.name}.zip"
            if target.is_file() and target.read_bytes() == outgoing.zip_bytes:
                return Receipt("acknowledged", f"已存在相同文件 {target}", target.name)
            for path, data in ((self.folder / f"{outgoing.name}.manifest.json",
                                json.dumps(outgoing.manifest, ensure_ascii=False,
                                           indent=2).encode("utf-8")),
                               (target, outgoing.zip_bytes)):
                temporary = path.with_name(f".{path.name}.{outgoing.idempotency_key[:12]}.tmp")
                temporary.write_bytes(data)
                os.replace(temporary, path)
        except OSError as exc:
            return Receipt("failed", f"写入 {self.folder} 失败：{os_reason(exc)}")
        return Receipt("acknowledged", f"已放入 {target}", target.name)

"""The workspace database (SQLite in ``--data DIR``): messages, packs, sign-offs, users, audit.

One connection guarded by a lock (the workbench serves a handful of people); WAL so readers
never wait on a pack being recorded. The delivery ledger is the library's own file beside it
(``ledger.sqlite``), so ``xfpush report --ledger`` reads the same deliveries.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

DATABASE = "workbench.sqlite"
LEDGER = "ledger.sqlite"
ROLES = ("admin", "reviewer", "editor")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, data TEXT NOT NULL, updated TEXT NOT NULL, updated_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS packs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, folder TEXT NOT NULL,
    channels TEXT NOT NULL, message_sha256 TEXT NOT NULL, manifest_sha256 TEXT NOT NULL,
    failures TEXT NOT NULL, created TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, pack_id INTEGER NOT NULL REFERENCES packs(id),
    role TEXT NOT NULL, signer TEXT NOT NULL, comment TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logins (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, address TEXT NOT NULL,
    ok INTEGER NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT NOT NULL);
"""


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class PackRow:
    id: int
    message_id: str
    folder: str
    channels: str
    message_sha256: str
    manifest_sha256: str
    failures: list[dict[str, str]]
    created: str
    created_by: str


@dataclass(frozen=True)
class SignOff:
    id: int
    pack_id: int
    role: str
    signer: str
    comment: str
    manifest_sha256: str
    at: str


@dataclass(frozen=True)
class User:
    name: str
    role: str
    hash: str
    created: str


class Store:
    """The workspace's tables; every method is one short transaction."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(folder / DATABASE, check_same_thread=False,
                                      isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"工作区 {folder} 无法使用：{exc}") from None
        self.lock = threading.Lock()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _all(self, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return list(self.db.execute(query, args))

    # -- messages -------------------------------------------------------------------------
    def save_message(self, ident: str, data: dict[str, Any], by: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO messages VALUES (?,?,?,?)",
                       (ident, json.dumps(data, ensure_ascii=False), now(), by))

    def message(self, ident: str) -> dict[str, Any] | None:
        rows = self._all("SELECT data FROM messages WHERE id = ?", (ident,))
        return json.loads(rows[0][0]) if rows else None

    def messages(self) -> list[tuple[str, str, str]]:
        """(id, title, updated) newest first."""
        rows = self._all("SELECT id, data, updated FROM messages ORDER BY updated DESC, id")
        return [(r[0], str(json.loads(r[1]).get("title", "")), r[2]) for r in rows]

    def delete_message(self, ident: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM messages WHERE id = ?", (ident,))

    # -- packs and sign-offs --------------------------------------------------------------
    def add_pack(self, message_id: str, folder: str, channels: str, message_sha256: str,
                 manifest_sha256: str, failures: list[dict[str, str]], by: str) -> int:
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO packs (message_id, folder, channels, message_sha256, "
                "manifest_sha256, failures, created, created_by) VALUES (?,?,?,?,?,?,?,?)",
                (message_id, folder, channels, message_sha256, manifest_sha256,
                 json.dumps(failures, ensure_ascii=False), now(), by))
            return int(cursor.lastrowid or 0)

    def pack(self, pack_id: int) -> PackRow | None:
        rows = self._all("SELECT * FROM packs WHERE id = ?", (pack_id,))
        return _pack(rows[0]) if rows else None

    def latest_pack(self, message_id: str) -> PackRow | None:
        rows = self._all("SELECT * FROM packs WHERE message_id = ? ORDER BY id DESC LIMIT 1",
                         (message_id,))
        return _pack(rows[0]) if rows else None

    def next_pack_number(self) -> int:
        rows = self._all("SELECT COALESCE(MAX(id), 0) + 1 FROM packs")
        return int(rows[0][0])

    def sign(self, pack_id: int, role: str, signer: str, comment: str, manifest: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO signoffs (pack_id, role, signer, comment, manifest_sha256, at)"
                       " VALUES (?,?,?,?,?,?)", (pack_id, role, signer, comment, manifest, now()))

    def signoffs(self, message_id: str) -> list[SignOff]:
        """Every sign-off on any pack of this message, oldest first."""
        rows = self._all("SELECT s.* FROM signoffs s JOIN packs p ON p.id = s.pack_id "
                         "WHERE p.message_id = ? ORDER BY s.id", (message_id,))
        return [SignOff(*row) for row in rows]

    # -- users, logins, audit -------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO users VALUES (?,?,?,?)",
                       (name, role, password_hash, now()))

    def user(self, name: str) -> User | None:
        rows = self._all("SELECT * FROM users WHERE name = ?", (name,))
        return User(*rows[0]) if rows else None

    def users(self) -> list[User]:
        return [User(*row) for row in self._all("SELECT * FROM users ORDER BY name")]

    def delete_user(self, name: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM users WHERE name = ?", (name,))

    def has_admin(self) -> bool:
        return bool(self._all("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1"))

    def record_login(self, name: str, address: str, ok: bool, at: float) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO logins (name, address, ok, at) VALUES (?,?,?,?)",
                       (name, address, int(ok), at))

    def failed_logins(self, name: str, address: str, since: float) -> tuple[int, int]:
        """Failures since ``since`` (and since the account's last success): (of this account,
        from this address)."""
        last = "COALESCE((SELECT MAX(at) FROM logins WHERE ok = 1 AND name = ?), 0)"
        account = self._all(f"SELECT COUNT(*) FROM logins WHERE ok = 0 AND at > ? AND name = ? "
                            f"AND at > {last}", (since, name, name))
        from_address = self._all("SELECT COUNT(*) FROM logins WHERE ok = 0 AND at > ? AND "
                                 "address = ?", (since, address))
        return int(account[0][0]), int(from_address[0][0])

    def audit(self, actor: str, action: str, detail: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)",
                       (now(), actor, action, detail))

    def audit_log(self, limit: int = 200) -> list[tuple[str, str, str, str]]:
        rows = self._all("SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?",
                         (limit,))
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def _pack(row: tuple[Any, ...]) -> PackRow:
    values = list(row)
    values[6] = json.loads(values[6])
    return PackRow(*values)

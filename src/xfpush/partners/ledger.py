"""The delivery ledger (SQLite, WAL): every package, every attempt, the state it really is in.

    pending → sent → acknowledged
                   ↘ failed   (the partner said no, or retries ran out)
                   ↘ unknown  (no answer after the request left)

Only ``acknowledged`` is success. A re-run resends ``pending``, ``sent``, ``failed`` and
``unknown`` with the same idempotency key, so a partner never stores a package twice.

A delivery is *claimed* before anything is sent: ``claim`` takes a lease (owner + expiry) in
one transaction, ``renewing`` keeps it alive while a send runs, ``release`` ends it. Another run
waits while the lease is held; a lease whose owner died on this machine, or that expired, is
taken over. A file that is not a ledger (corrupt, truncated, another schema, a folder) is an
``InputError`` naming it, never a raw SQLite error.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError, os_reason

STATES = ("pending", "sent", "acknowledged", "failed", "unknown")
APPLICATION_ID = 0x78667368
"""``PRAGMA application_id`` of a ledger file ("xfsh")."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    idempotency_key TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    adapter TEXT NOT NULL,
    destination TEXT NOT NULL,
    package TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','sent','acknowledged','failed','unknown')),
    receipt_id TEXT,
    approval TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL REFERENCES deliveries(idempotency_key),
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS leases (
    idempotency_key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires REAL NOT NULL
);
"""
_COLUMNS = {"deliveries": {"idempotency_key", "message_id", "adapter", "destination", "package",
                           "package_sha256", "state", "receipt_id", "approval", "created",
                           "updated"},
            "attempts": {"id", "idempotency_key", "at", "state", "detail"},
            "leases": {"idempotency_key", "owner", "expires"}}
_REASONS = (("file is not a database", "不是 SQLite 数据库（文件已损坏，或根本不是台账）"),
            ("malformed", "文件已损坏（可能被截断或改写）"),
            ("unable to open", "无法打开（路径不存在、是文件夹或没有权限）"),
            ("locked", "被其他程序长时间锁住"),
            ("readonly", "是只读的，无法记录投递"),
            ("disk i/o", "读写出错（磁盘或文件系统问题）"))
_T = TypeVar("_T")


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    return next((reason for marker, reason in _REASONS if marker in text),
                f"SQLite 报错：{exc}")


def _translated(method: Callable[..., _T]) -> Callable[..., _T]:
    """Turn SQLite errors of a ledger method into one Chinese ``InputError``."""
    @functools.wraps(method)
    def wrapper(self: Ledger, *args: Any, **kwargs: Any) -> _T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise InputError(f"台账 {self.path} 无法使用：{_reason(exc)}") from None
    return wrapper


def owner_id() -> str:
    """Who holds a lease: this machine, this process, and a random tag."""
    return f"{socket.gethostname()}|{os.getpid()}|{os.urandom(4).hex()}"


def _owner_alive(owner: str) -> bool:
    """False only when the owner is a process of this machine that is gone (or a zombie)."""
    host, _, rest = owner.partition("|")
    pid = rest.partition("|")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Delivery:
    """One row of the ledger."""

    idempotency_key: str
    message_id: str
    adapter: str
    destination: str
    package: str
    package_sha256: str
    state: str
    receipt_id: str | None
    approval: str
    created: str
    updated: str


class Ledger:
    """A ledger file; safe for concurrent writers (each transaction takes the write lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(f"台账 {self.path} 是一个文件夹，应是一个 .sqlite 文件")
        if self.path.exists() and not self.path.is_file():  # a device or a FIFO
            raise InputError(f"台账 {self.path} 不是普通文件（设备文件或管道），应是一个 .sqlite 文件")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"台账 {self.path} 所在的文件夹无法创建：{os_reason(exc)}") from None
        self._open()

    @_translated
    def _open(self) -> None:
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            # Check and create in one write transaction: a parallel run that opens the new file
            # between two CREATE TABLEs would otherwise see half a schema and call it foreign.
            with self._transaction() as db:
                self._check_schema()
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            self._use_wal()
            self.db.execute("PRAGMA synchronous=FULL")
        except BaseException:
            self.db.close()
            raise

    def _use_wal(self, patience_s: float = 30.0) -> None:
        # Switching the journal mode does not wait on SQLite's busy handler when another run
        # is reading the new file at that instant, so wait here, as long as the busy timeout.
        deadline = time.monotonic() + patience_s
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _check_schema(self) -> None:
        tables = {name: {column[1] for column in self.db.execute(
                      "PRAGMA table_info('" + name.replace("'", "''") + "')")}
                  for (name,) in self.db.execute(
                      "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                      "name NOT LIKE 'sqlite_%'")}
        if not tables:
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            return
        wrong = [name for name, columns in _COLUMNS.items()
                 if name in tables and tables[name] != columns]
        if wrong or not {"deliveries", "attempts"} <= set(tables) or set(tables) - set(_COLUMNS):
            shown = "、".join(sorted(tables)[:5])
            raise InputError(f"台账 {self.path} 不是 xfpush 台账（里面是别的数据表：{shown}）；"
                             "请换一个 --ledger 文件")
        check = self.db.execute("PRAGMA quick_check(1)").fetchone()
        if check != ("ok",):
            raise sqlite3.DatabaseError("database disk image is malformed")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @_translated
    def get(self, key: str) -> Delivery | None:
        row = self.db.execute("SELECT * FROM deliveries WHERE idempotency_key = ?", (key,)).fetchone()
        return Delivery(*row) if row else None

    @_translated
    def open(self, key: str, *, message_id: str, adapter: str, destination: str, package: str,
             package_sha256: str, approval: str) -> Delivery:
        """The row for this key, created as ``pending`` the first time."""
        stamp = now()
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO deliveries VALUES (?,?,?,?,?,?,'pending',NULL,?,?,?)",
                       (key, message_id, adapter, destination, package, package_sha256,
                        approval, stamp, stamp))
        found = self.get(key)
        assert found is not None
        return found

    @_translated
    def claim(self, key: str, owner: str, lease_s: float) -> str | None:
        """Take the lease on ``key`` for ``lease_s`` seconds: None if taken, else who holds it."""
        with self._transaction() as db:
            held = db.execute("SELECT owner, expires FROM leases WHERE idempotency_key = ?",
                              (key,)).fetchone()
            if (held and held[0] != owner and held[1] > time.time()
                    and _owner_alive(str(held[0]))):
                return str(held[0])
            db.execute("INSERT OR REPLACE INTO leases VALUES (?,?,?)",
                       (key, owner, time.time() + lease_s))
        return None

    @_translated
    def release(self, key: str, owner: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM leases WHERE idempotency_key = ? AND owner = ?", (key, owner))

    @contextmanager
    def renewing(self, key: str, owner: str, lease_s: float) -> Iterator[None]:
        """Keep the lease alive (every third of ``lease_s``) while the block runs."""
        stop = threading.Event()

        def renew() -> None:  # a failed renewal lets the lease expire; the send goes on
            with suppress(sqlite3.Error), closing(sqlite3.connect(
                    self.path, timeout=30, isolation_level=None)) as db:
                while not stop.wait(lease_s / 3):
                    db.execute("UPDATE leases SET expires = ? WHERE idempotency_key = ? AND "
                               "owner = ?", (time.time() + lease_s, key, owner))

        thread = threading.Thread(target=renew, daemon=True, name="lease")
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    @_translated
    def record(self, key: str, state: str, detail: str, receipt_id: str | None = None) -> None:
        """Move a delivery to ``state`` and log the attempt, in one transaction."""
        if state not in STATES:
            raise ValueError(state)
        stamp = now()
        with self._transaction() as db:
            db.execute("UPDATE deliveries SET state = ?, updated = ?, receipt_id = "
                       "COALESCE(?, receipt_id) WHERE idempotency_key = ?",
                       (state, stamp, receipt_id, key))
            db.execute("INSERT INTO attempts (idempotency_key, at, state, detail) VALUES (?,?,?,?)",
                       (key, stamp, state, detail))

    @_translated
    def deliveries(self, month: str | None = None) -> list[Delivery]:
        query = "SELECT * FROM deliveries"
        args: tuple[str, ...] = ()
        if month:
            query += " WHERE substr(created, 1, 7) = ?"
            args = (month,)
        return [Delivery(*row) for row in self.db.execute(query + " ORDER BY created, adapter",
                                                          args)]

    @_translated
    def attempts(self, key: str) -> list[tuple[str, str, str]]:
        return list(self.db.execute("SELECT at, state, detail FROM attempts WHERE "
                                    "idempotency_key = ? ORDER BY id", (key,)))

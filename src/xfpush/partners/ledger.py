"""The delivery ledger (SQLite, WAL): every package, every attempt, the state it really is in.

    pending → sent → acknowledged
                   ↘ failed   (the partner said no, or retries ran out)
                   ↘ unknown  (no answer after the request left)

Only ``acknowledged`` is success. A re-run resends ``pending``, ``sent``, ``failed`` and
``unknown`` with the same idempotency key, so a partner never stores a package twice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STATES = ("pending", "sent", "acknowledged", "failed", "unknown")
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
"""


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
    """A ledger file; safe for one writer and concurrent readers."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

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

    def get(self, key: str) -> Delivery | None:
        row = self.db.execute("SELECT * FROM deliveries WHERE idempotency_key = ?", (key,)).fetchone()
        return Delivery(*row) if row else None

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

    def deliveries(self, month: str | None = None) -> list[Delivery]:
        query = "SELECT * FROM deliveries"
        args: tuple[str, ...] = ()
        if month:
            query += " WHERE substr(created, 1, 7) = ?"
            args = (month,)
        return [Delivery(*row) for row in self.db.execute(query + " ORDER BY created, adapter",
                                                          args)]

    def attempts(self, key: str) -> list[tuple[str, str, str]]:
        return list(self.db.execute("SELECT at, state, detail FROM attempts WHERE "
                                    "idempotency_key = ? ORDER BY id", (key,)))

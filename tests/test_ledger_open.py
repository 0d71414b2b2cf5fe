"""Opening one new ledger from many runs at once: each sees the whole schema or none of it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from xfpush.errors import InputError
from xfpush.partners.ledger import Ledger


def open_together(path: Path, runs: int) -> list[str]:
    """Open ``path`` from ``runs`` threads released at the same instant; their errors."""
    start = threading.Barrier(runs)
    errors: list[str] = []

    def one() -> None:
        start.wait()
        try:
            Ledger(path).close()
        except InputError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=one) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_parallel_first_opens_all_succeed(tmp_path) -> None:
    errors = [error for round_ in range(30)
              for error in open_together(tmp_path / f"ledger-{round_}.sqlite", runs=6)]
    assert errors == []


def test_a_foreign_database_is_still_refused(tmp_path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE deliveries (x)")
    errors = open_together(path, runs=3)
    assert len(errors) == 3 and all("不是 xfpush 台账" in error for error in errors)

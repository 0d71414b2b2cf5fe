"""What a transport is given and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Outgoing:
    """One package on its way to one partner."""

    name: str
    """File stem of the package."""
    zip_bytes: bytes
    manifest: dict[str, Any]
    idempotency_key: str
    adapter_name: str = ""


@dataclass(frozen=True)
class Receipt:
    """The outcome of one send: a ledger state, what the partner said, its receipt id."""

    state: str
    """acknowledged | failed | unknown"""
    detail: str
    receipt_id: str | None = None
    attempts: int = 1


@dataclass(frozen=True)
class HttpOptions:
    """How patient to be: given to every transport, which uses what applies to it."""

    secret: str = ""
    """HMAC key (from the environment; never written anywhere)."""
    timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 1.0
    """First retry delay; doubles each time, plus up to 25% jitter."""
    max_delay_s: float = 60.0


class Transport(Protocol):
    """Moves a package somewhere; never raises for a partner's answer, only returns it."""

    destination: str

    def send(self, outgoing: Outgoing) -> Receipt: ...

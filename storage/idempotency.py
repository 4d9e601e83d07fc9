"""Idempotency records: the interface that makes a retried mutation safe.

A caller stores ``(key, fingerprint)`` *before* any side effect with
``start``. Exactly one of several racing callers gets ``STARTED`` and does the
work; the others see the record as it stands::

    start ──► STARTED (we own it) ──complete()──► DONE (result stored, replayable)
                   │
                   └──abandon()──► (deleted: the first try failed before any side effect)

    start on an existing record ──► IN_PROGRESS (fingerprint) | DONE (fingerprint, result)

Comparing the returned fingerprint with one's own tells a replay from a key
reused for different input. Every record expires after its ``ttl``, in
progress or done. Implementations: ``storage.memory.MemoryIdempotencyStore``,
``storage.sqlite.SqliteIdempotencyStore`` (survives restarts, safe across
processes) and ``storage.redis.RedisIdempotencyStore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

__all__ = ["IdempotencyRecord", "IdempotencyStore", "RecordState", "StartResult", "StartStatus"]


class StartStatus(StrEnum):
    """What ``start`` found."""

    STARTED = "STARTED"
    """No live record existed; one is now stored in progress and the caller owns it."""
    IN_PROGRESS = "IN_PROGRESS"
    """Another caller started this key and has not completed it yet."""
    DONE = "DONE"
    """The key was completed; ``result`` holds what was stored."""


class RecordState(StrEnum):
    """The state of a stored record."""

    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


@dataclass(frozen=True, slots=True)
class StartResult:
    """The outcome of ``start``."""

    status: StartStatus
    fingerprint: str
    """The stored record's fingerprint (the caller's own when ``STARTED``)."""
    result: bytes | None = None
    """The stored result; set only when ``DONE``."""


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A stored record as ``get`` returns it."""

    key: str
    state: RecordState
    fingerprint: str
    result: bytes | None = None


@runtime_checkable
class IdempotencyStore(Protocol):
    """Records keyed by idempotency key; ``start`` is atomic across every client of the store."""

    async def start(self, key: str, fingerprint: str, ttl: float) -> StartResult:
        """Claim ``key`` for ``fingerprint`` for ``ttl`` seconds, or report the live record."""
        ...

    async def complete(self, key: str, result: bytes, ttl: float) -> None:
        """Move ``key`` from in progress to done with ``result``, kept ``ttl`` seconds.

        Raises ``IdempotencyStateError`` if ``key`` has no in-progress record
        (never started, expired, abandoned or already done).
        """
        ...

    async def abandon(self, key: str) -> bool:
        """Delete ``key``'s in-progress record; True if one was deleted. Done records stay."""
        ...

    async def get(self, key: str) -> IdempotencyRecord | None:
        """The live record for ``key``, or None."""
        ...

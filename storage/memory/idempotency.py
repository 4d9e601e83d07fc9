"""In-process idempotency records, for tests and single-process deployments.

Lost on restart; use ``storage.sqlite.SqliteIdempotencyStore`` when a
restarted process must still recognise keys it accepted before. Atomic
because every operation runs without awaiting inside one event loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage._validate import require_positive
from storage.clock import Clock, system_clock
from storage.errors import IdempotencyStateError
from storage.idempotency import IdempotencyRecord, RecordState, StartResult, StartStatus

__all__ = ["MemoryIdempotencyStore"]

_PURGE_EVERY = 1024
"""Sweep expired records once per this many ``start`` calls, so the dict stays bounded by live keys."""


@dataclass(slots=True)
class _Row:
    state: RecordState
    fingerprint: str
    result: bytes | None
    expires_at: float


class MemoryIdempotencyStore:
    """An :class:`~storage.idempotency.IdempotencyStore` held in a dict."""

    def __init__(self, *, clock: Clock = system_clock) -> None:
        self._clock = clock
        self._rows: dict[str, _Row] = {}
        self._starts = 0

    def _live(self, key: str) -> _Row | None:
        row = self._rows.get(key)
        if row is not None and self._clock() >= row.expires_at:
            del self._rows[key]
            return None
        return row

    def _purge_expired(self) -> None:
        now = self._clock()
        for key in [key for key, row in self._rows.items() if now >= row.expires_at]:
            del self._rows[key]

    async def start(self, key: str, fingerprint: str, ttl: float) -> StartResult:
        require_positive("ttl", ttl)
        self._starts += 1
        if self._starts % _PURGE_EVERY == 0:
            self._purge_expired()
        row = self._live(key)
        if row is None:
            self._rows[key] = _Row(RecordState.IN_PROGRESS, fingerprint, None, self._clock() + ttl)
            return StartResult(StartStatus.STARTED, fingerprint)
        if row.state is RecordState.DONE:
            return StartResult(StartStatus.DONE, row.fingerprint, row.result)
        return StartResult(StartStatus.IN_PROGRESS, row.fingerprint)

    async def complete(self, key: str, result: bytes, ttl: float) -> None:
        require_positive("ttl", ttl)
        row = self._live(key)
        if row is None or row.state is not RecordState.IN_PROGRESS:
            raise IdempotencyStateError(f"idempotency key {key!r} has no in-progress record")
        row.state, row.result, row.expires_at = RecordState.DONE, bytes(result), self._clock() + ttl

    async def abandon(self, key: str) -> bool:
        row = self._live(key)
        if row is None or row.state is not RecordState.IN_PROGRESS:
            return False
        del self._rows[key]
        return True

    async def get(self, key: str) -> IdempotencyRecord | None:
        row = self._live(key)
        if row is None:
            return None
        return IdempotencyRecord(key, row.state, row.fingerprint, row.result)

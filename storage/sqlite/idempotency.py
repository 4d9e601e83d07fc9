"""Idempotency records in a SQLite file: they survive restarts and are safe across processes.

Each operation is one ``BEGIN IMMEDIATE`` transaction (see ``_database``), so
the read-then-insert in ``start`` cannot interleave with another connection's,
whether that connection lives in this process or another one on the same
file. Expired rows are ignored on read and swept on ``start``.
"""

from __future__ import annotations

import sqlite3

from storage._validate import require_positive
from storage.clock import Clock, system_clock
from storage.errors import IdempotencyStateError, StorageDataInvalid
from storage.idempotency import IdempotencyRecord, RecordState, StartResult, StartStatus
from storage.sqlite._database import SqliteDatabase

__all__ = ["SqliteIdempotencyStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_records (
    key         TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('IN_PROGRESS', 'DONE')),
    fingerprint TEXT NOT NULL,
    result      BLOB,
    expires_at  REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_records_by_expiry ON idempotency_records (expires_at);
"""

_Row = tuple[str, str, bytes | None]


def _state(raw: str) -> RecordState:
    try:
        return RecordState(raw)
    except ValueError as exc:
        raise StorageDataInvalid(f"unknown idempotency record state {raw!r}") from exc


def _select_live(conn: sqlite3.Connection, key: str, now: float) -> _Row | None:
    row: _Row | None = conn.execute(
        "SELECT state, fingerprint, result FROM idempotency_records WHERE key = ? AND expires_at > ?",
        (key, now),
    ).fetchone()
    return row


class SqliteIdempotencyStore:
    """An :class:`~storage.idempotency.IdempotencyStore` in a SQLite database."""

    def __init__(self, db: SqliteDatabase, *, clock: Clock = system_clock) -> None:
        self._db = db
        self._clock = clock

    @classmethod
    async def open(
        cls, path: str, *, clock: Clock = system_clock, busy_timeout: float = 5.0
    ) -> SqliteIdempotencyStore:
        """Open (creating if needed) the records table in the SQLite file at ``path``."""
        return cls(await SqliteDatabase.open(path, _SCHEMA, busy_timeout=busy_timeout), clock=clock)

    async def close(self) -> None:
        await self._db.close()

    async def start(self, key: str, fingerprint: str, ttl: float) -> StartResult:
        require_positive("ttl", ttl)

        def work(conn: sqlite3.Connection) -> StartResult:
            now = self._clock()  # read under the write lock, not before waiting for it
            conn.execute("DELETE FROM idempotency_records WHERE expires_at <= ?", (now,))
            row = _select_live(conn, key, now)
            if row is not None:
                state, stored_fingerprint, result = row
                if _state(state) is RecordState.DONE:
                    return StartResult(StartStatus.DONE, stored_fingerprint, result)
                return StartResult(StartStatus.IN_PROGRESS, stored_fingerprint)
            conn.execute(
                "INSERT OR REPLACE INTO idempotency_records (key, state, fingerprint, result, expires_at)"
                " VALUES (?, 'IN_PROGRESS', ?, NULL, ?)",
                (key, fingerprint, now + ttl),
            )
            return StartResult(StartStatus.STARTED, fingerprint)

        return await self._db.write(work)

    async def complete(self, key: str, result: bytes, ttl: float) -> None:
        require_positive("ttl", ttl)

        def work(conn: sqlite3.Connection) -> int:
            now = self._clock()
            return conn.execute(
                "UPDATE idempotency_records SET state = 'DONE', result = ?, expires_at = ?"
                " WHERE key = ? AND state = 'IN_PROGRESS' AND expires_at > ?",
                (bytes(result), now + ttl, key, now),
            ).rowcount

        if await self._db.write(work) == 0:
            raise IdempotencyStateError(f"idempotency key {key!r} has no in-progress record")

    async def abandon(self, key: str) -> bool:

        def work(conn: sqlite3.Connection) -> int:
            now = self._clock()
            return conn.execute(
                "DELETE FROM idempotency_records WHERE key = ? AND state = 'IN_PROGRESS' AND expires_at > ?",
                (key, now),
            ).rowcount

        return await self._db.write(work) > 0

    async def get(self, key: str) -> IdempotencyRecord | None:
        now = self._clock()
        row = await self._db.read(lambda conn: _select_live(conn, key, now))
        if row is None:
            return None
        state, fingerprint, result = row
        return IdempotencyRecord(key, _state(state), fingerprint, result)

"""A durable stream with consumer groups in a SQLite file (the embedded outbox).

Four tables: entries (append-only), groups (how far each group has read),
pending (entries handed out and not yet acked: owner, time, delivery count)
and dead letters. Each operation is one ``BEGIN IMMEDIATE`` transaction, so
handing out an entry and recording it pending is atomic and two consumers,
on one connection, two connections or two processes, never get the same
entry. A blocking ``read`` wakes at once for an entry appended through the
same :class:`SqliteStream` (the usual case: the process that queued it), and
polls every ``poll_interval`` seconds (wall time, not the injectable clock)
for entries other processes append, until ``block_seconds`` have passed.
Acknowledged entries are kept; nothing trims the entries table yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time

from storage._validate import require_non_negative, require_positive
from storage.clock import Clock, system_clock
from storage.errors import StreamEntryNotFound
from storage.sqlite._database import SqliteDatabase
from storage.stream import DeadLetter, StreamEntry

__all__ = ["POLL_INTERVAL", "SqliteStream"]

POLL_INTERVAL = 0.25
"""Seconds between a blocked reader's looks for entries another process appended."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stream_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    stream      TEXT NOT NULL,
    payload     BLOB NOT NULL,
    appended_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_entries_by_stream ON stream_entries (stream, id);
CREATE TABLE IF NOT EXISTS stream_groups (
    stream         TEXT NOT NULL,
    grp            TEXT NOT NULL,
    last_delivered INTEGER NOT NULL,
    PRIMARY KEY (stream, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stream_pending (
    stream         TEXT NOT NULL,
    grp            TEXT NOT NULL,
    entry_id       INTEGER NOT NULL,
    consumer       TEXT NOT NULL,
    delivered_at   REAL NOT NULL,
    delivery_count INTEGER NOT NULL,
    PRIMARY KEY (stream, grp, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stream_pending_by_age ON stream_pending (stream, grp, delivered_at);
CREATE TABLE IF NOT EXISTS stream_dead_letters (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    stream         TEXT NOT NULL,
    entry_id       INTEGER NOT NULL,
    grp            TEXT NOT NULL,
    payload        BLOB NOT NULL,
    reason         TEXT NOT NULL,
    delivery_count INTEGER NOT NULL,
    dead_at        REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_dead_letters_by_stream ON stream_dead_letters (stream, id);
"""


def _parse_id(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _append(conn: sqlite3.Connection, stream: str, payload: bytes, now: float) -> str:
    cursor = conn.execute(
        "INSERT INTO stream_entries (stream, payload, appended_at) VALUES (?, ?, ?)", (stream, payload, now)
    )
    return str(cursor.lastrowid)


def _has_undelivered(conn: sqlite3.Connection, stream: str, group: str) -> bool:
    row: tuple[int] = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM stream_entries WHERE stream = ? AND id > COALESCE("
        "(SELECT last_delivered FROM stream_groups WHERE stream = ? AND grp = ?), 0))",
        (stream, stream, group),
    ).fetchone()
    return bool(row[0])


class SqliteStream:
    """A :class:`~storage.stream.DurableStream` in a SQLite database."""

    def __init__(
        self, db: SqliteDatabase, *, clock: Clock = system_clock, poll_interval: float = POLL_INTERVAL
    ) -> None:
        require_positive("poll_interval", poll_interval)
        self._db = db
        self._clock = clock
        self._poll_interval = poll_interval
        self._appended = asyncio.Event()

    @classmethod
    async def open(
        cls,
        path: str,
        *,
        clock: Clock = system_clock,
        busy_timeout: float = 5.0,
        poll_interval: float = POLL_INTERVAL,
    ) -> SqliteStream:
        """Open (creating if needed) the stream tables in the SQLite file at ``path``."""
        db = await SqliteDatabase.open(path, _SCHEMA, busy_timeout=busy_timeout)
        return cls(db, clock=clock, poll_interval=poll_interval)

    async def close(self) -> None:
        await self._db.close()

    async def append(self, stream: str, payload: bytes) -> str:
        data = bytes(payload)
        entry_id = await self._db.write(lambda conn: _append(conn, stream, data, self._clock()))
        self._wake()
        return entry_id

    def _wake(self) -> None:
        """Wake this instance's blocked readers (each then looks in the database)."""
        appended, self._appended = self._appended, asyncio.Event()
        appended.set()

    async def _news(self, seconds: float) -> None:
        """Until an append through this instance, or ``seconds``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._appended.wait(), seconds)

    def _read_once(
        self, conn: sqlite3.Connection, stream: str, group: str, consumer: str, count: int
    ) -> list[StreamEntry]:
        conn.execute(
            "INSERT OR IGNORE INTO stream_groups (stream, grp, last_delivered) VALUES (?, ?, 0)",
            (stream, group),
        )
        (last,) = conn.execute(
            "SELECT last_delivered FROM stream_groups WHERE stream = ? AND grp = ?", (stream, group)
        ).fetchone()
        rows: list[tuple[int, bytes]] = conn.execute(
            "SELECT id, payload FROM stream_entries WHERE stream = ? AND id > ? ORDER BY id LIMIT ?",
            (stream, last, count),
        ).fetchall()
        if not rows:
            return []
        now = self._clock()
        conn.executemany(
            "INSERT OR REPLACE INTO stream_pending"
            " (stream, grp, entry_id, consumer, delivered_at, delivery_count) VALUES (?, ?, ?, ?, ?, 1)",
            [(stream, group, entry_id, consumer, now) for entry_id, _ in rows],
        )
        conn.execute(
            "UPDATE stream_groups SET last_delivered = ? WHERE stream = ? AND grp = ?",
            (rows[-1][0], stream, group),
        )
        return [StreamEntry(str(entry_id), payload, 1) for entry_id, payload in rows]

    async def read(
        self, stream: str, group: str, consumer: str, count: int = 10, block_seconds: float = 0.0
    ) -> list[StreamEntry]:
        require_positive("count", count)
        require_non_negative("block_seconds", block_seconds)
        deadline = time.monotonic() + block_seconds
        while True:
            entries = await self._db.write(lambda conn: self._read_once(conn, stream, group, consumer, count))
            if entries:
                return entries
            # Poll with cheap read transactions; take the write lock again only when there is news.
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                await self._news(min(self._poll_interval, remaining))
                if await self._db.read(lambda conn: _has_undelivered(conn, stream, group)):
                    break

    async def ack(self, stream: str, group: str, entry_id: str) -> bool:
        number = _parse_id(entry_id)
        if number is None:
            return False
        return (
            await self._db.write(
                lambda conn: (
                    conn.execute(
                        "DELETE FROM stream_pending WHERE stream = ? AND grp = ? AND entry_id = ?",
                        (stream, group, number),
                    ).rowcount
                )
            )
            > 0
        )

    async def claim_stale(
        self, stream: str, group: str, consumer: str, min_idle_seconds: float, count: int = 10
    ) -> list[StreamEntry]:
        require_non_negative("min_idle_seconds", min_idle_seconds)
        require_positive("count", count)

        def work(conn: sqlite3.Connection) -> list[StreamEntry]:
            now = self._clock()
            rows: list[tuple[int, int, bytes | None]] = conn.execute(
                "SELECT p.entry_id, p.delivery_count, e.payload FROM stream_pending AS p"
                " LEFT JOIN stream_entries AS e ON e.id = p.entry_id"
                " WHERE p.stream = ? AND p.grp = ? AND p.delivered_at <= ? ORDER BY p.entry_id LIMIT ?",
                (stream, group, now - min_idle_seconds, count),
            ).fetchall()
            claimed: list[StreamEntry] = []
            for entry_id, deliveries, payload in rows:
                key = (stream, group, entry_id)
                if payload is None:  # the entry itself is gone: drop the dangling claim
                    conn.execute(
                        "DELETE FROM stream_pending WHERE stream = ? AND grp = ? AND entry_id = ?", key
                    )
                    continue
                conn.execute(
                    "UPDATE stream_pending SET consumer = ?, delivered_at = ?, delivery_count = ?"
                    " WHERE stream = ? AND grp = ? AND entry_id = ?",
                    (consumer, now, deliveries + 1, *key),
                )
                claimed.append(StreamEntry(str(entry_id), payload, deliveries + 1))
            return claimed

        return await self._db.write(work)

    async def dead_letter(self, stream: str, group: str, entry_id: str, reason: str) -> str:
        number = _parse_id(entry_id)

        def work(conn: sqlite3.Connection) -> str:
            row: tuple[int, bytes] | None = conn.execute(
                "SELECT p.delivery_count, e.payload FROM stream_pending AS p"
                " JOIN stream_entries AS e ON e.id = p.entry_id"
                " WHERE p.stream = ? AND p.grp = ? AND p.entry_id = ?",
                (stream, group, number),
            ).fetchone()
            if row is None:
                raise StreamEntryNotFound(
                    f"entry {entry_id!r} is not pending in group {group!r} of {stream!r}"
                )
            deliveries, payload = row
            cursor = conn.execute(
                "INSERT INTO stream_dead_letters"
                " (stream, entry_id, grp, payload, reason, delivery_count, dead_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (stream, number, group, payload, reason, deliveries, self._clock()),
            )
            conn.execute(
                "DELETE FROM stream_pending WHERE stream = ? AND grp = ? AND entry_id = ?",
                (stream, group, number),
            )
            return str(cursor.lastrowid)

        return await self._db.write(work)

    async def dead_letters(self, stream: str, count: int = 100) -> list[DeadLetter]:
        require_positive("count", count)
        rows: list[tuple[int, int, str, bytes, str, int, float]] = await self._db.read(
            lambda conn: conn.execute(
                "SELECT id, entry_id, grp, payload, reason, delivery_count, dead_at FROM stream_dead_letters"
                " WHERE stream = ? ORDER BY id LIMIT ?",
                (stream, count),
            ).fetchall()
        )
        return [
            DeadLetter(str(dl_id), str(entry_id), group, payload, reason, deliveries, dead_at)
            for dl_id, entry_id, group, payload, reason, deliveries, dead_at in rows
        ]

    async def replay(self, stream: str, dead_letter_id: str) -> str:
        number = _parse_id(dead_letter_id)

        def work(conn: sqlite3.Connection) -> str:
            row: tuple[bytes] | None = conn.execute(
                "SELECT payload FROM stream_dead_letters WHERE stream = ? AND id = ?", (stream, number)
            ).fetchone()
            if row is None:
                raise StreamEntryNotFound(f"no dead letter {dead_letter_id!r} in {stream!r}")
            conn.execute("DELETE FROM stream_dead_letters WHERE id = ?", (number,))
            return _append(conn, stream, row[0], self._clock())

        entry_id = await self._db.write(work)
        self._wake()
        return entry_id

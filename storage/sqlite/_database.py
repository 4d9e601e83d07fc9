"""One SQLite connection driven from its own worker thread, with real transactions.

sqlite3 calls block, so every call runs on a single dedicated thread (the
connection never leaves it, and calls are serialised by construction). Writes
run inside ``BEGIN IMMEDIATE``: the write lock is taken up front, so two
connections, in one process or two, racing on one file serialise instead of
deadlocking on a read-to-write upgrade; a waiter retries for ``busy_timeout``
seconds before giving up with ``StorageUnavailable``. Files use WAL so readers
never block the writer; ``:memory:`` gives a private database per connection.
A file's missing parent directories are created.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from storage.errors import StorageError, StorageUnavailable

__all__ = ["SqliteDatabase"]

_T = TypeVar("_T")
_MEMORY = ":memory:"


def _translate(exc: sqlite3.Error, path: str) -> StorageError:
    message = f"sqlite {path}: {exc}"
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return StorageUnavailable(message)
    return StorageError(message)


def _connect(path: str, busy_timeout: float, schema: str) -> sqlite3.Connection:
    if path != _MEMORY:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    try:
        if path != _MEMORY:
            conn.execute("PRAGMA journal_mode=WAL")
        # One script: executescript() would COMMIT a transaction begun outside it.
        conn.executescript(f"BEGIN IMMEDIATE;\n{schema}\nCOMMIT;")
    except BaseException:
        conn.close()
        raise
    return conn


def _in_transaction(conn: sqlite3.Connection, begin: str, work: Callable[[sqlite3.Connection], _T]) -> _T:
    conn.execute(begin)
    try:
        result = work(conn)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


class SqliteDatabase:
    """A SQLite file (or ``:memory:``) opened with a schema; run work in transactions on it."""

    def __init__(self, path: str, conn: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._executor = executor

    @classmethod
    async def open(cls, path: str, schema: str, *, busy_timeout: float = 5.0) -> SqliteDatabase:
        """Connect to ``path`` and create ``schema`` (idempotent DDL) in one transaction."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storage-sqlite")
        loop = asyncio.get_running_loop()
        try:
            conn = await loop.run_in_executor(executor, _connect, path, busy_timeout, schema)
        except (sqlite3.Error, OSError) as exc:
            executor.shutdown(wait=False)
            if isinstance(exc, OSError):
                raise StorageError(f"sqlite {path}: {exc}") from exc
            raise _translate(exc, path) from exc
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(path, conn, executor)

    async def _run(self, begin: str, work: Callable[[sqlite3.Connection], _T]) -> _T:
        conn = self._conn
        if conn is None:
            raise StorageError(f"sqlite {self.path}: the database is closed")
        call = functools.partial(_in_transaction, conn, begin, work)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc

    async def write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work(conn)`` inside ``BEGIN IMMEDIATE ... COMMIT`` (rolled back if it raises)."""
        return await self._run("BEGIN IMMEDIATE", work)

    async def read(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work(conn)`` inside a read transaction (one consistent snapshot)."""
        return await self._run("BEGIN", work)

    async def close(self) -> None:
        """Close the connection and stop the worker thread; safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        finally:
            self._executor.shutdown(wait=False)

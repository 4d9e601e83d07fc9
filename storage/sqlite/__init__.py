"""SQLite backends: durable across restarts and safe across processes sharing one file.

``SqliteIdempotencyStore`` and ``SqliteStream``; open each with its async
``open(path)`` (``":memory:"`` gives a private, non-durable database) and
``await close()`` it. Both may share one file: their tables do not overlap.
"""

from __future__ import annotations

from storage.sqlite.idempotency import SqliteIdempotencyStore
from storage.sqlite.stream import SqliteStream

__all__ = ["SqliteIdempotencyStore", "SqliteStream"]

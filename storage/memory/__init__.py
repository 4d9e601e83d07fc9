"""In-process backends: fast, bounded, and gone when the process exits.

``MemoryCache`` (LRU-bounded TTL cache), ``MemoryTokenBuckets`` and
``MemoryIdempotencyStore``. Each takes an optional ``clock`` so tests can
move time without sleeping. There is no in-memory stream: an outbox must be
durable, so the embedded stream is ``storage.sqlite.SqliteStream`` (which
also accepts ``":memory:"`` for tests).
"""

from __future__ import annotations

from storage.memory.cache import MemoryCache
from storage.memory.idempotency import MemoryIdempotencyStore
from storage.memory.ratelimit import MemoryTokenBuckets

__all__ = ["MemoryCache", "MemoryIdempotencyStore", "MemoryTokenBuckets"]

"""The state layer: caches, rate-limit buckets, idempotency records and outbox streams.

Four small async interfaces (``typing.Protocol``), each with an embedded
implementation (memory or SQLite) and a Redis one, all held to one contract
test suite. Values are ``bytes``; callers serialise. This package imports
nothing else of ours.

- ``cache.Cache`` (TTL + stale-if-error, with ``get_or_load``):
  ``memory.MemoryCache``, ``redis.RedisCache``
- ``ratelimit.TokenBuckets``: ``memory.MemoryTokenBuckets``, ``redis.RedisTokenBuckets``
- ``idempotency.IdempotencyStore``: ``memory.MemoryIdempotencyStore``,
  ``sqlite.SqliteIdempotencyStore``, ``redis.RedisIdempotencyStore``
- ``stream.DurableStream`` (the outbox): ``sqlite.SqliteStream``, ``redis.RedisStream``

``factory.open_storage(url)`` builds all four from ``memory://``,
``sqlite:///file.db`` or ``redis://host:port/db``. Errors: ``storage.errors``.
The implementations live in ``storage.memory``, ``storage.sqlite`` and
``storage.redis`` and are imported from there (importing this package does
not import redis-py or sqlite3).
"""

from __future__ import annotations

from storage.cache import Cache, CacheEntry, LoadResult, get_or_load
from storage.errors import (
    IdempotencyStateError,
    StorageDataInvalid,
    StorageError,
    StorageUnavailable,
    StorageUrlInvalid,
    StreamEntryNotFound,
)
from storage.factory import StorageBackends, open_storage
from storage.idempotency import IdempotencyRecord, IdempotencyStore, RecordState, StartResult, StartStatus
from storage.ratelimit import BucketResult, TokenBuckets
from storage.stream import DeadLetter, DurableStream, StreamEntry

__all__ = [
    "BucketResult",
    "Cache",
    "CacheEntry",
    "DeadLetter",
    "DurableStream",
    "IdempotencyRecord",
    "IdempotencyStateError",
    "IdempotencyStore",
    "LoadResult",
    "RecordState",
    "StartResult",
    "StartStatus",
    "StorageBackends",
    "StorageDataInvalid",
    "StorageError",
    "StorageUnavailable",
    "StorageUrlInvalid",
    "StreamEntry",
    "StreamEntryNotFound",
    "TokenBuckets",
    "get_or_load",
    "open_storage",
]

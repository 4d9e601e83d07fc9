"""Redis backends: state shared by every gateway instance that points at one server.

``RedisCache``, ``RedisTokenBuckets``, ``RedisIdempotencyStore`` and
``RedisStream``. Each borrows a ``redis.asyncio.Redis`` client made with
``decode_responses=False`` (the caller closes it) and a namespace that
prefixes every key. Needs Redis >= 6.2 (``XAUTOCLAIM``).
"""

from __future__ import annotations

from storage.redis.cache import RedisCache
from storage.redis.idempotency import RedisIdempotencyStore
from storage.redis.ratelimit import RedisTokenBuckets
from storage.redis.stream import RedisStream

__all__ = ["RedisCache", "RedisIdempotencyStore", "RedisStream", "RedisTokenBuckets"]

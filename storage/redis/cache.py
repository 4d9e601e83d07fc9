"""A TTL cache in Redis: one hash per key, expired by Redis itself.

Each entry is a hash ``{v: value, t: stored_at_ms, s: stale_ms}`` with a
``PEXPIRE`` of ``ttl + stale_ttl``; ``set`` runs as a script so ``stored_at``
is the server's ``TIME`` (one clock for every gateway instance). An entry is
fresh while its remaining time to live exceeds the stale window, so reads
need no clock at all: one ``MULTI`` of ``HMGET`` and ``PTTL``.
``delete_prefix`` walks the keyspace with ``SCAN`` (on a cluster it would
have to run per node).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from redis.asyncio import Redis

from storage._validate import require_non_negative, require_positive
from storage.cache import CacheEntry
from storage.redis._common import Keyspace, as_bytes, escape_glob, translate_errors

__all__ = ["RedisCache"]

_SET = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 't', now_ms, 's', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return now_ms
"""

_BATCH = 500


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


class RedisCache:
    """A :class:`~storage.cache.Cache` in Redis under ``<namespace>:cache:<key>``.

    The client is borrowed: whoever made it closes it.
    """

    def __init__(self, client: Redis, namespace: str) -> None:
        self._client = client
        self._keys = Keyspace(namespace, "cache")
        self._set = client.register_script(_SET)

    async def get(self, key: str) -> CacheEntry | None:
        name = self._keys.key(key)
        with translate_errors("cache get"):
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.hmget(name, ["v", "t", "s"])
                pipe.pttl(name)
                (value, stored_ms, stale_ms), pttl = await pipe.execute()
        if value is None or stored_ms is None or stale_ms is None or pttl < 0:
            return None
        fresh = int(pttl) > int(stale_ms)
        return CacheEntry(value=as_bytes(value), stored_at=int(stored_ms) / 1000, fresh=fresh)

    async def set(self, key: str, value: bytes, ttl: float, stale_ttl: float = 0.0) -> float:
        require_positive("ttl", ttl)
        require_non_negative("stale_ttl", stale_ttl)
        stale_ms = round(stale_ttl * 1000)
        total_ms = _ms(ttl) + stale_ms
        with translate_errors("cache set"):
            stored_ms = await self._set(keys=[self._keys.key(key)], args=[bytes(value), total_ms, stale_ms])
        return int(stored_ms) / 1000

    async def delete(self, key: str) -> bool:
        with translate_errors("cache delete"):
            return await self._client.unlink(self._keys.key(key)) > 0

    async def delete_many(self, keys: Iterable[str]) -> int:
        names = sorted({self._keys.key(key) for key in keys})
        return await self._unlink(names)

    async def delete_prefix(self, prefix: str) -> int:
        pattern = escape_glob(self._keys.key(prefix)) + "*"
        with translate_errors("cache delete_prefix"):
            names = [name async for name in self._client.scan_iter(match=pattern, count=_BATCH)]
        return await self._unlink(names)

    async def _unlink(self, names: Sequence[str | bytes]) -> int:
        removed = 0
        with translate_errors("cache delete"):
            for start in range(0, len(names), _BATCH):
                removed += await self._client.unlink(*names[start : start + _BATCH])
        return removed

"""A TTL cache with stale-if-error reads: the interface and its one loader helper.

An entry is *fresh* for ``ttl`` seconds after it was stored, then *stale* for
``stale_ttl`` more seconds, then gone. Stale entries are still returned by
``get`` (flagged ``fresh=False``) so that :func:`get_or_load` can serve them
when the system of record fails: a slightly old answer beats an error.

Values are ``bytes``; callers serialise. Implementations:
``storage.memory.MemoryCache`` (bounded, LRU) and ``storage.redis.RedisCache``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from storage.clock import system_clock
from storage.errors import StorageError

__all__ = ["Cache", "CacheEntry", "LoadResult", "get_or_load"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached value as read back: the bytes, when they were stored, and whether still fresh."""

    value: bytes
    stored_at: float
    """Wall-clock seconds since the epoch at which the value was stored."""
    fresh: bool
    """True within ``ttl`` of ``stored_at``; False in the ``stale_ttl`` window after it."""

    @property
    def stale(self) -> bool:
        return not self.fresh


class LoadResult(NamedTuple):
    """What :func:`get_or_load` returns; unpacks as ``value, stale, stored_at``."""

    value: bytes
    stale: bool
    stored_at: float


@runtime_checkable
class Cache(Protocol):
    """A key -> bytes cache whose entries turn stale before they expire."""

    async def get(self, key: str) -> CacheEntry | None:
        """The entry for ``key`` (fresh or stale), or None if absent or fully expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float, stale_ttl: float = 0.0) -> float:
        """Store ``value``: fresh for ``ttl`` s, then stale for ``stale_ttl`` s. Returns ``stored_at``."""
        ...

    async def delete(self, key: str) -> bool:
        """Remove ``key``; True if it was there."""
        ...

    async def delete_many(self, keys: Iterable[str]) -> int:
        """Remove every key in ``keys``; returns how many were there."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every key starting with ``prefix`` (invalidation); returns how many."""
        ...


async def get_or_load(
    cache: Cache,
    key: str,
    loader: Callable[[], Awaitable[bytes]],
    ttl: float,
    stale_ttl: float = 0.0,
) -> LoadResult:
    """Read through ``cache``, calling ``loader`` on a miss or a stale entry.

    - fresh hit: the cached value, ``stale=False``; the loader is not called;
    - miss or stale hit: call the loader, store its value, return it;
    - the loader raises and a stale entry exists: serve the stale entry
      (``stale=True``) and swallow the error;
    - the loader raises and nothing is cached: re-raise.

    The cache is an optimisation, so its own failures never fail the read: a
    :class:`StorageError` from ``get`` counts as a miss and one from ``set``
    is logged and ignored (``stored_at`` is then this process's clock).
    """
    entry: CacheEntry | None
    try:
        entry = await cache.get(key)
    except StorageError:
        _log.warning("cache read failed for %r; loading from source", key, exc_info=True)
        entry = None
    if entry is not None and entry.fresh:
        return LoadResult(entry.value, False, entry.stored_at)
    try:
        value = await loader()
    except Exception:
        # Stale-if-error: the one broad catch in this layer; the loader may raise anything.
        if entry is None:
            raise
        _log.warning("loader failed for %r; serving a stale entry", key, exc_info=True)
        return LoadResult(entry.value, True, entry.stored_at)
    try:
        stored_at = await cache.set(key, value, ttl, stale_ttl)
    except StorageError:
        _log.warning("cache write failed for %r; returning the loaded value", key, exc_info=True)
        stored_at = system_clock()
    return LoadResult(value, False, stored_at)

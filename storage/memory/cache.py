"""An in-process TTL cache, bounded in size with least-recently-used eviction.

Each entry keeps its value, when it was stored, and two deadlines: fresh
until ``stored_at + ttl``, kept until ``fresh_until + stale_ttl``. Expired
entries are dropped when read; when the cache is full the least recently
read or written entry makes room. One event loop only (no thread locking).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from storage._validate import require_non_negative, require_positive
from storage.cache import CacheEntry
from storage.clock import Clock, system_clock

__all__ = ["MemoryCache"]


@dataclass(slots=True)
class _Slot:
    value: bytes
    stored_at: float
    fresh_until: float
    expires_at: float


class MemoryCache:
    """A :class:`~storage.cache.Cache` held in this process, at most ``max_entries`` entries."""

    def __init__(self, max_entries: int = 10_000, *, clock: Clock = system_clock) -> None:
        require_positive("max_entries", max_entries)
        self._max_entries = int(max_entries)
        self._clock = clock
        self._slots: OrderedDict[str, _Slot] = OrderedDict()

    def __len__(self) -> int:
        """Entries held, including expired ones not yet dropped."""
        return len(self._slots)

    async def get(self, key: str) -> CacheEntry | None:
        slot = self._slots.get(key)
        if slot is None:
            return None
        now = self._clock()
        if now >= slot.expires_at:
            del self._slots[key]
            return None
        self._slots.move_to_end(key)
        return CacheEntry(value=slot.value, stored_at=slot.stored_at, fresh=now < slot.fresh_until)

    async def set(self, key: str, value: bytes, ttl: float, stale_ttl: float = 0.0) -> float:
        require_positive("ttl", ttl)
        require_non_negative("stale_ttl", stale_ttl)
        now = self._clock()
        fresh_until = now + ttl
        self._slots[key] = _Slot(bytes(value), now, fresh_until, fresh_until + stale_ttl)
        self._slots.move_to_end(key)
        while len(self._slots) > self._max_entries:
            self._slots.popitem(last=False)
        return now

    async def delete(self, key: str) -> bool:
        return self._slots.pop(key, None) is not None

    async def delete_many(self, keys: Iterable[str]) -> int:
        return sum(self._slots.pop(key, None) is not None for key in set(keys))

    async def delete_prefix(self, prefix: str) -> int:
        doomed = [key for key in self._slots if key.startswith(prefix)]
        for key in doomed:
            del self._slots[key]
        return len(doomed)

"""Batch reads cached per key: one upstream call for the keys the cache cannot answer.

A batch question (stock for 50 SKUs x 30 locations) cached as one entry is
only reused by the identical batch, and a webhook saying "this SKU changed"
cannot find it. :meth:`ConnectorKit.read_many <resolvers.kit.call.ConnectorKit.read_many>`
caches each key's answer under its own key instead::

    keys ──► cache lookups (concurrent)
             ├── fresh entries: answered, no request
             └── missing or stale keys ──► ONE call fetch(http, those keys) through the kit
                 ├── success: every asked key stored (a key the answer lacks is stored as
                 │   "absent", so it is not asked again until it expires)
                 └── failure with serve_stale: every asked key that has a stale entry is
                     answered from it (marked stale); if any key has none, the error is raised

So an outage is served stale only when every key of the question can be; a
caller never gets a silently partial answer. The cache key of one key is
``cache_key(system, operation, key)``: what a webhook handler evicts with
:meth:`ConnectorKit.cache_key`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import orjson

from resolvers.errors import ConnectorError
from resolvers.kit.cache import CacheStatus, Codec, ConnectorCache
from resolvers.policy import CachePolicy
from storage import CacheEntry

__all__ = ["ManyCall", "read_many"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_log = logging.getLogger(__name__)
_ABSENT = b"\x00absent"


@dataclass(frozen=True)  # no slots: with Generic they break `Cls[int](...)`
class ManyCall(Generic[K, V]):
    """What a per-key cached batch read answered."""

    values: dict[K, V]
    """Every asked key the system holds; a key it does not hold is left out."""
    stale_keys: frozenset[K] = frozenset()
    """Keys answered from stale entries because the system failed (``error`` says how)."""
    stored_at: dict[K, float] = field(default_factory=dict)
    """When each answered key's value was stored (wall clock); fetched keys: now."""
    hits: int = 0
    """Keys answered fresh from the cache."""
    fetched: int = 0
    """Keys asked upstream."""
    error: ConnectorError | None = None

    @property
    def stale(self) -> bool:
        return bool(self.stale_keys)


async def read_many(
    cache: ConnectorCache,
    system: str,
    operation: str,
    keys: Sequence[K],
    policy: CachePolicy,
    codec: Codec[V],
    load: Callable[[list[K], CacheStatus], Awaitable[dict[K, V]]],
) -> ManyCall[K, V]:
    """Answer ``keys`` from per-key entries, loading the rest with one ``load`` (module docstring)."""
    unique = list(dict.fromkeys(keys))
    cache_keys = {key: cache.key(system, operation, _jsonable(key)) for key in unique}
    entries = await asyncio.gather(*(cache._lookup(cache_keys[key]) for key in unique))
    values: dict[K, V] = {}
    stored_at: dict[K, float] = {}
    to_load: list[K] = []
    old: dict[K, CacheEntry] = {}
    for key, entry in zip(unique, entries, strict=True):
        if entry is not None:
            decoded = _decode(cache, codec, entry, cache_keys[key])
            if decoded is not None and entry.fresh:
                if decoded[0] is not _Absent:
                    values[key] = decoded[0]  # type: ignore[assignment]
                stored_at[key] = entry.stored_at
                continue
            if decoded is not None:
                old[key] = entry
        to_load.append(key)
    hits = len(unique) - len(to_load)
    if not to_load:
        return ManyCall(values, stored_at=stored_at, hits=hits)
    status = CacheStatus.STALE if len(old) == len(to_load) else CacheStatus.MISS
    try:
        loaded = await load(to_load, status)
    except ConnectorError as exc:
        if not exc.serve_stale or len(old) < len(to_load):
            raise
        _log.warning("%s; serving %d stale entries", exc, len(to_load))
        for key in to_load:
            decoded = _decode(cache, codec, old[key], cache_keys[key])
            if decoded is not None and decoded[0] is not _Absent:
                values[key] = decoded[0]  # type: ignore[assignment]
            stored_at[key] = old[key].stored_at
        return ManyCall(values, frozenset(to_load), stored_at, hits, len(to_load), exc)
    saved = await asyncio.gather(
        *(
            cache._save(cache_keys[key], codec.encode(loaded[key]), policy, loaded[key])
            if key in loaded
            else cache._save(cache_keys[key], _ABSENT, policy)
            for key in to_load
        )
    )
    for key, at in zip(to_load, saved, strict=True):
        stored_at[key] = at
        if key in loaded:
            values[key] = loaded[key]
    return ManyCall(values, stored_at=stored_at, hits=hits, fetched=len(to_load))


class _AbsentType:
    pass


_Absent = _AbsentType()


def _decode(
    cache: ConnectorCache, codec: Codec[V], entry: CacheEntry, key: str
) -> tuple[V | _AbsentType] | None:
    if entry.value == _ABSENT:
        return (_Absent,)
    return cache._decode(codec, entry, key)


def _jsonable(key: object) -> object:
    """Tuples become lists (orjson writes both the same); anything else must be JSON as it is."""
    try:
        orjson.dumps(key)
    except TypeError as exc:
        raise TypeError(f"read_many keys must be JSON-serialisable: {key!r}") from exc
    return key

"""Read-through caching of upstream answers, with stale-if-error and invalidation for webhooks.

Keys are ``conn:{system}:{operation}:{digest}``, the digest a BLAKE2b hash of
the call's arguments as canonical JSON (sorted keys), so every instance and
every webhook handler computes the same key for the same question
(:func:`cache_key`). Values are bytes in :class:`storage.Cache` (memory or
Redis), written and read with a :class:`Codec` (JSON by default).

:meth:`ConnectorCache.read_through`:

- fresh entry: returned, status ``hit``; the upstream is not called;
- stale entry or none: ``load`` is called (told ``stale`` or ``miss``) and its
  value stored for the operation's ``ttl`` + ``stale_ttl``;
- ``load`` fails with an error whose class has ``serve_stale`` (unreachable,
  timeout, 5xx, 429, circuit open, retry budget spent) and a stale entry
  exists: that entry is returned marked ``stale`` with its ``stored_at`` and
  the error; any other error (404, validation, a bug) propagates.

The cache is an optimisation: a failing cache store counts as a miss (reads)
or is logged and ignored (writes); an entry that does not decode is a miss.
Invalidation is the exception: its failures propagate (a webhook must know).

**Decoded values are kept** per process (:class:`DecodedMemo`, the last
:data:`DECODED_ENTRIES` entries): a hit on an entry this process stored or
already decoded (same key, same ``stored_at``, same bytes length) hands out the
decoded value again instead of validating its bytes once more, which is most of
a warm read's CPU. Values may therefore be shared between callers: treat what a
connector read returns as read-only (every connector does).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

import orjson

from resolvers.errors import ConnectorError
from resolvers.policy import CachePolicy
from storage import Cache, CacheEntry, StorageError

__all__ = [
    "DECODED_ENTRIES",
    "JSON_CODEC",
    "CacheStatus",
    "Cached",
    "Codec",
    "ConnectorCache",
    "DecodedMemo",
    "cache_key",
]

T = TypeVar("T")
_log = logging.getLogger(__name__)
DECODED_ENTRIES = 4096
"""Decoded values a process keeps (see the module docstring)."""


class DecodedMemo:
    """The last ``size`` decoded cache values of this process, by key, each with the entry it came from."""

    def __init__(self, size: int = DECODED_ENTRIES) -> None:
        self.size = size
        self._values: OrderedDict[str, tuple[float, int, Any]] = OrderedDict()

    def get(self, key: str, entry: CacheEntry) -> tuple[Any] | None:
        """The value decoded from this very entry (same ``stored_at`` and length), if kept."""
        found = self._values.get(key)
        if found is None or found[0] != entry.stored_at or found[1] != len(entry.value):
            return None
        self._values.move_to_end(key)
        return (found[2],)

    def put(self, key: str, stored_at: float, length: int, value: Any) -> None:
        self._values[key] = (stored_at, length, value)
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def forget(self, key: str) -> None:
        self._values.pop(key, None)


class CacheStatus(StrEnum):
    """What the cache lookup found (the ``retail.cache`` span attribute)."""

    HIT = "hit"
    """A fresh entry: no upstream call."""
    MISS = "miss"
    """Nothing cached: the upstream was called."""
    STALE = "stale"
    """Only a stale entry: the upstream was called to refresh it (and it was served if that failed)."""
    BYPASS = "bypass"
    """Not a cached call (a write, no cache key, or ``ttl`` 0)."""


@dataclass(frozen=True)  # no slots: with Generic they break `Cls[int](...)`
class Codec(Generic[T]):
    """How a value of type ``T`` becomes cache bytes and back (decode raises ValueError/TypeError on junk)."""

    encode: Callable[[T], bytes]
    decode: Callable[[bytes], T]


def _orjson_dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


JSON_CODEC: Codec[Any] = Codec(encode=_orjson_dumps, decode=orjson.loads)


@dataclass(frozen=True)  # no slots: with Generic they break `Cls[int](...)`
class Cached(Generic[T]):
    """The outcome of :meth:`ConnectorCache.read_through`."""

    value: T
    status: CacheStatus
    stale: bool
    """True when the value is past its ``ttl`` and was served because the upstream failed."""
    stored_at: float
    """Wall-clock seconds since the epoch at which the value was stored (or loaded)."""
    error: ConnectorError | None = None
    """The upstream error a stale value stands in for."""


def cache_key(system: str, operation: str, args: object, *, namespace: str = "conn") -> str:
    """``{namespace}:{system}:{operation}:{digest of args}``; args must be JSON-serialisable (orjson)."""
    canonical = orjson.dumps(args, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    digest = hashlib.blake2b(canonical, digest_size=16).hexdigest()
    return f"{namespace}:{system}:{operation}:{digest}"


class ConnectorCache:
    """Read-through, stale-if-error caching of connector answers on a :class:`storage.Cache`."""

    def __init__(self, cache: Cache, *, namespace: str = "conn", decoded: int = DECODED_ENTRIES) -> None:
        self.store = cache
        self.namespace = namespace
        self.decoded = DecodedMemo(decoded)

    def key(self, system: str, operation: str, args: object) -> str:
        """The cache key of one question (see :func:`cache_key`)."""
        return cache_key(system, operation, args, namespace=self.namespace)

    async def _lookup(self, key: str) -> CacheEntry | None:
        try:
            return await self.store.get(key)
        except StorageError:
            _log.warning("cache read failed for %r; calling the upstream", key, exc_info=True)
            return None

    async def _save(self, key: str, value: bytes, policy: CachePolicy, decoded: Any = None) -> float:
        """Store ``value`` (the encoding of ``decoded``, which is kept decoded when given)."""
        self.decoded.forget(key)
        try:
            stored_at = await self.store.set(key, value, policy.ttl, policy.stale_ttl)
        except StorageError:
            _log.warning("cache write failed for %r", key, exc_info=True)
            return time.time()
        if decoded is not None:
            self.decoded.put(key, stored_at, len(value), decoded)
        return stored_at

    def _decode(self, codec: Codec[T], entry: CacheEntry, key: str) -> tuple[T] | None:
        kept = self.decoded.get(key, entry)
        if kept is not None:
            return kept
        try:
            value = codec.decode(entry.value)
        except (ValueError, TypeError):
            _log.warning("cached value for %r does not decode; treating it as a miss", key, exc_info=True)
            return None
        self.decoded.put(key, entry.stored_at, len(entry.value), value)
        return (value,)

    async def read_through(
        self,
        key: str,
        policy: CachePolicy,
        codec: Codec[T],
        load: Callable[[CacheStatus], Awaitable[T]],
    ) -> Cached[T]:
        """Answer from the cache when fresh, else from ``load``; stale on an outage (module docstring)."""
        entry = await self._lookup(key)
        if entry is not None and entry.fresh:
            decoded = self._decode(codec, entry, key)
            if decoded is not None:
                return Cached(decoded[0], CacheStatus.HIT, False, entry.stored_at)
            entry = None
        status = CacheStatus.MISS if entry is None else CacheStatus.STALE
        try:
            value = await load(status)
        except ConnectorError as exc:
            if entry is None or not exc.serve_stale:
                raise
            fallback = self._decode(codec, entry, key)
            if fallback is None:
                raise
            _log.warning("%s; serving the value stored at %.3f", exc, entry.stored_at)
            return Cached(fallback[0], CacheStatus.STALE, True, entry.stored_at, exc)
        stored_at = await self._save(key, codec.encode(value), policy, value)
        return Cached(value, status, False, stored_at)

    async def invalidate(self, key: str) -> bool:
        """Drop one entry (a webhook said it changed); True if it was there.

        Invalidation raises :class:`storage.StorageError` rather than swallow it,
        so that a webhook handler can answer 5xx and get the delivery again.
        """
        self.decoded.forget(key)
        return await self.store.delete(key)

    async def invalidate_keys(self, keys: Iterable[str]) -> int:
        """Drop several entries; returns how many were there."""
        keys = list(keys)
        for key in keys:
            self.decoded.forget(key)
        return await self.store.delete_many(keys)

    async def invalidate_operation(self, system: str, operation: str | None = None) -> int:
        """Drop every entry of one operation of ``system`` (or of all its operations)."""
        prefix = f"{self.namespace}:{system}:" + (f"{operation}:" if operation is not None else "")
        return await self.store.delete_prefix(prefix)

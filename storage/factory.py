"""Build the four stores from one URL, and close them together.

==============================  =============================================================
URL                             what you get
==============================  =============================================================
``memory://``                   memory cache, buckets and idempotency; a SQLite ``:memory:``
                                stream. Nothing survives the process: for tests and demos.
``sqlite:///relative/file.db``  memory cache and buckets; idempotency and stream in that SQLite
``sqlite:////abs/file.db``      file (created if missing), durable and safe across processes.
                                Three slashes = relative path, four = absolute (as SQLAlchemy);
                                ``sqlite:///:memory:`` is a private in-memory database.
``redis://host:port/db``        all four in Redis (also ``rediss://`` and ``unix://``), keys
                                under ``<namespace>:``; shared by every instance using it.
==============================  =============================================================

The Redis client is made lazily connected (nothing is sent until the first
call), so a gateway can start before its Redis does.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

from storage.cache import Cache
from storage.clock import Clock, system_clock
from storage.errors import StorageUrlInvalid
from storage.idempotency import IdempotencyStore
from storage.ratelimit import TokenBuckets
from storage.stream import DurableStream

__all__ = ["StorageBackends", "open_storage"]


@dataclass
class StorageBackends:
    """The four stores one process uses, plus what closes them."""

    cache: Cache
    buckets: TokenBuckets
    idempotency: IdempotencyStore
    stream: DurableStream
    kind: str
    """``memory``, ``sqlite`` or ``redis``."""
    _resources: AsyncExitStack = field(default_factory=AsyncExitStack, repr=False)

    async def close(self) -> None:
        """Close every connection the bundle opened, last opened first; safe to call twice.

        If one close fails the others still run, and the failure is re-raised.
        """
        await self._resources.aclose()

    async def __aenter__(self) -> StorageBackends:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _sqlite_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc or not parts.path.startswith("/") or len(parts.path) < 2:
        raise StorageUrlInvalid(
            f"expected sqlite:///relative/path.db or sqlite:////absolute/path.db, got {url!r}"
        )
    return parts.path[1:]


async def _open_memory(cache_max_entries: int, clock: Clock) -> StorageBackends:
    from storage.memory import MemoryCache, MemoryIdempotencyStore, MemoryTokenBuckets
    from storage.sqlite import SqliteStream

    resources = AsyncExitStack()
    stream = await SqliteStream.open(":memory:", clock=clock)
    resources.push_async_callback(stream.close)
    return StorageBackends(
        cache=MemoryCache(cache_max_entries, clock=clock),
        buckets=MemoryTokenBuckets(clock=clock),
        idempotency=MemoryIdempotencyStore(clock=clock),
        stream=stream,
        kind="memory",
        _resources=resources,
    )


async def _open_sqlite(path: str, cache_max_entries: int, clock: Clock) -> StorageBackends:
    from storage.memory import MemoryCache, MemoryTokenBuckets
    from storage.sqlite import SqliteIdempotencyStore, SqliteStream

    async with AsyncExitStack() as opening:  # closes what opened if a later open fails
        idempotency = await SqliteIdempotencyStore.open(path, clock=clock)
        opening.push_async_callback(idempotency.close)
        stream = await SqliteStream.open(path, clock=clock)
        opening.push_async_callback(stream.close)
        resources = opening.pop_all()
    return StorageBackends(
        cache=MemoryCache(cache_max_entries, clock=clock),
        buckets=MemoryTokenBuckets(clock=clock),
        idempotency=idempotency,
        stream=stream,
        kind="sqlite",
        _resources=resources,
    )


def _open_redis(url: str, namespace: str) -> StorageBackends:
    from redis.asyncio import Redis

    from storage.redis import RedisCache, RedisIdempotencyStore, RedisStream, RedisTokenBuckets

    try:
        client = Redis.from_url(url, decode_responses=False)
    except ValueError as exc:
        raise StorageUrlInvalid(f"bad redis url: {exc}") from exc
    resources = AsyncExitStack()
    resources.push_async_callback(client.aclose)
    return StorageBackends(
        cache=RedisCache(client, namespace),
        buckets=RedisTokenBuckets(client, namespace),
        idempotency=RedisIdempotencyStore(client, namespace),
        stream=RedisStream(client, namespace),
        kind="redis",
        _resources=resources,
    )


async def open_storage(
    url: str,
    *,
    namespace: str = "retail",
    cache_max_entries: int = 10_000,
    clock: Clock = system_clock,
) -> StorageBackends:
    """Open the stores named by ``url`` (see the module docstring); ``await close()`` them after.

    ``namespace`` prefixes Redis keys; ``clock`` drives the memory and SQLite
    stores (Redis uses its own server clock). Raises ``StorageUrlInvalid``
    for an unknown scheme or a malformed URL.
    """
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme == "memory":
        return await _open_memory(cache_max_entries, clock)
    if scheme == "sqlite":
        return await _open_sqlite(_sqlite_path(url), cache_max_entries, clock)
    if scheme in {"redis", "rediss", "unix"}:
        return _open_redis(url, namespace)
    raise StorageUrlInvalid(f"unknown storage URL scheme in {url!r}; use memory://, sqlite:/// or redis://")

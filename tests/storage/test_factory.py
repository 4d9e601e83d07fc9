"""``storage.factory.open_storage``: which stores each URL builds, and that they work and close."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.cache import Cache
from storage.errors import StorageUrlInvalid
from storage.factory import StorageBackends, open_storage
from storage.idempotency import IdempotencyStore, StartStatus
from storage.memory import MemoryCache, MemoryIdempotencyStore, MemoryTokenBuckets
from storage.ratelimit import TokenBuckets
from storage.redis import RedisCache, RedisIdempotencyStore, RedisStream, RedisTokenBuckets
from storage.sqlite import SqliteIdempotencyStore, SqliteStream
from storage.stream import DurableStream


async def _exercise(backends: StorageBackends) -> None:
    """One round trip through each of the four stores."""
    assert isinstance(backends.cache, Cache)
    assert isinstance(backends.buckets, TokenBuckets)
    assert isinstance(backends.idempotency, IdempotencyStore)
    assert isinstance(backends.stream, DurableStream)
    await backends.cache.set("k", b"v", ttl=10)
    entry = await backends.cache.get("k")
    assert entry is not None
    assert entry.value == b"v"
    assert (await backends.buckets.acquire("k", cost=1, capacity=1, refill_per_second=0)).allowed
    assert not (await backends.buckets.acquire("k", cost=1, capacity=1, refill_per_second=0)).allowed
    assert (await backends.idempotency.start("k", "fp", ttl=10)).status is StartStatus.STARTED
    entry_id = await backends.stream.append("outbox", b"order")
    assert [e.id for e in await backends.stream.read("outbox", "erp", "w")] == [entry_id]


async def test_memory_url_builds_memory_stores_and_an_in_memory_sqlite_stream() -> None:
    async with await open_storage("memory://") as backends:
        assert backends.kind == "memory"
        assert isinstance(backends.cache, MemoryCache)
        assert isinstance(backends.buckets, MemoryTokenBuckets)
        assert isinstance(backends.idempotency, MemoryIdempotencyStore)
        assert isinstance(backends.stream, SqliteStream)
        await _exercise(backends)


async def test_sqlite_url_keeps_idempotency_and_the_stream_in_that_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    backends = await open_storage(f"sqlite:///{path}")  # an absolute path: four slashes in all
    try:
        assert backends.kind == "sqlite"
        assert isinstance(backends.cache, MemoryCache)
        assert isinstance(backends.idempotency, SqliteIdempotencyStore)
        assert isinstance(backends.stream, SqliteStream)
        await _exercise(backends)
        await backends.idempotency.complete("k", b"result", ttl=60)
    finally:
        await backends.close()
        await backends.close()  # closing twice is harmless
    assert path.exists()
    async with await open_storage(f"sqlite:///{path}") as reopened:
        assert (await reopened.idempotency.start("k", "fp", ttl=10)).result == b"result"
        assert [e.payload for e in await reopened.stream.claim_stale("outbox", "erp", "w", 0)] == [b"order"]


async def test_sqlite_url_with_three_slashes_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with await open_storage("sqlite:///data/state.db") as backends:
        await backends.stream.append("outbox", b"x")
    assert (tmp_path / "data" / "state.db").exists()


@pytest.mark.redis
async def test_redis_url_builds_all_four_stores_on_redis(redis_url: str) -> None:
    async with await open_storage(redis_url, namespace="factory-test") as backends:
        assert backends.kind == "redis"
        assert isinstance(backends.cache, RedisCache)
        assert isinstance(backends.buckets, RedisTokenBuckets)
        assert isinstance(backends.idempotency, RedisIdempotencyStore)
        assert isinstance(backends.stream, RedisStream)
        await _exercise(backends)
    async with await open_storage(redis_url, namespace="factory-test") as again:
        assert (await again.idempotency.start("k", "fp", ttl=10)).status is StartStatus.IN_PROGRESS
    async with await open_storage(redis_url, namespace="another-namespace") as other:
        assert (await other.idempotency.start("k", "fp", ttl=10)).status is StartStatus.STARTED


@pytest.mark.parametrize(
    "url", ["postgres://db/x", "memory", "", "sqlite://host/x.db", "sqlite://", "redis://:x:y"]
)
async def test_an_unusable_url_raises_storage_url_invalid(url: str) -> None:
    with pytest.raises(StorageUrlInvalid) as caught:
        await open_storage(url)
    assert caught.value.code == "STORAGE_URL_INVALID"

"""What only the Redis backends promise: key layout, hash tags, expiry of idle state, long blocking reads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from storage.redis import RedisCache, RedisIdempotencyStore, RedisStream, RedisTokenBuckets
from storage.redis import stream as redis_stream

pytestmark = pytest.mark.redis


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_keys_are_namespaced_feature_identity_field_with_a_hash_tag_per_stream(
    client: Redis, namespace: str
) -> None:
    await RedisCache(client, namespace).set("product:1", b"v", ttl=10)
    await RedisTokenBuckets(client, namespace).acquire("shopify", cost=1, capacity=5, refill_per_second=1)
    await RedisIdempotencyStore(client, namespace).start("order-1", "fp", ttl=10)
    stream = RedisStream(client, namespace)
    entry_id = await stream.append("outbox", b"x")
    await stream.read("outbox", "erp", "w")
    await stream.dead_letter("outbox", "erp", entry_id, "no")
    keys = sorted([key.decode() async for key in client.scan_iter(match=f"{namespace}:*")])
    assert keys == [
        f"{namespace}:bucket:shopify",
        f"{namespace}:cache:product:1",
        f"{namespace}:idem:order-1",
        f"{namespace}:stream:{{outbox}}:dead",
        f"{namespace}:stream:{{outbox}}:entries",
    ]
    assert len({key_slot(key.encode()) for key in keys if ":stream:" in key}) == 1
    assert key_slot(b"ns:stream:{outbox}:dead") != key_slot(b"ns:stream:{returns}:dead")


async def test_every_key_carries_an_expiry_except_the_streams(client: Redis, namespace: str) -> None:
    await RedisCache(client, namespace).set("k", b"v", ttl=10, stale_ttl=5)
    await RedisTokenBuckets(client, namespace).acquire("k", cost=1, capacity=5, refill_per_second=1)
    await RedisIdempotencyStore(client, namespace).start("k", "fp", ttl=10)
    assert 14_000 < await client.pttl(f"{namespace}:cache:k") <= 15_000
    assert 0 < await client.pttl(f"{namespace}:bucket:k") <= 2_000  # 1 token to refill + 1 s margin
    assert 9_000 < await client.pttl(f"{namespace}:idem:k") <= 10_000


async def test_a_blocking_read_longer_than_one_round_trip_keeps_waiting(
    client: Redis, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_stream, "_MAX_BLOCK_MS", 100)  # each XREADGROUP blocks at most 0.1 s
    stream, producer = RedisStream(client, namespace), RedisStream(client, namespace)

    async def append_later() -> str:
        await asyncio.sleep(0.35)
        return await producer.append("outbox", b"late")

    started = time.monotonic()
    entries, appended_id = await asyncio.gather(
        stream.read("outbox", "erp", "w", block_seconds=2), append_later()
    )
    assert [e.id for e in entries] == [appended_id]
    assert 0.3 < time.monotonic() - started < 1.5
    started = time.monotonic()
    assert await stream.read("outbox", "erp", "w", block_seconds=0.35) == []
    assert 0.3 < time.monotonic() - started < 1.5

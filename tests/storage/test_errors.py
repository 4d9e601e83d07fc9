"""The storage exception tree, and vendor errors translated into it at the backend boundary."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from storage import errors
from storage.cache import get_or_load
from storage.errors import StorageError, StorageUnavailable
from storage.redis import RedisCache, RedisIdempotencyStore, RedisStream, RedisTokenBuckets

_ERROR_CLASSES = [getattr(errors, name) for name in errors.__all__ if isinstance(getattr(errors, name), type)]


def test_every_storage_error_has_its_own_shouty_code() -> None:
    codes = [cls.code for cls in _ERROR_CLASSES]
    assert len(codes) == len(set(codes)) == 6
    assert all(re.fullmatch(r"[A-Z]+(_[A-Z]+)+", code) for code in codes)
    assert all(issubclass(cls, StorageError) for cls in _ERROR_CLASSES)


@pytest.fixture
async def unreachable_redis() -> AsyncIterator[Redis]:
    """A client for a loopback port nobody listens on, that fails at once instead of retrying."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0), socket_connect_timeout=1)
    yield client
    await client.aclose()


async def test_an_unreachable_redis_raises_storage_unavailable_with_the_cause(
    unreachable_redis: Redis,
) -> None:
    calls = [
        RedisCache(unreachable_redis, "ns").get("k"),
        RedisTokenBuckets(unreachable_redis, "ns").acquire("k", cost=1, capacity=1, refill_per_second=1),
        RedisIdempotencyStore(unreachable_redis, "ns").start("k", "fp", ttl=1),
        RedisStream(unreachable_redis, "ns").read("s", "g", "c"),
    ]
    for call in calls:
        with pytest.raises(StorageUnavailable) as caught:
            await call
        assert caught.value.code == "STORAGE_UNAVAILABLE"
        assert isinstance(caught.value.__cause__, RedisConnectionError)


async def test_get_or_load_falls_back_to_the_loader_when_the_cache_is_down(unreachable_redis: Redis) -> None:
    async def loader() -> bytes:
        return b"from source"

    value, stale, _ = await get_or_load(RedisCache(unreachable_redis, "ns"), "k", loader, ttl=10)
    assert (value, stale) == (b"from source", False)


def test_a_namespace_must_be_a_plain_word(unreachable_redis: Redis) -> None:
    with pytest.raises(ValueError):
        RedisCache(unreachable_redis, "")
    with pytest.raises(ValueError):
        RedisCache(unreachable_redis, "two words")

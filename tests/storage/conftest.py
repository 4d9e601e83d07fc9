"""Fixtures for the storage contract suites: one ``Backend`` per implementation.

Every contract test takes a backend fixture parametrized over the
implementations of one interface. A :class:`Backend` bundles the store under
test with two helpers, so one test body fits every implementation:

- ``advance(seconds)``: let time pass. Memory and SQLite stores read an
  injected :class:`FakeClock`, so this is instant; Redis stores use the
  server's clock, so this really sleeps (keep those durations short).
- ``peer()``: another instance of the same store sharing its state through a
  separate connection (a second Redis client, a second SQLite connection to
  the same file); for memory stores, the same instance.

Redis stores live in a fresh namespace per test, on the session's real
server (``redis_url`` from ``tests/conftest.py``); everything opened is
closed at teardown.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pytest
from redis.asyncio import Redis

from storage.cache import Cache
from storage.idempotency import IdempotencyStore
from storage.memory import MemoryCache, MemoryIdempotencyStore, MemoryTokenBuckets
from storage.ratelimit import TokenBuckets
from storage.redis import RedisCache, RedisIdempotencyStore, RedisStream, RedisTokenBuckets
from storage.sqlite import SqliteIdempotencyStore, SqliteStream
from storage.stream import DurableStream

T = TypeVar("T")

REDIS = pytest.param("redis", marks=pytest.mark.redis)


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Backend(Generic[T]):
    """A store under test plus how to move its time and open a second client of it."""

    name: str
    store: T
    advance: Callable[[float], Awaitable[None]]
    peer: Callable[[], Awaitable[T]]

    @property
    def uses_real_time(self) -> bool:
        return self.name == "redis"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def namespace() -> str:
    """A Redis key namespace of this test's own."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def exit_stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


def _fake_time(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    return advance


def _redis_factory(request: pytest.FixtureRequest, stack: AsyncExitStack) -> Callable[[], Redis]:
    url: str = request.getfixturevalue("redis_url")

    def make() -> Redis:
        client = Redis.from_url(url, decode_responses=False)
        stack.push_async_callback(client.aclose)
        return client

    return make


def _same(store: T) -> Callable[[], Awaitable[T]]:
    async def peer() -> T:
        return store

    return peer


@pytest.fixture(params=["memory", REDIS])
async def cache_backend(
    request: pytest.FixtureRequest, clock: FakeClock, namespace: str, exit_stack: AsyncExitStack
) -> Backend[Cache]:
    if request.param == "memory":
        memory = MemoryCache(max_entries=1000, clock=clock)
        return Backend[Cache]("memory", memory, _fake_time(clock), _same(memory))
    make = _redis_factory(request, exit_stack)

    async def peer() -> Cache:
        return RedisCache(make(), namespace)

    return Backend[Cache]("redis", RedisCache(make(), namespace), asyncio.sleep, peer)


@pytest.fixture(params=["memory", REDIS])
async def buckets_backend(
    request: pytest.FixtureRequest, clock: FakeClock, namespace: str, exit_stack: AsyncExitStack
) -> Backend[TokenBuckets]:
    if request.param == "memory":
        memory = MemoryTokenBuckets(clock=clock)
        return Backend[TokenBuckets]("memory", memory, _fake_time(clock), _same(memory))
    make = _redis_factory(request, exit_stack)

    async def peer() -> TokenBuckets:
        return RedisTokenBuckets(make(), namespace)

    return Backend[TokenBuckets]("redis", RedisTokenBuckets(make(), namespace), asyncio.sleep, peer)


async def _open_sqlite_idempotency(path: Path, clock: FakeClock, stack: AsyncExitStack) -> IdempotencyStore:
    store = await SqliteIdempotencyStore.open(str(path), clock=clock)
    stack.push_async_callback(store.close)
    return store


@pytest.fixture(params=["memory", "sqlite", REDIS])
async def idempotency_backend(
    request: pytest.FixtureRequest,
    clock: FakeClock,
    namespace: str,
    exit_stack: AsyncExitStack,
    tmp_path: Path,
) -> Backend[IdempotencyStore]:
    if request.param == "memory":
        memory = MemoryIdempotencyStore(clock=clock)
        return Backend[IdempotencyStore]("memory", memory, _fake_time(clock), _same(memory))
    if request.param == "sqlite":
        path = tmp_path / "idempotency.db"

        async def sqlite_peer() -> IdempotencyStore:
            return await _open_sqlite_idempotency(path, clock, exit_stack)

        first = await sqlite_peer()
        return Backend[IdempotencyStore]("sqlite", first, _fake_time(clock), sqlite_peer)
    make = _redis_factory(request, exit_stack)

    async def redis_peer() -> IdempotencyStore:
        return RedisIdempotencyStore(make(), namespace)

    return Backend[IdempotencyStore]("redis", await redis_peer(), asyncio.sleep, redis_peer)


@pytest.fixture(params=["sqlite", REDIS])
async def stream_backend(
    request: pytest.FixtureRequest,
    clock: FakeClock,
    namespace: str,
    exit_stack: AsyncExitStack,
    tmp_path: Path,
) -> Backend[DurableStream]:
    if request.param == "sqlite":
        path = tmp_path / "stream.db"

        async def sqlite_peer() -> DurableStream:
            store = await SqliteStream.open(str(path), clock=clock, poll_interval=0.01)
            exit_stack.push_async_callback(store.close)
            return store

        first = await sqlite_peer()
        return Backend[DurableStream]("sqlite", first, _fake_time(clock), sqlite_peer)
    make = _redis_factory(request, exit_stack)

    async def redis_peer() -> DurableStream:
        return RedisStream(make(), namespace)

    return Backend[DurableStream]("redis", await redis_peer(), asyncio.sleep, redis_peer)

"""Contract tests for ``storage.cache.Cache`` and ``get_or_load``, run against every implementation."""

from __future__ import annotations

import time

import pytest

from storage.cache import Cache, get_or_load
from storage.memory import MemoryCache
from tests.storage.conftest import Backend, FakeClock


class LoaderFailed(Exception):
    pass


class CountingLoader:
    """A loader that returns ``value`` (or raises, when ``fail`` is set) and counts its calls."""

    def __init__(self, value: bytes = b"loaded", *, fail: bool = False) -> None:
        self.value = value
        self.fail = fail
        self.calls = 0

    async def __call__(self) -> bytes:
        self.calls += 1
        if self.fail:
            raise LoaderFailed("system of record is down")
        return self.value


async def test_a_stored_value_reads_back_fresh_with_its_stored_at(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    stored_at = await cache.set("sku:1", b"\x00\xffbinary", ttl=10)
    entry = await cache.get("sku:1")
    assert entry is not None
    assert entry.value == b"\x00\xffbinary"
    assert entry.fresh
    assert not entry.stale
    assert entry.stored_at == pytest.approx(stored_at, abs=0.002)
    if cache_backend.uses_real_time:
        assert abs(stored_at - time.time()) < 2
    else:
        assert stored_at == FakeClock().now


async def test_a_missing_key_reads_as_none(cache_backend: Backend[Cache]) -> None:
    assert await cache_backend.store.get("nobody") is None


async def test_an_entry_turns_stale_after_its_ttl_then_disappears(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    await cache.set("k", b"v", ttl=0.2, stale_ttl=0.4)
    await cache_backend.advance(0.3)
    entry = await cache.get("k")
    assert entry is not None
    assert entry.stale
    assert entry.value == b"v"
    await cache_backend.advance(0.4)
    assert await cache.get("k") is None


async def test_an_entry_without_a_stale_window_disappears_at_its_ttl(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    await cache.set("k", b"v", ttl=0.2)
    await cache_backend.advance(0.3)
    assert await cache.get("k") is None


async def test_setting_a_key_again_replaces_the_value_and_restarts_its_ttl(
    cache_backend: Backend[Cache],
) -> None:
    cache = cache_backend.store
    await cache.set("k", b"old", ttl=0.3, stale_ttl=0.0)
    await cache_backend.advance(0.2)
    await cache.set("k", b"new", ttl=0.3, stale_ttl=0.0)
    await cache_backend.advance(0.2)
    entry = await cache.get("k")
    assert entry is not None
    assert (entry.value, entry.fresh) == (b"new", True)


async def test_delete_removes_a_key_and_says_whether_it_was_there(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    await cache.set("k", b"v", ttl=10)
    assert await cache.delete("k") is True
    assert await cache.get("k") is None
    assert await cache.delete("k") is False


async def test_delete_many_removes_only_the_given_keys(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    for key in ("a", "b", "c"):
        await cache.set(key, key.encode(), ttl=10)
    assert await cache.delete_many(["a", "c", "missing"]) == 2
    assert await cache.get("a") is None
    assert await cache.get("c") is None
    assert await cache.get("b") is not None


async def test_delete_prefix_removes_every_key_under_the_prefix_and_nothing_else(
    cache_backend: Backend[Cache],
) -> None:
    cache = cache_backend.store
    keys = ["product:1", "product:2", "product:[x]*?", "productline:1", "offer:product:1"]
    for key in keys:
        await cache.set(key, b"v", ttl=10)
    assert await cache.delete_prefix("product:") == 3
    remaining = [key for key in keys if await cache.get(key) is not None]
    assert remaining == ["productline:1", "offer:product:1"]


async def test_delete_prefix_treats_glob_characters_literally(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    await cache.set("a*:1", b"v", ttl=10)
    await cache.set("ab:1", b"v", ttl=10)
    assert await cache.delete_prefix("a*") == 1
    assert await cache.get("ab:1") is not None


@pytest.mark.parametrize(
    ("ttl", "stale_ttl"), [(0, 1), (-1, 1), (1, -1), (float("inf"), 0), (float("nan"), 0)]
)
async def test_nonsense_ttls_are_rejected(
    cache_backend: Backend[Cache], ttl: float, stale_ttl: float
) -> None:
    with pytest.raises(ValueError):
        await cache_backend.store.set("k", b"v", ttl=ttl, stale_ttl=stale_ttl)


async def test_a_fresh_hit_does_not_call_the_loader(cache_backend: Backend[Cache]) -> None:
    stored_at = await cache_backend.store.set("k", b"cached", ttl=10)
    loader = CountingLoader()
    value, stale, at = await get_or_load(cache_backend.store, "k", loader, ttl=10)
    assert (value, stale, loader.calls) == (b"cached", False, 0)
    assert at == pytest.approx(stored_at, abs=0.002)


async def test_a_miss_calls_the_loader_and_stores_its_value(cache_backend: Backend[Cache]) -> None:
    loader = CountingLoader(b"fresh")
    result = await get_or_load(cache_backend.store, "k", loader, ttl=10, stale_ttl=5)
    assert (result.value, result.stale, loader.calls) == (b"fresh", False, 1)
    entry = await cache_backend.store.get("k")
    assert entry is not None
    assert (entry.value, entry.fresh, entry.stored_at) == (b"fresh", True, result.stored_at)
    again = await get_or_load(cache_backend.store, "k", loader, ttl=10, stale_ttl=5)
    assert (again.value, loader.calls) == (b"fresh", 1)


async def test_a_stale_entry_is_reloaded_when_the_loader_succeeds(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    await cache.set("k", b"old", ttl=0.2, stale_ttl=5)
    await cache_backend.advance(0.3)
    loader = CountingLoader(b"new")
    value, stale, _ = await get_or_load(cache, "k", loader, ttl=10, stale_ttl=5)
    assert (value, stale, loader.calls) == (b"new", False, 1)
    entry = await cache.get("k")
    assert entry is not None
    assert (entry.value, entry.fresh) == (b"new", True)


async def test_a_stale_entry_is_served_when_the_loader_fails(cache_backend: Backend[Cache]) -> None:
    cache = cache_backend.store
    stored_at = await cache.set("k", b"old", ttl=0.2, stale_ttl=5)
    await cache_backend.advance(0.3)
    loader = CountingLoader(fail=True)
    value, stale, at = await get_or_load(cache, "k", loader, ttl=10, stale_ttl=5)
    assert (value, stale, loader.calls) == (b"old", True, 1)
    assert at == pytest.approx(stored_at, abs=0.002)


async def test_the_loader_error_is_raised_when_nothing_is_cached(cache_backend: Backend[Cache]) -> None:
    with pytest.raises(LoaderFailed):
        await get_or_load(cache_backend.store, "k", CountingLoader(fail=True), ttl=10, stale_ttl=5)
    assert await cache_backend.store.get("k") is None


async def test_the_loader_error_is_raised_once_the_stale_window_has_passed(
    cache_backend: Backend[Cache],
) -> None:
    await cache_backend.store.set("k", b"old", ttl=0.1, stale_ttl=0.1)
    await cache_backend.advance(0.3)
    with pytest.raises(LoaderFailed):
        await get_or_load(cache_backend.store, "k", CountingLoader(fail=True), ttl=10, stale_ttl=5)


async def test_the_memory_cache_evicts_the_least_recently_used_entry_when_full(clock: FakeClock) -> None:
    cache = MemoryCache(max_entries=2, clock=clock)
    await cache.set("a", b"1", ttl=10)
    await cache.set("b", b"2", ttl=10)
    assert await cache.get("a") is not None  # "a" is now the most recently used
    await cache.set("c", b"3", ttl=10)
    assert len(cache) == 2
    assert await cache.get("b") is None
    assert await cache.get("a") is not None
    assert await cache.get("c") is not None


async def test_the_memory_cache_counts_a_write_as_a_use(clock: FakeClock) -> None:
    cache = MemoryCache(max_entries=2, clock=clock)
    await cache.set("a", b"1", ttl=10)
    await cache.set("b", b"2", ttl=10)
    await cache.set("a", b"1 again", ttl=10)
    await cache.set("c", b"3", ttl=10)
    assert await cache.get("b") is None
    assert await cache.get("a") is not None

"""Read-through caching of connector reads: TTL per operation, stale-if-error, invalidation."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from resolvers.errors import UpstreamNotFound, UpstreamUnavailable
from resolvers.kit import CacheStatus, Codec, ConnectorCache, cache_key
from resolvers.policy import CachePolicy
from storage import CacheEntry, StorageUnavailable
from storage.memory import MemoryCache
from tests.resolvers.conftest import FakeTime, KitFactory, Reply, Upstream, get_json

CACHED = {"systems": {"erp": {"cache": {"ttl": 10, "stale_ttl": 300}, "retry": {"attempts": 1}}}}


def test_keys_are_namespaced_by_system_and_operation_and_hash_the_arguments() -> None:
    key = cache_key("erp", "stock", {"sku": "A", "plant": "1000"})
    assert key.startswith("conn:erp:stock:")
    assert len(key.rpartition(":")[2]) == 32
    assert key == cache_key("erp", "stock", {"plant": "1000", "sku": "A"})
    assert key != cache_key("erp", "stock", {"sku": "B", "plant": "1000"})
    assert key != cache_key("erp", "partners", {"sku": "A", "plant": "1000"})


async def test_a_fresh_hit_is_answered_without_calling_the_upstream(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.default = Reply(json={"qty": 5})
    kit = make_kit(CACHED)
    first = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    second = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    assert (first.value, first.cache, first.attempts) == ({"qty": 5}, CacheStatus.MISS, 1)
    assert (second.value, second.cache, second.attempts) == ({"qty": 5}, CacheStatus.HIT, 0)
    assert not second.stale
    assert second.stored_at == first.stored_at
    assert upstream.count() == 1


async def test_an_expired_entry_is_refreshed_from_the_upstream(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(json={"qty": 5}), Reply(json={"qty": 4}))
    kit = make_kit(CACHED)
    await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    fake_time.advance(11)
    again = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    assert (again.value, again.cache, again.stale) == ({"qty": 4}, CacheStatus.STALE, False)
    assert again.stored_at == fake_time.now


async def test_the_last_good_value_is_served_stale_with_when_it_was_stored_while_the_upstream_is_down(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(json={"qty": 5}), Reply(status=503))
    kit = make_kit(CACHED)
    first = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    fake_time.advance(60)
    outage = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    assert (outage.value, outage.stale, outage.cache) == ({"qty": 5}, True, CacheStatus.STALE)
    assert outage.stored_at == first.stored_at
    assert isinstance(outage.error, UpstreamUnavailable)


async def test_a_rejection_is_not_hidden_behind_a_stale_value(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(json={"qty": 5}), Reply(status=404))
    kit = make_kit(CACHED)
    await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    fake_time.advance(60)
    with pytest.raises(UpstreamNotFound):
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")


async def test_with_nothing_cached_the_outage_reaches_the_caller(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.default = Reply(status=503)
    with pytest.raises(UpstreamUnavailable):
        await make_kit(CACHED).read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")


async def test_past_the_stale_window_the_entry_is_gone(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(json={"qty": 5}), Reply(status=503))
    kit = make_kit(CACHED)
    await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    fake_time.advance(311)
    with pytest.raises(UpstreamUnavailable):
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")


async def test_an_operation_without_a_ttl_is_not_cached(make_kit: KitFactory, upstream: Upstream) -> None:
    live = {"live": {"cache": {"ttl": 0}}}
    kit = make_kit({"systems": {"erp": {"cache": {"ttl": 10}, "operations": live}}})
    for _ in range(2):
        result = await kit.read("erp", "live", get_json(f"{upstream.url}/live"), cache_key="A")
        assert result.cache is CacheStatus.BYPASS
    assert upstream.count() == 2


async def test_a_webhook_can_invalidate_one_key_or_a_whole_operation(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    kit = make_kit(CACHED)
    for sku in ("A", "B", "C"):
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key=sku)
    await kit.read("erp", "partners", get_json(f"{upstream.url}/partners"), cache_key="P")
    assert kit.cache is not None
    assert await kit.cache.invalidate(kit.cache_key("erp", "stock", "A"))
    assert await kit.cache.invalidate_keys([kit.cache_key("erp", "stock", "B")]) == 1
    assert (await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")).cache == "miss"
    assert await kit.cache.invalidate_operation("erp", "stock") == 2
    assert await kit.cache.invalidate_operation("erp") == 1
    assert upstream.count() == 5


class _BrokenCache(MemoryCache):
    async def get(self, key: str) -> CacheEntry | None:
        raise StorageUnavailable("redis down")

    async def set(self, key: str, value: bytes, ttl: float, stale_ttl: float = 0.0) -> float:
        raise StorageUnavailable("redis down")

    async def delete_many(self, keys: Iterable[str]) -> int:
        raise StorageUnavailable("redis down")


async def test_a_failing_cache_store_counts_as_a_miss_but_a_failed_invalidation_is_reported(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    kit = make_kit(CACHED, cache=_BrokenCache())
    result = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    assert (result.value, result.cache) == ({"ok": True}, CacheStatus.MISS)
    assert kit.cache is not None
    with pytest.raises(StorageUnavailable):
        await kit.cache.invalidate_keys(["k"])


async def test_an_entry_that_no_longer_decodes_is_a_miss(fake_time: FakeTime) -> None:
    store = MemoryCache(clock=fake_time)
    cache = ConnectorCache(store)
    await store.set("k", b"\xff not json", ttl=10)

    async def load(status: CacheStatus) -> int:
        assert status is CacheStatus.MISS
        return 7

    codec = Codec[int](encode=lambda v: str(v).encode(), decode=lambda b: int(b.decode()))
    result = await cache.read_through("k", CachePolicy(ttl=10), codec, load)
    assert (result.value, result.status) == (7, CacheStatus.MISS)
    assert (await store.get("k")) == CacheEntry(b"7", fake_time.now, True)


async def test_a_hit_on_an_entry_this_process_stored_or_decoded_is_not_decoded_again(
    fake_time: FakeTime,
) -> None:
    store = MemoryCache(clock=fake_time)
    cache = ConnectorCache(store)
    decoded: list[bytes] = []

    def decode(raw: bytes) -> dict[str, int]:
        decoded.append(raw)
        return {"qty": int(raw.decode())}

    codec = Codec[dict[str, int]](encode=lambda v: str(v["qty"]).encode(), decode=decode)
    policy = CachePolicy(ttl=10)

    async def load(status: CacheStatus) -> dict[str, int]:
        return {"qty": 5}

    first = await cache.read_through("k", policy, codec, load)
    second = await cache.read_through("k", policy, codec, load)
    assert second.status is CacheStatus.HIT
    assert second.value is first.value  # the value this process stored, not decoded again
    assert decoded == []
    fake_time.advance(1)
    await store.set("k", b"4", ttl=10)  # another instance refreshed the entry
    third = await cache.read_through("k", policy, codec, load)
    fourth = await cache.read_through("k", policy, codec, load)
    assert (third.value, fourth.value, decoded) == ({"qty": 4}, {"qty": 4}, [b"4"])
    await store.delete("k")  # another instance's webhook dropped it: this process must not answer it
    fifth = await cache.read_through("k", policy, codec, load)
    assert (fifth.value, fifth.status) == ({"qty": 5}, CacheStatus.MISS)


async def test_decoded_values_kept_are_bounded() -> None:
    cache = ConnectorCache(MemoryCache(), decoded=2)

    async def load(status: CacheStatus) -> int:
        return 1

    for key in ("a", "b", "c"):
        await cache.read_through(
            key, CachePolicy(ttl=10), Codec[int](encode=lambda v: b"1", decode=int), load
        )
    assert cache.decoded.get("a", CacheEntry(b"1", 0.0, True)) is None
    assert len(cache.decoded._values) == 2

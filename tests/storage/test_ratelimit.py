"""Contract tests for ``storage.ratelimit.TokenBuckets``, run against every implementation."""

from __future__ import annotations

import asyncio
import math

import pytest

from storage.ratelimit import TokenBuckets
from tests.storage.conftest import Backend


def _deficit_wait(backend: Backend[TokenBuckets], expected: float, actual: float) -> None:
    """``actual`` is the expected wait, or a little less when real time passed meanwhile."""
    if backend.uses_real_time:
        assert expected - 0.05 < actual <= expected + 1e-9
    else:
        assert actual == pytest.approx(expected)


async def test_a_new_bucket_starts_full(buckets_backend: Backend[TokenBuckets]) -> None:
    result = await buckets_backend.store.acquire("shopify", cost=1, capacity=5, refill_per_second=1)
    assert result.allowed
    assert result.remaining == pytest.approx(4, abs=0.01)
    assert result.retry_after_seconds == 0


async def test_a_drained_bucket_denies_and_says_when_enough_tokens_will_be_back(
    buckets_backend: Backend[TokenBuckets],
) -> None:
    buckets = buckets_backend.store
    drained = await buckets.acquire("k", cost=5, capacity=5, refill_per_second=10)
    assert drained.allowed
    denied = await buckets.acquire("k", cost=2, capacity=5, refill_per_second=10)
    assert not denied.allowed
    assert denied.remaining < 2
    _deficit_wait(buckets_backend, 0.2, denied.retry_after_seconds)


async def test_a_denied_acquire_takes_no_tokens(buckets_backend: Backend[TokenBuckets]) -> None:
    buckets = buckets_backend.store
    assert (await buckets.acquire("k", cost=3, capacity=5, refill_per_second=0)).allowed
    assert not (await buckets.acquire("k", cost=3, capacity=5, refill_per_second=0)).allowed
    last = await buckets.acquire("k", cost=2, capacity=5, refill_per_second=0)
    assert last.allowed
    assert last.remaining == pytest.approx(0)


async def test_a_bucket_refills_with_time_up_to_its_capacity_only(
    buckets_backend: Backend[TokenBuckets],
) -> None:
    buckets = buckets_backend.store
    await buckets.acquire("k", cost=5, capacity=5, refill_per_second=20)
    await buckets_backend.advance(0.5)  # would be 10 tokens without the cap
    full = await buckets.acquire("k", cost=5, capacity=5, refill_per_second=20)
    assert full.allowed
    assert full.remaining < 1
    assert not (await buckets.acquire("k", cost=1, capacity=5, refill_per_second=20)).allowed


async def test_waiting_the_retry_after_is_enough(buckets_backend: Backend[TokenBuckets]) -> None:
    buckets = buckets_backend.store
    await buckets.acquire("k", cost=4, capacity=4, refill_per_second=10)
    denied = await buckets.acquire("k", cost=3, capacity=4, refill_per_second=10)
    assert not denied.allowed
    await buckets_backend.advance(denied.retry_after_seconds + 0.01)
    assert (await buckets.acquire("k", cost=3, capacity=4, refill_per_second=10)).allowed


async def test_a_cost_above_capacity_is_never_allowed(buckets_backend: Backend[TokenBuckets]) -> None:
    result = await buckets_backend.store.acquire("k", cost=6, capacity=5, refill_per_second=100)
    assert not result.allowed
    assert result.retry_after_seconds == math.inf
    assert result.remaining == pytest.approx(5)


async def test_sync_sets_the_level_an_upstream_reports(buckets_backend: Backend[TokenBuckets]) -> None:
    buckets = buckets_backend.store
    await buckets.sync("shopify", available=2, capacity=10, refill_per_second=1)
    denied = await buckets.acquire("shopify", cost=3, capacity=10, refill_per_second=1)
    assert not denied.allowed
    _deficit_wait(buckets_backend, 1.0, denied.retry_after_seconds)
    assert (await buckets.acquire("shopify", cost=2, capacity=10, refill_per_second=1)).allowed


async def test_sync_clamps_the_level_to_between_zero_and_capacity(
    buckets_backend: Backend[TokenBuckets],
) -> None:
    buckets = buckets_backend.store
    await buckets.sync("high", available=50, capacity=10, refill_per_second=0)
    assert (await buckets.acquire("high", cost=10, capacity=10, refill_per_second=0)).allowed
    assert not (await buckets.acquire("high", cost=1, capacity=10, refill_per_second=0)).allowed
    await buckets.sync("low", available=-3, capacity=10, refill_per_second=0)
    low = await buckets.acquire("low", cost=1, capacity=10, refill_per_second=0)
    assert not low.allowed
    assert low.remaining == 0


async def test_buckets_are_independent_per_key(buckets_backend: Backend[TokenBuckets]) -> None:
    buckets = buckets_backend.store
    await buckets.acquire("tenant-a", cost=5, capacity=5, refill_per_second=0)
    assert (await buckets.acquire("tenant-b", cost=5, capacity=5, refill_per_second=0)).allowed


async def test_concurrent_acquires_from_several_clients_never_overspend(
    buckets_backend: Backend[TokenBuckets],
) -> None:
    clients = [await buckets_backend.peer() for _ in range(5)]
    calls = [clients[i % 5].acquire("shared", cost=1, capacity=10, refill_per_second=0) for i in range(30)]
    results = await asyncio.gather(*calls)
    assert sum(result.allowed for result in results) == 10


async def test_two_clients_share_one_bucket(buckets_backend: Backend[TokenBuckets]) -> None:
    first, second = buckets_backend.store, await buckets_backend.peer()
    await first.acquire("erp", cost=4, capacity=5, refill_per_second=0)
    from_second = await second.acquire("erp", cost=2, capacity=5, refill_per_second=0)
    assert not from_second.allowed
    assert from_second.remaining == pytest.approx(1)
    await second.sync("erp", available=5, capacity=5, refill_per_second=0)
    assert (await first.acquire("erp", cost=5, capacity=5, refill_per_second=0)).allowed


@pytest.mark.parametrize(
    ("cost", "capacity", "rate"), [(-1, 5, 1), (1, 0, 1), (1, -5, 1), (1, 5, -1), (float("nan"), 5, 1)]
)
async def test_nonsense_bucket_parameters_are_rejected(
    buckets_backend: Backend[TokenBuckets], cost: float, capacity: float, rate: float
) -> None:
    with pytest.raises(ValueError):
        await buckets_backend.store.acquire("k", cost=cost, capacity=capacity, refill_per_second=rate)

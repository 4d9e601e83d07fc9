"""Upstream pacing: wait for our own tokens, never provoke the system; honour what it reports."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from resolvers.errors import UpstreamRateLimited, UpstreamRejected
from resolvers.http import HttpClient
from resolvers.kit import ConnectorKit, UpstreamHttp, UpstreamLimiter
from resolvers.policy import ConnectorPolicies
from storage import TokenBuckets
from storage.memory import MemoryTokenBuckets
from storage.redis import RedisTokenBuckets
from tests.resolvers.conftest import FakeTime, KitFactory, Reply, Seen, Upstream, get_json

PACED = {"systems": {"erp": {"rate": {"rate": 10, "burst": 5, "max_wait": 10}}}}


def _limiter(fake_time: FakeTime, policies: dict[str, object]) -> UpstreamLimiter:
    return UpstreamLimiter(
        MemoryTokenBuckets(clock=fake_time),
        ConnectorPolicies.model_validate(policies),
        clock=fake_time,
        sleep=fake_time.sleep,
    )


class _StrictUpstreamBucket:
    """The system's own limiter: 429 past ``capacity`` requests refilled at ``rate`` per second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens, self.at = capacity, time.monotonic()
        self.rejected = 0

    def __call__(self, seen: Seen) -> Reply:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            self.rejected += 1
            return Reply(status=429, headers={"Retry-After": "1"})
        self.tokens -= 1
        return Reply()


def _real_time_kit(http: HttpClient, buckets: TokenBuckets) -> ConnectorKit:
    return ConnectorKit(http, ConnectorPolicies.model_validate(PACED), buckets)


async def test_20_calls_at_10_per_second_are_paced_without_a_single_429(
    http: HttpClient, upstream: Upstream
) -> None:
    strict = upstream.routes["/paced"] = _StrictUpstreamBucket(capacity=10, rate=10)
    kit = _real_time_kit(http, MemoryTokenBuckets())
    started = time.monotonic()
    fn = get_json(f"{upstream.url}/paced")
    results = await asyncio.gather(*(kit.read("erp", "stock", fn) for _ in range(20)))
    elapsed = time.monotonic() - started
    assert strict.rejected == 0
    assert upstream.count("/paced") == 20
    assert all(result.attempts == 1 for result in results)
    assert 1.4 <= elapsed < 3.0  # 5 at once, then 15 more at 10/s


@pytest.fixture
async def two_redis_buckets(redis_url: str) -> AsyncIterator[tuple[TokenBuckets, TokenBuckets]]:
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    first, second = Redis.from_url(redis_url), Redis.from_url(redis_url)
    yield RedisTokenBuckets(first, namespace), RedisTokenBuckets(second, namespace)
    await first.aclose()
    await second.aclose()


@pytest.mark.redis
async def test_two_gateway_instances_on_one_redis_share_one_bucket(
    http: HttpClient, upstream: Upstream, two_redis_buckets: tuple[TokenBuckets, TokenBuckets]
) -> None:
    strict = upstream.routes["/paced"] = _StrictUpstreamBucket(capacity=10, rate=10)
    kits = [_real_time_kit(http, buckets) for buckets in two_redis_buckets]
    started = time.monotonic()
    fn = get_json(f"{upstream.url}/paced")
    await asyncio.gather(*(kits[i % 2].read("erp", "stock", fn) for i in range(20)))
    elapsed = time.monotonic() - started
    assert strict.rejected == 0
    assert upstream.count("/paced") == 20
    assert elapsed >= 1.4  # one shared burst of 5 then 10/s; two separate buckets would take 0.5 s


async def test_calls_sleep_until_their_tokens_are_there(fake_time: FakeTime) -> None:
    limiter = _limiter(fake_time, {"systems": {"erp": {"rate": {"rate": 10, "burst": 1}}}})
    waits = [await limiter.wait("erp", "stock") for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.1, 0.1], abs=1e-3)
    assert sum(fake_time.sleeps) == pytest.approx(0.2, abs=2e-3)


async def test_a_wait_past_max_wait_fails_fast_instead_of_queueing(fake_time: FakeTime) -> None:
    limiter = _limiter(fake_time, {"systems": {"erp": {"rate": {"rate": 1, "burst": 1, "max_wait": 0.5}}}})
    await limiter.wait("erp", "stock")
    with pytest.raises(UpstreamRateLimited) as caught:
        await limiter.wait("erp", "stock")
    assert caught.value.retry_after == pytest.approx(1.0)
    assert fake_time.sleeps == []


async def test_an_unpaced_system_never_waits(fake_time: FakeTime) -> None:
    limiter = _limiter(fake_time, {})
    assert [await limiter.wait("pos", "orders") for _ in range(100)] == [0.0] * 100


async def test_a_cost_the_bucket_can_never_hold_is_rejected(fake_time: FakeTime) -> None:
    limiter = _limiter(fake_time, {"systems": {"shopify": {"rate": {"rate": 50, "burst": 1000}}}})
    with pytest.raises(UpstreamRejected, match="exceeds"):
        await limiter.wait("shopify", "products", cost=1001)


async def test_the_bucket_follows_what_the_upstream_reports_and_adopts_a_smaller_one(
    fake_time: FakeTime,
) -> None:
    limiter = _limiter(fake_time, {"systems": {"shopify": {"rate": {"rate": 50, "burst": 1000}}}})
    await limiter.observe("shopify", available=0)
    assert await limiter.wait("shopify", cost=100) == pytest.approx(2.0, abs=1e-3)  # 100 points at 50/s
    await limiter.observe("shopify", available=10, capacity=100, refill_per_second=5)
    with pytest.raises(UpstreamRejected):
        await limiter.wait("shopify", cost=200)
    assert await limiter.wait("shopify", cost=20) == pytest.approx(2.0, abs=1e-3)  # (20 - 10) at 5/s
    await limiter.observe("shopify", available=0, capacity=5000, refill_per_second=500)
    assert await limiter.wait("shopify", cost=100) == pytest.approx(2.0, abs=1e-3)  # never adapts upwards


async def test_a_connector_reports_throttle_status_through_its_http_handle(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    throttle = {"currentlyAvailable": 0, "maximumAvailable": 1000, "restoreRate": 50}
    upstream.default = Reply(json={"data": {}, "extensions": {"cost": {"throttleStatus": throttle}}})
    kit = make_kit({"systems": {"shopify": {"rate": {"rate": 50, "burst": 1000}}}})

    async def query(http: UpstreamHttp) -> object:
        body = (await http.post(f"{upstream.url}/graphql.json", json={"query": "{shop{id}}"})).json()
        status = body["extensions"]["cost"]["throttleStatus"]
        await http.observe_rate_limit(
            available=status["currentlyAvailable"],
            capacity=status["maximumAvailable"],
            refill_per_second=status["restoreRate"],
        )
        return body["data"]

    await kit.read("shopify", "shop", query, cost=10)
    assert fake_time.sleeps == []
    await kit.read("shopify", "shop", query, cost=10)
    # 10 points at 50/s, since the upstream said 0 were left
    assert fake_time.sleeps == [pytest.approx(0.2, abs=1e-3)]


async def test_a_429_retry_after_is_honoured_before_the_retry(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(status=429, headers={"Retry-After": "2"}), Reply(json={"qty": 1}))
    kit = make_kit(PACED)
    result = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert (result.value, result.attempts) == ({"qty": 1}, 2)
    assert fake_time.sleeps == [2.0]
    assert upstream.count() == 2


async def test_a_retry_after_past_the_bound_goes_back_to_the_caller_and_pauses_the_bucket(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(status=429, headers={"Retry-After": "60"}))
    kit = make_kit(PACED)
    with pytest.raises(UpstreamRateLimited) as caught:
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert caught.value.retry_after == 60
    assert upstream.count() == 1
    assert kit.limiter.paused_for("erp") == 60
    with pytest.raises(UpstreamRateLimited):  # the next call does not provoke the system again
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert upstream.count() == 1


async def test_room_is_what_the_bucket_last_held_plus_its_refill_and_what_the_system_reported(
    fake_time: FakeTime,
) -> None:
    limiter = _limiter(fake_time, PACED)
    assert limiter.room("erp") == 5
    await limiter.wait("erp", cost=4)
    assert limiter.room("erp") == 1
    fake_time.advance(0.2)
    assert limiter.room("erp") == pytest.approx(3)
    await limiter.observe("erp", available=0.5)
    assert limiter.room("erp") == 0.5
    assert limiter.room("erp", within=0.2) == pytest.approx(2.5)  # refilled by then
    fake_time.advance(10)
    assert limiter.room("erp") == 5
    assert limiter.room("pos") is None  # unpaced
    await limiter.pause("erp", seconds=3)
    assert limiter.room("erp") == 0

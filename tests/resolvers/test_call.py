"""The composition itself: what a call answers, what it refuses, and what a broken connector costs."""

from __future__ import annotations

import asyncio

import pytest

from resolvers.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamUnavailable
from resolvers.kit import BreakerState, CacheStatus, UpstreamHttp
from tests.resolvers.conftest import FakeTime, KitFactory, Reply, Seen, Upstream, get_json

FRAGILE = {"systems": {"oms": {"retry": {"attempts": 1}, "breaker": {"min_calls": 1, "open_seconds": 5}}}}


async def test_an_uncached_call_answers_the_value_with_no_stored_at(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.default = Reply(json=[1, 2])
    result = await make_kit().read("oms", "orders", get_json(f"{upstream.url}/orders"))
    assert (result.value, result.stale, result.stored_at, result.cache) == (
        [1, 2],
        False,
        None,
        CacheStatus.BYPASS,
    )
    assert (result.attempts, result.error) == (1, None)


async def test_writes_cannot_be_cached_and_reads_take_no_landed_check(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    kit = make_kit()
    fn = get_json(f"{upstream.url}/x")
    with pytest.raises(ValueError, match="not cached"):
        await kit.call("oms", "create", fn, write=True, cache_key="k")
    with pytest.raises(ValueError, match="landed"):
        await kit.call("oms", "orders", fn, write=False, landed=fn)
    assert upstream.count() == 0


async def test_a_connector_may_read_error_bodies_itself_and_raise_with_the_systems_code(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    envelope = {
        "errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND", "detail": "no such order"}]
    }
    upstream.default = Reply(status=404, json=envelope)

    async def fetch(http: UpstreamHttp) -> object:
        response = await http.get(f"{upstream.url}/v2/orders/o-9", check=False)
        if not response.ok:
            error = response.json()["errors"][0]
            raise http.error_for(response, upstream_code=error["code"], message=error["detail"])
        return response.json()

    with pytest.raises(UpstreamNotFound) as caught:
        await make_kit().read("pos", "order", fetch)
    assert str(caught.value) == "pos order: no such order"
    assert (caught.value.status, caught.value.upstream_code) == (404, "NOT_FOUND")


async def test_a_bug_in_a_connector_propagates_untouched_and_does_not_count_against_the_system(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    kit = make_kit(FRAGILE)

    async def broken(http: UpstreamHttp) -> object:
        return (await http.get(f"{upstream.url}/orders")).json()["missing"]

    with pytest.raises(KeyError):
        await kit.read("oms", "orders", broken)
    breaker = kit.breakers.get("oms")
    assert breaker is not None
    assert breaker.snapshot().state is BreakerState.CLOSED


async def test_a_cancelled_probe_frees_its_half_open_slot(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    arrived = asyncio.Event()

    def slow(seen: Seen) -> Reply:
        arrived.set()
        return Reply(delay=0.5)

    upstream.script("/orders", Reply(status=503))
    upstream.routes["/orders"] = slow
    kit = make_kit(FRAGILE)
    with pytest.raises(UpstreamUnavailable):
        await kit.read("oms", "orders", get_json(f"{upstream.url}/orders"))
    fake_time.advance(5)  # open_seconds: the next call is the one probe
    probe = asyncio.create_task(kit.read("oms", "orders", get_json(f"{upstream.url}/orders")))
    await arrived.wait()
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    del upstream.routes["/orders"]
    result = await kit.read("oms", "orders", get_json(f"{upstream.url}/orders"))
    assert result.value == {"ok": True}


async def test_a_garbled_answer_counts_against_the_system(make_kit: KitFactory, upstream: Upstream) -> None:
    upstream.default = Reply(json=None)
    kit = make_kit(FRAGILE)
    with pytest.raises(UpstreamBadResponse):
        await kit.read("oms", "orders", get_json(f"{upstream.url}/orders"))
    assert kit.breakers.snapshots()[0].state is BreakerState.OPEN

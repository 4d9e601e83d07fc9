"""Circuit breakers: open on a failing system, fail fast while open, probe, close when it is back."""

from __future__ import annotations

import pytest

from resolvers.errors import CircuitOpen, UpstreamNotFound, UpstreamUnavailable
from resolvers.kit import BreakerState, CacheStatus, CircuitBreaker, Outcome
from resolvers.policy import BreakerPolicy
from tests.resolvers.conftest import FakeTime, KitFactory, Reply, Upstream, get_json

ERP = {
    "systems": {
        "erp": {
            "retry": {"attempts": 1},
            "cache": {"ttl": 10, "stale_ttl": 3600},
            "breaker": {"window_size": 10, "min_calls": 4, "failure_rate": 0.5, "open_seconds": 30},
        }
    }
}


def _breaker(fake_time: FakeTime, **policy: object) -> CircuitBreaker:
    rules = {"window_size": 10, "min_calls": 4, "open_seconds": 30, **policy}
    return CircuitBreaker("erp", BreakerPolicy.model_validate(rules), fake_time)


def _run(breaker: CircuitBreaker, *outcomes: Outcome) -> None:
    for outcome in outcomes:
        breaker.record(breaker.admit(system="erp", operation="op"), outcome)


def _state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state


S, F = Outcome.SUCCESS, Outcome.FAILURE


def test_the_breaker_waits_for_min_calls_before_judging(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time)
    _run(breaker, F, F, F)
    assert _state(breaker) is BreakerState.CLOSED
    _run(breaker, F)
    assert _state(breaker) is BreakerState.OPEN


def test_the_breaker_opens_when_failures_reach_the_rate_over_the_last_calls(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time, failure_rate=0.5)
    _run(breaker, *[S] * 6 + [F] * 4)  # 4 failures in the last 10: below half
    assert _state(breaker) is BreakerState.CLOSED
    _run(breaker, F)  # 5 in the last 10
    assert _state(breaker) is BreakerState.OPEN


def test_a_time_window_forgets_failures_older_than_the_window(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time, window="time", window_seconds=10)
    _run(breaker, F, F, F)
    fake_time.advance(11)
    _run(breaker, F, S, S)
    assert _state(breaker) is BreakerState.CLOSED
    assert breaker.snapshot().calls == 3


def test_while_open_calls_fail_fast_saying_when_a_probe_will_be_allowed(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time)
    _run(breaker, F, F, F, F)
    fake_time.advance(10)
    with pytest.raises(CircuitOpen) as caught:
        breaker.admit(system="erp", operation="stock")
    assert caught.value.retry_after == pytest.approx(20)
    assert caught.value.code == "CIRCUIT_OPEN"


def test_half_open_lets_a_limited_number_of_probes_through(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time, half_open_probes=2)
    _run(breaker, F, F, F, F)
    fake_time.advance(30)
    assert _state(breaker) is BreakerState.HALF_OPEN
    first = breaker.admit(system="erp", operation="op")
    second = breaker.admit(system="erp", operation="op")
    with pytest.raises(CircuitOpen):
        breaker.admit(system="erp", operation="op")
    breaker.record(first, S)
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.record(second, S)
    assert _state(breaker) is BreakerState.CLOSED


def test_a_failed_probe_opens_the_breaker_again(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time)
    _run(breaker, F, F, F, F)
    fake_time.advance(30)
    _run(breaker, F)
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.snapshot().opened_at == fake_time.now


def test_an_abandoned_probe_frees_its_slot_and_counts_for_nothing(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time)
    _run(breaker, F, F, F, F)
    fake_time.advance(30)
    _run(breaker, Outcome.ABANDONED)
    assert breaker.snapshot().probes_in_flight == 0
    _run(breaker, S)
    assert _state(breaker) is BreakerState.CLOSED


def test_outcomes_of_calls_admitted_before_a_state_change_are_ignored(fake_time: FakeTime) -> None:
    breaker = _breaker(fake_time)
    slow = breaker.admit(system="erp", operation="op")
    _run(breaker, F, F, F, F)
    fake_time.advance(30)
    probe = breaker.admit(system="erp", operation="op")
    breaker.record(slow, F)  # from the closed era: must not reopen the half-open breaker
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.record(probe, S)
    assert _state(breaker) is BreakerState.CLOSED


async def test_the_breaker_opens_after_the_threshold_and_then_fails_fast_without_calling(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.default = Reply(status=503)
    kit = make_kit(ERP)
    for _ in range(4):
        with pytest.raises(UpstreamUnavailable):
            await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    breaker = kit.breakers.get("erp")
    assert breaker is not None
    assert _state(breaker) is BreakerState.OPEN
    for _ in range(10):
        with pytest.raises(CircuitOpen):
            await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert upstream.count() == 4


async def test_rejections_do_not_open_the_breaker(make_kit: KitFactory, upstream: Upstream) -> None:
    upstream.default = Reply(status=404)
    kit = make_kit(ERP)
    for _ in range(10):
        with pytest.raises(UpstreamNotFound):
            await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert kit.breakers.snapshots()[0].state is BreakerState.CLOSED


async def test_the_breaker_half_opens_after_the_open_duration_and_closes_when_the_system_is_back(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.default = Reply(status=503)
    kit = make_kit(ERP)
    for _ in range(4):
        with pytest.raises(UpstreamUnavailable):
            await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    upstream.default = Reply(json={"qty": 1})
    fake_time.advance(29)
    with pytest.raises(CircuitOpen):
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    fake_time.advance(1)
    breaker = kit.breakers.get("erp")
    assert breaker is not None
    assert _state(breaker) is BreakerState.HALF_OPEN
    result = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert result.value == {"qty": 1}
    assert _state(breaker) is BreakerState.CLOSED
    assert upstream.count() == 5


async def test_a_cached_read_is_answered_stale_at_once_while_the_breaker_is_open(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(json={"qty": 7}))
    upstream.default = Reply(status=503)
    kit = make_kit(ERP)
    first = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    for _ in range(3):  # 3 failures of 4 calls
        with pytest.raises(UpstreamUnavailable):
            await kit.read("erp", "other", get_json(f"{upstream.url}/other"))
    assert kit.breakers.snapshots()[0].state is BreakerState.OPEN
    fake_time.advance(11)  # the cached value is past its ttl
    requests = upstream.count()
    answer = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    assert (answer.value, answer.stale, answer.stored_at) == ({"qty": 7}, True, first.stored_at)
    assert (answer.cache, answer.attempts) == (CacheStatus.STALE, 0)
    assert isinstance(answer.error, CircuitOpen)
    assert upstream.count() == requests


async def test_a_per_operation_breaker_leaves_the_other_operations_alone(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.default = Reply(status=503)
    breaker = {"min_calls": 2, "per_operation": True}
    kit = make_kit({"systems": {"erp": {**ERP["systems"]["erp"], "breaker": breaker}}})
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            await kit.read("erp", "batch", get_json(f"{upstream.url}/batch"))
    with pytest.raises(CircuitOpen):
        await kit.read("erp", "batch", get_json(f"{upstream.url}/batch"))
    with pytest.raises(UpstreamUnavailable):
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert {s.name: s.state for s in kit.breakers.snapshots()} == {
        "erp:batch": BreakerState.OPEN,
        "erp:stock": BreakerState.CLOSED,
    }

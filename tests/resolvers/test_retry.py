"""Retries: which failures, which calls, how long between tries, and how many in all."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.errors import (
    ConnectorError,
    RetryBudgetExhausted,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamServerError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from resolvers.kit import RetryBudget, RetryVerdict, UpstreamHttp, classify, retry_delay
from resolvers.policy import RetryPolicy
from tests._servers import free_port
from tests.resolvers.conftest import FakeTime, KitFactory, Reply, Seen, Upstream, get_json, post_json

FAST = {"systems": {"erp": {"retry": {"attempts": 4, "base_delay": 0.1, "max_delay": 0.25}}}}


def _error(cls: type[ConnectorError], **kwargs: Any) -> ConnectorError:
    return cls("x", system="erp", operation="op", **kwargs)


@pytest.mark.parametrize(
    ("error", "write", "idempotent", "verdict"),
    [
        (_error(UpstreamTimeout), False, False, RetryVerdict.RETRY),
        (_error(UpstreamUnavailable), False, False, RetryVerdict.RETRY),
        (_error(UpstreamRateLimited), False, False, RetryVerdict.RETRY),
        (_error(UpstreamServerError), False, False, RetryVerdict.GIVE_UP),
        (_error(UpstreamNotFound), False, False, RetryVerdict.GIVE_UP),
        (_error(UpstreamTimeout), True, False, RetryVerdict.CHECK_LANDED),
        (_error(UpstreamTimeout), True, True, RetryVerdict.RETRY),
        (_error(UpstreamUnavailable, maybe_landed=False), True, False, RetryVerdict.RETRY),
        (_error(UpstreamRateLimited), True, False, RetryVerdict.RETRY),
        (_error(UpstreamServerError), True, True, RetryVerdict.GIVE_UP),
    ],
)
def test_reads_retry_transient_errors_and_writes_only_when_safe(
    error: ConnectorError, write: bool, idempotent: bool, verdict: RetryVerdict
) -> None:
    assert classify(error, write=write, idempotent=idempotent) is verdict


def test_backoff_is_full_jitter_doubling_up_to_the_cap_and_never_below_retry_after() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=0.5, max_retry_after=5)
    error = _error(UpstreamUnavailable)
    assert [retry_delay(error, n, policy, lambda: 1.0) for n in range(4)] == [0.1, 0.2, 0.4, 0.5]
    assert retry_delay(error, 3, policy, lambda: 0.5) == 0.25
    assert retry_delay(error, 0, policy, lambda: 0.0) == 0.0
    assert retry_delay(_error(UpstreamRateLimited, retry_after=3), 0, policy, lambda: 1.0) == 3
    assert retry_delay(_error(UpstreamRateLimited, retry_after=6), 0, policy, lambda: 1.0) is None


async def test_a_503_read_is_retried_with_backoff_until_it_succeeds(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.script("/stock", Reply(status=503), Reply(status=503), Reply(status=502), Reply(json={"qty": 3}))
    result = await make_kit(FAST).read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert (result.value, result.attempts) == ({"qty": 3}, 4)
    assert fake_time.sleeps == [0.1, 0.2, 0.25]


async def test_a_read_that_timed_out_is_retried(make_kit: KitFactory, upstream: Upstream) -> None:
    upstream.script("/stock", Reply(delay=0.3), Reply(json={"qty": 3}))
    kit = make_kit({"systems": {"erp": {"operations": {"stock": {"timeout": 0.05}}}}})
    result = await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert (result.value, result.attempts) == ({"qty": 3}, 2)


async def test_a_refused_connection_is_retried_then_reported(
    make_kit: KitFactory, fake_time: FakeTime
) -> None:
    kit = make_kit(FAST)
    with pytest.raises(UpstreamUnavailable):
        await kit.read("erp", "stock", get_json(f"http://127.0.0.1:{free_port()}/stock"))
    assert len(fake_time.sleeps) == 3


async def test_attempts_are_bounded_and_the_last_error_comes_back(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.default = Reply(status=503)
    with pytest.raises(UpstreamUnavailable) as caught:
        await make_kit(FAST).read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert caught.value.status == 503
    assert upstream.count() == 4


@pytest.mark.parametrize("status", [400, 404, 409, 500])
async def test_a_read_the_upstream_refused_or_failed_is_not_retried(
    make_kit: KitFactory, upstream: Upstream, status: int
) -> None:
    upstream.default = Reply(status=status)
    with pytest.raises(ConnectorError):
        await make_kit(FAST).read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert upstream.count() == 1


async def test_a_write_that_timed_out_is_not_retried_without_an_idempotency_key(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.script("/orders", Reply(delay=0.3))
    kit = make_kit({"systems": {"pos": {"timeout": 0.05}}})
    with pytest.raises(UpstreamTimeout):
        await kit.write("pos", "create_order", post_json(f"{upstream.url}/orders", {"sku": "A"}))
    assert upstream.count("/orders") == 1


async def test_a_write_that_failed_with_503_is_not_retried_without_an_idempotency_key(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.script("/orders", Reply(status=503))
    with pytest.raises(UpstreamUnavailable):
        await make_kit().write("pos", "create_order", post_json(f"{upstream.url}/orders", {"sku": "A"}))
    assert upstream.count("/orders") == 1


async def test_an_idempotent_write_is_retried(make_kit: KitFactory, upstream: Upstream) -> None:
    upstream.script("/orders", Reply(status=503), Reply(status=201, json={"id": "o-1"}))
    body = {"idempotency_key": "k-1", "sku": "A"}
    result = await make_kit().write(
        "pos", "create_order", post_json(f"{upstream.url}/orders", body), idempotent=True
    )
    assert (result.value, result.attempts) == ({"id": "o-1"}, 2)
    assert [seen.body for seen in upstream.seen] == [b'{"idempotency_key":"k-1","sku":"A"}'] * 2


async def test_a_write_the_upstream_throttled_is_retried_since_it_never_took_effect(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.script("/orders", Reply(status=429), Reply(status=201, json={"id": "o-1"}))
    result = await make_kit().write("pos", "create_order", post_json(f"{upstream.url}/orders", {}))
    assert result.value == {"id": "o-1"}


class _Erp:
    """An ERP that creates the order as soon as the POST arrives, then answers after ``delay``."""

    def __init__(self, upstream: Upstream, delay: float) -> None:
        self.orders: dict[str, dict[str, str]] = {}
        self.delay = delay
        upstream.routes["/orders"] = self.create
        upstream.routes["/orders/search"] = self.search

    def create(self, seen: Seen) -> Reply:
        ref = seen.query["ref"]
        order = {"SalesOrder": f"SO-{len(self.orders) + 1}", "ExternalDocumentID": ref}
        self.orders[ref] = order
        return Reply(status=201, json=order, delay=self.delay)

    def search(self, seen: Seen) -> Reply:
        found = [o for o in self.orders.values() if o["ExternalDocumentID"] == seen.query["ref"]]
        return Reply(json={"d": {"results": found}})


def _erp_calls(url: str) -> tuple[Any, Any]:
    async def create(http: UpstreamHttp) -> dict[str, str]:
        answer: dict[str, str] = (await http.post(f"{url}/orders", params={"ref": "ext-1"}, json={})).json()
        return answer

    async def landed(http: UpstreamHttp) -> dict[str, str] | None:
        found = (await http.get(f"{url}/orders/search", params={"ref": "ext-1"})).json()["d"]["results"]
        return found[0] if found else None

    return create, landed


async def test_a_write_that_timed_out_but_landed_returns_the_existing_order_without_a_second_one(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    erp = _Erp(upstream, delay=0.3)
    create, landed = _erp_calls(upstream.url)
    kit = make_kit({"systems": {"erp": {"timeout": 0.1}}})
    result = await kit.write("erp", "create_order", create, landed=landed)
    assert result.value == {"SalesOrder": "SO-1", "ExternalDocumentID": "ext-1"}
    assert len(erp.orders) == 1
    assert upstream.count("/orders", "POST") == 1


async def test_a_write_whose_landed_check_finds_nothing_is_sent_again(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.script("/orders", Reply(status=503))
    upstream.routes["/orders"] = lambda seen: Reply(status=201, json={"SalesOrder": "SO-1"})
    upstream.routes["/orders/search"] = lambda seen: Reply(json={"d": {"results": []}})
    create, landed = _erp_calls(upstream.url)
    result = await make_kit().write("erp", "create_order", create, landed=landed)
    assert result.value == {"SalesOrder": "SO-1"}
    assert (upstream.count("/orders"), upstream.count("/orders/search")) == (2, 1)


async def test_a_landed_check_that_fails_leaves_the_write_error_to_the_caller(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.script("/orders", Reply(status=503))
    upstream.script("/orders/search", Reply(status=503))
    create, landed = _erp_calls(upstream.url)
    with pytest.raises(UpstreamUnavailable) as caught:
        await make_kit().write("erp", "create_order", create, landed=landed)
    assert caught.value.operation == "create_order"
    assert upstream.count("/orders") == 1


def test_the_budget_allows_retries_up_to_a_share_of_recent_calls(fake_time: FakeTime) -> None:
    budget = RetryBudget(RetryPolicy(budget_ratio=0.2, budget_min_per_second=0, budget_window=10), fake_time)
    for _ in range(10):
        budget.record_call()
    assert [budget.try_spend() for _ in range(3)] == [True, True, False]
    fake_time.advance(11)  # the calls have left the window
    assert budget.try_spend() is False
    assert budget.usage() == (0, 0)


async def test_when_the_retry_budget_is_spent_the_call_fails_with_retry_budget_exhausted(
    make_kit: KitFactory, upstream: Upstream
) -> None:
    upstream.default = Reply(status=503)
    kit = make_kit({"systems": {"erp": {"retry": {"budget_ratio": 0.5, "budget_min_per_second": 0}}}})
    for _ in range(2):  # the first call earns half a retry: none; the second earns one more: one retry
        with pytest.raises(RetryBudgetExhausted) as caught:
            await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"))
        assert caught.value.code == "RETRY_BUDGET_EXHAUSTED"
        assert isinstance(caught.value.__cause__, UpstreamUnavailable)
    assert upstream.count() == 3

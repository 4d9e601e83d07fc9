"""Batch reads cached per key: one request for what the cache cannot answer, stale per key on outages."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from resolvers.errors import UpstreamUnavailable
from resolvers.kit import ConnectorKit, UpstreamHttp
from tests.resolvers.conftest import FakeTime, KitFactory, Reply, Seen, Upstream

POLICY = {"systems": {"erp": {"cache": {"ttl": 5, "stale_ttl": 600}, "retry": {"attempts": 1}}}}
HELD = {"A": 1, "B": 2, "C": 3}  # "Z" is not held upstream


def _answer(seen: Seen) -> Reply:
    asked = orjson.loads(seen.body)
    return Reply(json={key: HELD[key] for key in asked if key in HELD})


def _fetch(upstream: Upstream) -> Any:
    async def fetch(http: UpstreamHttp, keys: list[str]) -> dict[str, int]:
        answer: dict[str, int] = (await http.post(f"{upstream.url}/stock", json=keys)).json()
        return answer

    return fetch


def _asked(upstream: Upstream) -> list[list[str]]:
    return [orjson.loads(seen.body) for seen in upstream.seen]


@pytest.fixture
def kit(make_kit: KitFactory, upstream: Upstream) -> ConnectorKit:
    upstream.routes["/stock"] = _answer
    return make_kit(POLICY)


async def test_a_batch_is_one_request_and_the_same_keys_again_are_cache_hits(
    kit: ConnectorKit, upstream: Upstream
) -> None:
    first = await kit.read_many("erp", "stock", ["A", "B", "Z"], _fetch(upstream))
    second = await kit.read_many("erp", "stock", ["B", "A", "Z"], _fetch(upstream))
    assert first.values == second.values == {"A": 1, "B": 2}
    assert (first.fetched, first.hits) == (3, 0)
    assert (second.fetched, second.hits) == (0, 3)
    assert upstream.count("/stock") == 1


async def test_only_the_keys_the_cache_cannot_answer_are_asked_upstream(
    kit: ConnectorKit, upstream: Upstream
) -> None:
    await kit.read_many("erp", "stock", ["A", "B"], _fetch(upstream))
    result = await kit.read_many("erp", "stock", ["A", "B", "C", "C"], _fetch(upstream))
    assert result.values == {"A": 1, "B": 2, "C": 3}
    assert _asked(upstream) == [["A", "B"], ["C"]]


async def test_an_invalidated_key_is_fetched_again_and_the_others_stay_cached(
    kit: ConnectorKit, upstream: Upstream
) -> None:
    await kit.read_many("erp", "stock", ["A", "B"], _fetch(upstream))
    assert kit.cache is not None
    assert await kit.cache.invalidate(kit.cache_key("erp", "stock", "A"))
    await kit.read_many("erp", "stock", ["A", "B"], _fetch(upstream))
    assert _asked(upstream) == [["A", "B"], ["A"]]


async def test_an_outage_is_served_stale_when_every_key_has_an_entry(
    kit: ConnectorKit, upstream: Upstream, fake_time: FakeTime
) -> None:
    await kit.read_many("erp", "stock", ["A", "Z"], _fetch(upstream))
    fake_time.advance(10)  # past ttl, inside stale_ttl
    upstream.script("/stock", Reply(status=503))
    result = await kit.read_many("erp", "stock", ["A", "Z"], _fetch(upstream))
    assert result.values == {"A": 1}
    assert result.stale_keys == {"A", "Z"}
    assert isinstance(result.error, UpstreamUnavailable)


async def test_an_outage_raises_when_some_key_was_never_cached(
    kit: ConnectorKit, upstream: Upstream, fake_time: FakeTime
) -> None:
    await kit.read_many("erp", "stock", ["A"], _fetch(upstream))
    fake_time.advance(10)
    upstream.script("/stock", Reply(status=503))
    with pytest.raises(UpstreamUnavailable):
        await kit.read_many("erp", "stock", ["A", "B"], _fetch(upstream))


async def test_without_a_ttl_every_read_goes_upstream(make_kit: KitFactory, upstream: Upstream) -> None:
    upstream.routes["/stock"] = _answer
    kit = make_kit({"systems": {"erp": {"retry": {"attempts": 1}}}})
    for _ in range(2):
        result = await kit.read_many("erp", "stock", ["A", "A"], _fetch(upstream))
        assert result.values == {"A": 1}
    assert _asked(upstream) == [["A"], ["A"]]


async def test_a_paced_batch_is_priced_by_the_keys_it_asks_not_the_ones_the_cache_answers(
    make_kit: KitFactory, upstream: Upstream, fake_time: FakeTime
) -> None:
    upstream.routes["/stock"] = _answer
    rate = {"rate": 1, "burst": 10, "max_wait": 60}
    paced = {"systems": {"erp": {**POLICY["systems"]["erp"], "rate": rate}}}
    kit = make_kit(paced)
    await kit.read_many(
        "erp", "stock", ["A", "B"], _fetch(upstream), cost=lambda n: 2.0 * n, most=2, fit_to_bucket=True
    )
    assert kit.limiter.room("erp", "stock") == 6
    result = await kit.read_many(
        "erp",
        "stock",
        ["A", "B", "C", "Z"],
        _fetch(upstream),
        cost=lambda n: 2.0 * n,
        most=2,
        fit_to_bucket=True,
    )
    assert result.values == {"A": 1, "B": 2, "C": 3}
    assert _asked(upstream) == [["A", "B"], ["C", "Z"]]
    assert fake_time.sleeps == []  # 4 points for the two keys asked, not 8 for all four
    assert kit.limiter.room("erp", "stock") == 2

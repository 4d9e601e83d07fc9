"""An ERP outage: stale stock from the cache, the breaker opening, failing fast, half-opening and closing."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from resolvers.domain import StockLevel
from resolvers.errors import CircuitOpen, UpstreamTimeout
from resolvers.kit import BreakerState
from resolvers.policy import BreakerPolicy, CachePolicy, OperationPolicy, RetryPolicy, SystemPolicy
from sandbox.world import World
from tests.resolvers.connectors.conftest import LiveKitFactory
from tests.resolvers.connectors.test_erp_support import STOCK_ROOT, Erp, running_erp

OPEN_SECONDS = 2.0  # the checks made while open must fit in it on a busy machine
TTL = 0.05


def outage_policy() -> SystemPolicy:
    """Small numbers so the story plays out in well under a second: no retries, a 3-call verdict."""
    return SystemPolicy(
        timeout=2.0,
        retry=RetryPolicy(attempts=1),
        breaker=BreakerPolicy(window_size=4, min_calls=3, failure_rate=0.5, open_seconds=OPEN_SECONDS),
        operations={"stock": OperationPolicy(timeout=1.0, cache=CachePolicy(ttl=TTL, stale_ttl=60.0))},
    )


def breaker_state(erp: Erp) -> BreakerState:
    breaker = erp.kit.breakers.get("erp")
    assert breaker is not None
    return breaker.snapshot().state


def key(levels: list[StockLevel]) -> list[tuple[str, str, int, int]]:
    return sorted((lv.sku, lv.location_id, lv.on_hand, lv.unavailable) for lv in levels)


@pytest.mark.parametrize(
    ("knobs", "error_type"),
    [
        ({"outage_mode": "unavailable"}, "503"),  # 503 at once
        ({"outage_mode": "timeout", "outage_hang_s": 3.0}, UpstreamTimeout.code),  # we give up first
    ],
)
async def test_an_erp_outage_is_answered_stale_then_fast_and_recovers_through_a_probe(
    world: World,
    make_live_kit: LiveKitFactory,
    spans: tuple[TracerProvider, InMemorySpanExporter],
    knobs: dict[str, object],
    error_type: str,
) -> None:
    skus = sorted(world.variants_by_sku)[:10]
    codes = [loc.code for loc in world.locations]
    async with running_erp(world, make_live_kit, policy=outage_policy(), knobs=knobs) as erp:
        fresh = await erp.connector.stock(skus, codes)
        assert not any(lv.stale for lv in fresh)
        assert erp.system.calls(STOCK_ROOT) == 1
        await asyncio.sleep(TTL * 2)  # the entry is past its ttl: the next read asks the ERP

        erp.system.set_knobs(outage=True)
        failures = 0
        while breaker_state(erp) is BreakerState.CLOSED:
            levels = await erp.connector.stock(skus, codes)
            failures += 1
            assert all(lv.stale for lv in levels)
            assert key(levels) == key(fresh)
            assert levels[0].as_of == fresh[0].as_of
            assert failures <= 5
        assert breaker_state(erp) is BreakerState.OPEN
        asked = erp.system.calls(STOCK_ROOT)
        assert asked == 1 + failures

        served = await erp.connector.stock(skus, codes)  # open: no request, the stale figures at once
        assert all(lv.stale for lv in served)
        assert key(served) == key(fresh)
        assert erp.system.calls(STOCK_ROOT) == asked
        assert breaker_state(erp) is BreakerState.OPEN
        with pytest.raises(CircuitOpen):
            await erp.connector.orders_by_numbers(["R100002"])  # nothing cached for this: fails fast
        assert erp.system.calls() == asked

        erp.system.set_knobs(outage=False)
        await asyncio.sleep(OPEN_SECONDS * 1.25)
        assert breaker_state(erp) is BreakerState.HALF_OPEN
        recovered = await erp.connector.stock(skus, codes)  # the probe
        assert not any(lv.stale for lv in recovered)
        assert key(recovered) == key(fresh)
        assert erp.system.calls(STOCK_ROOT) == asked + 1
        assert breaker_state(erp) is BreakerState.CLOSED

    attempts = [dict(s.attributes or {}) for s in spans[1].get_finished_spans() if s.name == "erp stock"]
    assert [a["retail.breaker_state"] for a in attempts] == ["closed"] * (1 + failures) + ["half_open"]
    assert [a["retail.cache"] for a in attempts] == ["miss"] + ["stale"] * (failures + 1)
    assert {a.get("error.type") for a in attempts[1:-1]} == {error_type}

"""The POS connector under faults: Square's error envelope, 429 + Retry-After, a create that timed out
but landed, stale stock during an outage, and one CLIENT span per request parented to the caller."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.types import Receive, Scope, Send

from resolvers.errors import UpstreamAuthFailed, UpstreamRateLimited, UpstreamRejected, UpstreamUnavailable
from resolvers.http import HttpClient
from resolvers.kit import ConnectorKit
from resolvers.pos import PosConnector, PosSettings
from sandbox.cli import create_app
from sandbox.runtime import Runtime
from sandbox.settings import SandboxSettings
from sandbox.world import World
from storage.memory import MemoryCache, MemoryTokenBuckets
from tests._servers import serving
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem
from tests.resolvers.connectors.pos_support import (
    MakeConnector,
    draft_for,
    pos_directory,
    pos_policies,
    store_codes,
)

Spans = tuple[TracerProvider, InMemorySpanExporter]


class RecordingSleep:
    """The kit's sleep: really sleeps, and remembers every pause it was asked for."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds)


def live_kit(
    http: HttpClient, spans: Spans, settings: PosSettings, sleep: RecordingSleep, **operations: dict[str, Any]
) -> ConnectorKit:
    return ConnectorKit(
        http,
        pos_policies(settings, **operations),
        MemoryTokenBuckets(),
        cache=MemoryCache(),
        tracer_provider=spans[0],
        sleep=sleep,
        random=lambda: 1.0,
    )


# ---------------------------------------------------------------- Square's errors


async def test_a_rejected_token_is_auth_failed_with_squares_code(
    run_system: RunSystem, make_connector: MakeConnector, world: World
) -> None:
    async with run_system("pos", access_token="right-token") as system:
        pos = make_connector(system, access_token="wrong-token")
        with pytest.raises(UpstreamAuthFailed) as caught:
            await pos.customers_by_email("a@example.com")
        assert (caught.value.status, caught.value.upstream_code) == (401, "UNAUTHORIZED")
        assert caught.value.system == "pos"
        assert system.calls("/v2/customers/search") == 1  # not retried

        right = make_connector(system, access_token="right-token")
        assert await right.customers_by_email(world.customers[0].email)


async def test_an_idempotency_key_reused_for_another_order_is_rejected_with_squares_code(
    pos_system: RunningSystem, make_connector: MakeConnector, world: World
) -> None:
    pos = make_connector(pos_system)
    await pos.create_order(draft_for(world, "R910001", key="same-key"))
    with pytest.raises(UpstreamRejected) as caught:
        await pos.create_order(draft_for(world, "R910002", key="same-key"))
    assert (caught.value.status, caught.value.upstream_code) == (400, "IDEMPOTENCY_KEY_REUSED")


async def test_an_outage_is_unavailable_with_squares_code_and_stale_stock_stands_in(
    pos_system: RunningSystem, make_connector: MakeConnector, make_live_kit: LiveKitFactory, world: World
) -> None:
    settings = PosSettings(base_url=pos_system.url)
    kit = make_live_kit(
        pos_policies(
            settings,
            stock={"cache": {"ttl": 0.05, "stale_ttl": 60}, "retry": {"attempts": 1}},
            customers_by_email={"retry": {"attempts": 1}},
        )
    )
    pos = make_connector(pos_system, kit)
    skus = [v.sku for v in list(world.variants)[:3]]
    fresh = await pos.stock(skus, store_codes(world))
    await asyncio.sleep(0.1)
    pos_system.set_knobs(outage=True)

    stale = await pos.stock(skus, store_codes(world))
    assert stale
    assert all(level.stale for level in stale)
    assert [(s.sku, s.location_id, s.on_hand) for s in stale] == [
        (s.sku, s.location_id, s.on_hand) for s in fresh
    ]
    assert {level.as_of for level in stale} == {fresh[0].as_of}  # when it was read, not now
    with pytest.raises(UpstreamUnavailable) as caught:
        await pos.customers_by_email("a@example.com")
    assert (caught.value.status, caught.value.upstream_code) == (503, "SERVICE_UNAVAILABLE")


# ---------------------------------------------------------------- 429 RATE_LIMITED


async def test_a_429_with_retry_after_is_waited_out_and_retried(
    pos_system: RunningSystem, http: HttpClient, spans: Spans, world: World
) -> None:
    settings = PosSettings(base_url=pos_system.url)
    sleep = RecordingSleep()
    pos = PosConnector(live_kit(http, spans, settings, sleep), settings, pos_directory(world))
    skus = [v.sku for v in list(world.variants)[:5]]
    await pos.catalog.variation_ids(skus)
    pos_system.set_knobs(rate_limit_rps=2.0, rate_limit_burst=1)
    await pos.customers_by_email("nobody@example.org")  # takes the one token

    levels = await pos.stock(skus, store_codes(world))

    assert levels
    assert pos_system.runtime.stats.by_status[429] == 1
    assert pos_system.calls("/v2/inventory") == 2
    assert sleep.sleeps
    assert max(sleep.sleeps) >= 1.0  # Square's Retry-After: 1 (whole seconds), honoured
    attempts = [s for s in spans[1].get_finished_spans() if s.name == "pos stock"]
    assert [s.attributes["retail.retries"] for s in attempts if s.attributes] == [0, 1]
    assert [s.attributes["http.response.status_code"] for s in attempts if s.attributes] == [429, 200]


async def test_a_429_that_may_not_be_retried_arrives_as_rate_limited_with_squares_code(
    pos_system: RunningSystem, http: HttpClient, spans: Spans, world: World
) -> None:
    settings = PosSettings(base_url=pos_system.url)
    kit = live_kit(http, spans, settings, RecordingSleep(), customers_by_email={"retry": {"attempts": 1}})
    pos = PosConnector(kit, settings, pos_directory(world))
    pos_system.set_knobs(rate_limit_rps=0.5, rate_limit_burst=1)
    await pos.customers_by_email("first@example.org")
    with pytest.raises(UpstreamRateLimited) as caught:
        await pos.customers_by_email("second@example.org")
    assert (caught.value.status, caught.value.upstream_code) == (429, "RATE_LIMITED")
    assert caught.value.retry_after == 2.0


# ---------------------------------------------------------------- a create that timed out but landed


class ReadsBodyFirst:
    """Signals when the first ``POST /v2/orders`` reaches the sandbox (which takes the body in
    before its latency knob, so the create lands even though the client timed out)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.creates = asyncio.Event()
        """Set when the first ``POST /v2/orders`` arrives."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["method"], scope["path"]) == ("POST", "/v2/orders"):
            self.creates.set()
        await self.app(scope, receive, send)


@pytest.fixture
async def slow_pos(world: World) -> AsyncIterator[tuple[str, Runtime, ReadsBodyFirst]]:
    app = create_app("pos", SandboxSettings(), world=world)
    front = ReadsBodyFirst(app)
    async with serving(front) as url:
        yield url, app.state.runtime, front


async def test_a_create_retried_after_a_timeout_that_landed_makes_no_second_square_order(
    slow_pos: tuple[str, Runtime, ReadsBodyFirst], http: HttpClient, spans: Spans, world: World
) -> None:
    url, runtime, front = slow_pos
    settings = PosSettings(base_url=url)
    sleep = RecordingSleep()
    kit = live_kit(
        http,
        spans,
        settings,
        sleep,
        create_order={"timeout": 0.25, "retry": {"attempts": 3, "base_delay": 0.6, "max_delay": 0.6}},
    )
    pos = PosConnector(kit, settings, pos_directory(world))
    draft = draft_for(world, "R920001", customer_id="C000001")
    await pos.catalog.variation_ids([line.sku for line in draft.lines])  # warm, before the latency
    await pos.customers.profiles("C000001")

    answered = runtime.stats.by_status[200]
    runtime.knobs = runtime.knobs.model_copy(update={"latency_ms": 500.0})

    async def fast_again_once_the_first_create_arrived() -> None:
        await front.creates.wait()
        runtime.knobs = runtime.knobs.model_copy(update={"latency_ms": 0.0})

    watcher = asyncio.create_task(fast_again_once_the_first_create_arrived())
    record = await pos.create_order(draft)
    await watcher

    assert runtime.stats.by_route["POST /v2/orders"] == 2  # the timed-out try and its retry
    assert runtime.stats.by_status[200] - answered == 2  # the first landed (unheard), the retry replayed
    assert sleep.sleeps == [0.6]
    attempts = [s for s in spans[1].get_finished_spans() if s.name == "pos create_order"]
    assert [s.attributes.get("error.type") for s in attempts if s.attributes] == ["UPSTREAM_TIMEOUT", None]

    store = record.lines[0].location_id
    assert store is not None
    square_store = (await pos.directory.map()).system_id("POS", store)
    search = await http.request(
        "POST",
        f"{url}/v2/orders/search",
        headers={"Authorization": "Bearer t"},
        json={"location_ids": [square_store], "limit": 1000},
    )
    same_number = [o for o in search.json().get("orders", []) if o.get("reference_id") == "R920001"]
    assert [o["id"] for o in same_number] == [record.system_id]  # exactly one Square order


# ---------------------------------------------------------------- spans


async def test_each_request_has_one_client_span_parented_to_the_callers_span(
    pos: PosConnector, spans: Spans, world: World
) -> None:
    provider, exporter = spans
    tracer = provider.get_tracer("test")
    skus = [v.sku for v in list(world.variants)[:3]]
    with tracer.start_as_current_span("resolver") as parent:
        await pos.stock(skus, store_codes(world))
        await pos.stock(skus, store_codes(world))  # a cache hit: no request, no span
    parent_id = parent.get_span_context().span_id
    clients = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert [s.name for s in clients] == ["pos catalog_by_skus", "pos stock"]
    for span in clients:
        assert span.parent is not None
        assert span.parent.span_id == parent_id
        attributes = dict(span.attributes or {})
        assert attributes["retail.system"] == "pos"
        assert attributes["retail.cache"] == "miss"
        assert attributes["retail.retries"] == 0
        assert isinstance(attributes["retail.rate_limit_wait_ms"], float)
        assert attributes["retail.breaker_state"] == "closed"
        assert attributes["http.response.status_code"] == 200
    assert [dict(s.attributes or {})["retail.operation"] for s in clients] == ["catalog_by_skus", "stock"]

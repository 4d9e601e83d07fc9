"""The OMS connector on the wire: credentials, error envelopes -> connector errors, spans, loaders."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from resolvers.errors import (
    ConnectorError,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamServerError,
    UpstreamUnavailable,
)
from resolvers.oms import OmsConnector, OmsSettings
from resolvers.policy import ConnectorPolicies
from sandbox.world import World
from tests.resolvers.conftest import Reply, Upstream
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem

Spans = tuple[TracerProvider, InMemorySpanExporter]
_NO_RETRY = {"retry": {"attempts": 1}}


def _connector(
    url: str, make_live_kit: LiveKitFactory, *, policy: dict[str, Any] | None = None, **settings: Any
) -> OmsConnector:
    oms = OmsSettings(base_url=url, **settings)
    merged = oms.default_policy().model_dump() | (policy or {})
    return OmsConnector(make_live_kit(ConnectorPolicies.model_validate({"systems": {"oms": merged}})), oms)


def _client_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind is SpanKind.CLIENT]


@pytest.mark.parametrize("auth_header", ["bearer", "api_key"])
async def test_with_a_token_every_request_carries_it(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World, auth_header: str
) -> None:
    async with run_system("oms", access_token="s3cret") as system:
        connector = _connector(system.url, make_live_kit, access_token="s3cret", auth_header=auth_header)

        locations = await connector.locations()
        [order] = await connector.orders_by_numbers([next(o.number for o in world.orders if o.in_oms)])

    assert len(locations) == len(world.locations)
    assert order is not None


async def test_without_the_token_the_oms_refuses_and_says_why(
    run_system: RunSystem, make_live_kit: LiveKitFactory
) -> None:
    async with run_system("oms", access_token="s3cret") as system:
        for connector in (
            _connector(system.url, make_live_kit),
            _connector(system.url, make_live_kit, access_token="wrong"),
        ):
            with pytest.raises(UpstreamAuthFailed) as caught:
                await connector.locations()
            assert caught.value.status == 401
            assert caught.value.upstream_code == "UNAUTHORIZED"
            assert "Bearer" in caught.value.message


async def test_without_a_token_setting_no_credentials_are_sent(
    upstream: Upstream, make_live_kit: LiveKitFactory
) -> None:
    upstream.script("/rest/s1/oms/return-reasons", Reply(json={"returnReasons": []}))

    assert await _connector(upstream.url, make_live_kit).return_reasons() == {}

    headers = upstream.seen[0].headers
    assert "authorization" not in headers
    assert "api_key" not in headers


@pytest.mark.parametrize(
    ("knobs", "error", "status", "code"),
    [
        ({"outage": True}, UpstreamUnavailable, 503, "SERVICE_UNAVAILABLE"),
        ({"error_rate": 1.0}, UpstreamServerError, 500, "INTERNAL_SERVER_ERROR"),
        ({"rate_limit_rps": 0.001, "rate_limit_burst": 1}, UpstreamRateLimited, 429, "RATE_LIMITED"),
    ],
)
async def test_oms_failures_arrive_as_the_matching_connector_error_with_the_oms_code(
    run_system: RunSystem,
    make_live_kit: LiveKitFactory,
    world: World,
    knobs: dict[str, Any],
    error: type[ConnectorError],
    status: int,
    code: str,
) -> None:
    async with run_system("oms") as system:
        connector = _connector(system.url, make_live_kit, policy=_NO_RETRY)
        system.set_knobs(**knobs)
        if "rate_limit_rps" in knobs:
            await connector.locations()  # spends the bucket's one token
        with pytest.raises(error) as caught:
            await connector.stock([next(iter(world.variants)).sku], ["WH01"])

    assert caught.value.status == status
    assert caught.value.upstream_code == code
    assert (caught.value.system, caught.value.operation) == ("oms", "stock")
    assert (caught.value.retry_after is not None) is (status == 429)


async def test_an_answer_that_does_not_fit_the_wire_model_is_a_bad_response(
    upstream: Upstream, make_live_kit: LiveKitFactory
) -> None:
    upstream.script("/rest/s1/oms/facilities", Reply(json={"facilities": [{"facilityId": "X"}]}))
    upstream.script("/rest/s1/oms/inventory/search", Reply(status=502, json=None))
    connector = _connector(upstream.url, make_live_kit, policy=_NO_RETRY)

    with pytest.raises(UpstreamBadResponse) as bad:
        await connector.locations()
    with pytest.raises(UpstreamUnavailable) as gateway:
        await connector.stock(["A"], ["B"])

    assert "FacilityPage" in bad.value.message
    assert (gateway.value.status, gateway.value.upstream_code) == (502, None)


async def test_fields_the_oms_adds_are_ignored(upstream: Upstream, make_live_kit: LiveKitFactory) -> None:
    position = {
        "productId": "A",
        "facilityId": "B",
        "quantityOnHandTotal": 5,
        "availableToPromiseTotal": 4,
        "reservedQuantity": 1,
        "lotId": "L1",
    }
    upstream.script(
        "/rest/s1/oms/inventory/search", Reply(json={"inventory": [position], "nextRelease": True})
    )

    [level] = await _connector(upstream.url, make_live_kit).stock(["A"], ["B"])

    assert (level.on_hand, level.reserved, level.available) == (5, 1, 4)


async def test_every_request_is_one_client_span_under_the_callers_span(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World, spans: Spans
) -> None:
    provider, exporter = spans
    order = next(o for o in world.orders if o.in_oms and o.shipments)
    async with run_system("oms") as system:
        connector = _connector(system.url, make_live_kit)
        with provider.get_tracer("test").start_as_current_span("Query.order") as caller:
            await connector.orders_by_numbers([order.number])

    client = _client_spans(exporter)
    assert [span.name for span in client] == ["oms orders_by_number", "oms order_shipments"]
    for span in client:
        assert span.parent is not None
        assert span.parent.span_id == caller.get_span_context().span_id
        attributes = dict(span.attributes or {})
        assert attributes["retail.system"] == "oms"
        assert attributes["retail.cache"] == "miss"
        assert attributes["retail.retries"] == 0
        assert attributes["retail.rate_limit_wait_ms"] == 0.0  # the bucket had tokens
        assert attributes["retail.breaker_state"] == "closed"
        assert attributes["http.response.status_code"] == 200
    assert [dict(s.attributes or {})["retail.operation"] for s in client] == [
        "orders_by_number",
        "order_shipments",
    ]


async def test_a_retried_read_makes_one_span_per_attempt(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World, spans: Spans
) -> None:
    provider, exporter = spans
    async with run_system("oms") as system:
        connector = _connector(system.url, make_live_kit)
        system.set_knobs(outage=True)

        async def recover() -> None:
            for _ in range(1000):  # bounded: the first (failing) attempt arrives at once
                if system.calls("/inventory") >= 1:
                    break
                await asyncio.sleep(0.005)
            system.set_knobs(outage=False)

        helper = asyncio.create_task(recover())
        with provider.get_tracer("test").start_as_current_span("Query.availability") as caller:
            levels = await connector.stock([next(iter(world.variants)).sku], ["WH01", "DC01"])
        await helper

    assert levels
    client = _client_spans(exporter)
    attributes = [dict(span.attributes or {}) for span in client]
    # One span per attempt, numbered: the outage ends once seen, but a busy machine may let one
    # more retry run into it before that, so the failed attempts number one or more.
    failed = len(attributes) - 1
    assert failed >= 1
    expected = [(n, 503) for n in range(failed)] + [(failed, 200)]
    assert [(a["retail.retries"], a["http.response.status_code"]) for a in attributes] == expected
    assert all(span.parent and span.parent.span_id == caller.get_span_context().span_id for span in client)


async def test_loaders_batch_one_tick_of_keys_into_one_call_each(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in list(world.variants)[:10]]
    locations = [loc.code for loc in world.locations[:5]]
    with_returns = [o for o in world.orders if o.in_oms and o.returns][:2]
    async with run_system("oms") as system:
        loaders = _connector(system.url, make_live_kit).loaders()

        levels, orders, returns, by_rma = await asyncio.gather(
            loaders.stock.load_many([(sku, loc) for sku in skus for loc in locations]),
            loaders.orders.load_many([o.number for o in with_returns]),
            loaders.returns_for_orders.load_many([o.number for o in with_returns]),
            loaders.returns_by_rma.load_many([o.returns[0].rma_number for o in with_returns]),
        )

        assert system.calls("/inventory") == 1
    expected_pairs = [(s, loc) for s in skus for loc in locations]
    assert [(lv.sku, lv.location_id) if lv else None for lv in levels] == [
        pair if world.stock(*pair) is not None else None for pair in expected_pairs
    ]
    assert [o.number if o else None for o in orders] == [o.number for o in with_returns]
    assert [[r.rma_number for r in rs] for rs in returns] == [
        [r.rma_number for r in sorted(o.returns, key=lambda r: r.created_at, reverse=True)]
        for o in with_returns
    ]
    assert [r.rma_number if r else None for r in by_rma] == [o.returns[0].rma_number for o in with_returns]


async def test_the_connector_serves_every_port_it_claims(make_live_kit: LiveKitFactory) -> None:
    from resolvers import ports

    connector = OmsConnector(make_live_kit())
    for port in (
        ports.LocationSource,
        ports.StockSource,
        ports.ReservationPort,
        ports.OrderSource,
        ports.OrderSink,
        ports.ReturnSource,
        ports.ReturnSink,
    ):
        assert isinstance(connector, port)
    assert connector.system == "OMS"
    assert connector.settings.api_root == "http://127.0.0.1:4102/rest/s1/oms"

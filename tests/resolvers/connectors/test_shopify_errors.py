"""Errors and traces: Shopify's error shapes become the right ConnectorError; one CLIENT span per request."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from resolvers.errors import (
    ConnectorError,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamConflict,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamServerError,
    UpstreamUnavailable,
)
from resolvers.kit import ConnectorKit, UpstreamHttp
from resolvers.shopify import ShopifyConnector, ShopifySettings
from resolvers.shopify.exchange import ShopifyGraphQL
from sandbox.world import World
from storage.memory import MemoryTokenBuckets
from tests.resolvers.conftest import Reply, Upstream
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem
from tests.resolvers.connectors.test_shopify_support import ROOMY, TOKEN, directory_of, draft, policy, shop

ONCE = {"attempts": 1}
PATH = "/admin/api/2025-01/graphql.json"


def cost(requested: int, available: float, maximum: float = 1000.0, rate: float = 50.0) -> dict[str, Any]:
    status = {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate}
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": status}}


# ---------------------------------------------------------------- against the sandbox


async def test_a_query_over_the_single_query_limit_is_rejected_as_max_cost_exceeded_and_not_retried(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants][:20]
    async with shop(run_system, make_live_kit, world, knobs={**ROOMY, "max_query_cost": 50}) as s:
        with pytest.raises(UpstreamRejected) as caught:
            await s.connector.variants_by_skus(skus)
        assert s.graphql_calls() == 1
    assert caught.value.upstream_code == "MAX_COST_EXCEEDED"
    assert "62" in caught.value.message


async def test_throttled_is_rate_limited_with_the_wait_the_deficit_needs(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    """The store's bucket (10 points, 5/s) is smaller than the connector was told (1000, 50/s)."""
    skus = [v.sku for v in world.variants][:4]
    knobs = {"cost_bucket_size": 10.0, "cost_restore_rate": 5.0}
    told = {"bucket_size": 1000.0, "restore_rate": 50.0}
    async with shop(
        run_system,
        make_live_kit,
        world,
        knobs=knobs,
        settings=told,
        rate={"rate": 50.0, "burst": 1000.0},
        retry=ONCE,
    ) as s:
        with pytest.raises(UpstreamRateLimited) as caught:
            await s.connector.variants_by_skus(skus)
        throttled = s.connector.graphql.throttled
    assert caught.value.upstream_code == "THROTTLED"
    assert caught.value.retry_after == pytest.approx((14 - 10) / 5.0)
    assert throttled == 1


async def test_a_wrong_access_token_is_auth_failed_and_not_retried(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    async with run_system("shopify", knobs=ROOMY, access_token=TOKEN) as system:
        settings = ShopifySettings(base_url=system.url, access_token="shpat_wrong")
        connector = ShopifyConnector(make_live_kit(policy(settings)), settings, directory_of(world))
        with pytest.raises(UpstreamAuthFailed) as caught:
            await connector.variants_by_skus(["TEE-00001-S"])
        assert system.calls("/graphql.json") == 1
    assert caught.value.status == 401
    assert "Invalid API key or access token" in caught.value.message


async def test_a_server_error_keeps_shopifys_code_and_is_not_retried(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    async with shop(run_system, make_live_kit, world, knobs={**ROOMY, "error_rate": 1.0}) as s:
        with pytest.raises(UpstreamServerError) as caught:
            await s.connector.variants_by_skus(["TEE-00001-S"])
        assert s.graphql_calls() == 1
    assert (caught.value.status, caught.value.upstream_code) == (500, "INTERNAL_SERVER_ERROR")


async def test_an_outage_is_retried_then_unavailable_and_each_attempt_is_its_own_span(
    run_system: RunSystem,
    make_live_kit: LiveKitFactory,
    world: World,
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    async with shop(run_system, make_live_kit, world, knobs={**ROOMY, "outage": True}) as s:
        with pytest.raises(UpstreamUnavailable):
            await s.connector.variants_by_skus(["TEE-00001-S"])
        assert s.graphql_calls() == 3
    attempts = [span for span in spans[1].get_finished_spans() if span.name == "shopify variants"]
    assert [(span.attributes or {}).get("retail.retries") for span in attempts] == [0, 1, 2]
    assert {(span.attributes or {}).get("http.response.status_code") for span in attempts} == {503}


async def test_every_request_is_one_client_span_with_the_kits_attributes_under_the_callers_span(
    run_system: RunSystem,
    make_live_kit: LiveKitFactory,
    world: World,
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = spans
    tracer = provider.get_tracer("test")
    async with shop(run_system, make_live_kit, world) as s:
        with tracer.start_as_current_span("resolver") as parent:
            await s.connector.stock(["TEE-00001-S"], ["WH01"])
            await s.connector.stock(["TEE-00001-S"], ["WH01"])  # a cache hit: no request, no span
    client = [span for span in exporter.get_finished_spans() if span.kind is SpanKind.CLIENT]
    assert len(client) == 1
    (span,) = client
    assert span.name == "shopify stock"
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id
    attributes = dict(span.attributes or {})
    assert {key: attributes[key] for key in ("retail.system", "retail.operation", "retail.cache")} == {
        "retail.system": "shopify",
        "retail.operation": "stock",
        "retail.cache": "miss",
    }
    assert attributes["retail.retries"] == 0
    assert attributes["retail.breaker_state"] == "closed"
    assert attributes["http.response.status_code"] == 200
    assert isinstance(attributes["retail.rate_limit_wait_ms"], float)
    assert str(attributes["url.full"]).endswith(PATH)


async def test_a_timed_out_write_and_its_retry_are_two_spans(
    run_system: RunSystem,
    make_live_kit: LiveKitFactory,
    world: World,
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    async with shop(
        run_system,
        make_live_kit,
        world,
        knobs={**ROOMY, "latency_ms": 300.0},
        operations={"create_order": {"timeout": 0.1}},
    ) as s:
        with pytest.raises(ConnectorError) as caught:
            await s.connector.create_order(draft(world, "R900010", key="span-timeout"))
    attempts = [span for span in spans[1].get_finished_spans() if span.name == "shopify create_order"]
    assert caught.value.code == "UPSTREAM_TIMEOUT"
    assert [(span.attributes or {}).get("retail.retries") for span in attempts] == [0, 1, 2]
    assert {(span.attributes or {}).get("error.type") for span in attempts} == {"UPSTREAM_TIMEOUT"}


# ---------------------------------------------------------------- the exchange, against scripted answers


async def ask(kit: ConnectorKit, upstream: Upstream, document: str = "{ shop { name } }") -> dict[str, Any]:
    graphql = ShopifyGraphQL(ShopifySettings(base_url=upstream.url))

    async def fn(http: UpstreamHttp) -> dict[str, Any]:
        return await graphql.query(http, document)

    return (await kit.read("shopify", "probe", fn)).value


async def mutate(kit: ConnectorKit, upstream: Upstream) -> dict[str, Any]:
    graphql = ShopifyGraphQL(ShopifySettings(base_url=upstream.url))

    async def fn(http: UpstreamHttp) -> dict[str, Any]:
        return await graphql.mutate(
            http, "mutation { returnClose(id: 1) { userErrors { code } } }", {}, field="returnClose"
        )

    return (await kit.write("shopify", "probe", fn)).value


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("ACCESS_DENIED", UpstreamAuthFailed),
        ("INTERNAL_SERVER_ERROR", UpstreamServerError),
        ("BAD_REQUEST", UpstreamRejected),
        ("undefinedField", UpstreamRejected),
        ("MAX_COST_EXCEEDED", UpstreamRejected),
    ],
)
async def test_graphql_error_codes_map_onto_the_error_tree(
    upstream: Upstream, make_live_kit: LiveKitFactory, code: str, error: type[ConnectorError]
) -> None:
    upstream.script(
        PATH, Reply(json={"errors": [{"message": f"it said {code}", "extensions": {"code": code}}]})
    )
    with pytest.raises(error) as caught:
        await ask(make_live_kit(), upstream)
    assert type(caught.value) is error
    assert (caught.value.upstream_code, caught.value.message) == (code, f"it said {code}")
    assert upstream.count(PATH) == 1


async def test_an_answer_that_is_not_graphql_is_a_bad_response(
    upstream: Upstream, make_live_kit: LiveKitFactory
) -> None:
    upstream.script(PATH, Reply(json=["not", "an", "object"]), Reply(json={"extensions": {}}))
    for _ in range(2):
        with pytest.raises(UpstreamBadResponse):
            await ask(make_live_kit(), upstream)


async def test_a_user_error_carries_its_code_and_field_path_and_a_key_in_progress_is_a_conflict(
    upstream: Upstream, make_live_kit: LiveKitFactory
) -> None:
    refused = {"field": ["input", "id"], "message": "Return does not exist.", "code": "NOT_FOUND"}
    running = {"field": None, "message": "in progress", "code": "IDEMPOTENCY_CONCURRENT_REQUEST"}
    upstream.script(
        PATH,
        Reply(json={"data": {"returnClose": {"userErrors": [refused]}}}),
        Reply(json={"data": {"returnClose": {"userErrors": [running]}}}),
    )
    kit = make_live_kit()
    with pytest.raises(UpstreamRejected) as first:
        await mutate(kit, upstream)
    with pytest.raises(UpstreamConflict) as second:
        await mutate(kit, upstream)
    assert (first.value.upstream_code, first.value.message) == (
        "NOT_FOUND",
        "input.id: Return does not exist.",
    )
    assert second.value.upstream_code == "IDEMPOTENCY_CONCURRENT_REQUEST"


async def test_every_answer_reports_the_stores_bucket_to_the_shared_pacing_bucket(
    upstream: Upstream, make_live_kit: LiveKitFactory
) -> None:
    upstream.script(PATH, Reply(json={"data": {"shop": {"name": "x"}}, "extensions": cost(1, 400.0)}))
    buckets = MemoryTokenBuckets()
    kit = make_live_kit(policy(ShopifySettings()), buckets=buckets)
    await ask(kit, upstream)
    reserve = 50.0 * ShopifySettings().latency_jitter
    level = await buckets.acquire(kit.limiter.bucket_key("shopify", "probe"), 0.0, 1000.0, 0.0)
    assert level.remaining == pytest.approx(400 - reserve)

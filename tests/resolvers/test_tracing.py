"""Tracing: exactly one CLIENT span per outbound request, parented to the caller's span, sent downstream."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from resolvers.errors import CircuitOpen, UpstreamNotFound, UpstreamUnavailable
from resolvers.kit import TRACER_NAME, correlation, safe_url
from tests.resolvers.conftest import FakeTime, KitFactory, Reply, Upstream, get_json

Spans = tuple[TracerProvider, InMemorySpanExporter]
CACHED = {"systems": {"erp": {"cache": {"ttl": 10, "stale_ttl": 60}, "retry": {"base_delay": 0.1}}}}


def _client_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind is SpanKind.CLIENT]


async def test_an_outbound_request_makes_one_client_span_with_the_attributes_under_the_callers_span(
    make_kit: KitFactory, upstream: Upstream, spans: Spans
) -> None:
    provider, exporter = spans
    kit = make_kit(CACHED)
    with provider.get_tracer("test").start_as_current_span("Query.availability") as caller:
        await kit.read("erp", "stock", get_json(f"{upstream.url}/stock", params={"sku": "A"}), cache_key="A")
    (span,) = _client_spans(exporter)
    assert span.name == "erp stock"
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == TRACER_NAME
    assert span.parent is not None
    assert span.parent.span_id == caller.get_span_context().span_id
    assert span.context is not None
    assert span.context.trace_id == caller.get_span_context().trace_id
    assert dict(span.attributes or {}) == {
        "retail.system": "erp",
        "retail.operation": "stock",
        "retail.cache": "miss",
        "retail.retries": 0,
        "retail.rate_limit_wait_ms": 0.0,
        "retail.breaker_state": "closed",
        "http.request.method": "GET",
        "url.full": f"{upstream.url}/stock?sku=A",
        "server.address": "127.0.0.1",
        "server.port": int(upstream.url.rpartition(":")[2]),
        "http.response.status_code": 200,
    }
    assert span.status.status_code is StatusCode.UNSET


async def test_the_upstream_receives_traceparent_of_the_client_span_and_the_correlation_id(
    make_kit: KitFactory, upstream: Upstream, spans: Spans
) -> None:
    provider, exporter = spans
    with provider.get_tracer("test").start_as_current_span("caller"), correlation("req-42"):
        await make_kit().read("erp", "stock", get_json(f"{upstream.url}/stock"))
    (span,) = _client_spans(exporter)
    assert span.context is not None
    headers = upstream.seen[0].headers
    ctx = span.context
    assert headers["traceparent"] == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
    assert ctx.trace_flags.sampled
    assert headers["x-correlation-id"] == "req-42"


async def test_without_a_correlation_id_none_is_sent(make_kit: KitFactory, upstream: Upstream) -> None:
    await make_kit().read("erp", "stock", get_json(f"{upstream.url}/stock"))
    assert "x-correlation-id" not in upstream.seen[0].headers


async def test_each_retry_is_a_span_of_its_own_numbered_by_retail_retries(
    make_kit: KitFactory, upstream: Upstream, spans: Spans
) -> None:
    upstream.script("/stock", Reply(status=503), Reply(status=503))
    result = await make_kit(CACHED).read("erp", "stock", get_json(f"{upstream.url}/stock"))
    client = _client_spans(spans[1])
    assert result.attempts == len(client) == upstream.count() == 3
    assert [span.attributes["retail.retries"] for span in client if span.attributes] == [0, 1, 2]
    statuses = [span.status.status_code for span in client]
    assert statuses == [StatusCode.ERROR, StatusCode.ERROR, StatusCode.UNSET]
    codes = [span.attributes["http.response.status_code"] for span in client if span.attributes]
    assert codes == [503, 503, 200]
    failed = client[0]
    assert failed.attributes is not None
    assert failed.attributes["error.type"] == "UPSTREAM_UNAVAILABLE"
    assert [event.name for event in failed.events] == ["exception"]


async def test_a_cache_hit_and_a_fast_failure_make_no_client_span(
    make_kit: KitFactory, upstream: Upstream, spans: Spans
) -> None:
    policy = {**CACHED["systems"]["erp"], "retry": {"attempts": 1}, "breaker": {"min_calls": 1}}
    kit = make_kit({"systems": {"erp": policy}})
    await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    assert len(_client_spans(spans[1])) == 1
    upstream.default = Reply(status=503)
    with pytest.raises(UpstreamUnavailable):
        await kit.read("erp", "other", get_json(f"{upstream.url}/other"))
    assert len(_client_spans(spans[1])) == 2
    with pytest.raises(CircuitOpen):
        await kit.read("erp", "other", get_json(f"{upstream.url}/other"))
    assert len(_client_spans(spans[1])) == upstream.count() == 2


async def test_a_stale_refresh_is_marked_stale_and_an_uncached_call_bypass(
    make_kit: KitFactory, upstream: Upstream, spans: Spans, fake_time: FakeTime
) -> None:
    kit = make_kit(CACHED)
    await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    fake_time.advance(11)
    await kit.read("erp", "stock", get_json(f"{upstream.url}/stock"), cache_key="A")
    await kit.write("erp", "create_order", get_json(f"{upstream.url}/orders"))
    caches = [span.attributes["retail.cache"] for span in _client_spans(spans[1]) if span.attributes]
    assert caches == ["miss", "stale", "bypass"]


async def test_pacing_wait_and_a_rejection_show_on_the_span(
    make_kit: KitFactory, upstream: Upstream, spans: Spans
) -> None:
    upstream.script("/partner", Reply(status=200), Reply(status=404))
    kit = make_kit({"systems": {"erp": {"rate": {"rate": 4, "burst": 1}}}})
    await kit.read("erp", "partner", get_json(f"{upstream.url}/partner"))
    with pytest.raises(UpstreamNotFound):
        await kit.read("erp", "partner", get_json(f"{upstream.url}/partner"))
    _, second = _client_spans(spans[1])
    assert second.attributes is not None
    assert second.attributes["retail.rate_limit_wait_ms"] == pytest.approx(250, abs=1)
    assert second.attributes["error.type"] == "UPSTREAM_NOT_FOUND"
    assert second.status.status_code is StatusCode.ERROR


async def test_a_transport_failure_is_recorded_on_its_span(
    make_kit: KitFactory, upstream: Upstream, spans: Spans
) -> None:
    upstream.script("/slow", Reply(delay=0.3))
    kit = make_kit({"systems": {"erp": {"timeout": 0.05, "retry": {"attempts": 1}}}})
    with pytest.raises(Exception, match="Timeout"):
        await kit.read("erp", "slow", get_json(f"{upstream.url}/slow"))
    (span,) = _client_spans(spans[1])
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "UPSTREAM_TIMEOUT"
    assert "http.response.status_code" not in span.attributes
    assert span.events[0].attributes is not None
    assert str(span.events[0].attributes["exception.type"]).endswith("UpstreamTimeout")


def test_url_full_carries_no_secrets() -> None:
    url = "https://user:pw@shop.example/admin/api/2025-01/graphql.json?access_token=abc&first=5#frag"
    assert safe_url(url, {"signature": "s", "q": "x"}) == (
        "https://shop.example/admin/api/2025-01/graphql.json?access_token=REDACTED&first=5&signature=REDACTED&q=x"
    )

"""The shared HTTP client: one pooled aiohttp session, whole answers of any status, per-call timeouts."""

from __future__ import annotations

import asyncio

import pytest

from resolvers.errors import UpstreamTimeout
from resolvers.http import HttpClient, HttpSettings
from tests.resolvers.conftest import Reply, Upstream


async def test_a_request_sends_json_params_and_headers_and_reads_the_whole_answer(
    http: HttpClient, upstream: Upstream
) -> None:
    upstream.script("/orders", Reply(status=201, json={"id": "o-1"}, headers={"ETag": 'W/"7"'}))
    response = await http.request(
        "POST",
        f"{upstream.url}/orders",
        headers={"X-Api-Key": "k"},
        params={"sap-client": 100},
        json={"qty": 2},
    )
    assert (response.status, response.ok, response.json()) == (201, True, {"id": "o-1"})
    assert response.headers["etag"] == 'W/"7"'
    seen = upstream.seen[0]
    assert (seen.method, seen.query, seen.body) == ("POST", {"sap-client": "100"}, b'{"qty":2}')
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["x-api-key"] == "k"
    assert seen.headers["user-agent"] == "retail-gateway"


async def test_answers_of_every_status_come_back_rather_than_raise(
    http: HttpClient, upstream: Upstream
) -> None:
    upstream.script("/x", Reply(status=503, json={"error": "down"}, headers={"Retry-After": "3"}))
    response = await http.request("GET", f"{upstream.url}/x")
    assert (response.status, response.ok, response.retry_after) == (503, False, 3.0)
    assert response.text() == '{"error":"down"}'


async def test_redirects_are_not_followed(http: HttpClient, upstream: Upstream) -> None:
    upstream.script("/old", Reply(status=302, headers={"Location": "/new"}))
    response = await http.request("GET", f"{upstream.url}/old")
    assert response.status == 302
    assert upstream.count() == 1


async def test_the_per_call_timeout_overrides_the_default(upstream: Upstream) -> None:
    upstream.script("/slow", Reply(delay=0.3), Reply(delay=0.3))
    async with HttpClient(HttpSettings(default_timeout=0.05)) as client:
        with pytest.raises(UpstreamTimeout):
            await client.request("GET", f"{upstream.url}/slow")
        response = await client.request("GET", f"{upstream.url}/slow", timeout=2.0)
    assert response.ok


async def test_sequential_requests_reuse_one_kept_alive_connection(
    http: HttpClient, upstream: Upstream
) -> None:
    for _ in range(3):
        await http.request("GET", f"{upstream.url}/x")
    assert len({seen.client_port for seen in upstream.seen}) == 1


async def test_an_idle_connection_is_closed_before_the_peer_would_close_it(upstream: Upstream) -> None:
    async with HttpClient(HttpSettings(keepalive_seconds=0.1)) as client:
        await client.request("GET", f"{upstream.url}/x")
        await asyncio.sleep(0.3)
        await client.request("GET", f"{upstream.url}/x")
    first, second = (seen.client_port for seen in upstream.seen)
    assert first != second


async def test_the_pool_never_opens_more_connections_to_a_host_than_its_limit(upstream: Upstream) -> None:
    upstream.default = Reply(delay=0.05)
    settings = HttpSettings(max_connections=10, max_connections_per_host=2)
    async with HttpClient(settings) as client:
        await asyncio.gather(*(client.request("GET", f"{upstream.url}/x") for _ in range(8)))
    assert len({seen.client_port for seen in upstream.seen}) == 2


async def test_the_client_must_be_started_and_closing_twice_is_harmless(upstream: Upstream) -> None:
    client = HttpClient()
    with pytest.raises(RuntimeError, match="start"):
        await client.request("GET", f"{upstream.url}/x")
    await client.start()
    await client.start()
    assert client.started
    await client.close()
    await client.close()
    assert not client.started


async def test_json_and_data_cannot_both_be_sent(http: HttpClient, upstream: Upstream) -> None:
    with pytest.raises(ValueError, match="not both"):
        await http.request("POST", f"{upstream.url}/x", json={}, data=b"x")


def test_settings_reject_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        HttpSettings.model_validate({"keepalive": 4})

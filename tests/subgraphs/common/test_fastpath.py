"""``POST /graphql``'s common case is answered from graphql-core directly, exactly as Strawberry's view would.

Each request goes to two catalog subgraphs, one with the fast path and one without (every request to
Strawberry's view): status, content type and body must be equal. A spy on the view tells which path
answered.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.world import World
from subgraphs.catalog import create_app
from subgraphs.common.fastpath import FastGraphQL
from tests._servers import serving
from tests.subgraphs.conftest import Sandboxes

JSON = {"content-type": "application/json"}


class _Spy:
    def __init__(self, view: ASGIApp) -> None:
        self.view, self.calls = view, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await self.view(scope, receive, send)


def _endpoint(app: Any) -> FastGraphQL:
    route = next(r for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
    endpoint = route.endpoint
    assert isinstance(endpoint, FastGraphQL)
    return endpoint


@contextlib.asynccontextmanager
async def _catalog(sandboxes: Sandboxes, *, fast: bool) -> AsyncIterator[tuple[httpx.AsyncClient, _Spy]]:
    app = create_app(sandboxes.settings)
    endpoint = _endpoint(app)
    endpoint.enabled = fast
    spy = endpoint._view = _Spy(endpoint._view)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client, spy


async def _both(sandboxes: Sandboxes, body: bytes) -> tuple[httpx.Response, httpx.Response, int]:
    async with _catalog(sandboxes, fast=True) as (fast, spy), _catalog(sandboxes, fast=False) as (slow, _):
        answers = (
            await fast.post("/graphql", content=body, headers=JSON),
            await slow.post("/graphql", content=body, headers=JSON),
        )
    return answers[0], answers[1], spy.calls


def _body(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> bytes:
    return orjson.dumps({"query": query, "variables": variables, "operationName": name})


def _same(fast: httpx.Response, slow: httpx.Response) -> None:
    assert fast.status_code == slow.status_code
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert fast.json() == slow.json()


@pytest.mark.parametrize(
    ("query", "variables", "name"),
    [
        (
            "query V($s: ID!) { variant(sku: $s) { sku title price { amount } product { title } } }",
            "sku",
            None,
        ),
        ("{ locations(type: STORE) { id name type address { city } pickupEnabled } }", None, None),
        ("query A { __typename } query B { locations { id } }", None, "B"),
        ("query($f: Int) { products(first: $f) { edges { cursor } } }", {"f": "ten"}, None),
        (
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Variant { sku title } } }",
            "entities",
            None,
        ),
    ],
    ids=["variables", "a list", "operation name", "a variable refused", "entities, one refused"],
)
async def test_the_fast_path_answers_what_the_view_answers_and_the_view_is_not_asked(
    sandboxes: Sandboxes, world: World, query: str, variables: Any, name: str | None
) -> None:
    sku = next(iter(world.variants)).sku
    if variables == "sku":
        variables = {"s": sku}
    elif variables == "entities":
        variables = {"r": [{"__typename": "Variant", "sku": sku}, {"__typename": "Nope", "sku": sku}]}
    fast, slow, viewed = await _both(sandboxes, _body(query, variables, name))
    _same(fast, slow)
    assert "errors" not in fast.json() or fast.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert viewed == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ nope }"}',
        b'{"query": "{ __typename"}',
        b'{"query": "query A { __typename }", "operationName": "B"}',
        b'{"query": "{ __typename }", "unknown": 1}',
        b'{"query": "{ __typename }", "variables": [1]}',
        b'{"query": ',
    ],
    ids=[
        "not valid",
        "no parse",
        "no such operation",
        "an unknown member",
        "variables not an object",
        "not JSON",
    ],
)
async def test_anything_else_goes_to_the_view_with_its_body_and_keeps_the_views_answer(
    sandboxes: Sandboxes, body: bytes
) -> None:
    fast, slow, viewed = await _both(sandboxes, body)
    _same(fast, slow)
    assert viewed == 1

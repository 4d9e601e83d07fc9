"""Executing plans over real HTTP: partial data when a subgraph is down, and request de-duplication."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.server import create_app
from gateway.settings import GatewaySettings
from gateway.supergraph import parse_supergraph
from tests._servers import free_port
from tests._threaded import serve_in_thread
from tests.federation._node import compose
from tests.federation.sets import load_set
from tests.federation.subgraph import TestSubgraph

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def _stack(subgraphs: list[TestSubgraph], down: set[str], settings: GatewaySettings) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        urls = {
            s.name: (
                f"http://127.0.0.1:{free_port()}"
                if s.name in down
                else stack.enter_context(serve_in_thread(s.app()))
            )
            + "/graphql"
            for s in subgraphs
        }
        sdl = compose([{"name": s.name, "url": urls[s.name], "sdl": s.sdl} for s in subgraphs])
        yield stack.enter_context(serve_in_thread(create_app(parse_supergraph(sdl), settings))) + "/graphql"


def test_a_subgraph_that_is_down_leaves_the_rest_of_the_answer(tmp_path: Path) -> None:
    with _stack(load_set("products").subgraphs(), {"reviews"}, GatewaySettings()) as url:
        body = httpx.post(url, json={"query": "{ topProducts { name reviews { body } } }"}).json()
    assert [p["name"] for p in body["data"]["topProducts"]] == ["Table", "Couch", "Chair"]
    assert all(p["reviews"] is None for p in body["data"]["topProducts"])
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "reviews"}


def _slow(subgraphs: list[TestSubgraph], name: str, field: str, seconds: float) -> None:
    subgraph = next(s for s in subgraphs if s.name == name)
    original = subgraph.resolvers[field]

    def slow(obj: dict[str, Any], args: dict[str, Any]) -> Any:
        time.sleep(seconds)
        return original(obj, args)

    subgraph.resolvers[field] = slow


async def _concurrently(url: str, queries: list[str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=30) as client:
        responses = await asyncio.gather(*(client.post(url, json={"query": q}) for q in queries))
    return [r.json() for r in responses]


@pytest.mark.parametrize(("dedupe", "expected_calls"), [(True, 1), (False, 8)])
def test_identical_in_flight_queries_share_one_execution(dedupe: bool, expected_calls: int) -> None:
    subgraphs = load_set("products").subgraphs()
    _slow(subgraphs, "products", "Query.topProducts", 0.3)
    settings = GatewaySettings(dedupe_inbound=dedupe, dedupe_subgraph_requests=dedupe)
    with _stack(subgraphs, set(), settings) as url:
        answers = asyncio.run(_concurrently(url, ["{ topProducts { name } }"] * 8))
    assert all(a == answers[0] for a in answers)
    assert answers[0]["data"]["topProducts"][0] == {"name": "Table"}
    products = next(s for s in subgraphs if s.name == "products")
    assert len(products.requests) == expected_calls


def test_identical_in_flight_subgraph_fetches_are_shared_between_different_queries() -> None:
    subgraphs = load_set("products").subgraphs()
    _slow(subgraphs, "products", "Query.topProducts", 0.3)
    settings = GatewaySettings(dedupe_inbound=True, dedupe_subgraph_requests=True)
    with _stack(subgraphs, set(), settings) as url:
        # Different documents, so inbound de-duplication cannot merge them; the subgraph fetch is the same.
        answers = asyncio.run(
            _concurrently(url, ["{ topProducts { name } }", "query Other { topProducts { name } }"])
        )
    assert answers[0] == answers[1]
    products = next(s for s in subgraphs if s.name == "products")
    queries = [r["query"] for r in products.requests]
    assert len(queries) == len(set(queries))


def test_mutations_are_never_deduplicated() -> None:
    counter = {"value": 0}

    def increment(_obj: dict[str, Any], args: dict[str, Any]) -> int:
        time.sleep(0.2)
        counter["value"] += args["by"]
        return counter["value"]

    subgraph = TestSubgraph(
        "counter",
        load_set("products").LINK
        + "type Query { count: Int! } type Mutation { increment(by: Int! = 1): Int! }",
        resolvers={"Mutation.increment": increment, "Query.count": lambda _o, _a: counter["value"]},
    )
    with _stack([subgraph], set(), GatewaySettings()) as url:
        answers = asyncio.run(_concurrently(url, ["mutation { increment }"] * 4))
    assert sorted(a["data"]["increment"] for a in answers) == [1, 2, 3, 4]

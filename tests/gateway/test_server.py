"""The gateway over HTTP: GraphQL-over-HTTP status codes, error codes, GET, introspection, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.server import create_app
from gateway.supergraph import load_supergraph, parse_supergraph

FIXTURES = Path(__file__).parent / "fixtures"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(load_supergraph(FIXTURES / "products.graphql"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as c:
        yield c


@pytest.fixture
async def counter_client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(load_supergraph(FIXTURES / "mutations.graphql"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as c:
        yield c


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_health_answers_200(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "pass"}


async def test_a_query_that_does_not_parse_is_graphql_parse_failed(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ topProducts { "})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert _codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert "data" not in body


async def test_a_graphql_response_client_gets_400_for_a_request_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"Accept": f"{GRAPHQL_RESPONSE}, application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert _codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_an_inaccessible_field_does_not_validate(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { birthDate } }"})
    assert _codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_variables_of_the_wrong_type_are_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "query ($n: Int) { topProducts(first: $n) { name } }", "variables": {"n": "five"}},
    )
    assert _codes(response.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'{"variables": {}}', 400),
        (b'{"query": "{ __typename }", "variables": [1]}', 400),
        (b'{"query": "{ __typename }", "operationName": 5}', 400),
    ],
)
async def test_a_malformed_request_is_a_400_with_a_code(
    client: httpx.AsyncClient, body: bytes, status: int
) -> None:
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert _codes(response.json()) == ["BAD_REQUEST"]


async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"query { __typename }", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415


async def test_an_unknown_operation_name_is_an_operation_resolution_failure(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": "query A { __typename } query B { __typename }", "operationName": "C"}
    )
    assert response.status_code == 400
    assert _codes(response.json()) == ["OPERATION_RESOLUTION_FAILURE"]


async def test_a_query_over_get_is_answered(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "query Q { __typename }", "operationName": "Q"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_mutation_over_get_is_405(counter_client: httpx.AsyncClient) -> None:
    response = await counter_client.get("/graphql", params={"query": "mutation { reset }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_introspection_is_answered_from_the_api_schema(client: httpx.AsyncClient) -> None:
    query = '{ __schema { queryType { name } } user: __type(name: "User") { fields { name } } __typename }'
    body = (await client.post("/graphql", json={"query": query})).json()
    assert body["data"]["__schema"] == {"queryType": {"name": "Query"}}
    assert [f["name"] for f in body["data"]["user"]["fields"]] == ["id", "name", "username", "reviews"]
    assert list(body["data"]) == ["__schema", "user", "__typename"]


async def test_a_subscription_is_refused_with_a_code() -> None:
    sdl = (FIXTURES / "mutations.graphql").read_text()
    sdl = sdl.replace("  mutation: Mutation\n", "  mutation: Mutation\n  subscription: Subscription\n", 1)
    sdl += "\ntype Subscription @join__type(graph: COUNTER) {\n"
    sdl += "  ticks: Int! @join__field(graph: COUNTER)\n}\n"
    app = create_app(parse_supergraph(sdl))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as c:
        response = await c.post("/graphql", json={"query": "subscription { ticks }"})
    assert response.status_code == 400
    assert _codes(response.json()) == ["SUBSCRIPTIONS_NOT_SUPPORTED"]


async def test_get_with_variables_that_are_not_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ __typename }", "variables": "{nope"})
    assert response.status_code == 400
    assert _codes(response.json()) == ["BAD_REQUEST"]


async def test_an_unexpected_failure_is_a_json_500_without_a_stack_trace(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]

    async def broken(request: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.endpoint, "handle", broken)
    response = await client.post("/graphql", json={"query": "{ topProducts { upc } }"})
    assert response.status_code == 500
    assert _codes(response.json()) == ["INTERNAL_SERVER_ERROR"]
    assert "a bug" not in response.text


async def test_other_methods_and_paths_still_go_through_the_router(client: httpx.AsyncClient) -> None:
    assert (await client.put("/graphql", json={"query": "{ __typename }"})).status_code == 405
    assert (await client.get("/nowhere")).status_code == 404


async def test_an_added_middleware_sees_graphql_requests_too() -> None:
    app = create_app(load_supergraph(FIXTURES / "products.graphql"))
    seen: list[str] = []

    class Spy:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            seen.append(scope.get("path", ""))
            await self.inner(scope, receive, send)

    app.add_middleware(Spy)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as c:
        await c.post("/graphql", json={"query": "{ __typename }"})
    assert seen == ["/graphql"]

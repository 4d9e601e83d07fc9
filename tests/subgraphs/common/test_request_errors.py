"""Every refusal a subgraph answers is a JSON GraphQL error with a stable code, never a 500 or plain text.

Found by the fuzzing of every subgraph (``tests/subgraphs/test_fuzz.py``); each case here is an input
that used to get a 500, an ``INTERNAL_SERVER_ERROR``, plain text or an error without a code. They go to
the catalog subgraph: the error handling is common to all five.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from subgraphs.common.errors import BadUserInput
from subgraphs.common.federation import check_representation
from tests.subgraphs.conftest import ServeSubgraph

JSON = {"content-type": "application/json"}


def _codes(response: httpx.Response) -> list[str]:
    body: dict[str, Any] = response.json()
    return [error["extensions"]["code"] for error in body["errors"]]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param(b'{"query": ', 400, id="not JSON"),
        pytest.param(b'{"query": "\xff"}', 400, id="not UTF-8"),
        pytest.param(b'"{ __typename }"', 400, id="a JSON string"),
        pytest.param(b"null", 400, id="JSON null"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": {"x": "\\ud83d"}}', 400, id="a lone surrogate"
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
            400,
            id="nested 5000 deep",
        ),
        pytest.param(b"{}", 400, id="no query"),
        pytest.param(
            b'{"query": "query A { __typename }", "operationName": "B"}', 400, id="no such operation"
        ),
    ],
)
async def test_a_body_that_is_no_graphql_request_is_a_json_bad_request(
    serve_subgraph: ServeSubgraph, body: bytes, status: int
) -> None:
    async with serve_subgraph("catalog") as client:
        response = await client.post("/graphql", content=body, headers=JSON)
    assert response.status_code == status
    assert _codes(response) == ["BAD_REQUEST"]


async def test_a_mutation_over_get_and_a_bare_get_answer_json_with_a_code(
    serve_subgraph: ServeSubgraph,
) -> None:
    async with serve_subgraph("catalog") as client:
        mutation = await client.get("/graphql", params={"query": "mutation { __typename }"})
        bare = await client.get("/graphql")
    assert (mutation.status_code, _codes(mutation)) == (400, ["BAD_REQUEST"])
    assert (bare.status_code, _codes(bare)) == (404, ["NOT_FOUND"])


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ __typename", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ " + "a { " * 5000 + "b" + " }" * 5000 + " }", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("{ products(first: 9999999999) { edges { cursor } } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($s: ID!) { variant(sku: $s) { sku } }", {}, "BAD_USER_INPUT"),
        ("query($f: Int) { products(first: $f) { edges { cursor } } }", {"f": "ten"}, "BAD_USER_INPUT"),
        ('query($s: ID = "x") { variant(sku: $s) { sku } }', {"s": None}, "BAD_USER_INPUT"),
    ],
    ids=[
        "syntax",
        "too deep",
        "unknown field",
        "Int out of range",
        "variable missing",
        "variable mistyped",
        "argument null",
    ],
)
async def test_a_document_graphql_refuses_has_the_code_of_the_stage_that_refused_it(
    serve_subgraph: ServeSubgraph, query: str, variables: dict[str, Any], code: str
) -> None:
    async with serve_subgraph("catalog") as client:
        body = await client.gql(query, variables)
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    assert not any((body["data"] or {}).values())


async def test_a_bad_representation_is_bad_user_input_and_the_others_still_resolve(
    serve_subgraph: ServeSubgraph,
) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Location { id } } }"
    representations = [
        "Location",
        {"id": "DC01"},
        {"__typename": "Nope", "id": "DC01"},
        {"__typename": "Location"},
        {"__typename": "Location", "id": {"nested": 1}},
        {"__typename": "Location", "id": "DC01", "extra": True},
    ]
    async with serve_subgraph("catalog") as client:
        body = await client.gql(query, {"r": representations})
    assert body["data"]["_entities"] == [None, None, None, None, None, {"id": "DC01"}]
    assert sorted(tuple(error["path"]) for error in body["errors"]) == [("_entities", i) for i in range(5)]
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}


def test_a_representation_is_its_typename_and_key_fields_as_strings() -> None:
    entities: dict[str, list[tuple[str, ...]]] = {"Variant": [("sku",)], "Order": [("id",), ("number",)]}
    assert check_representation(0, {"__typename": "Variant", "sku": "S", "x": 1}, entities) == {
        "__typename": "Variant",
        "sku": "S",
    }
    assert check_representation(0, {"__typename": "Order", "number": 7}, entities) == {
        "__typename": "Order",
        "number": "7",
    }
    externals = {"Variant": ("refs",)}
    assert check_representation(
        0, {"__typename": "Variant", "sku": "S", "refs": [{}], "x": 1}, entities, externals
    ) == {
        "__typename": "Variant",
        "sku": "S",
        "refs": [{}],
    }, "an @external field (what an @requires reads) is passed on as sent; others are dropped"
    assert check_representation(0, {"__typename": "Variant", "sku": "S"}, entities, externals) == {
        "__typename": "Variant",
        "sku": "S",
    }
    bad: object
    for bad in [None, [], {"__typename": "Product"}, {"__typename": "Variant", "sku": True}]:
        with pytest.raises(BadUserInput, match=r"representations\[3\]"):
            check_representation(3, bad, entities)

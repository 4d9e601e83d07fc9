"""Entity fetches to one subgraph that are ready together go out as one request, answers unchanged."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.batching import batched_operation
from gateway.plan import Fetch
from gateway.settings import GatewaySettings
from tests.federation.sets import load_set
from tests.federation.subgraph import TestSubgraph
from tests.gateway.test_execution import _stack

pytestmark = pytest.mark.slow

# After the reviews fetch, two inventory fetches wait on it alone: a review's product, and its
# author's reviews' products.
TWO_READY_TOGETHER = """
{ topProducts { upc reviews {
  body product { upc inStock } author { name reviews { product { upc inStock } } }
} } }
"""


def _inventory(subgraphs: list[TestSubgraph]) -> TestSubgraph:
    return next(s for s in subgraphs if s.name == "inventory")


@contextlib.contextmanager
def _ask(
    batch: bool, *, break_upc: str | None = None, down: bool = False
) -> Iterator[tuple[dict[str, Any], int]]:
    subgraphs = load_set("products").subgraphs()
    inventory = _inventory(subgraphs)
    if break_upc is not None:
        original = inventory.resolvers["Product.inStock"]

        def in_stock(obj: dict[str, Any], args: dict[str, Any]) -> Any:
            if obj["upc"] == break_upc:
                raise ValueError(f"no stock figure for {break_upc}")
            return original(obj, args)

        inventory.resolvers["Product.inStock"] = in_stock
    settings = GatewaySettings(batch_entity_fetches=batch, dedupe_subgraph_requests=False)
    with _stack(subgraphs, {"inventory"} if down else set(), settings) as url:
        body = httpx.post(url, json={"query": TWO_READY_TOGETHER}, timeout=30).json()
        yield body, len(inventory.requests)


def test_two_entity_fetches_ready_together_are_one_request_with_the_same_answer() -> None:
    with _ask(batch=False) as (alone, requests_alone), _ask(batch=True) as (batched, requests_batched):
        pass
    assert "errors" not in alone
    assert batched == alone
    assert (requests_alone, requests_batched) == (2, 1)


def test_an_error_inside_a_batch_keeps_the_path_it_has_when_fetched_alone() -> None:
    with _ask(batch=False, break_upc="1") as (alone, _), _ask(batch=True, break_upc="1") as (batched, _):
        pass
    assert alone["errors"]
    assert batched == alone
    assert all(error["path"][0] == "topProducts" for error in batched["errors"])


def test_a_subgraph_that_is_down_fails_each_fetch_of_the_batch_as_it_would_alone() -> None:
    with _ask(batch=False, down=True) as (alone, _), _ask(batch=True, down=True) as (batched, _):
        pass
    assert batched["data"] == alone["data"]
    assert [e["extensions"] for e in batched["errors"]] == [e["extensions"] for e in alone["errors"]]
    assert all("inventory" in e["message"] for e in batched["errors"])


def _fetch(fetch_id: int, selection: str, definitions: tuple[str, ...] = ()) -> Fetch:
    return Fetch(
        id=fetch_id,
        graph="INVENTORY",
        service="inventory",
        url="http://inventory/graphql",
        path=(),
        entity=True,
        operation="",
        operation_name=f"Q__inventory__{fetch_id}",
        variables=tuple(d.partition(":")[0].strip("$ ") for d in definitions),
        reps={},
        reps_by_typename={},
        send_typename={},
        depends_on=(),
        definitions=definitions,
        entity_selection=selection,
    )


def test_the_batched_document_aliases_each_fetch_and_declares_shared_variables_once() -> None:
    document, name = batched_operation(
        [
            _fetch(2, "{ ... on Product { inStock } }", ("$at: String",)),
            _fetch(6, "{ ... on Product { inStock shippingEstimate(at: $at) } }", ("$at: String",)),
        ]
    )
    assert name == "Q__inventory__2__batch"
    assert document == (
        "query Q__inventory__2__batch($at: String, $r0: [_Any!]!, $r1: [_Any!]!) {\n"
        "  _b0: _entities(representations: $r0) { ... on Product { inStock } }\n"
        "  _b1: _entities(representations: $r1) { ... on Product { inStock shippingEstimate(at: $at) } }\n"
        "}"
    )

"""Query plans as readable snapshots (tests/gateway/plans/*.txt).

A snapshot that is missing is written and the test fails, so a new plan is
always looked at once; set UPDATE_PLAN_SNAPSHOTS=1 to rewrite them all after
a deliberate planner change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.service import Gateway, GraphQLRequest
from gateway.supergraph import load_supergraph

HERE = Path(__file__).parent
PLANS = HERE / "plans"

CASES = {
    "root-field-in-one-subgraph": ("products", "{ topProducts { upc name } }", {}),
    "entity-jump-two-levels": ("products", "{ topProducts { name reviews { author { name } } } }", {}),
    "provides-saves-a-fetch": ("products", "{ topProducts { reviews { author { username } } } }", {}),
    "requires-waits-for-its-fields": ("products", "{ me { reviews { product { shippingEstimate } } } }", {}),
    "independent-roots-run-in-parallel": ("products", "{ me { name } topProducts { name } }", {}),
    "alias-that-clashes-with-a-key": ("products", "{ topProducts { upc: name reviews { body } } }", {}),
    "skip-drops-the-fetch": (
        "products",
        "query ($s: Boolean!) { topProducts { name reviews @skip(if: $s) { body } } }",
        {"s": True},
    ),
    "interface-members-in-other-subgraphs": (
        "media",
        "{ media { id title ... on Book { pages } rating } }",
        {},
    ),
    "interface-object-root-needs-concrete-types": (
        "media",
        "{ topMedia { __typename id rating ... on Movie { director } } }",
        {},
    ),
    "interface-object-fields-only": ("media", "{ topMedia { id rating reviews } }", {}),
    "union-members-and-override": (
        "media",
        "{ search { ... on Book { title pages rating } ... on Other { id } } }",
        {},
    ),
}


@pytest.fixture(scope="module")
def gateways() -> dict[str, Gateway]:
    return {
        name: Gateway(load_supergraph(HERE / "fixtures" / f"{name}.graphql"))
        for name in ("products", "media")
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_plan_matches_its_snapshot(gateways: dict[str, Gateway], name: str) -> None:
    supergraph, query, variables = CASES[name]
    gateway = gateways[supergraph]
    prepared, operation = gateway.prepare(GraphQLRequest(query, variables))
    rendered = gateway.plan(prepared, operation, variables).render() + "\n"
    snapshot = PLANS / f"{name}.txt"
    if os.environ.get("UPDATE_PLAN_SNAPSHOTS") or not snapshot.exists():
        snapshot.write_text(f"# {supergraph}: {' '.join(query.split())}\n{rendered}")
        if not os.environ.get("UPDATE_PLAN_SNAPSHOTS"):
            pytest.fail(f"wrote a new snapshot {snapshot.name}: review it and run again")
    expected = snapshot.read_text().split("\n", 1)[1]
    assert rendered == expected


def test_a_plan_is_cached_per_document_operation_and_skip_include_values(
    gateways: dict[str, Gateway],
) -> None:
    gateway = gateways["products"]
    query = "query ($s: Boolean!) { topProducts { name reviews @skip(if: $s) { body } } }"
    prepared, operation = gateway.prepare(GraphQLRequest(query))
    skip = gateway.plan(prepared, operation, {"s": True})
    assert gateway.plan(prepared, operation, {"s": True}) is skip
    keep = gateway.plan(prepared, operation, {"s": False})
    assert keep is not skip
    assert len(keep.fetches) == 2
    assert len(skip.fetches) == 1

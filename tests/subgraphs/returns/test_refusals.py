"""authorizeReturn refusing what cannot be returned: every userError code with its field path."""

from __future__ import annotations

from typing import Any

from sandbox.world import Order
from tests.subgraphs.conftest import Sandboxes, ServeSubgraph
from tests.subgraphs.returns._gql import AUTHORIZE, authorize_vars
from tests.subgraphs.returns._world import days_since_fulfilment, oms_returns
from tests.subgraphs.returns.conftest import settings_for


def _errors(body: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    payload = body["data"]["authorizeReturn"]
    assert payload["return"] is None
    assert payload["replayed"] is False
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


async def test_every_problem_with_a_request_is_a_user_error_at_its_field(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    number = online_order.number
    too_many = online_order.lines[0].quantity_fulfilled + 1
    cases: list[tuple[dict[str, Any], list[tuple[str, list[str] | None]]]] = [
        (authorize_vars("R999999", [(1, 1, "DAMAGED")], "a"), [("UNKNOWN_ORDER", ["orderId"])]),
        (
            authorize_vars(number, [(99, 1, "DAMAGED"), ("R100001-1", 1, "DAMAGED")], "b"),
            [
                ("UNKNOWN_ORDER_LINE", ["lines", "0", "orderLineId"]),
                ("UNKNOWN_ORDER_LINE", ["lines", "1", "orderLineId"]),
            ],
        ),
        (
            authorize_vars(number, [(1, 0, "DAMAGED"), (2, too_many + 5, "DAMAGED")], "c"),
            [
                ("QUANTITY_NOT_POSITIVE", ["lines", "0", "quantity"]),
                ("QUANTITY_EXCEEDS_RETURNABLE", ["lines", "1", "quantity"]),
            ],
        ),
        (
            authorize_vars(number, [(1, too_many, "DAMAGED")], "d"),
            [("QUANTITY_EXCEEDS_RETURNABLE", ["lines", "0", "quantity"])],
        ),
        (
            authorize_vars(number, [(1, 1, "DAMAGED"), (1, 1, "OTHER")], "e"),
            [("DUPLICATE_LINE", ["lines", "1", "orderLineId"])],
        ),
        (authorize_vars(number, [], "f"), [("NO_LINES", ["lines"])]),
        (
            authorize_vars(number, [(1, 1, "DAMAGED")], "g", dropOffLocationId="DC01"),
            [("UNKNOWN_LOCATION", ["dropOffLocationId"])],
        ),
        (
            authorize_vars(number, [(1, 1, "DAMAGED")], "  "),
            [("INVALID_IDEMPOTENCY_KEY", ["idempotencyKey"])],
        ),
    ]
    async with serve_subgraph("returns", settings_for(sandboxes, online_order)) as client:
        for variables, expected in cases:
            assert _errors(await client.gql(AUTHORIZE, variables)) == expected, variables
        fixed = await client.gql(AUTHORIZE, authorize_vars(number, [(1, 1, "DAMAGED")], "d"))
    assert oms_returns(sandboxes, number) == [fixed["data"]["authorizeReturn"]["return"]["id"]]
    assert fixed["data"]["authorizeReturn"]["replayed"] is False  # a refused request kept no key


async def test_an_order_outside_the_return_window_is_refused(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    window = days_since_fulfilment(online_order) - 2
    settings = settings_for(sandboxes, online_order, return_window_days=window)
    variables = authorize_vars(online_order.number, [(1, 1, "CHANGED_MIND")], "late")
    async with serve_subgraph("returns", settings) as client:
        body = await client.gql(AUTHORIZE, variables)
    assert _errors(body) == [("RETURN_WINDOW_EXPIRED", ["orderId"])]
    assert f"{window}-day return window closed" in body["data"]["authorizeReturn"]["userErrors"][0]["message"]
    assert oms_returns(sandboxes, online_order.number) == []


async def test_units_on_a_seeded_return_are_not_returnable_again(
    returned_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    variables = authorize_vars(returned_order.number, [(1, 1, "OTHER")], "again")
    async with serve_subgraph("returns", settings_for(sandboxes, returned_order)) as client:
        body = await client.gql(AUTHORIZE, variables)
    assert _errors(body) == [("QUANTITY_EXCEEDS_RETURNABLE", ["lines", "0", "quantity"])]
    assert "Only 0 units" in body["data"]["authorizeReturn"]["userErrors"][0]["message"]


async def test_units_on_a_return_just_authorised_are_not_returnable_again(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    number, line = online_order.number, online_order.lines[0]
    async with serve_subgraph("returns", settings_for(sandboxes, online_order)) as client:
        first = await client.gql(
            AUTHORIZE, authorize_vars(number, [(1, line.quantity_fulfilled, "OTHER")], "x")
        )
        second = await client.gql(AUTHORIZE, authorize_vars(number, [(1, 1, "OTHER")], "y"))
        other_line = await client.gql(AUTHORIZE, authorize_vars(number, [(2, 1, "OTHER")], "z"))
    assert first["data"]["authorizeReturn"]["userErrors"] == []
    assert _errors(second) == [("QUANTITY_EXCEEDS_RETURNABLE", ["lines", "0", "quantity"])]
    assert other_line["data"]["authorizeReturn"]["return"]["id"] == f"RMA-{number[1:]}-02"


async def test_a_blank_or_quoted_order_id_is_an_unknown_order_and_asks_no_system(
    sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    # Found by fuzzing: Shopify's search refused name:"" (UPSTREAM_REJECTED) and could not say a
    # double quote (UPSTREAM_REQUEST_INVALID), failing the mutation instead of refusing the input.
    def calls() -> dict[str, int]:  # the OMS's facility list (the location directory) aside
        oms = sandboxes.apps["oms"].state.runtime.stats.by_route
        found = {system: sandboxes.calls(system) for system in ("erp", "pos", "shopify")}
        return {
            **found,
            "oms": sum(
                n for route, n in oms.items() if "/facilities" not in route and "/_admin" not in route
            ),
        }

    async with serve_subgraph("returns") as client:
        before = calls()
        refused = [
            _errors(await client.gql(AUTHORIZE, authorize_vars(order_id, [(1, 1, "DAMAGED")], f"k{i}")))
            for i, order_id in enumerate(["", "  ", 'R1"'])
        ]
        returns = await client.gql(
            "query($r: [_Any!]!) { _entities(representations: $r) {"
            " ... on Order { returns { id } } ... on Customer { returns { id } } } }",
            {"r": [{"__typename": "Order", "id": ""}, {"__typename": "Customer", "id": " "}]},
        )
        assert calls() == before
    assert refused == [[("UNKNOWN_ORDER", ["orderId"])]] * 3
    assert returns == {"data": {"_entities": [{"returns": []}, {"returns": []}]}}

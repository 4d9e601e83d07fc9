"""Returns: seeded statuses, creating and requesting returns, status transitions and quantity rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.shopify.statuses import RETURN_STATUS
from sandbox.world import World
from tests.sandbox._shopify import Shop, open_shop

Clients = Callable[..., httpx.AsyncClient]

RETURN_FIELDS = """id name status createdAt closedAt requestApprovedAt totalQuantity order { id name }
  decline { reason note }
  returnLineItems(first: 10) { nodes { id quantity returnReason returnReasonNote customerNote
    ... on ReturnLineItem { fulfillmentLineItem { id lineItem { sku } } } } }"""
ORDER_RETURNS = """query($id: ID!) { order(id: $id) { name returns(first: 10) { nodes { SELECTION } }
  fulfillments(first: 5) { status
    fulfillmentLineItems(first: 10) { nodes { id quantity lineItem { sku } } } } } }"""
CREATE = """mutation($input: ReturnInput!, $key: String!) {
  returnCreate(returnInput: $input) @idempotent(key: $key) {
    return { SELECTION } userErrors { field message code } } }""".replace("SELECTION", RETURN_FIELDS)
REQUEST = """mutation($input: ReturnRequestInput!) { returnRequest(input: $input) {
  return { SELECTION } userErrors { field message code } } }""".replace("SELECTION", RETURN_FIELDS)


def order_returns(selection: str) -> str:
    return ORDER_RETURNS.replace("SELECTION", selection)


def transition(mutation: str, argument: str, type_name: str) -> str:
    """A status-changing mutation taking ``$value`` as its one argument."""
    return f"""mutation($value: {type_name}) {{ {mutation}({argument}: $value) {{
      return {{ id status closedAt decline {{ reason note }} }} userErrors {{ field message code }} }} }}"""


APPROVE = transition("returnApproveRequest", "input", "ReturnApproveRequestInput!")
DECLINE = transition("returnDeclineRequest", "input", "ReturnDeclineRequestInput!")
CLOSE = transition("returnClose", "id", "ID!")
REOPEN = transition("returnReopen", "id", "ID!")
CANCEL = transition("returnCancel", "id", "ID!")


@pytest.fixture
def shop(client_for: Clients) -> Shop:
    return open_shop(client_for)


def returnable_order(world: World) -> tuple[str, int]:
    """An online order fulfilled with a line of 2+ units and no returns yet: (order gid, fulfilled units)."""
    for order in world.orders:
        if (
            order.in_shopify
            and order.status == "FULFILLED"
            and not order.returns
            and order.lines[0].quantity >= 2
            and any(s.status in ("DELIVERED", "PICKED_UP", "SHIPPED") for s in order.shipments)
        ):
            return f"gid://shopify/Order/{order.shopify_order_id}", order.lines[0].quantity
    raise AssertionError("no returnable order")


async def fulfillment_line(shop: Shop, order_id: str) -> dict[str, Any]:
    data = await shop.gql(order_returns("id"), {"id": order_id})
    (fulfillment,) = [f for f in data["order"]["fulfillments"] if f["status"] == "SUCCESS"]
    line: dict[str, Any] = fulfillment["fulfillmentLineItems"]["nodes"][0]
    return line


async def test_every_return_status_occurs_in_the_seeded_orders(shop: Shop, world: World) -> None:
    orders = await shop.every("orders", "returns(first: 5) { nodes { status } }")
    statuses = {r["status"] for o in orders for r in o["returns"]["nodes"]}
    assert statuses == set(RETURN_STATUS.values()) == {"REQUESTED", "OPEN", "DECLINED", "CLOSED", "CANCELED"}
    seeded = sum(len(o.returns) for o in world.orders if o.in_shopify)
    assert sum(len(o["returns"]["nodes"]) for o in orders) == seeded


async def test_a_seeded_return_points_at_the_fulfilled_line_it_returns(shop: Shop, world: World) -> None:
    order = next(o for o in world.orders if o.in_shopify and o.returns and o.returns[0].status == "DECLINED")
    data = await shop.gql(
        order_returns(RETURN_FIELDS), {"id": f"gid://shopify/Order/{order.shopify_order_id}"}
    )
    (ret,) = data["order"]["returns"]["nodes"]
    assert ret["status"] == "DECLINED"
    assert ret["name"] == f"{order.number}-R1"
    assert ret["decline"]["reason"] in {"RETURN_PERIOD_ENDED", "FINAL_SALE", "OTHER"}
    (line,) = ret["returnLineItems"]["nodes"]
    world_line = order.lines[order.returns[0].lines[0].line_no - 1]
    assert line["fulfillmentLineItem"]["lineItem"]["sku"] == world_line.sku
    assert line["quantity"] == order.returns[0].lines[0].quantity == ret["totalQuantity"]
    single = await shop.gql("query($id: ID!) { return(id: $id) { id order { name } } }", {"id": ret["id"]})
    assert single["return"] == {"id": ret["id"], "order": {"name": order.number}}


async def test_return_create_opens_a_return_for_fulfilled_units(shop: Shop, world: World) -> None:
    order_id, units = returnable_order(world)
    target = await fulfillment_line(shop, order_id)
    data = await shop.gql(
        CREATE,
        {
            "input": {
                "orderId": order_id,
                "returnLineItems": [
                    {
                        "fulfillmentLineItemId": target["id"],
                        "quantity": 1,
                        "returnReason": "SIZE_TOO_SMALL",
                        "returnReasonNote": "tight",
                    }
                ],
            },
            "key": "ret-1",
        },
    )
    payload = data["returnCreate"]
    assert payload["userErrors"] == []
    ret = payload["return"]
    assert ret["status"] == "OPEN"
    assert ret["requestApprovedAt"] is not None
    (line,) = ret["returnLineItems"]["nodes"]
    assert (line["quantity"], line["returnReason"], line["returnReasonNote"]) == (
        1,
        "SIZE_TOO_SMALL",
        "tight",
    )
    assert line["fulfillmentLineItem"]["id"] == target["id"]
    listed = await shop.gql(order_returns("id status"), {"id": order_id})
    assert [r["id"] for r in listed["order"]["returns"]["nodes"]] == [ret["id"]]
    replay = await shop.gql(
        CREATE,
        {
            "input": {
                "orderId": order_id,
                "returnLineItems": [
                    {
                        "fulfillmentLineItemId": target["id"],
                        "quantity": 1,
                        "returnReason": "SIZE_TOO_SMALL",
                        "returnReasonNote": "tight",
                    }
                ],
            },
            "key": "ret-1",
        },
    )
    assert replay["returnCreate"]["return"]["id"] == ret["id"]
    after = await shop.gql(order_returns("id"), {"id": order_id})
    assert len(after["order"]["returns"]["nodes"]) == 1 < units


async def test_no_more_than_the_fulfilled_and_not_yet_returned_quantity_is_returnable(
    shop: Shop, world: World
) -> None:
    order_id, _ = returnable_order(world)
    target = await fulfillment_line(shop, order_id)
    fulfilled = target["quantity"]

    def request(quantity: int) -> dict[str, Any]:
        items = [{"fulfillmentLineItemId": target["id"], "quantity": quantity, "returnReason": "UNWANTED"}]
        return {"input": {"orderId": order_id, "returnLineItems": items}}

    too_many = await shop.gql(REQUEST, request(fulfilled + 1))
    (error,) = too_many["returnRequest"]["userErrors"]
    assert error["code"] == "LESS_THAN_OR_EQUAL_TO"
    assert error["field"] == ["input", "returnLineItems", "0", "quantity"]
    first = await shop.gql(REQUEST, request(fulfilled - 1))
    assert first["returnRequest"]["return"]["status"] == "REQUESTED"
    second = await shop.gql(REQUEST, request(2))
    assert second["returnRequest"]["userErrors"][0]["message"].startswith(
        "Quantity must be less than or equal to 1"
    )
    declined = await shop.gql(
        DECLINE,
        {
            "value": {
                "id": first["returnRequest"]["return"]["id"],
                "declineReason": "FINAL_SALE",
                "declineNote": "sale item",
            }
        },
    )
    assert declined["returnDeclineRequest"]["return"]["decline"] == {
        "reason": "FINAL_SALE",
        "note": "sale item",
    }
    freed = await shop.gql(REQUEST, request(fulfilled))
    assert freed["returnRequest"]["userErrors"] == []


async def test_return_lines_must_be_fulfilled_lines_of_the_same_order(shop: Shop, world: World) -> None:
    order_id, _ = returnable_order(world)
    other = next(
        o
        for o in world.orders
        if o.in_shopify and o.status == "FULFILLED" and f"/{o.shopify_order_id}" not in order_id
    )
    target = await fulfillment_line(shop, f"gid://shopify/Order/{other.shopify_order_id}")
    cases = [
        ({"orderId": "gid://shopify/Order/1", "returnLineItems": []}, ["input", "orderId"], "NOT_FOUND"),
        ({"orderId": order_id, "returnLineItems": []}, ["input", "returnLineItems"], "BLANK"),
        (
            {
                "orderId": order_id,
                "returnLineItems": [
                    {"fulfillmentLineItemId": target["id"], "quantity": 1, "returnReason": "OTHER"}
                ],
            },
            ["input", "returnLineItems", "0", "fulfillmentLineItemId"],
            "NOT_FOUND",
        ),
        (
            {
                "orderId": f"gid://shopify/Order/{other.shopify_order_id}",
                "returnLineItems": [
                    {"fulfillmentLineItemId": target["id"], "quantity": 0, "returnReason": "OTHER"}
                ],
            },
            ["input", "returnLineItems", "0", "quantity"],
            "GREATER_THAN",
        ),
    ]
    for data_in, field, code in cases:
        data = await shop.gql(REQUEST, {"input": data_in})
        (error,) = data["returnRequest"]["userErrors"]
        assert (error["field"], error["code"]) == (field, code)


async def test_requested_returns_are_approved_then_closed_reopened_and_cancelled(
    shop: Shop, world: World
) -> None:
    order_id, _ = returnable_order(world)
    target = await fulfillment_line(shop, order_id)
    items = [
        {
            "fulfillmentLineItemId": target["id"],
            "quantity": 1,
            "returnReason": "DEFECTIVE",
            "customerNote": "broken zip",
        }
    ]
    requested = await shop.gql(REQUEST, {"input": {"orderId": order_id, "returnLineItems": items}})
    ret = requested["returnRequest"]["return"]
    assert ret["returnLineItems"]["nodes"][0]["customerNote"] == "broken zip"
    close_too_early = await shop.gql(CLOSE, {"value": ret["id"]})
    assert close_too_early["returnClose"]["userErrors"][0]["code"] == "INVALID_STATE"
    approved = await shop.gql(APPROVE, {"value": {"id": ret["id"]}})
    assert approved["returnApproveRequest"]["return"]["status"] == "OPEN"
    approve_again = await shop.gql(APPROVE, {"value": {"id": ret["id"]}})
    assert approve_again["returnApproveRequest"]["userErrors"][0]["code"] == "INVALID_STATE"
    closed = await shop.gql(CLOSE, {"value": ret["id"]})
    assert closed["returnClose"]["return"]["status"] == "CLOSED"
    assert closed["returnClose"]["return"]["closedAt"]
    cancel_closed = await shop.gql(CANCEL, {"value": ret["id"]})
    assert cancel_closed["returnCancel"]["userErrors"][0]["code"] == "INVALID_STATE"
    reopened = await shop.gql(REOPEN, {"value": ret["id"]})
    assert reopened["returnReopen"]["return"] == {
        "id": ret["id"],
        "status": "OPEN",
        "closedAt": None,
        "decline": None,
    }
    cancelled = await shop.gql(CANCEL, {"value": ret["id"]})
    assert cancelled["returnCancel"]["return"]["status"] == "CANCELED"


async def test_transitions_of_an_unknown_return_are_not_found(shop: Shop) -> None:
    data = await shop.gql(CLOSE, {"value": "gid://shopify/Return/1"})
    assert data["returnClose"]["userErrors"] == [
        {"field": ["id"], "message": "Return does not exist.", "code": "NOT_FOUND"}
    ]
    declined = await shop.gql(DECLINE, {"value": {"id": "gid://shopify/Return/1", "declineReason": "OTHER"}})
    assert declined["returnDeclineRequest"]["userErrors"][0]["field"] == ["input", "id"]

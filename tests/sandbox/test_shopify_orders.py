"""Orders: the seeded online orders in Shopify's statuses, search, orderCreate and orderCancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.shopify.statuses import FULFILLMENT_DISPLAY, FULFILLMENT_STATUS
from sandbox.world import World
from tests.sandbox._shopify import Shop, open_shop

Clients = Callable[..., httpx.AsyncClient]

ORDER_FIELDS = """id name displayFinancialStatus displayFulfillmentStatus closed cancelledAt cancelReason
  email
  customer { id } totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 10) { nodes { sku quantity currentQuantity unfulfilledQuantity } }
  fulfillments(first: 5) { status displayStatus fulfillmentLineItems(first: 10) { nodes { quantity } } }
  fulfillmentOrders(first: 5) { nodes { status deliveryMethod { methodType } } }"""
CREATE = """mutation($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput, $key: String!) {
  orderCreate(order: $order, options: $options) @idempotent(key: $key) {
    order { id name email displayFinancialStatus displayFulfillmentStatus customer { id email }
      lineItems(first: 10) { nodes { id sku quantity originalUnitPriceSet { shopMoney { amount } } } }
      fulfillmentOrders(first: 5) { nodes { status assignedLocation { location { id } } } } }
    userErrors { field message code } } }"""
CANCEL = """mutation($id: ID!, $restock: Boolean!, $refund: Boolean) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: $restock, refund: $refund) {
    job { id done } orderCancelUserErrors { field message code } userErrors { field message } } }"""
LEVEL = """query($item: ID!, $loc: ID!) { inventoryItem(id: $item) { inventoryLevel(locationId: $loc) {
  quantities(names: ["available", "committed", "on_hand"]) { name quantity } } } }"""


@pytest.fixture
def shop(client_for: Clients) -> Shop:
    return open_shop(client_for)


async def all_orders(shop: Shop, query: str | None = None) -> list[dict[str, Any]]:
    return await shop.every("orders", ORDER_FIELDS, query)


async def test_only_online_orders_are_in_shopify_under_their_business_numbers(
    shop: Shop, world: World
) -> None:
    orders = await shop.every("orders", "id name", sortKey="ID")
    online = [o for o in world.orders if o.in_shopify]
    assert [o["name"] for o in orders] == [o.number for o in online]
    assert [o["id"] for o in orders] == [f"gid://shopify/Order/{o.shopify_order_id}" for o in online]


async def test_every_mapped_fulfillment_and_financial_status_occurs(shop: Shop, world: World) -> None:
    orders = await all_orders(shop)
    assert {o["displayFulfillmentStatus"] for o in orders} == {
        "UNFULFILLED",
        "ON_HOLD",
        "IN_PROGRESS",
        "PARTIALLY_FULFILLED",
        "FULFILLED",
        "RESTOCKED",
    }
    online = {o.financial_status for o in world.orders if o.in_shopify}
    assert {o["displayFinancialStatus"] for o in orders} == online
    assert online == {"PENDING", "AUTHORIZED", "PAID", "PARTIALLY_REFUNDED", "REFUNDED", "VOIDED"}
    fulfillments = [f for o in orders for f in o["fulfillments"]]
    assert {f["status"] for f in fulfillments} == set(FULFILLMENT_STATUS.values())
    assert {f["displayStatus"] for f in fulfillments} == set(FULFILLMENT_DISPLAY.values())
    fo_statuses = {fo["status"] for o in orders for fo in o["fulfillmentOrders"]["nodes"]}
    assert fo_statuses == {"OPEN", "ON_HOLD", "IN_PROGRESS", "CLOSED", "CANCELLED"}
    methods = {fo["deliveryMethod"]["methodType"] for o in orders for fo in o["fulfillmentOrders"]["nodes"]}
    assert methods == {"SHIPPING", "PICK_UP"}


async def test_seeded_orders_agree_with_the_world(shop: Shop, world: World) -> None:
    orders = {o["name"]: o for o in await all_orders(shop)}
    for source in (o for o in world.orders if o.in_shopify):
        got = orders[source.number]
        assert got["email"] == source.email
        total = got["totalPriceSet"]["shopMoney"]
        assert total == {
            "amount": f"{source.total_cents // 100}.{source.total_cents % 100:02d}",
            "currencyCode": "USD",
        }
        assert [line["sku"] for line in got["lineItems"]["nodes"]] == [line.sku for line in source.lines]
        cancelled = source.status == "CANCELLED"
        assert (got["cancelledAt"] is not None) == cancelled
        for line, world_line in zip(got["lineItems"]["nodes"], source.lines, strict=True):
            expected_open = 0 if cancelled else world_line.quantity - world_line.quantity_fulfilled
            assert line["unfulfilledQuantity"] == expected_open
        counted = sum(
            fl["quantity"]
            for f in got["fulfillments"]
            if f["status"] == "SUCCESS"
            for fl in f["fulfillmentLineItems"]["nodes"]
        )
        assert counted == sum(line.quantity_fulfilled for line in source.lines)


async def test_orders_search_by_status_and_financial_and_fulfillment_status(shop: Shop) -> None:
    everything = await all_orders(shop)
    cancelled = await all_orders(shop, "status:cancelled")
    assert cancelled
    assert all(o["cancelledAt"] for o in cancelled)
    assert len(cancelled) == sum(1 for o in everything if o["cancelledAt"])
    open_orders = await all_orders(shop, "status:open")
    assert open_orders
    assert not any(o["closed"] for o in open_orders)
    paid_partial = await all_orders(shop, "financial_status:paid fulfillment_status:partial")
    assert paid_partial
    assert all(
        o["displayFinancialStatus"] == "PAID" and o["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
        for o in paid_partial
    )
    unshipped_or_hold = await all_orders(shop, "fulfillment_status:unshipped OR fulfillment_status:on_hold")
    assert {o["displayFulfillmentStatus"] for o in unshipped_or_hold} == {"UNFULFILLED", "ON_HOLD"}


async def test_orders_search_by_name_email_and_customer(shop: Shop, world: World) -> None:
    order = next(o for o in world.orders if o.in_shopify and o.customer_id)
    by_name = await all_orders(shop, f"name:{order.number}")
    assert [o["name"] for o in by_name] == [order.number]
    by_email = await all_orders(shop, f"email:{order.email}")
    assert order.number in {o["name"] for o in by_email}
    customer = world.customers_by_id[order.customer_id or ""]
    by_customer = await all_orders(shop, f"customer_id:{customer.shopify_customer_id}")
    assert {o["customer"]["id"] for o in by_customer} == {
        f"gid://shopify/Customer/{customer.shopify_customer_id}"
    }


async def test_orders_search_by_date_range_and_sort_by_created_descending(shop: Shop, world: World) -> None:
    nodes = await shop.every(
        "orders",
        "name createdAt",
        "created_at:>=2026-10-01 created_at:<2026-10-15",
        sortKey="CREATED_AT",
        reverse="true",
    )
    stamps = [n["createdAt"] for n in nodes]
    assert stamps == sorted(stamps, reverse=True)
    assert all("2026-10-01" <= s < "2026-10-15" for s in stamps)
    expected = [
        o for o in world.orders if o.in_shopify and "2026-10-01" <= o.placed_at.isoformat() < "2026-10-15"
    ]
    assert len(nodes) == len(expected) > 0


async def test_order_create_commits_stock_and_is_found_by_name(shop: Shop, world: World) -> None:
    variant = world.products[4].variants[0]
    data = await shop.gql(
        CREATE,
        {
            "order": {
                "email": "new.buyer@example.com",
                "lineItems": [
                    {"variantId": f"gid://shopify/ProductVariant/{variant.shopify_variant_id}", "quantity": 2}
                ],
                "financialStatus": "PAID",
            },
            "key": "order-1",
        },
    )
    payload = data["orderCreate"]
    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["name"] == f"R{100_000 + len(world.orders) + 1}"
    assert (order["displayFinancialStatus"], order["displayFulfillmentStatus"]) == ("PAID", "UNFULFILLED")
    (line,) = order["lineItems"]["nodes"]
    assert (line["sku"], line["quantity"]) == (variant.sku, 2)
    assert line["originalUnitPriceSet"]["shopMoney"]["amount"] == f"{variant.price_cents / 100:.2f}"
    (fo,) = order["fulfillmentOrders"]["nodes"]
    assert fo["status"] == "OPEN"
    location_id = fo["assignedLocation"]["location"]["id"]
    loc = next(
        loc for loc in world.locations if f"gid://shopify/Location/{loc.shopify_location_id}" == location_id
    )
    assert loc.fulfills_online
    stock = world.stock(variant.sku, loc.code)
    assert stock is not None
    level = await shop.gql(
        LEVEL,
        {"item": f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}", "loc": location_id},
    )
    got = {q["name"]: q["quantity"] for q in level["inventoryItem"]["inventoryLevel"]["quantities"]}
    assert got["committed"] == world.committed(variant.sku, loc.code) + 2
    assert got["on_hand"] == stock.on_hand
    found = await all_orders(shop, f"name:{order['name']}")
    assert [o["id"] for o in found] == [order["id"]]


async def test_order_create_replays_under_the_same_key_and_refuses_other_arguments(
    shop: Shop, world: World
) -> None:
    sku = world.products[9].variants[0].sku
    variables = {"order": {"lineItems": [{"sku": sku, "quantity": 1}]}, "key": "replay-me"}
    first = await shop.gql(CREATE, variables)
    second = await shop.gql(CREATE, variables)
    assert first == second
    assert len(await all_orders(shop, f"sku:{sku} created_at:>2026-11-02")) == 1
    changed = await shop.gql(CREATE, {**variables, "order": {"lineItems": [{"sku": sku, "quantity": 3}]}})
    assert changed["orderCreate"]["order"] is None
    assert changed["orderCreate"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"


async def test_order_create_associates_or_upserts_a_customer(shop: Shop, world: World) -> None:
    customer = next(c for c in world.customers if c.shopify_customer_id)
    sku = world.products[0].variants[0].sku
    line = [{"sku": sku, "quantity": 1}]
    known = await shop.gql(
        CREATE,
        {"order": {"lineItems": line, "customer": {"toUpsert": {"email": customer.email}}}, "key": "c1"},
    )
    assert (
        known["orderCreate"]["order"]["customer"]["id"]
        == f"gid://shopify/Customer/{customer.shopify_customer_id}"
    )
    fresh = await shop.gql(
        CREATE,
        {
            "order": {
                "lineItems": line,
                "customer": {"toUpsert": {"email": "fresh@example.org", "firstName": "Fay"}},
            },
            "key": "c2",
        },
    )
    created = fresh["orderCreate"]["order"]["customer"]
    assert created["email"] == "fresh@example.org"
    again = await shop.gql(CREATE, {"order": {"lineItems": line, "customerId": created["id"]}, "key": "c3"})
    assert again["orderCreate"]["order"]["customer"]["id"] == created["id"]
    data = await shop.gql(
        "query($id: ID!) { customer(id: $id) { numberOfOrders firstName } }", {"id": created["id"]}
    )
    assert data["customer"] == {"numberOfOrders": "2", "firstName": "Fay"}


async def test_order_create_user_errors(shop: Shop, world: World) -> None:
    sku = world.products[0].variants[0].sku
    cases: list[tuple[dict[str, Any], list[str], str]] = [
        ({"lineItems": []}, ["order", "lineItems"], "INVALID"),
        (
            {"lineItems": [{"variantId": "gid://shopify/ProductVariant/1", "quantity": 1}]},
            ["order", "lineItems", "0", "variantId"],
            "INVALID",
        ),
        ({"lineItems": [{"sku": "NOPE-1", "quantity": 1}]}, ["order", "lineItems", "0", "sku"], "INVALID"),
        ({"lineItems": [{"sku": sku, "quantity": 0}]}, ["order", "lineItems", "0", "quantity"], "INVALID"),
        (
            {"lineItems": [{"sku": sku, "quantity": 1}], "customerId": "gid://shopify/Customer/1"},
            ["order", "customerId"],
            "INVALID",
        ),
        (
            {
                "lineItems": [{"sku": sku, "quantity": 1}],
                "customerId": "gid://shopify/Customer/1",
                "customer": {"toUpsert": {"email": "a@b.c"}},
            },
            ["order", "customerId"],
            "REDUNDANT_CUSTOMER_FIELDS",
        ),
        (
            {"lineItems": [{"sku": sku, "quantity": 1}], "processedAt": "2999-01-01T00:00:00Z"},
            ["order", "processedAt"],
            "PROCESSED_AT_INVALID",
        ),
    ]
    for i, (order, field, code) in enumerate(cases):
        data = await shop.gql(CREATE, {"order": order, "key": f"bad-{i}"})
        assert data["orderCreate"]["order"] is None
        (error,) = data["orderCreate"]["userErrors"]
        assert (error["field"], error["code"]) == (field, code), order


async def test_order_create_obeying_policy_refuses_more_than_is_available(shop: Shop, world: World) -> None:
    sku = world.products[0].variants[0].sku
    data = await shop.gql(
        CREATE,
        {
            "order": {"lineItems": [{"sku": sku, "quantity": 100_000}]},
            "options": {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"},
            "key": "greedy",
        },
    )
    assert data["orderCreate"]["userErrors"][0]["code"] == "INVENTORY_CLAIM_FAILED"


async def test_order_cancel_releases_committed_stock_back_to_available(shop: Shop, world: World) -> None:
    source = next(o for o in world.orders if o.in_shopify and o.status == "PENDING")
    line = source.lines[0]
    loc = world.locations_by_code[line.location_code]
    variant = world.variants_by_sku[line.sku]
    level_ids = {
        "item": f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}",
        "loc": f"gid://shopify/Location/{loc.shopify_location_id}",
    }
    before = await shop.gql(LEVEL, level_ids)
    data = await shop.gql(CANCEL, {"id": f"gid://shopify/Order/{source.shopify_order_id}", "restock": True})
    payload = data["orderCancel"]
    assert payload["orderCancelUserErrors"] == []
    assert payload["userErrors"] == []
    assert payload["job"]["done"] is False
    job = await shop.gql("query($id: ID!) { job(id: $id) { id done } }", {"id": payload["job"]["id"]})
    assert job["job"]["done"] is True
    after = await shop.gql(LEVEL, level_ids)
    q_before = {q["name"]: q["quantity"] for q in before["inventoryItem"]["inventoryLevel"]["quantities"]}
    q_after = {q["name"]: q["quantity"] for q in after["inventoryItem"]["inventoryLevel"]["quantities"]}
    assert q_after["committed"] == q_before["committed"] - line.quantity
    assert q_after["available"] == q_before["available"] + line.quantity
    assert q_after["on_hand"] == q_before["on_hand"]
    (order,) = await all_orders(shop, f"name:{source.number}")
    assert order["cancelledAt"]
    assert order["cancelReason"] == "CUSTOMER"
    assert order["closed"]
    assert order["displayFulfillmentStatus"] == "RESTOCKED"
    assert order["displayFinancialStatus"] == "VOIDED"
    assert {fo["status"] for fo in order["fulfillmentOrders"]["nodes"]} == {"CANCELLED"}
    again = await shop.gql(CANCEL, {"id": f"gid://shopify/Order/{source.shopify_order_id}", "restock": True})
    assert again["orderCancel"]["orderCancelUserErrors"][0]["code"] == "INVALID"


async def test_order_cancel_with_refund_refunds_a_paid_order(shop: Shop, world: World) -> None:
    line = {"sku": world.products[1].variants[0].sku, "quantity": 1}
    created = await shop.gql(
        CREATE, {"order": {"lineItems": [line], "financialStatus": "PAID"}, "key": "to-refund"}
    )
    order_id = created["orderCreate"]["order"]["id"]
    data = await shop.gql(CANCEL, {"id": order_id, "restock": False, "refund": True})
    assert data["orderCancel"]["orderCancelUserErrors"] == []
    got = await shop.gql(
        """query($id: ID!) { order(id: $id) { displayFinancialStatus displayFulfillmentStatus
             currentTotalPriceSet { shopMoney { amount } } } }""",
        {"id": order_id},
    )
    assert got["order"] == {
        "displayFinancialStatus": "REFUNDED",
        "displayFulfillmentStatus": "UNFULFILLED",
        "currentTotalPriceSet": {"shopMoney": {"amount": "0.00"}},
    }


async def test_order_cancel_refuses_fulfilled_and_unknown_orders(shop: Shop, world: World) -> None:
    fulfilled = next(o for o in world.orders if o.in_shopify and o.status == "FULFILLED")
    data = await shop.gql(
        CANCEL, {"id": f"gid://shopify/Order/{fulfilled.shopify_order_id}", "restock": True}
    )
    assert data["orderCancel"]["orderCancelUserErrors"][0]["code"] == "INVALID"
    missing = await shop.gql(CANCEL, {"id": "gid://shopify/Order/42", "restock": True})
    assert missing["orderCancel"]["orderCancelUserErrors"][0]["code"] == "NOT_FOUND"
    assert missing["orderCancel"]["userErrors"][0]["field"] == ["orderId"]
    malformed = await shop.raw(CANCEL, {"id": "R100001", "restock": True})
    assert malformed["errors"][0]["message"] == "Invalid global id 'R100001'"


async def test_a_custom_line_needs_a_title_and_a_decimal_price(shop: Shop) -> None:
    custom = {
        "sku": "GIFTWRAP",
        "title": "Gift wrap",
        "quantity": 1,
        "priceSet": {"shopMoney": {"amount": "4.50", "currencyCode": "USD"}},
    }
    data = await shop.gql(CREATE, {"order": {"lineItems": [custom]}, "key": "custom"})
    (line,) = data["orderCreate"]["order"]["lineItems"]["nodes"]
    assert (line["sku"], line["originalUnitPriceSet"]["shopMoney"]["amount"]) == ("GIFTWRAP", "4.50")
    bad = {**custom, "priceSet": {"shopMoney": {"amount": "four fifty", "currencyCode": "USD"}}}
    body = await shop.raw(CREATE, {"order": {"lineItems": [bad]}, "key": "custom-bad"})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert "data" not in body

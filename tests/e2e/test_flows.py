"""The three apps' flows through the gateway, with their own operations, over the whole stack."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.world import World
from tests.e2e.conftest import Gateway

ADDRESS = {"line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "countryCode": "US"}


def _in_stock_online(gateway: Gateway, world: World, want: int = 3) -> str:
    skus = [v.sku for v in list(world.variants)[:40]]
    data = gateway.op("storefront/CartAvailability", {"skus": skus})
    for variant in data["variants"]:
        if variant["availability"]["availableToSell"] >= want:
            return str(variant["sku"])
    raise AssertionError("no SKU in stock online among the first 40")


def _wait_for(predicate: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def test_storefront_availability_then_order_then_its_status_and_erp_posting(
    gateway: Gateway, world: World
) -> None:
    sku = _in_stock_online(gateway, world)
    listing = gateway.op("storefront/ProductListing", {"first": 5})
    assert len(listing["products"]["edges"]) == 5
    order_input = {
        "channel": "ONLINE",
        "email": "shopper@example.com",
        "lines": [{"sku": sku, "quantity": 1}],
        "fulfilment": {"type": "SHIP", "shippingAddress": ADDRESS},
        "paymentReference": "pay_" + uuid.uuid4().hex[:12],
    }
    key = str(uuid.uuid4())
    submitted = gateway.op("storefront/SubmitOrder", {"input": order_input, "idempotencyKey": key})
    payload = submitted["submitOrder"]
    assert payload["userErrors"] == []
    assert payload["replayed"] is False
    order = payload["order"]
    assert order["lines"][0]["variant"]["sku"] == sku
    again = gateway.op("storefront/SubmitOrder", {"input": order_input, "idempotencyKey": key})["submitOrder"]
    assert again["replayed"] is True
    assert again["order"]["number"] == order["number"]

    status = gateway.op("storefront/OrderStatus", {"id": order["id"]})["order"]
    assert status["number"] == order["number"]
    assert status["status"] in {"PENDING", "IN_PROGRESS"}

    def posted() -> bool:
        found = gateway.op("cs-portal/OrderByNumber", {"number": order["number"]})["orderByNumber"]
        return bool(found and found["erpPosting"] == "POSTED")

    _wait_for(posted)


def test_clienteling_customer_by_email_then_orders_then_store_availability(
    gateway: Gateway, world: World
) -> None:
    customer = next(c for c in world.customers if any(o.customer_id == c.id for o in world.orders))
    found = gateway.op("clienteling/CustomerByEmail", {"email": customer.email.upper()})["customerByEmail"]
    assert found["id"] == customer.id
    assert found["lastName"] == customer.last_name
    assert found["orders"], "the customer has orders"
    placed = [o["placedAt"] for o in found["orders"]]
    assert placed == sorted(placed, reverse=True)
    store = next(loc for loc in world.locations if loc.type == "STORE" and loc.pickup_enabled)
    skus = [line["variant"]["sku"] for order in found["orders"] for line in order["lines"]][:5]
    stock = gateway.op("clienteling/StoreAvailability", {"skus": skus, "storeIds": [store.code]})
    for variant in stock["variants"]:
        assert variant["inStore"]["availableToSell"] >= 0
        assert all(row["location"]["id"] == store.code for row in variant["inStore"]["locations"])
    profile = gateway.op("clienteling/CustomerProfile", {"id": customer.id})["customer"]
    assert {ref["system"] for ref in profile["externalRefs"]} >= {"SHOPIFY"} or profile["externalRefs"]


def test_customer_service_order_by_number_then_return_then_its_status(gateway: Gateway, world: World) -> None:
    recent = datetime.now(UTC) - timedelta(days=25)
    order = next(
        o
        for o in sorted(world.orders, key=lambda o: o.placed_at, reverse=True)
        if o.status == "FULFILLED" and o.channel == "ONLINE" and not o.returns and o.placed_at > recent
    )
    seen = gateway.op("cs-portal/OrderByNumber", {"number": order.number})["orderByNumber"]
    assert seen["number"] == order.number
    assert seen["status"] == "FULFILLED"
    line = seen["lines"][0]
    assert line["quantityFulfilled"] >= 1
    request = {
        "orderId": seen["id"],
        "lines": [{"orderLineId": line["id"], "quantity": 1, "reason": "SIZE_OR_FIT"}],
    }
    authorised = gateway.op(
        "cs-portal/AuthorizeReturn", {"input": request, "idempotencyKey": str(uuid.uuid4())}
    )["authorizeReturn"]
    assert authorised["userErrors"] == []
    rma = authorised["return"]
    assert rma["lines"][0]["orderLineId"] == line["id"]
    status = gateway.op("cs-portal/ReturnStatus", {"id": rma["id"]})["returnAuthorization"]
    assert status["rmaNumber"] == rma["rmaNumber"]
    assert status["order"]["number"] == order.number
    assert status["status"] in {"REQUESTED", "APPROVED"}

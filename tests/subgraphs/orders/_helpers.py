"""Helpers of the orders subgraph's tests: inputs from the seeded world, the sandboxes' books, polling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from sandbox.oms.orders import OrderQuery
from sandbox.world import World

ORDER_FIELDS = """
fragment OrderFields on Order {
  id number channel placedAt customer { id } status financialStatus erpPosting
  lines { id variant { sku } quantity quantityFulfilled quantityReturned
          unitPrice { amount currencyCode } fulfilmentLocation { id } }
  total { amount currencyCode }
  shipments { id status location { id } carrier trackingNumber lines { orderLineId quantity } updatedAt }
  timeline { at system type message }
  externalRefs { system id }
}
"""

SUBMIT = (
    ORDER_FIELDS
    + """
mutation Submit($input: SubmitOrderInput!, $key: ID!) {
  submitOrder(input: $input, idempotencyKey: $key) {
    order { ...OrderFields }
    userErrors { code field message }
    replayed
  }
}
"""
)

ADDRESS = {"line1": "1 Main St", "city": "Boston", "region": "MA", "postalCode": "02120", "countryCode": "US"}


def ats(world: World, sku: str, location: str) -> int:
    """The OMS's seeded available-to-promise of ``sku`` at ``location`` (0 where not carried)."""
    stock = world.stock(sku, location)
    if stock is None:
        return 0
    held = world.committed(sku, location) + stock.damaged + stock.quality_control + stock.safety_stock
    return stock.on_hand - held


def online_locations(world: World) -> list[str]:
    return sorted(loc.code for loc in world.locations if loc.fulfills_online)


def shippable_skus(world: World, at_least: int, count: int) -> list[str]:
    """SKUs whose best online-fulfilling location has ``at_least`` units (the first ``count``)."""
    found = []
    for variant in world.variants:
        if max(ats(world, variant.sku, loc) for loc in online_locations(world)) >= at_least:
            found.append(variant.sku)
            if len(found) == count:
                break
    return found


def pickup_pair(world: World, at_least: int) -> tuple[str, str]:
    """(pickup store, SKU) with at least ``at_least`` units there."""
    for location in sorted(world.locations, key=lambda loc: loc.code):
        if location.type == "STORE" and location.pickup_enabled:
            for variant in world.variants:
                if ats(world, variant.sku, location.code) >= at_least:
                    return location.code, variant.sku
    raise LookupError("no pickup store with that much stock")


def store_without_pickup(world: World) -> str:
    return next(loc.code for loc in world.locations if loc.type == "STORE" and not loc.pickup_enabled)


def ship_input(
    skus: list[str], *, channel: str = "ONLINE", quantity: int = 1, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": channel,
        "email": "shopper@example.com",
        "lines": [{"sku": sku, "quantity": quantity} for sku in skus],
        "fulfilment": {"type": "SHIP", "shippingAddress": ADDRESS},
        "paymentReference": "auth-0001",
    }
    body.update(extra)
    return body


def pickup_input(store: str, sku: str, *, channel: str = "ONLINE", quantity: int = 1) -> dict[str, Any]:
    return {
        "channel": channel,
        "email": "shopper@example.com",
        "lines": [{"sku": sku, "quantity": quantity}],
        "fulfilment": {"type": "PICKUP", "pickupLocationId": store},
        "paymentReference": "auth-0002",
    }


async def submit(
    client: httpx.AsyncClient, order: dict[str, Any], key: str, *, client_id: str | None = None
) -> dict[str, Any]:
    """``submitOrder``'s payload (asserting no GraphQL error)."""
    headers = {"X-Client-Id": client_id} if client_id else {}
    response = await client.post(
        "/graphql", json={"query": SUBMIT, "variables": {"input": order, "key": key}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["submitOrder"]
    return payload


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 30.0, every: float = 0.2
) -> None:
    """Wait until ``check()`` holds (AssertionError after ``within`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"not true after {within} s")
        await asyncio.sleep(every)


class Books:
    """What the sandboxes hold, counted from their state (tests only)."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self._apps = apps

    def oms_orders(self, number: str | None = None) -> int:
        return len(self._apps["oms"].state.system.state.orders.search(OrderQuery(order_name=number)))

    def shopify_orders(self, number: str | None = None) -> int:
        orders = self._apps["shopify"].state.system.state.orders
        return sum(1 for order in orders if number is None or order.name == number)

    def erp_orders(self, number: str | None = None) -> int:
        found = self._apps["erp"].state.system.state.sales_orders.values()
        return sum(1 for order in found if number is None or order.purchase_order == number)

    def oms_position(self, sku: str, location: str) -> Any:
        return self._apps["oms"].state.system.state.inventory.position(sku, location)

    def oms_hold(self, location: str, items: dict[str, int]) -> None:
        """Hold units in the OMS directly (a test's way of leaving exactly so much stock)."""
        inventory = self._apps["oms"].state.system.state.inventory
        inventory.reserve(location, items, 3600, "test-hold")

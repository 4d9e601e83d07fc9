"""``submitOrder`` end to end over the sandboxes: accepted orders, prices, locations, posting, stock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.world import World
from tests.subgraphs.conftest import GraphQLClient
from tests.subgraphs.orders._helpers import (
    ORDER_FIELDS,
    Books,
    ats,
    eventually,
    online_locations,
    pickup_input,
    pickup_pair,
    ship_input,
    shippable_skus,
    submit,
)

READ = ORDER_FIELDS + "query($id: ID!) { order(id: $id) { ...OrderFields } }"


def _price(world: World, sku: str) -> dict[str, str]:
    return {"amount": str(Decimal(world.variants_by_sku[sku].price_cents) / 100), "currencyCode": "USD"}


def _best_location(world: World, sku: str) -> str:
    return min(online_locations(world), key=lambda loc: (-ats(world, sku, loc), loc))


async def _read(client: GraphQLClient, number: str) -> dict[str, Any]:
    body = await client.gql(READ, {"id": number})
    assert "errors" not in body, body
    order: dict[str, Any] = body["data"]["order"]
    return order


async def test_a_storefront_order_is_priced_from_the_catalog_shipped_from_the_best_location_and_posted(
    orders: GraphQLClient, world: World, books: Books
) -> None:
    skus = shippable_skus(world, at_least=5, count=2)
    where = [_best_location(world, sku) for sku in skus]
    before = [books.oms_position(sku, loc).reserved for sku, loc in zip(skus, where, strict=True)]
    payload = await submit(orders, ship_input(skus, quantity=2), "storefront-1")
    assert (payload["userErrors"], payload["replayed"]) == ([], False)
    order = payload["order"]
    number = order["number"]
    assert number.startswith("R2")
    assert order["id"] == number
    assert (order["channel"], order["status"], order["customer"]) == ("ONLINE", "PENDING", None)
    assert [(ln["id"], ln["variant"]["sku"], ln["quantity"], ln["unitPrice"]) for ln in order["lines"]] == [
        (f"{number}-{i}", sku, 2, _price(world, sku)) for i, sku in enumerate(skus, start=1)
    ]
    assert [ln["fulfilmentLocation"]["id"] for ln in order["lines"]] == where
    total = sum(Decimal(_price(world, sku)["amount"]) * 2 for sku in skus)
    assert Decimal(order["total"]["amount"]) == total
    assert {ref["system"] for ref in order["externalRefs"]} == {"OMS", "SHOPIFY"}
    assert [e["type"] for e in order["timeline"] if e["system"] == "GATEWAY"] == [
        "ORDER_ACCEPTED",
        "STOCK_RESERVED",
    ]
    after = [books.oms_position(sku, loc).reserved for sku, loc in zip(skus, where, strict=True)]
    assert after == [b + 2 for b in before]  # committed to the order once, the hold not counted again

    async def posted() -> bool:
        return (await _read(orders, number))["erpPosting"] == "POSTED"

    await eventually(posted)
    assert books.erp_orders(number) == books.oms_orders(number) == books.shopify_orders(number) == 1
    timeline = (await _read(orders, number))["timeline"]
    assert "POSTED_TO_ERP" in [e["type"] for e in timeline]


async def test_a_pickup_order_is_fulfilled_and_reserved_at_the_pickup_store(
    orders: GraphQLClient, world: World, books: Books
) -> None:
    store, sku = pickup_pair(world, at_least=3)
    before = books.oms_position(sku, store).reserved
    payload = await submit(orders, pickup_input(store, sku, quantity=2), "pickup-1")
    assert payload["userErrors"] == []
    [line] = payload["order"]["lines"]
    assert line["fulfilmentLocation"] == {"id": store}
    assert books.oms_position(sku, store).reserved == before + 2


async def test_a_known_customers_order_carries_the_customer(orders: GraphQLClient, world: World) -> None:
    [sku] = shippable_skus(world, at_least=2, count=1)
    given = ship_input([sku], channel="CLIENTELING", customerId="C000001")
    del given["email"]
    payload = await submit(orders, given, "customer-1")
    assert payload["userErrors"] == []
    assert payload["order"]["customer"] == {"id": "C000001"}
    assert payload["order"]["channel"] == "CLIENTELING"


async def test_a_line_short_of_stock_is_out_of_stock_and_nothing_is_reserved(
    orders: GraphQLClient, world: World, books: Books
) -> None:
    plenty, scarce = shippable_skus(world, at_least=5, count=2)
    locations = [_best_location(world, sku) for sku in (plenty, scarce)]
    before = [books.oms_position(sku, loc) for sku, loc in zip((plenty, scarce), locations, strict=True)]
    count = books.oms_orders()
    given = ship_input([plenty])
    given["lines"].append({"sku": scarce, "quantity": 999})
    payload = await submit(orders, given, "short-1")
    assert payload["order"] is None
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("OUT_OF_STOCK", ["lines", "1", "quantity"])
    assert scarce in error["message"]
    after = [books.oms_position(sku, loc) for sku, loc in zip((plenty, scarce), locations, strict=True)]
    assert after == before
    assert books.oms_orders() == count


async def test_the_same_key_and_input_replay_the_first_order(orders: GraphQLClient, world: World) -> None:
    given = ship_input(shippable_skus(world, at_least=3, count=1))
    first = await submit(orders, given, "replay-1")
    again = await submit(orders, given, "replay-1")
    assert again["replayed"] is True
    assert again["userErrors"] == []
    assert again["order"]["number"] == first["order"]["number"]


async def test_the_same_key_with_another_input_is_idempotency_key_reused(
    orders: GraphQLClient, world: World, books: Books
) -> None:
    sku = shippable_skus(world, at_least=3, count=1)[0]
    await submit(orders, ship_input([sku]), "reused-1")
    count = books.oms_orders()
    payload = await submit(orders, ship_input([sku], quantity=2), "reused-1")
    assert payload["order"] is None
    assert payload["replayed"] is False
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["idempotencyKey"])
    ]
    assert books.oms_orders() == count


async def test_two_clients_may_use_the_same_key_for_two_orders(orders: GraphQLClient, world: World) -> None:
    given = ship_input(shippable_skus(world, at_least=3, count=1))
    web = await submit(orders, given, "shared-key", client_id="web")
    app = await submit(orders, given, "shared-key", client_id="app")
    assert web["order"]["number"] != app["order"]["number"]
    assert app["replayed"] is False


async def test_a_key_whose_first_use_had_user_errors_may_be_used_again(
    orders: GraphQLClient, world: World
) -> None:
    given = ship_input(shippable_skus(world, at_least=3, count=1))
    given["email"] = "not-an-email"
    refused = await submit(orders, given, "fix-and-retry")
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_EMAIL"]
    given["email"] = "fixed@example.com"
    accepted = await submit(orders, given, "fix-and-retry")
    assert accepted["userErrors"] == []
    assert accepted["replayed"] is False

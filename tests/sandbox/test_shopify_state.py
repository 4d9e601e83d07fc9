"""Whole-system behaviour: reset, determinism, the webhook admin endpoint and concurrent reads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
from starlette.applications import Starlette

from sandbox.world import World
from tests.sandbox._shopify import BIG_BUCKET, Shop, open_shop

Clients = Callable[..., httpx.AsyncClient]
Apps = Callable[..., Starlette]
CREATE = """mutation($sku: String!) {
  orderCreate(order: {lineItems: [{sku: $sku, quantity: 1}]}) { order { name } } }"""
VARIANT = """query($id: ID!) { productVariant(id: $id) { sku price inventoryItem { inventoryLevels(first: 3) {
  nodes { quantities(names: ["available"]) { quantity } } } } } }"""


async def test_reset_drops_created_orders_and_restores_stock(client_for: Clients, world: World) -> None:
    client = client_for("shopify", knobs=BIG_BUCKET)
    shop = Shop(client)
    sku = world.products[0].variants[0].sku
    before = await shop.gql(
        "query($q: String) { orders(first: 5, query: $q) { nodes { name } } }", {"q": "sku:" + sku}
    )
    created = await shop.gql(CREATE, {"sku": sku})
    name = created["orderCreate"]["order"]["name"]
    found = await shop.gql(
        "query($q: String) { orders(first: 5, query: $q) { nodes { name } } }", {"q": f"name:{name}"}
    )
    assert found["orders"]["nodes"] == [{"name": name}]
    assert (await client.post("/_admin/reset")).status_code == 200
    after = await shop.gql(
        "query($q: String) { orders(first: 5, query: $q) { nodes { name } } }", {"q": f"name:{name}"}
    )
    assert after["orders"]["nodes"] == []
    again = await shop.gql(
        "query($q: String) { orders(first: 5, query: $q) { nodes { name } } }", {"q": "sku:" + sku}
    )
    assert again == before
    recreated = await shop.gql(CREATE, {"sku": sku})
    assert recreated["orderCreate"]["order"]["name"] == name


async def test_two_apps_from_the_same_seed_answer_identically(client_for: Clients) -> None:
    query = """{ orders(first: 20, sortKey: UPDATED_AT, reverse: true) { nodes { id name updatedAt
      displayFulfillmentStatus fulfillments(first: 2) { id displayStatus }
      returns(first: 2) { nodes { id status } } } } }"""
    one = await open_shop(client_for).gql(query)
    two = await open_shop(client_for).gql(query)
    assert one == two


async def test_the_webhook_admin_lists_subscriptions_and_clears_the_log(
    client_for: Clients, world: World
) -> None:
    client = client_for("shopify", shopify_webhook_url="http://127.0.0.1:9/hooks", knobs=BIG_BUCKET)
    await Shop(client).gql(CREATE, {"sku": world.products[0].variants[0].sku})
    log = (await client.get("/_admin/shopify/webhooks")).json()
    assert len(log["subscriptions"]) == 10
    assert {s["callback_url"] for s in log["subscriptions"]} == {"http://127.0.0.1:9/hooks"}
    assert {d["topic"] for d in log["deliveries"]} == {"orders/create", "inventory_levels/update"}
    only = (await client.get("/_admin/shopify/webhooks", params={"topic": "orders/create"})).json()
    assert [d["topic"] for d in only["deliveries"]] == ["orders/create"]
    assert (await client.delete("/_admin/shopify/webhooks")).json() == {"deliveries": []}
    assert (await client.get("/_admin/shopify/webhooks")).json()["deliveries"] == []


async def test_500_concurrent_small_reads_are_answered_quickly(client_for: Clients, world: World) -> None:
    shop = open_shop(client_for)
    variants = list(world.variants)
    await shop.gql(VARIANT, {"id": f"gid://shopify/ProductVariant/{variants[0].shopify_variant_id}"})
    started = time.perf_counter()
    results = await asyncio.gather(
        *(
            shop.gql(
                VARIANT,
                {"id": f"gid://shopify/ProductVariant/{variants[i % len(variants)].shopify_variant_id}"},
            )
            for i in range(500)
        )
    )
    elapsed = time.perf_counter() - started
    assert [r["productVariant"]["sku"] for r in results] == [
        variants[i % len(variants)].sku for i in range(500)
    ]
    assert elapsed < 5.0, f"500 reads took {elapsed:.2f}s"

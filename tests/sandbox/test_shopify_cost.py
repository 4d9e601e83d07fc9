"""Calculated query cost and the leaky bucket: requested vs actual cost, max cost, throttling, refill."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from sandbox.world import World
from tests.sandbox._shopify import Shop

Clients = Callable[..., httpx.AsyncClient]


def shop_with(client_for: Clients, **knobs: Any) -> Shop:
    return Shop(client_for("shopify", knobs=knobs))


async def cost_of(shop: Shop, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = await shop.raw(query, variables)
    cost: dict[str, Any] = body["extensions"]["cost"]
    return cost


async def test_scalars_are_free_and_objects_cost_one(client_for: Clients) -> None:
    shop = shop_with(client_for)
    assert (await cost_of(shop, "{ shop { name currencyCode } }"))["requestedQueryCost"] == 1
    assert (await cost_of(shop, "{ __typename }"))["requestedQueryCost"] == 0


async def test_a_connection_costs_two_plus_its_page_size_times_a_node(client_for: Clients) -> None:
    shop = shop_with(client_for)
    flat = await cost_of(
        shop, "{ products(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } }"
    )
    assert (flat["requestedQueryCost"], flat["actualQueryCost"]) == (12, 12)
    nested = await cost_of(
        shop, "{ products(first: 10) { nodes { title variants(first: 5) { nodes { price } } } } }"
    )
    assert nested["requestedQueryCost"] == 2 + 10 * (1 + 2 + 5 * 1)


async def test_the_actual_cost_counts_what_came_back(client_for: Clients, world: World) -> None:
    shop = shop_with(client_for)
    product = world.products[0]
    cost = await cost_of(
        shop,
        """query($q: String) { products(first: 50, query: $q) {
             nodes { id variants(first: 10) { nodes { sku } } } } }""",
        {"q": f"id:{product.shopify_product_id}"},
    )
    assert cost["requestedQueryCost"] == 2 + 50 * (1 + 2 + 10)
    assert cost["actualQueryCost"] == 2 + 1 * (1 + 2 + len(product.variants))
    assert cost["throttleStatus"]["currentlyAvailable"] == 1000 - cost["actualQueryCost"]


async def test_variables_that_size_a_page_change_the_requested_cost(client_for: Clients) -> None:
    shop = shop_with(client_for)
    query = "query($n: Int) { products(first: $n) { nodes { id } } }"
    assert (await cost_of(shop, query, {"n": 5}))["requestedQueryCost"] == 7
    assert (await cost_of(shop, query, {"n": 40}))["requestedQueryCost"] == 42


async def test_abstract_types_cost_their_most_expensive_selection(client_for: Clients, world: World) -> None:
    shop = shop_with(client_for)
    ids = [f"gid://shopify/Product/{world.products[0].shopify_product_id}", "gid://shopify/Location/70000001"]
    cost = await cost_of(
        shop,
        """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Product { variants(first: 3) { nodes { id } } }
             ... on Location { address { city } } } }""",
        {"ids": ids},
    )
    assert cost["requestedQueryCost"] == 2 * (1 + 2 + 3)
    assert cost["actualQueryCost"] == (1 + 2 + min(3, len(world.products[0].variants))) + (1 + 1)


async def test_a_mutation_costs_ten_plus_the_connections_it_returns(client_for: Clients) -> None:
    shop = shop_with(client_for)
    cost = await cost_of(
        shop,
        """mutation { returnClose(id: "gid://shopify/Return/1") {
             return { id returnLineItems(first: 5) { nodes { id } } }
             userErrors { field message } } }""",
    )
    assert cost["requestedQueryCost"] == 10 + 2 + 5
    assert cost["actualQueryCost"] == 10


async def test_a_query_over_the_max_cost_is_refused_without_data(client_for: Clients) -> None:
    shop = shop_with(client_for)
    body = await shop.raw("{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }")
    assert "data" not in body
    (error,) = body["errors"]
    requested = 2 + 250 * (1 + 2 + 250)
    assert error["message"].startswith(
        f"Query cost is {requested}, which exceeds the single query max cost limit (1000)."
    )
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": 1000}
    cost = body["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (requested, None)
    assert cost["throttleStatus"]["currentlyAvailable"] == 1000


async def test_an_empty_bucket_throttles_with_http_200_and_no_data(client_for: Clients) -> None:
    shop = shop_with(client_for, cost_bucket_size=100, cost_restore_rate=0)
    query = "{ products(first: 60) { nodes { id } } }"
    first = await shop.raw(query)
    assert first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 38
    response = await shop.post(query)
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    cost = body["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (62, None)
    assert cost["throttleStatus"] == {"maximumAvailable": 100.0, "currentlyAvailable": 38, "restoreRate": 0.0}


async def test_each_access_token_has_its_own_bucket(client_for: Clients) -> None:
    client = client_for("shopify", knobs={"cost_bucket_size": 50, "cost_restore_rate": 0})
    one, two = Shop(client, token="shpat_one"), Shop(client, token="shpat_two")
    query = "{ products(first: 40) { nodes { id } } }"
    assert "data" in await one.raw(query)
    assert (await one.raw(query))["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert "data" in await two.raw(query)


async def test_the_bucket_refills_at_the_restore_rate(client_for: Clients) -> None:
    shop = shop_with(client_for, cost_bucket_size=100, cost_restore_rate=2000)
    await shop.raw("{ products(first: 90) { nodes { id } } }")
    await asyncio.sleep(0.06)
    cost = await cost_of(shop, "{ shop { name } }")
    assert cost["throttleStatus"]["currentlyAvailable"] == 99

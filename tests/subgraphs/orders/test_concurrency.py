"""``submitOrder`` under concurrency: no oversell, and one order per idempotency key."""

from __future__ import annotations

import asyncio
from collections import Counter

from sandbox.world import World
from subgraphs.common.settings import OrderRules
from tests.subgraphs.conftest import GraphQLClient, Sandboxes, ServeSubgraph
from tests.subgraphs.orders._helpers import (
    Books,
    ats,
    eventually,
    pickup_input,
    pickup_pair,
    ship_input,
    shippable_skus,
    submit,
)


async def test_fifty_concurrent_orders_for_ten_units_accept_exactly_ten(
    orders: GraphQLClient, world: World, books: Books
) -> None:
    store, sku = pickup_pair(world, at_least=10)
    books.oms_hold(store, {sku: ats(world, sku, store) - 10})  # leave exactly 10 to sell
    before = books.oms_position(sku, store)
    assert before.atp == 10
    count = books.oms_orders()
    payloads = await asyncio.gather(
        *(submit(orders, pickup_input(store, sku), f"rush-{i}") for i in range(50))
    )
    outcomes = Counter(p["userErrors"][0]["code"] if p["userErrors"] else "ACCEPTED" for p in payloads)
    assert outcomes == {"ACCEPTED": 10, "OUT_OF_STOCK": 40}
    numbers = {p["order"]["number"] for p in payloads if p["order"]}
    assert len(numbers) == 10
    after = books.oms_position(sku, store)
    assert after.atp == 0
    assert after.reserved == before.reserved + 10
    assert books.oms_orders() == count + 10


async def test_twenty_concurrent_retries_of_one_submission_make_one_order_everywhere(
    orders: GraphQLClient, world: World, books: Books
) -> None:
    given = ship_input(shippable_skus(world, at_least=3, count=1))
    before = (books.oms_orders(), books.shopify_orders(), books.erp_orders())
    payloads = await asyncio.gather(*(submit(orders, given, "retry-storm") for _ in range(20)))
    assert all(p["userErrors"] == [] for p in payloads)
    [number] = {p["order"]["number"] for p in payloads}
    assert sorted(p["replayed"] for p in payloads) == [False] + [True] * 19

    async def posted() -> bool:
        return books.erp_orders(number) == 1

    await eventually(posted)
    await asyncio.sleep(0.5)  # a second posting, if there were one, would land meanwhile
    after = (books.oms_orders(), books.shopify_orders(), books.erp_orders())
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]
    assert books.oms_orders(number) == books.shopify_orders(number) == books.erp_orders(number) == 1


async def test_a_duplicate_that_may_not_wait_is_told_the_key_is_in_progress(
    serve_subgraph: ServeSubgraph, sandboxes: Sandboxes, world: World
) -> None:
    sandboxes.overrides["orders"] = OrderRules(idempotency_wait_s=0.0)
    sandboxes.apps["oms"].state.runtime.knobs.latency_ms = 200  # the first submission takes a while
    given = ship_input(shippable_skus(world, at_least=3, count=1))
    async with serve_subgraph("orders") as client:
        first, second = await asyncio.gather(submit(client, given, "busy"), submit(client, given, "busy"))
    codes = sorted([e["code"] for e in p["userErrors"]] for p in (first, second))
    assert codes == [[], ["IDEMPOTENCY_KEY_IN_PROGRESS"]]

"""Stock over the Shopify sandbox: quantity names, batches under the cost limit, stale, evicted per key."""

from __future__ import annotations

import asyncio

import pytest

from resolvers.domain import StockLevel
from resolvers.errors import UpstreamUnavailable
from sandbox.shopify.inventory import Inventory
from sandbox.shopify.state import ShopState
from sandbox.world import World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem
from tests.resolvers.connectors.test_shopify_support import Shop, shop


def expected(world: World, skus: list[str], codes: list[str]) -> list[StockLevel]:
    """What Shopify holds for those pairs (the sandbox's own inventory view of the world)."""
    inventory = Inventory(world)
    out = []
    for sku in skus:
        for code in codes:
            loc = world.locations_by_code[code]
            if loc.shopify_location_id is None or not inventory.stocked(sku, code):
                continue
            q = inventory.quantities(sku, code)
            out.append(
                StockLevel(
                    system="SHOPIFY",
                    sku=sku,
                    location_id=code,
                    on_hand=q["on_hand"],
                    committed=q["committed"],
                    reserved=q["reserved"],
                    safety_stock=q["safety_stock"],
                    unavailable=q["damaged"] + q["quality_control"],
                    incoming=q["incoming"],
                    available=q["available"],
                )
            )
    return out


def figures(levels: list[StockLevel]) -> list[StockLevel]:
    """The levels without their read time and staleness (what the world can predict)."""
    return [
        StockLevel(
            level.system,
            level.sku,
            level.location_id,
            level.on_hand,
            level.committed,
            level.reserved,
            level.safety_stock,
            level.unavailable,
            level.incoming,
            level.available,
        )
        for level in levels
    ]


def shop_state(s: Shop) -> ShopState:
    state: ShopState = s.system.app.state.system.state
    return state


async def test_stock_maps_shopifys_quantity_names_for_the_pairs_it_holds(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants][10:14]
    codes = [loc.code for loc in world.locations]
    async with shop(run_system, make_live_kit, world) as s:
        levels = await s.connector.stock([*skus, "NOPE-1"], codes)
    assert figures(levels) == expected(world, skus, codes)
    assert {level.location_id for level in levels} <= {
        loc.code for loc in world.locations if loc.shopify_location_id
    }
    assert all(level.as_of is not None and not level.stale for level in levels)
    assert any(level.available is not None and level.available < level.on_hand for level in levels)


async def test_stock_for_50_skus_at_30_locations_is_the_documented_minimum_of_3_calls_under_the_cost_limit(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants][:50]
    codes = [loc.code for loc in world.locations]
    assert len(codes) == 30
    async with shop(run_system, make_live_kit, world) as s:
        plan = s.connector.stock_plan(50, 24)
        assert plan == [(17, 24), (17, 24), (16, 24)]
        levels = await s.connector.stock(skus, codes)
        assert s.graphql_calls() == len(plan) == 3
        assert s.connector.graphql.last_cost["stock"] <= 1000
        assert s.connector.graphql.throttled == 0
        again = await s.connector.stock(skus, codes)
        assert s.graphql_calls() == 3, "every pair is cached"
    assert figures(levels) == expected(world, skus, codes)
    assert figures(again) == figures(levels)


async def test_stock_for_50_skus_at_9_shopify_locations_is_one_call(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants][50:100]
    codes = [loc.code for loc in world.locations if loc.shopify_location_id][:9]
    async with shop(run_system, make_live_kit, world) as s:
        assert s.connector.stock_plan(50, 9) == [(50, 9)]
        levels = await s.connector.stock(skus, codes)
        assert s.graphql_calls() == 1
        assert s.connector.graphql.last_cost["stock"] == 2 + 50 * (1 + 2 * 9)
    assert figures(levels) == expected(world, skus, codes)


async def test_during_an_outage_each_pair_is_served_stale_and_an_evicted_sku_cannot_be(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants][20:22]
    codes = ["DC01", "WH01"]
    stock_policy = {"stock": {"cache": {"ttl": 0.05, "stale_ttl": 60.0}}}
    lenient = {"window_size": 100, "min_calls": 100}
    async with shop(run_system, make_live_kit, world, operations=stock_policy, breaker=lenient) as s:
        fresh = await s.connector.stock(skus, codes)
        await asyncio.sleep(0.1)
        s.system.set_knobs(outage=True)
        stale = await s.connector.stock(skus, codes)
        assert await s.connector.invalidate_stock([skus[0]]) == 2
        with pytest.raises(UpstreamUnavailable):
            await s.connector.stock(skus, codes)
        still = await s.connector.stock([skus[1]], codes)
        s.system.set_knobs(outage=False)
        back = await s.connector.stock(skus, codes)
    assert len(fresh) == 4
    assert all(level.stale for level in stale)
    assert figures(stale) == figures(fresh)
    assert [level.as_of for level in stale] == [level.as_of for level in fresh]
    assert all(level.stale for level in still)
    assert [level.sku for level in still] == [skus[1], skus[1]]
    assert not any(level.stale for level in back)
    assert figures(back) == figures(fresh)


async def test_an_evicted_sku_is_read_again_and_shows_the_change(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    sku, other = [v.sku for v in world.variants][30:32]
    async with shop(run_system, make_live_kit, world) as s:
        before = {level.sku: level for level in await s.connector.stock([sku, other], ["WH01"])}
        shop_state(s).inventory.adjust(sku, "WH01", "available", -3)
        cached = {level.sku: level for level in await s.connector.stock([sku, other], ["WH01"])}
        assert s.graphql_calls() == 1
        assert await s.connector.invalidate_stock([sku], ["WH01"]) == 1
        after = {level.sku: level for level in await s.connector.stock([sku, other], ["WH01"])}
        assert s.graphql_calls() == 2
    assert cached[sku].available == before[sku].available
    assert after[sku].available == (before[sku].available or 0) - 3
    assert after[sku].on_hand == before[sku].on_hand - 3
    assert after[other] == cached[other], "the other SKU still came from the cache"


async def test_invalidating_without_locations_evicts_the_sku_at_every_shopify_location(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    sku = world.products[0].variants[0].sku
    codes = [loc.code for loc in world.locations]
    async with shop(run_system, make_live_kit, world) as s:
        levels = await s.connector.stock([sku], codes)
        evicted = await s.connector.invalidate_stock([sku])
    assert evicted == 24, "every Shopify location's entry, held or absent"
    assert 0 < len(levels) <= 24


async def test_an_inventory_items_sku_is_looked_up_once_and_learned_from_stock_reads(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    first, second = list(world.variants)[:2]
    async with shop(run_system, make_live_kit, world) as s:
        assert await s.connector.sku_for_inventory_item(first.shopify_inventory_item_id) == first.sku
        assert await s.connector.sku_for_inventory_item(first.shopify_inventory_item_id) == first.sku
        assert await s.connector.sku_for_inventory_item(1) is None
        assert s.graphql_calls() == 2
        await s.connector.stock([second.sku], ["WH01"])
        assert await s.connector.sku_for_inventory_item(second.shopify_inventory_item_id) == second.sku
        assert s.graphql_calls() == 3

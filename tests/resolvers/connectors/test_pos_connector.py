"""The POS connector against the Square sandbox over real HTTP: stock (checked against the world), loaders.

Orders are in ``test_pos_orders``, returns in ``test_pos_returns``, customers in
``test_pos_customers``; their shared helpers in ``pos_support``.
"""

from __future__ import annotations

import asyncio

from resolvers.ports import CustomerSource, OrderSink, OrderSource, StockSource
from resolvers.pos import PosConnector, PosSettings
from sandbox.world import World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem
from tests.resolvers.connectors.pos_support import MakeConnector, pos_policies, sample_orders, store_codes

# ---------------------------------------------------------------- stock


async def test_stock_for_50_skus_at_30_locations_matches_the_worlds_physical_stock(
    pos: PosConnector, world: World
) -> None:
    skus = [v.sku for v in list(world.variants)[:50]]
    locations = [loc.code for loc in world.locations]
    levels = await pos.stock(skus, locations)
    by_pair = {(level.sku, level.location_id): level for level in levels}
    assert len(by_pair) == len(levels)
    expected = 0
    for sku in skus:
        for loc in world.locations:
            stock = world.stock(sku, loc.code)
            level = by_pair.get((sku, loc.code))
            if loc.square_location_id is None or stock is None:
                assert level is None, (sku, loc.code)
                continue
            expected += 1
            assert level is not None
            assert level.system == "POS"
            assert level.on_hand == stock.on_hand
            assert level.reserved == world.committed(sku, loc.code)
            assert level.unavailable == stock.damaged + stock.quality_control
            assert (level.committed, level.safety_stock, level.available, level.stale) == (0, 0, None, False)
            assert level.as_of is not None
    assert len(levels) == expected


async def test_stock_for_50_skus_at_30_locations_is_one_inventory_call_once_the_catalog_is_warm(
    pos_system: RunningSystem, make_connector: MakeConnector, make_live_kit: LiveKitFactory, world: World
) -> None:
    settings = PosSettings(base_url=pos_system.url)
    uncached = make_live_kit(pos_policies(settings, stock={"cache": {"ttl": 0}}))
    pos = make_connector(pos_system, uncached)
    skus = [v.sku for v in list(world.variants)[:50]]
    locations = [loc.code for loc in world.locations]
    await pos.stock(skus, locations)  # warms the SKU -> variation id memo
    catalog, inventory = pos_system.calls("/v2/catalog"), pos_system.calls("/v2/inventory")
    assert catalog == 1  # 50 SKUs in one set_query search

    levels = await pos.stock(skus, locations)

    assert levels
    assert pos_system.calls("/v2/catalog") == catalog
    # One call: one batch-retrieve for every SKU x store. Square caps a page at 1000 counts and these
    # 1,250 pairs hold about 1,150 (IN_STOCK for each carried pair, RESERVED_FOR_SALE and WASTE where
    # non-zero), so the one call reads two pages through the cursor: Square allows no bigger page.
    assert pos_system.calls("/v2/inventory") - inventory == 2
    assert pos_system.calls("/v2/inventory/counts/batch-retrieve") == 4


async def test_stock_that_fits_one_page_is_exactly_one_request_once_the_catalog_is_warm(
    pos_system: RunningSystem, make_connector: MakeConnector, make_live_kit: LiveKitFactory, world: World
) -> None:
    settings = PosSettings(base_url=pos_system.url)
    pos = make_connector(pos_system, make_live_kit(pos_policies(settings, stock={"cache": {"ttl": 0}})))
    skus = [v.sku for v in list(world.variants)[:25]]
    await pos.stock(skus, store_codes(world))
    before = pos_system.runtime.stats.requests
    await pos.stock(skus, store_codes(world))
    assert pos_system.runtime.stats.requests - before == 1


async def test_a_repeated_stock_read_within_its_ttl_sends_nothing(
    pos: PosConnector, pos_system: RunningSystem, world: World
) -> None:
    skus = [v.sku for v in list(world.variants)[:5]]
    first = await pos.stock(skus, store_codes(world))
    before = pos_system.runtime.stats.requests
    second = await pos.stock(skus, store_codes(world))
    assert pos_system.runtime.stats.requests == before
    assert [(s.sku, s.location_id, s.on_hand) for s in second] == [
        (s.sku, s.location_id, s.on_hand) for s in first
    ]


async def test_stock_at_locations_that_are_not_stores_or_for_unknown_skus_sends_nothing_to_inventory(
    pos: PosConnector, pos_system: RunningSystem, world: World
) -> None:
    warehouses = [loc.code for loc in world.locations if loc.square_location_id is None]
    assert warehouses
    assert await pos.stock([next(world.variants).sku], warehouses) == []
    assert await pos.stock(["NO-SUCH-SKU"], store_codes(world)) == []
    assert await pos.stock(["NO-SUCH-SKU"], store_codes(world)) == []  # remembered as unknown
    assert pos_system.calls("/v2/inventory") == 0
    assert pos_system.calls("/v2/catalog") == 1


# ---------------------------------------------------------------- loaders


async def test_loaders_gather_one_ticks_keys_into_one_batch(
    pos: PosConnector, pos_system: RunningSystem, world: World
) -> None:
    loaders = pos.loaders()
    sku = next(world.variants).sku
    stores = store_codes(world)[:3]
    numbers = [o.number for o in sample_orders(world)][:2]
    levels, orders, customers = await asyncio.gather(
        loaders.stock.load_many([(sku, store) for store in stores]),
        loaders.orders.load_many([*numbers, "R999999"]),
        loaders.customers.load_many(["C000001", "C000002"]),
    )
    assert len(levels) == 3
    assert [o.number if o else None for o in orders] == [*numbers, None]
    assert [c.customer_id if c else None for c in customers] == ["C000001", "C000002"]
    assert pos_system.calls("/v2/inventory") == 1


def test_the_connector_serves_the_stock_order_and_customer_ports(pos: PosConnector) -> None:
    assert isinstance(pos, StockSource)
    assert isinstance(pos, OrderSource)
    assert isinstance(pos, OrderSink)
    assert isinstance(pos, CustomerSource)
    assert pos.system == "POS"

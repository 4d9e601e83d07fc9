"""The POS connector against the Square sandbox over real HTTP: stock (checked against the world), loaders.

Also holds the helpers the other ``test_pos_*`` files use: the location
directory built from the world (what the OMS's facility records say), the
connector's policy with overrides, order drafts, and a connector on a live kit.
Orders are in ``test_pos_orders``, customers in ``test_pos_customers``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from resolvers.directory import LocationDirectory
from resolvers.domain import ExternalRef, Location, Money, OrderDraft, OrderDraftLine
from resolvers.kit import ConnectorKit
from resolvers.policy import ConnectorPolicies
from resolvers.ports import CustomerSource, OrderSink, OrderSource, StockSource
from resolvers.pos import PosConnector, PosSettings
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem

# ---------------------------------------------------------------- helpers shared by the test_pos_* files


def pos_directory(world: World) -> LocationDirectory:
    """Our locations (OMS facility ids) with their Square ids, as the location master has them."""
    return LocationDirectory.of(
        Location(
            id=loc.code,
            name=loc.name,
            type=loc.type,
            address=None,
            fulfills_online=loc.fulfills_online,
            pickup_enabled=loc.pickup_enabled,
            refs=(ExternalRef("POS", loc.square_location_id),) if loc.square_location_id else (),
        )
        for loc in world.locations
    )


def pos_policies(settings: PosSettings, **operations: dict[str, Any]) -> ConnectorPolicies:
    """The connector's default policy for "pos", with per-operation overrides."""
    base = settings.default_policy().model_dump(exclude_unset=False)
    for name, override in operations.items():
        base["operations"][name] = {**base["operations"].get(name, {}), **override}
    return ConnectorPolicies.model_validate({"systems": {"pos": base}})


def store_codes(world: World) -> list[str]:
    return [loc.code for loc in world.locations if loc.square_location_id]


def draft_for(world: World, number: str, *, key: str | None = None, **fields: Any) -> OrderDraft:
    store = store_codes(world)[0]
    variants = list(world.variants)
    lines = fields.pop("lines", None) or (
        OrderDraftLine(1, variants[0].sku, 2, Money(Decimal("10.00"), "USD"), store),
        OrderDraftLine(2, variants[1].sku, 1, Money(Decimal("5.50"), "USD"), store),
    )
    values: dict[str, Any] = {
        "number": number,
        "channel": "CLIENTELING",
        "placed_at": datetime(2026, 11, 20, tzinfo=UTC),
        "lines": lines,
        "currency": "USD",
        "payment_reference": "pay_1",
        "fulfilment_type": "PICKUP",
        "idempotency_key": key or f"key-{number}",
        "pickup_location_id": store,
        **fields,
    }
    return OrderDraft(**values)


MakeConnector = Callable[..., PosConnector]


def connector_factory(make_live_kit: LiveKitFactory, world: World) -> MakeConnector:
    """``make(system, kit=None, **settings)``: a connector on ``system``, by default on a live kit."""

    def make(system: RunningSystem, kit: ConnectorKit | None = None, **settings: Any) -> PosConnector:
        pos_settings = PosSettings(base_url=system.url, **settings)
        return PosConnector(
            kit or make_live_kit(pos_policies(pos_settings)), pos_settings, pos_directory(world)
        )

    return make


@pytest.fixture
async def pos_system(run_system: RunSystem) -> AsyncIterator[RunningSystem]:
    async with run_system("pos") as system:
        yield system


@pytest.fixture
def make_connector(make_live_kit: LiveKitFactory, world: World) -> MakeConnector:
    return connector_factory(make_live_kit, world)


@pytest.fixture
def pos(pos_system: RunningSystem, make_connector: MakeConnector) -> PosConnector:
    return make_connector(pos_system)


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


def sample_orders(world: World) -> list[Order]:
    """POS orders covering every financial status, returns with and without refunds, and a guest."""
    pos_orders = [o for o in world.orders if o.in_pos]
    picked: dict[str, Order] = {}
    for order in pos_orders:
        picked.setdefault(order.financial_status, order)
        for ret in order.returns:
            picked.setdefault(f"return:{ret.status}", order)
        if order.customer_id is None:
            picked.setdefault("guest", order)
    return list(dict.fromkeys(picked.values()))


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

"""The OMS connector's location master and stock figures against the sandbox OMS over real HTTP."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from resolvers.directory import LocationDirectory
from resolvers.domain import ExternalRef
from resolvers.errors import UpstreamUnavailable
from resolvers.kit import ConnectorKit
from resolvers.oms import OmsConnector, OmsSettings
from resolvers.policy import ConnectorPolicies, SystemPolicy
from sandbox.world import World
from tests.resolvers.connectors.conftest import RunningSystem, RunSystem

KitFactory = Callable[..., ConnectorKit]


def _policies(settings: OmsSettings, **operations: Any) -> ConnectorPolicies:
    base = settings.default_policy().model_dump()
    for name, override in operations.items():
        base["operations"][name] = {**base["operations"].get(name, {}), **override}
    return ConnectorPolicies(systems={"oms": SystemPolicy.model_validate(base)})


@pytest.fixture
async def system(run_system: RunSystem) -> AsyncIterator[RunningSystem]:
    async with run_system("oms") as running:
        yield running


@pytest.fixture
def connect(system: RunningSystem, make_live_kit: KitFactory) -> Callable[..., OmsConnector]:
    def build(**operations: Any) -> OmsConnector:
        settings = OmsSettings(base_url=system.url)
        return OmsConnector(make_live_kit(_policies(settings, **operations)), settings)

    return build


def _carried(world: World, skus: int, locations: int) -> tuple[list[str], list[str]]:
    return [v.sku for v in list(world.variants)[:skus]], [loc.code for loc in world.locations[:locations]]


async def test_locations_are_every_facility_with_its_ids_in_every_system(
    connect: Callable[..., OmsConnector], system: RunningSystem, world: World
) -> None:
    locations = await connect().locations()

    assert [loc.id for loc in locations] == [loc.code for loc in world.locations]
    assert system.calls("/facilities") == 1
    for location, seeded in zip(locations, world.locations, strict=True):
        assert location.name == seeded.name
        assert location.type == seeded.type
        assert location.fulfills_online is seeded.fulfills_online
        assert location.pickup_enabled is seeded.pickup_enabled
        assert location.address is not None
        assert location.address.country_code == seeded.address.country_code
        assert location.address.postal_code == seeded.address.postal_code
        refs = set(location.refs)
        assert ExternalRef("OMS", seeded.code) in refs
        assert ExternalRef("ERP", seeded.erp_plant) in refs
        if seeded.square_location_id is not None:
            assert ExternalRef("POS", seeded.square_location_id) in refs
        if seeded.shopify_location_id is not None:
            assert ExternalRef("SHOPIFY", str(seeded.shopify_location_id)) in refs
        assert len(refs) == 2 + (seeded.square_location_id is not None) + (
            seeded.shopify_location_id is not None
        )


async def test_locations_follow_the_paging_when_the_page_is_smaller_than_the_estate(
    system: RunningSystem, make_live_kit: KitFactory, world: World
) -> None:
    settings = OmsSettings(base_url=system.url, page_size=7)
    connector = OmsConnector(make_live_kit({"systems": {"oms": settings.default_policy()}}), settings)

    locations = await connector.locations()

    assert [loc.id for loc in locations] == [loc.code for loc in world.locations]
    assert system.calls("/facilities") == math.ceil(len(world.locations) / 7)


async def test_locations_are_cached_as_master_data(
    connect: Callable[..., OmsConnector], system: RunningSystem
) -> None:
    connector = connect()
    first = await connector.locations()
    second = await connector.locations()

    assert first == second
    assert system.calls("/facilities") == 1


async def test_a_location_directory_on_the_oms_maps_ids_both_ways(
    connect: Callable[..., OmsConnector], world: World
) -> None:
    directory = LocationDirectory(connect())
    locations = await directory.map()
    store = next(loc for loc in world.locations if loc.square_location_id and loc.shopify_location_id)
    warehouse = next(loc for loc in world.locations if loc.type == "WAREHOUSE")

    assert locations.system_id("ERP", store.code) == store.erp_plant
    assert locations.location_id("ERP", store.erp_plant) == store.code
    assert locations.system_id("POS", store.code) == store.square_location_id
    assert locations.location_id("POS", str(store.square_location_id)) == store.code
    assert locations.system_id("SHOPIFY", store.code) == str(store.shopify_location_id)
    assert locations.location_id("SHOPIFY", str(store.shopify_location_id)) == store.code
    assert locations.system_id("OMS", warehouse.code) == warehouse.code
    assert locations.system_id("POS", warehouse.code) is None
    assert len(locations.system_ids("ERP")) == len(world.locations)


async def test_stock_for_50_skus_at_30_locations_is_one_call(
    connect: Callable[..., OmsConnector], system: RunningSystem, world: World
) -> None:
    skus, location_ids = _carried(world, 50, 30)

    levels = await connect().stock(skus, location_ids)

    assert system.calls("/inventory") == 1
    expected = {(s, loc) for s in skus for loc in location_ids if world.stock(s, loc) is not None}
    assert {(level.sku, level.location_id) for level in levels} == expected
    assert len(levels) == len(expected)


async def test_stock_figures_follow_the_world_and_the_oms_atp(
    connect: Callable[..., OmsConnector], world: World
) -> None:
    skus, location_ids = _carried(world, 20, 30)

    levels = await connect().stock(skus, location_ids)

    assert levels
    for level in levels:
        stock = world.stock(level.sku, level.location_id)
        assert stock is not None
        committed = world.committed(level.sku, level.location_id)
        assert level.system == "OMS"
        assert level.on_hand == stock.on_hand
        assert level.committed == 0  # the wire folds commitments into reservedQuantity
        assert level.reserved == committed
        assert level.unavailable == stock.damaged + stock.quality_control
        assert level.safety_stock == stock.safety_stock
        assert level.incoming == stock.incoming
        expected_atp = stock.on_hand - committed - level.unavailable - stock.safety_stock
        assert level.available == expected_atp
        assert level.on_hand - level.committed - level.reserved - level.safety_stock - level.unavailable == (
            level.available
        )
        assert level.as_of is not None
        assert level.as_of.tzinfo is not None
        assert level.stale is False


async def test_stock_of_unknown_skus_and_locations_is_left_out(
    connect: Callable[..., OmsConnector], world: World
) -> None:
    sku = next(iter(world.variants)).sku
    warehouse = next(loc.code for loc in world.locations if loc.type == "WAREHOUSE")

    levels = await connect().stock([sku, "NO-SUCH-SKU"], [warehouse, "NOWHERE"])

    assert [(level.sku, level.location_id) for level in levels] == [(sku, warehouse)]
    assert await connect().stock([], [warehouse]) == []


async def test_more_skus_than_one_search_takes_are_split_into_few_calls(
    system: RunningSystem, make_live_kit: KitFactory, world: World
) -> None:
    settings = OmsSettings(base_url=system.url, search_batch=20)
    connector = OmsConnector(make_live_kit({"systems": {"oms": settings.default_policy()}}), settings)
    skus, location_ids = _carried(world, 50, 10)

    levels = await connector.stock(skus, location_ids)

    assert system.calls("/inventory") == 3
    assert {level.sku for level in levels} <= set(skus)
    assert len({level.sku for level in levels}) > 40


async def test_stock_is_cached_briefly_and_served_stale_during_an_outage(
    connect: Callable[..., OmsConnector], system: RunningSystem, world: World
) -> None:
    connector = connect(stock={"cache": {"ttl": 0.05, "stale_ttl": 60}, "retry": {"attempts": 1}})
    skus, location_ids = _carried(world, 5, 5)
    fresh = await connector.stock(skus, location_ids)
    again = await connector.stock(list(reversed(skus)), location_ids)
    assert system.calls("/inventory") == 1
    assert again == fresh

    system.set_knobs(outage=True)
    await asyncio.sleep(0.06)
    stale = await connector.stock(skus, location_ids)

    assert system.calls("/inventory") == 2
    assert [(s.sku, s.location_id, s.on_hand) for s in stale] == [
        (s.sku, s.location_id, s.on_hand) for s in fresh
    ]
    assert all(level.stale for level in stale)
    assert stale[0].as_of == fresh[0].as_of


async def test_stock_without_a_cached_answer_fails_during_an_outage(
    connect: Callable[..., OmsConnector], system: RunningSystem, world: World
) -> None:
    system.set_knobs(outage=True)
    connector = connect(stock={"retry": {"attempts": 1}})

    with pytest.raises(UpstreamUnavailable) as caught:
        await connector.stock(*_carried(world, 2, 2))

    assert caught.value.status == 503
    assert caught.value.upstream_code == "SERVICE_UNAVAILABLE"

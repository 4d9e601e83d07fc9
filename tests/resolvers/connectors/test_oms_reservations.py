"""The OMS connector's soft reservations: all-or-none, atomic under concurrency, safe to retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.domain import ReservationLine, StockLevel
from resolvers.errors import InsufficientStock, UpstreamConflict, UpstreamNotFound, UpstreamRejected
from resolvers.oms import OmsConnector, OmsSettings
from resolvers.policy import ConnectorPolicies, SystemPolicy
from sandbox.world import World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem


@pytest.fixture
async def system(run_system: RunSystem) -> AsyncIterator[RunningSystem]:
    async with run_system("oms") as running:
        yield running


def _connector(system: RunningSystem, make_live_kit: LiveKitFactory) -> OmsConnector:
    settings = OmsSettings(base_url=system.url)
    policy = settings.default_policy().model_dump()
    policy["operations"]["stock"]["cache"] = {"ttl": 0, "stale_ttl": 0}  # figures read fresh in these tests
    kit = make_live_kit(ConnectorPolicies(systems={"oms": SystemPolicy.model_validate(policy)}))
    return OmsConnector(kit, settings)


@pytest.fixture
def connector(system: RunningSystem, make_live_kit: LiveKitFactory) -> OmsConnector:
    return _connector(system, make_live_kit)


def _stocked(world: World, facility: str, minimum: int = 10, count: int = 1) -> list[str]:
    """``count`` SKUs with at least ``minimum`` units to promise at ``facility``."""
    found = []
    for variant in world.variants:
        stock = world.stock(variant.sku, facility)
        if stock is None:
            continue
        unavailable = stock.damaged + stock.quality_control + stock.safety_stock
        if stock.on_hand - world.committed(variant.sku, facility) - unavailable >= minimum:
            found.append(variant.sku)
        if len(found) == count:
            return found
    raise AssertionError("no stocked SKUs")


def _warehouses(world: World) -> list[str]:
    return [loc.code for loc in world.locations if loc.type != "STORE"]


async def _level(connector: OmsConnector, sku: str, facility: str) -> StockLevel:
    [level] = await connector.stock([sku], [facility])
    return level


def _figures(levels: list[StockLevel]) -> list[tuple[str, str, int, int, int | None]]:
    return [(lv.sku, lv.location_id, lv.on_hand, lv.reserved, lv.available) for lv in levels]


async def test_a_reservation_holds_every_line_until_released(connector: OmsConnector, world: World) -> None:
    facility = _warehouses(world)[0]
    first, second = _stocked(world, facility, count=2)
    before = await connector.stock([first, second], [facility])

    reservation = await connector.reserve(
        [ReservationLine(first, facility, 2), ReservationLine(second, facility, 3)],
        ttl_seconds=600,
        reference="R900001",
    )

    assert reservation.id.startswith("RSV")
    assert reservation.status == "ACTIVE"
    assert set(reservation.lines) == {
        ReservationLine(first, facility, 2),
        ReservationLine(second, facility, 3),
    }
    assert reservation.expires_at is not None
    assert timedelta(seconds=590) < reservation.expires_at - datetime.now(UTC) <= timedelta(seconds=600)
    held = await connector.stock([first, second], [facility])
    assert _figures(held) == [
        (sku, facility, b.on_hand, b.reserved + n, (b.available or 0) - n)
        for sku, b, n in zip((first, second), before, (2, 3), strict=True)
    ]

    await connector.release(reservation.id)
    await connector.release(reservation.id)  # releasing twice changes nothing

    assert _figures(await connector.stock([first, second], [facility])) == _figures(before)


async def test_two_concurrent_reservations_for_more_than_is_available_one_wins(
    connector: OmsConnector, world: World
) -> None:
    facility = _warehouses(world)[0]
    [sku] = _stocked(world, facility, minimum=6)
    before = await _level(connector, sku, facility)
    assert before.available is not None
    wanted = before.available // 2 + 1  # either fits alone, both together do not

    outcomes = await asyncio.gather(
        *(
            connector.reserve(
                [ReservationLine(sku, facility, wanted)], ttl_seconds=600, reference=f"R90000{n}"
            )
            for n in (1, 2)
        ),
        return_exceptions=True,
    )

    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1
    assert isinstance(refused[0], InsufficientStock)
    assert refused[0].skus == (sku,)
    assert refused[0].upstream_code == "INSUFFICIENT_INVENTORY"
    assert refused[0].status == 409
    after = await _level(connector, sku, facility)
    assert after.reserved == before.reserved + wanted
    assert after.available == before.available - wanted
    assert after.on_hand == before.on_hand


async def test_one_short_line_fails_the_whole_reservation_and_holds_nothing(
    connector: OmsConnector, world: World
) -> None:
    facility = _warehouses(world)[0]
    plenty, short = _stocked(world, facility, count=2)
    before = await connector.stock([plenty, short], [facility])
    short_level = next(level for level in before if level.sku == short)
    assert short_level.available is not None

    with pytest.raises(InsufficientStock) as caught:
        await connector.reserve(
            [
                ReservationLine(plenty, facility, 1),
                ReservationLine(short, facility, short_level.available + 1),
            ],
            ttl_seconds=600,
            reference="R900001",
        )

    assert caught.value.skus == (short,)
    assert _figures(await connector.stock([plenty, short], [facility])) == _figures(before)


async def test_lines_at_several_facilities_are_held_together_or_not_at_all(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    here, there = _warehouses(world)[:2]
    [sku_here] = _stocked(world, here)
    [sku_there] = _stocked(world, there)
    level_there = await _level(connector, sku_there, there)
    assert level_there.available is not None

    both = await connector.reserve(
        [ReservationLine(sku_here, here, 1), ReservationLine(sku_there, there, 1)],
        ttl_seconds=600,
        reference="R900001",
    )
    assert both.id.count("+") == 1
    assert {line.location_id for line in both.lines} == {here, there}
    await connector.release(both.id)

    before_here = await _level(connector, sku_here, here)
    with pytest.raises(InsufficientStock) as caught:
        await connector.reserve(
            [
                ReservationLine(sku_here, here, 1),
                ReservationLine(sku_there, there, level_there.available + 1),
            ],
            ttl_seconds=600,
            reference="R900002",
        )

    assert caught.value.skus == (sku_there,)
    after_here = await _level(connector, sku_here, here)
    assert (after_here.reserved, after_here.available) == (before_here.reserved, before_here.available)
    assert system.calls("DELETE /rest/s1/oms/reservations") == 3  # 2 released above, 1 undone here


async def test_a_retried_reserve_with_the_same_reference_holds_once(
    connector: OmsConnector, world: World
) -> None:
    facility = _warehouses(world)[0]
    [sku] = _stocked(world, facility)
    before = await _level(connector, sku, facility)
    lines = [ReservationLine(sku, facility, 2)]

    first = await connector.reserve(lines, ttl_seconds=600, reference="R900001")
    again = await connector.reserve(lines, ttl_seconds=600, reference="R900001")

    assert again.id == first.id
    assert (await _level(connector, sku, facility)).reserved == before.reserved + 2
    await connector.release(first.id)
    with pytest.raises(UpstreamConflict):
        await connector.reserve(lines, ttl_seconds=600, reference="R900001")


async def test_a_confirmed_reservation_no_longer_expires_and_hands_over_to_its_order(
    connector: OmsConnector, system: RunningSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    facility = _warehouses(world)[0]
    [sku] = _stocked(world, facility)
    reservation = await connector.reserve(
        [ReservationLine(sku, facility, 2)], ttl_seconds=60, reference="R900001"
    )

    elsewhere = _connector(system, make_live_kit)  # knows nothing of the reference: reads it from the OMS
    confirmed = await elsewhere.confirm(reservation.id)
    again = await connector.confirm(reservation.id)

    assert (confirmed.status, confirmed.expires_at) == ("CONFIRMED", None)
    assert again.status == "CONFIRMED"
    assert system.calls("GET /rest/s1/oms/reservations") == 1
    with pytest.raises(UpstreamConflict) as caught:
        await connector.confirm(reservation.id, order_id="R900002")
    assert caught.value.upstream_code == "RESERVATION_NOT_ACTIVE"


async def test_unknown_reservations_and_products_are_refused_with_the_oms_code(
    connector: OmsConnector, world: World
) -> None:
    with pytest.raises(UpstreamNotFound) as missing:
        await connector.release("RSV999999")
    assert missing.value.upstream_code == "RESERVATION_NOT_FOUND"

    with pytest.raises(UpstreamRejected) as unknown:
        await connector.reserve(
            [ReservationLine("NO-SUCH-SKU", _warehouses(world)[0], 1)], ttl_seconds=60, reference="R1"
        )
    assert unknown.value.upstream_code == "UNKNOWN_PRODUCT"
    with pytest.raises(ValueError, match="at least one line"):
        await connector.reserve([], ttl_seconds=60, reference="R1")

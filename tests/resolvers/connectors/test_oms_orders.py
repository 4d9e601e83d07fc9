"""The OMS connector's order reads (by number, by customer) against the sandbox OMS over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from resolvers.domain import Money
from resolvers.kit import ConnectorKit
from resolvers.oms import OmsConnector, OmsSettings
from sandbox.oms.canonical import ORDER_STATUS_IDS
from sandbox.oms.seed import seeded_shipment_status
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem


@pytest.fixture
async def system(run_system: RunSystem) -> AsyncIterator[RunningSystem]:
    async with run_system("oms") as running:
        yield running


@pytest.fixture
def connector(system: RunningSystem, make_live_kit: LiveKitFactory) -> OmsConnector:
    settings = OmsSettings(base_url=system.url)
    kit: ConnectorKit = make_live_kit({"systems": {"oms": settings.default_policy()}})
    return OmsConnector(kit, settings)


def _order(world: World, **wanted: Any) -> Order:
    return next(o for o in world.orders if o.in_oms and all(getattr(o, k) == v for k, v in wanted.items()))


async def test_an_order_by_number_has_its_lines_shipments_history_and_channel(
    connector: OmsConnector, world: World
) -> None:
    seeded = _order(world, status="FULFILLED", fulfilment_type="SHIP", channel="ONLINE")

    [order] = await connector.orders_by_numbers([seeded.number])
    [again] = await connector.orders_by_numbers([seeded.number])

    assert order is not None
    assert again is order  # an unchanged cached answer (order and shipments) is mapped once
    assert (order.system, order.system_id, order.number) == ("OMS", seeded.id, seeded.number)
    assert order.status == "ORDER_COMPLETED"
    assert order.channel == "ONLINE"
    assert order.placed_at == seeded.placed_at
    assert order.customer_id == seeded.customer_id
    assert order.email == seeded.email
    assert order.currency == "USD"
    assert order.total == Money(Decimal(seeded.total_cents) / 100, "USD")
    assert order.fulfilment_type == "SHIP"
    assert order.shipping_address is not None
    assert seeded.shipping_address is not None
    assert order.shipping_address.postal_code == seeded.shipping_address.postal_code
    assert order.shipping_address.country_code == seeded.shipping_address.country_code
    assert order.financial_status in ("PAYMENT_SETTLED", "PAYMENT_REFUNDED")
    assert [(line.line_no, line.sku, line.quantity) for line in order.lines] == [
        (line.line_no, line.sku, line.quantity) for line in seeded.lines
    ]
    assert [line.unit_price for line in order.lines] == [
        Money(Decimal(line.unit_price_cents) / 100, "USD") for line in seeded.lines
    ]
    assert [line.quantity_fulfilled for line in order.lines] == [
        line.quantity_fulfilled for line in seeded.lines
    ]
    assert all(line.location_id == seeded.lines[0].location_code for line in order.lines)
    assert [(s.id, s.status) for s in order.shipments] == [
        (s.id, seeded_shipment_status(s)) for s in seeded.shipments
    ]
    for shipment, seeded_shipment in zip(order.shipments, seeded.shipments, strict=True):
        assert shipment.system == "OMS"
        assert shipment.lines == seeded_shipment.lines
        assert shipment.location_id == seeded_shipment.location_code
        assert shipment.tracking_number == seeded_shipment.tracking_number
        assert (shipment.carrier is None) == (seeded_shipment.carrier is None)
        assert shipment.updated_at.tzinfo is not None
    assert [e.type for e in order.events] == ["ORDER_CREATED", "ORDER_APPROVED", "ORDER_COMPLETED"]
    assert all(e.system == "OMS" for e in order.events)
    assert order.stale is False


@pytest.mark.parametrize(
    ("channel", "ours"),
    [("ONLINE", "ONLINE"), ("CLIENTELING", "CLIENTELING"), ("CALL_CENTER", "CALL_CENTER")],
)
async def test_the_sales_channel_maps_to_our_channel(
    connector: OmsConnector, world: World, channel: str, ours: str
) -> None:
    [order] = await connector.orders_by_numbers([_order(world, channel=channel).number])
    assert order is not None
    assert order.channel == ours


async def test_a_pickup_order_names_its_pickup_location_and_carries_no_address(
    connector: OmsConnector, world: World
) -> None:
    seeded = _order(world, fulfilment_type="PICKUP", status="IN_PROGRESS")

    [order] = await connector.orders_by_numbers([seeded.number])

    assert order is not None
    assert order.fulfilment_type == "PICKUP"
    assert order.pickup_location_id == seeded.pickup_location_code
    assert order.shipping_address is None
    assert [s.status for s in order.shipments] == ["SHIPMENT_PACKED"]


async def test_orders_by_numbers_answer_in_order_with_none_for_orders_the_oms_lacks(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    shipped = _order(world, status="PARTIALLY_FULFILLED")
    pending = _order(world, status="PENDING")
    store = next(o for o in world.orders if not o.in_oms)
    numbers = [shipped.number, "R999999", pending.number, store.number, shipped.number]

    found = await connector.orders_by_numbers(numbers)

    assert [o.number if o else None for o in found] == [
        shipped.number,
        None,
        pending.number,
        None,
        shipped.number,
    ]
    assert found[2] is not None
    assert found[2].status == ORDER_STATUS_IDS["PENDING"]
    assert found[2].shipments == ()
    assert found[0] is not None
    assert len(found[0].shipments) == 2
    # One listing per distinct number (the OMS filters one orderName at a time) and one
    # shipments call, only for the order that has shipments.
    assert system.calls("GET /rest/s1/oms/orders") == 4 + 1
    assert system.calls("/shipments") == 1


async def test_orders_read_again_within_the_ttl_cost_no_calls(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    numbers = [_order(world, status="FULFILLED").number, _order(world, status="IN_PROGRESS").number]
    first = await connector.orders_by_numbers(numbers)
    calls = system.runtime.stats.requests

    again = await connector.orders_by_numbers(numbers)

    assert again == first
    assert system.runtime.stats.requests == calls


async def test_orders_for_a_customer_are_newest_first_and_at_most_first(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    customer = "C000474"
    expected = sorted(
        (o for o in world.orders if o.in_oms and o.customer_id == customer),
        key=lambda o: o.placed_at,
        reverse=True,
    )
    assert len(expected) > 5

    orders = await connector.orders_for_customer(customer, 5)

    assert [o.number for o in orders] == [o.number for o in expected[:5]]
    assert all(o.customer_id == customer for o in orders)
    with_shipments = sum(1 for o in expected[:5] if o.shipments)
    assert system.calls("GET /rest/s1/oms/orders") == 1 + with_shipments
    everything = await connector.orders_for_customer(customer, 50)
    assert [o.number for o in everything] == [o.number for o in expected]
    assert await connector.orders_for_customer("C999999", 10) == []

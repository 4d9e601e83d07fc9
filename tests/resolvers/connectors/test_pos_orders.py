"""The POS connector's OrderSource and OrderSink against the Square sandbox, checked against the world."""

from __future__ import annotations

from decimal import Decimal

import pytest

from resolvers.domain import Money, OrderDraftLine
from resolvers.errors import UpstreamRejected, UpstreamRequestInvalid
from resolvers.pos import PosConnector
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import RunningSystem
from tests.resolvers.connectors.pos_support import (
    MakeConnector,
    draft_for,
    sample_orders,
)

SQUARE_STATE = {"FULFILLED": "COMPLETED", "CANCELLED": "CANCELED"}
FINANCIAL = {"PAID": "PAID", "PARTIALLY_REFUNDED": "PARTIALLY_REFUNDED", "REFUNDED": "REFUNDED"}
FINANCIAL["VOIDED"] = "CANCELED"


def square_customer_of(world: World, order: Order) -> str | None:
    customer = world.customers_by_id.get(order.customer_id or "")
    return customer.id if customer and customer.square_customer_id else None


async def test_orders_by_numbers_match_the_world_and_an_online_order_is_none(
    pos: PosConnector, world: World
) -> None:
    orders = sample_orders(world)
    online = next(o for o in world.orders if not o.in_pos)
    numbers = [o.number for o in orders] + [online.number]
    records = await pos.orders_by_numbers(numbers)
    assert records[-1] is None
    for order, record in zip(orders, records, strict=False):
        assert record is not None, order.number
        assert (record.system, record.system_id, record.number) == (
            "POS",
            order.square_order_id,
            order.number,
        )
        assert record.status == SQUARE_STATE[order.status]
        assert record.financial_status == FINANCIAL[order.financial_status]
        assert record.placed_at == order.placed_at
        assert record.customer_id == square_customer_of(world, order)
        assert record.total == Money(Decimal(order.total_cents) / 100, "USD")
        assert [
            (line.line_no, line.sku, line.quantity, int(line.unit_price.amount * 100), line.location_id)
            for line in record.lines
        ] == [
            (line.line_no, line.sku, line.quantity, line.unit_price_cents, line.location_code)
            for line in order.lines
        ]
        assert [line.quantity_returned for line in record.lines] == [
            line.quantity_returned for line in order.lines
        ]
        assert [line.quantity_fulfilled for line in record.lines] == [
            line.quantity_fulfilled for line in order.lines
        ]
        assert record.events[0].type == "ORDER_PLACED"


async def test_the_first_lookup_scans_the_stores_once_and_known_numbers_are_one_batch_retrieve(
    pos_system: RunningSystem, make_connector: MakeConnector, world: World
) -> None:
    pos = make_connector(pos_system, order_index_refresh=0)
    numbers = [o.number for o in sample_orders(world)][:3]
    await pos.orders_by_numbers(numbers)
    assert pos_system.calls("/v2/orders/search") == 3  # 25 stores, ten a search, one page each
    assert pos_system.calls("/v2/orders/batch-retrieve") == 0  # the scan's orders served as read

    records = await pos.orders_by_numbers(list(reversed(numbers)))
    assert [r.number for r in records if r] == list(reversed(numbers))
    assert pos_system.calls("/v2/orders/search") == 3
    assert pos_system.calls("/v2/orders/batch-retrieve") == 1


async def test_a_number_the_pos_does_not_hold_rescans_only_what_changed_and_not_more_than_allowed(
    pos_system: RunningSystem, make_connector: MakeConnector, world: World
) -> None:
    pos = make_connector(pos_system, order_index_refresh=60)
    online = [o.number for o in world.orders if not o.in_pos][:3]
    assert await pos.orders_by_numbers(online[:1]) == [None]
    assert pos_system.calls("/v2/orders/search") == 3
    assert await pos.orders_by_numbers(online[1:]) == [None, None]  # within the refresh interval
    assert pos_system.calls("/v2/orders/search") == 3

    eager = make_connector(pos_system, order_index_refresh=0)
    await eager.orders_by_numbers(online[:1])
    await eager.orders_by_numbers(online[1:2])
    assert pos_system.calls("/v2/orders/search") == 9  # a full scan, then an incremental one


async def test_orders_for_customer_are_newest_first_across_every_store(
    pos: PosConnector, pos_system: RunningSystem, world: World
) -> None:
    customer = "C000260"
    expected = sorted(
        (o for o in world.orders if o.in_pos and o.customer_id == customer),
        key=lambda o: o.placed_at,
        reverse=True,
    )
    assert len(expected) > 3
    records = await pos.orders_for_customer(customer, 3)
    assert [r.number for r in records] == [o.number for o in expected[:3]]
    assert {r.customer_id for r in records} == {customer}
    assert pos_system.calls("/v2/customers/search") == 1
    assert pos_system.calls("/v2/orders/search") == 3
    assert pos_system.calls("/v2/customers/") == 1  # the profile is known: no lookup per order
    everything = await pos.orders_for_customer(customer, 50)
    assert [r.number for r in everything] == [o.number for o in expected]


async def test_orders_for_a_customer_the_pos_does_not_know_are_empty(pos: PosConnector, world: World) -> None:
    unknown = next(c.id for c in world.customers if c.square_customer_id is None)
    assert await pos.orders_for_customer(unknown, 5) == []
    assert await pos.orders_for_customer("C000260", 0) == []


async def test_create_order_makes_an_open_square_order_at_the_drafts_store(
    pos: PosConnector, pos_system: RunningSystem, world: World
) -> None:
    draft = draft_for(world, "R900001", customer_id="C000001")
    record = await pos.create_order(draft)
    assert (record.system, record.number, record.status, record.financial_status) == (
        "POS",
        "R900001",
        "OPEN",
        "UNPAID",
    )
    assert record.customer_id == "C000001"
    variants = list(world.variants)
    assert [(line.line_no, line.sku, line.quantity, line.location_id) for line in record.lines] == [
        (1, variants[0].sku, 2, draft.lines[0].location_id),
        (2, variants[1].sku, 1, draft.lines[0].location_id),
    ]
    # catalog lines are priced by the catalog, whatever price is sent (as in Square)
    assert record.lines[0].unit_price == Money(Decimal(variants[0].price_cents) / 100, "USD")
    assert [line.quantity_fulfilled for line in record.lines] == [0, 0]

    before = pos_system.calls("/v2/orders/search")
    [read] = await pos.orders_by_numbers(["R900001"])
    assert read is not None
    assert read.system_id == record.system_id
    assert pos_system.calls("/v2/orders/search") == before  # the created order was learnt


async def test_create_order_away_from_a_store_or_with_an_unknown_sku_sends_no_order(
    pos: PosConnector, pos_system: RunningSystem, world: World
) -> None:
    warehouse = next(loc.code for loc in world.locations if loc.square_location_id is None)
    away = draft_for(world, "R900002", fulfilment_type="SHIP", pickup_location_id=None)
    line = OrderDraftLine(1, next(world.variants).sku, 1, Money(Decimal(1), "USD"), warehouse)
    with pytest.raises(UpstreamRequestInvalid):
        await pos.create_order(draft_for(world, "R900002", lines=(line,), fulfilment_type="SHIP"))
    unknown = OrderDraftLine(1, "NO-SUCH-SKU", 1, Money(Decimal(1), "USD"), away.lines[0].location_id)
    with pytest.raises(UpstreamRejected, match="NO-SUCH-SKU"):
        await pos.create_order(draft_for(world, "R900003", lines=(unknown,)))
    assert pos_system.calls("POST /v2/orders") == 0

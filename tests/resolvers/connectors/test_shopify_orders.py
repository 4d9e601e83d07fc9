"""Orders over the Shopify sandbox: by number, by customer, and created once however often retried."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from resolvers.domain import Money, OrderRecord
from resolvers.errors import UpstreamRejected
from sandbox.shopify.state import ShopState
from sandbox.shopify.statuses import FULFILLMENT_DISPLAY, ORDER_FULFILLMENT_DISPLAY
from sandbox.world import Customer, Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem
from tests.resolvers.connectors.test_shopify_support import Shop, draft, drop_latency_once, shop


def money(cents: int) -> Money:
    return Money(Decimal(cents) / 100, "USD")


def shop_state(s: Shop) -> ShopState:
    state: ShopState = s.system.app.state.system.state
    return state


def assert_order(got: OrderRecord | None, order: Order, world: World) -> None:
    assert got is not None
    customer = world.customers_by_id.get(order.customer_id or "")
    status = "CANCELLED" if order.status == "CANCELLED" else ORDER_FULFILLMENT_DISPLAY[order.status]
    assert (got.system, got.system_id, got.number, got.placed_at) == (
        "SHOPIFY",
        str(order.shopify_order_id),
        order.number,
        order.placed_at,
    )
    assert (got.status, got.financial_status, got.channel, got.email) == (
        status,
        order.financial_status,
        "ONLINE",
        order.email,
    )
    assert got.customer_id == (customer.id if customer and customer.shopify_customer_id else None)
    assert got.fulfilment_type == order.fulfilment_type
    assert got.total == money(order.total_cents)
    refunded = {line.line_no: 0 for line in order.lines}
    for ret in order.returns:
        if ret.refund_cents is not None:
            for rl in ret.lines:
                refunded[rl.line_no] += rl.quantity
    assert [
        (
            line.line_no,
            line.sku,
            line.quantity,
            line.unit_price,
            line.quantity_fulfilled,
            line.quantity_returned,
        )
        for line in got.lines
    ] == [
        (
            line.line_no,
            line.sku,
            line.quantity,
            money(line.unit_price_cents),
            line.quantity_fulfilled,
            refunded[line.line_no],
        )
        for line in order.lines
    ]
    shipped = [s for s in order.shipments if s.status != "PENDING"]
    assert [(s.status, s.carrier, s.tracking_number, s.lines, s.location_id) for s in got.shipments] == [
        (FULFILLMENT_DISPLAY[s.status], s.carrier, s.tracking_number, s.lines, s.location_code)
        for s in shipped
    ]
    assert got.events[0].type == "ORDER_PLACED"
    assert ("ORDER_CANCELLED" in [e.type for e in got.events]) == (order.status == "CANCELLED")


async def test_orders_by_numbers_map_statuses_lines_fulfillments_and_customers_in_balanced_calls(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    orders = [o for o in world.orders if o.in_shopify][:40]
    assert {o.status for o in orders} == {
        "PENDING",
        "ON_HOLD",
        "IN_PROGRESS",
        "PARTIALLY_FULFILLED",
        "FULFILLED",
        "CANCELLED",
    }
    not_in_shopify = next(o.number for o in world.orders if not o.in_shopify)
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.orders_by_numbers([o.number for o in orders] + [not_in_shopify, "R999999"])
        assert s.graphql_calls() == 6 == -(-42 // s.connector.orders.most)
        assert s.connector.graphql.last_cost["orders_by_number"] <= 1000
        again = await s.connector.orders_by_numbers([orders[0].number, not_in_shopify])
        assert s.graphql_calls() == 6, "orders and absences are cached per number"
    assert got[-2:] == [None, None]
    for record, order in zip(got, orders, strict=False):
        assert_order(record, order, world)
    assert again == [got[0], None]
    assert again[0] is got[0], "an unchanged cached answer is mapped once"


async def test_a_pickup_order_names_its_pickup_location(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    order = next(o for o in world.orders if o.in_shopify and o.fulfilment_type == "PICKUP")
    async with shop(run_system, make_live_kit, world) as s:
        (got,) = await s.connector.orders_by_numbers([order.number])
    assert got is not None
    assert got.fulfilment_type == "PICKUP"
    assert got.pickup_location_id == order.lines[0].location_code


def _most_online(world: World) -> tuple[Customer, list[Order]]:
    """The Shopify customer with the most online orders, and those orders newest first."""

    def online(customer_id: str) -> list[Order]:
        return [o for o in world.orders if o.in_shopify and o.customer_id == customer_id]

    customer = max((c for c in world.customers if c.shopify_customer_id), key=lambda c: len(online(c.id)))
    return customer, sorted(online(customer.id), key=lambda o: o.placed_at, reverse=True)


async def test_a_customers_orders_come_newest_first_through_the_customer_index(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    customer, theirs = _most_online(world)
    assert len(theirs) > 5
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.orders_for_customer(customer.id, 5)
        assert s.graphql_calls() == 3 + 1, "two index pages (450 customers), the names, the orders"
        unknown = await s.connector.orders_for_customer("C999999", 5)
    assert [o.number for o in got] == [o.number for o in theirs[:5]]
    assert all(o.customer_id == customer.id for o in got)
    assert unknown == []


async def test_a_customers_orders_by_a_shopify_id_the_caller_knows_need_no_index_scan(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    customer, theirs = _most_online(world)
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.orders_for_customer(
            customer.id, 5, shopify_id=str(customer.shopify_customer_id)
        )
        assert s.graphql_calls() == 1 + 1, "the names, the orders"
        assert "customer_index" not in s.connector.graphql.last_cost
        forged = await s.connector.orders_for_customer(customer.id, 5, shopify_id='1 OR tag:"x"')
    assert [o.number for o in got] == [o.number for o in theirs[:5]]
    assert forged == got, "a malformed id is not put in the search (the index's is taken)"


async def test_create_order_names_the_order_with_our_number_and_tags_our_keys(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    customer = next(c for c in world.customers if c.shopify_customer_id)
    order = draft(world, "R900001", key="key-create-1", customer=customer.id)
    async with shop(run_system, make_live_kit, world) as s:
        assert await s.connector.orders_by_numbers(["R900001"]) == [None]
        created = await s.connector.create_order(order)
        (read,) = await s.connector.orders_by_numbers(["R900001"])
        mine = await s.connector.orders_for_customer(customer.id, 3)
        stored = shop_state(s).orders_by_name["r900001"]
    assert (created.number, created.status, created.financial_status, created.channel) == (
        "R900001",
        "UNFULFILLED",
        "PAID",
        "ONLINE",
    )
    assert created.customer_id == customer.id
    assert [(line.sku, line.quantity, line.unit_price) for line in created.lines] == [
        (line.sku, line.quantity, line.unit_price) for line in order.lines
    ]
    assert created.total == Money(sum(line.unit_price.amount * 2 for line in order.lines), "USD")
    assert read == created, "the cached absence was evicted when the order was created"
    assert stored.customer is not None
    assert stored.customer.id == customer.shopify_customer_id
    assert "channel:ONLINE" in stored.tags
    assert mine[0].number == "R900001"


async def test_create_order_retried_after_a_timeout_that_landed_creates_one_order(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    """The first attempt times out on our side but the store still runs it; the retry replays it."""
    order = draft(world, "R900002", key="key-timeout-1")
    writes = {"create_order": {"timeout": 0.25}}
    async with shop(run_system, make_live_kit, world, operations=writes) as s:
        s.system.set_knobs(latency_ms=400.0)
        helper = asyncio.create_task(drop_latency_once(s, 1))
        created = await s.connector.create_order(order)
        await helper
        await asyncio.sleep(0.5)  # let the first request finish running in the store
        named = [o for o in shop_state(s).orders if o.name == "R900002"]
        assert s.graphql_calls() >= 2  # a busy machine may time the retry out too; one order whatever
    assert created.number == "R900002"
    assert len(named) == 1
    assert created.system_id == str(named[0].id)


async def test_a_refused_order_is_an_upstream_rejection_with_shopifys_code_and_is_not_retried(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    order = draft(world, "R900003", key="key-refused", quantity=0)
    async with shop(run_system, make_live_kit, world) as s:
        with pytest.raises(UpstreamRejected) as caught:
            await s.connector.create_order(order)
        assert s.graphql_calls() == 1
    assert caught.value.upstream_code == "INVALID"
    assert "order.lineItems.0.quantity" in caught.value.message


async def test_the_same_key_with_another_order_is_refused_as_a_key_mismatch(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    async with shop(run_system, make_live_kit, world) as s:
        await s.connector.create_order(draft(world, "R900004", key="key-reused"))
        with pytest.raises(UpstreamRejected) as caught:
            await s.connector.create_order(draft(world, "R900005", key="key-reused"))
        assert [o.name for o in shop_state(s).orders].count("R900005") == 0
    assert caught.value.upstream_code == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"

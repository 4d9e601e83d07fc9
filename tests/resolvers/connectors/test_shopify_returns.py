"""Returns over the Shopify sandbox: an order's returns, by our RMA number, and created once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from resolvers.domain import ReturnDraft, ReturnDraftLine
from resolvers.errors import UpstreamNotFound, UpstreamRejected
from resolvers.shopify.cost import requested_cost
from resolvers.shopify.documents import RETURNS_BY_ORDER
from sandbox.shopify.state import ShopState
from sandbox.shopify.statuses import RETURN_STATUS, return_reason
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem
from tests.resolvers.connectors.test_shopify_support import Shop, drop_latency_once, shop


def shop_state(s: Shop) -> ShopState:
    state: ShopState = s.system.app.state.system.state
    return state


def returnable_order(world: World, skip: int = 0) -> Order:
    """A fulfilled, delivered online order without returns."""
    orders = [
        o
        for o in world.orders
        if o.in_shopify
        and o.status == "FULFILLED"
        and not o.returns
        and o.shipments
        and all(s.status == "DELIVERED" for s in o.shipments)
    ]
    return orders[skip]


def return_draft(order: Order, rma: str, *, key: str, quantity: int = 1, line_no: int = 1) -> ReturnDraft:
    line = order.lines[line_no - 1]
    return ReturnDraft(
        rma_number=rma,
        order_number=order.number,
        lines=(ReturnDraftLine(line_no, line.sku, quantity, "SIZE_OR_FIT"),),
        refund_method="ORIGINAL_PAYMENT",
        created_at=datetime(2026, 10, 31, 9, 0, tzinfo=UTC),
        idempotency_key=key,
    )


async def test_an_orders_returns_keep_shopifys_status_and_reason_with_our_line_numbers(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    with_returns = [o for o in world.orders if o.in_shopify and o.returns][:6]
    without = returnable_order(world)
    numbers = [o.number for o in with_returns] + [without.number, "R999999"]
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.returns_for_orders(numbers)
        # which of the eight have a return (one request), then the returns of those six alone
        assert s.graphql_calls() == 1 + 2 == 1 + -(-6 // s.connector.returns.most)
        assert s.connector.graphql.last_cost["returns_presence"] == 2 + 4 * 8
        three = requested_cost(RETURNS_BY_ORDER, {"n": 3, "lines": 10, "fulfillments": 3, "returns": 5})
        assert s.connector.graphql.last_cost["returns_for_order"] == three  # 6 in two parts of 3
    assert got[-2:] == [[], []]
    for records, order in zip(got, with_returns, strict=False):
        assert [(r.order_number, r.status, r.rma_number) for r in records] == [
            (order.number, RETURN_STATUS[ret.status], None) for ret in order.returns
        ]
        for record, ret in zip(records, order.returns, strict=True):
            assert [(line.line_no, line.quantity, line.reason) for line in record.lines] == [
                (rl.line_no, rl.quantity, return_reason(rl.reason)[0]) for rl in ret.lines
            ]
            assert record.lines[0].sku == order.lines[ret.lines[0].line_no - 1].sku


async def test_a_created_return_carries_our_rma_and_reason_and_is_found_by_rma(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    order = returnable_order(world)
    rma = f"RMA-{order.number[1:]}-77"
    draft = return_draft(order, rma, key="ret-key-1")
    async with shop(run_system, make_live_kit, world) as s:
        assert await s.connector.returns_for_orders([order.number]) == [[]]
        created = await s.connector.create_return(draft)
        found = await s.connector.returns_by_rma([rma, f"RMA-{order.number[1:]}-78", "NOT-AN-RMA"])
        listed = await s.connector.returns_for_orders([order.number])
        again = await s.connector.create_return(draft)
        held = shop_state(s).orders_by_name[order.number.lower()].returns
    assert (created.rma_number, created.order_number, created.status) == (rma, order.number, "OPEN")
    assert [(line.line_no, line.quantity, line.reason, line.sku) for line in created.lines] == [
        (1, 1, "SIZE_OR_FIT", order.lines[0].sku)
    ]
    assert created.created_at == draft.created_at
    assert found == [created, None, None]
    assert listed == [[created]], "the cached list was evicted by the create"
    assert again == created
    assert len(held) == 1, "a retried draft does not create a second return"


async def test_create_return_retried_after_a_timeout_that_landed_creates_one_return(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    order = returnable_order(world, 1)
    draft = return_draft(order, f"RMA-{order.number[1:]}-01", key="ret-key-timeout")
    async with shop(run_system, make_live_kit, world, operations={"create_return": {"timeout": 0.25}}) as s:
        s.system.set_knobs(latency_ms=400.0)
        helper = asyncio.create_task(drop_latency_once(s, 2))  # the fresh order read, then the write
        created = await s.connector.create_return(draft)
        await helper
        await asyncio.sleep(0.5)  # let the timed-out attempt finish in the store
        held = shop_state(s).orders_by_name[order.number.lower()].returns
        # the order read, the write that timed out, its retry (a busy machine may time a retry out too:
        # it waits on the first attempt under the same idempotency key); one return whatever the count
        assert s.graphql_calls() >= 3, "the order read, the write that timed out, its retry"
    assert created.rma_number == draft.rma_number
    assert len(held) == 1


async def test_more_than_the_returnable_quantity_is_refused_with_shopifys_code(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    order = returnable_order(world, 2)
    too_many = order.lines[0].quantity + 1
    async with shop(run_system, make_live_kit, world) as s:
        with pytest.raises(UpstreamRejected) as caught:
            await s.connector.create_return(return_draft(order, "RMA-1-01", key="k1", quantity=too_many))
    assert caught.value.upstream_code == "LESS_THAN_OR_EQUAL_TO"
    assert "returnLineItems.0.quantity" in caught.value.message


async def test_a_line_without_fulfilled_units_or_an_unknown_order_is_refused_before_any_write(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    pending = next(o for o in world.orders if o.in_shopify and o.status == "PENDING")
    async with shop(run_system, make_live_kit, world) as s:
        with pytest.raises(UpstreamRejected) as unfulfilled:
            await s.connector.create_return(return_draft(pending, "RMA-1-02", key="k2"))
        with pytest.raises(UpstreamNotFound):
            await s.connector.create_return(
                ReturnDraft("RMA-999999-01", "R999999", (), "STORE_CREDIT", pending.placed_at, "k3")
            )
        assert s.graphql_calls() == 2, "two order reads, no write"
    assert unfulfilled.value.upstream_code == "NOT_FULFILLED"

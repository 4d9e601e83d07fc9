"""The OMS connector's order writes: create (safe to retry), order and shipment status changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from resolvers.domain import Address, Money, OrderDraft, OrderDraftLine
from resolvers.errors import UpstreamConflict, UpstreamNotFound, UpstreamRejected, UpstreamTimeout
from resolvers.oms import OmsConnector, OmsSettings
from resolvers.policy import ConnectorPolicies, SystemPolicy
from sandbox.oms.orders import OrderQuery
from sandbox.oms.state import OmsState
from sandbox.world import World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem

_ORDERS = "POST /rest/s1/oms/orders"


@pytest.fixture
async def system(run_system: RunSystem) -> AsyncIterator[RunningSystem]:
    async with run_system("oms") as running:
        yield running


def _connector(system: RunningSystem, make_live_kit: LiveKitFactory, **operations: Any) -> OmsConnector:
    settings = OmsSettings(base_url=system.url)
    policy = settings.default_policy().model_dump()
    for name, override in operations.items():
        policy["operations"][name] = {**policy["operations"].get(name, {}), **override}
    return OmsConnector(
        make_live_kit(ConnectorPolicies(systems={"oms": SystemPolicy.model_validate(policy)})), settings
    )


@pytest.fixture
def connector(system: RunningSystem, make_live_kit: LiveKitFactory) -> OmsConnector:
    return _connector(system, make_live_kit)


def _draft(world: World, number: str = "R900001", **overrides: Any) -> OrderDraft:
    warehouses = [loc.code for loc in world.locations if loc.type != "STORE"]
    variants = list(world.variants)
    lines = tuple(
        OrderDraftLine(
            line_no=n,
            sku=variants[n].sku,
            quantity=n,
            unit_price=Money(Decimal(variants[n].price_cents) / 100, "USD"),
            location_id=warehouses[0] if n != 2 else warehouses[1],
        )
        for n in (1, 2, 3)
    )
    fields: dict[str, Any] = {
        "number": number,
        "channel": "CLIENTELING",
        "placed_at": datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        "lines": lines,
        "currency": "USD",
        "payment_reference": "pay_test_1",
        "fulfilment_type": "SHIP",
        "idempotency_key": "key-1",
        "customer_id": "C000001",
        "email": "someone@example.com",
        "shipping_address": Address("1 Main St", None, "Austin", "TX", "78701", "US"),
    }
    return OrderDraft(**(fields | overrides))


def _state(system: RunningSystem) -> OmsState:
    state: OmsState = system.app.state.system.state
    return state


async def _settled(system: RunningSystem) -> None:
    """Wait (bounded) until the OMS has answered every order create it received, late ones included."""
    stats = system.runtime.stats
    for _ in range(300):
        if sum(stats.by_status[status] for status in (201, 409, 500)) >= system.calls(_ORDERS):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the OMS did not answer every create")


def _named(system: RunningSystem, number: str) -> list[str]:
    """Ids of the OMS orders called ``number``."""
    orders = _state(system).orders
    return [
        oid for oid in orders.search(OrderQuery(party_id="C000001")) if orders.get(oid).order_name == number
    ]


async def test_a_created_order_reads_back_with_its_lines_in_draft_order(
    connector: OmsConnector, world: World
) -> None:
    draft = _draft(world)

    order = await connector.create_order(draft)

    assert (order.system, order.number, order.status) == ("OMS", draft.number, "ORDER_CREATED")
    assert order.system_id.startswith("OMS")
    assert order.channel == "CLIENTELING"
    assert order.customer_id == "C000001"
    assert order.placed_at == draft.placed_at
    assert [(line.line_no, line.sku, line.quantity, line.location_id) for line in order.lines] == [
        (line.line_no, line.sku, line.quantity, line.location_id) for line in draft.lines
    ]
    assert [line.unit_price for line in order.lines] == [line.unit_price for line in draft.lines]
    assert order.shipping_address == draft.shipping_address
    assert order.financial_status == "PAYMENT_AUTHORIZED"
    [read] = await connector.orders_by_numbers([draft.number])
    assert read == order


async def test_a_create_whose_answer_was_lost_after_it_landed_answers_the_order_already_made(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    first = await connector.create_order(_draft(world))  # landed; say its answer never reached the caller

    again = await connector.create_order(_draft(world))

    assert again == first
    assert system.runtime.stats.by_status[201] == 1
    assert system.runtime.stats.by_status[409] == 1  # ORDER_EXISTS, answered with the existing order
    assert _named(system, "R900001") == [first.system_id]


async def test_concurrent_creates_of_one_order_make_exactly_one(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    orders = await asyncio.gather(*(connector.create_order(_draft(world)) for _ in range(5)))

    assert len({order.system_id for order in orders}) == 1
    assert system.runtime.stats.by_status[201] == 1
    assert _named(system, "R900001") == [orders[0].system_id]


async def test_a_create_retried_after_a_client_side_timeout_leaves_exactly_one_order(
    system: RunningSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    connector = _connector(
        system,
        make_live_kit,
        create_order={
            "timeout": 0.2,
            "retry": {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02, "budget_min_per_second": 100},
        },
    )
    system.set_knobs(latency_ms=400)  # the first attempt outlives the operation's timeout

    async def speed_up_once_the_first_create_arrived() -> None:
        for _ in range(1000):  # bounded: the first attempt arrives at once
            if system.calls(_ORDERS) >= 1:
                break
            await asyncio.sleep(0.005)
        system.set_knobs(latency_ms=0)

    helper = asyncio.create_task(speed_up_once_the_first_create_arrived())
    order = await connector.create_order(_draft(world))
    await helper
    await _settled(system)

    assert order.number == "R900001"
    assert system.calls(_ORDERS) == 2  # timed out on our side, then retried by the kit
    assert system.runtime.stats.by_status[201] == 1
    assert _named(system, "R900001") == [order.system_id]


async def test_a_create_that_timed_out_every_time_is_safe_for_the_caller_to_retry(
    system: RunningSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    slow = _connector(system, make_live_kit, create_order={"timeout": 0.1, "retry": {"attempts": 2}})
    system.set_knobs(latency_ms=250)
    with pytest.raises(UpstreamTimeout):
        await slow.create_order(_draft(world))
    system.set_knobs(latency_ms=0)
    await _settled(system)

    order = await _connector(system, make_live_kit).create_order(_draft(world))
    again = await _connector(system, make_live_kit).create_order(_draft(world))

    assert again.system_id == order.system_id
    assert _named(system, "R900001") == [order.system_id]


async def test_an_order_number_taken_by_another_order_is_a_conflict(
    connector: OmsConnector, world: World
) -> None:
    seeded = next(o for o in world.orders if o.in_oms)

    with pytest.raises(UpstreamConflict) as caught:
        await connector.create_order(_draft(world, number=seeded.number))

    assert caught.value.upstream_code == "ORDER_EXISTS"


async def test_an_invalid_order_is_rejected_with_the_oms_code_and_not_retried(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    draft = _draft(world)
    bad = _draft(world, lines=(OrderDraftLine(1, "NO-SUCH-SKU", 1, Money(Decimal(1), "USD"), "WH01"),))
    assert bad.number == draft.number

    with pytest.raises(UpstreamRejected) as caught:
        await connector.create_order(bad)

    assert caught.value.status == 400
    assert caught.value.upstream_code == "UNKNOWN_PRODUCT"
    assert system.calls(_ORDERS) == 1


async def test_approving_an_order_by_number_creates_its_shipment_and_refreshes_reads(
    connector: OmsConnector, world: World
) -> None:
    created = await connector.create_order(_draft(world))

    approved = await connector.set_order_status(created.number, "ORDER_APPROVED")
    again = await connector.set_order_status(created.system_id, "ORDER_APPROVED")  # a no-op

    assert approved.status == "ORDER_APPROVED"
    assert [e.type for e in approved.events] == ["ORDER_CREATED", "ORDER_APPROVED"]
    # one ship group per run of lines at one facility (1 and 3 at one, 2 at another): three shipments
    assert [s.status for s in approved.shipments] == ["SHIPMENT_APPROVED"] * 3
    assert again.status == "ORDER_APPROVED"
    [read] = await connector.orders_by_numbers([created.number])
    assert read is not None
    assert read.status == "ORDER_APPROVED"
    assert len(read.shipments) == 3


async def test_an_invalid_order_transition_is_an_upstream_conflict(
    connector: OmsConnector, world: World
) -> None:
    completed = next(o for o in world.orders if o.in_oms and o.status == "FULFILLED")

    with pytest.raises(UpstreamConflict) as caught:
        await connector.set_order_status(completed.number, "ORDER_APPROVED")

    assert caught.value.status == 409
    assert caught.value.upstream_code == "INVALID_STATUS_TRANSITION"
    assert "ORDER_COMPLETED" in caught.value.message


async def test_an_unknown_order_is_not_found(connector: OmsConnector) -> None:
    with pytest.raises(UpstreamNotFound) as caught:
        await connector.set_order_status("OMS999999", "ORDER_APPROVED")
    assert caught.value.upstream_code == "ORDER_NOT_FOUND"


async def test_shipping_every_shipment_completes_the_order(connector: OmsConnector, world: World) -> None:
    created = await connector.create_order(_draft(world))
    approved = await connector.set_order_status(created.number, "ORDER_APPROVED")
    await connector.orders_by_numbers([created.number])  # cached now: the writes below must refresh it

    for shipment in approved.shipments:
        packed = await connector.set_shipment_status(shipment.id, "SHIPMENT_PACKED")
        assert packed.status == "SHIPMENT_PACKED"
        shipped = await connector.set_shipment_status(
            shipment.id, "SHIPMENT_SHIPPED", tracking_number="1ZTEST", carrier="UPS"
        )
        assert (shipped.status, shipped.tracking_number, shipped.carrier) == (
            "SHIPMENT_SHIPPED",
            "1ZTEST",
            "UPS",
        )
        assert shipped.lines == shipment.lines

    [read] = await connector.orders_by_numbers([created.number])
    assert read is not None
    assert read.status == "ORDER_COMPLETED"
    assert [line.quantity_fulfilled for line in read.lines] == [1, 2, 3]
    with pytest.raises(UpstreamConflict) as caught:
        await connector.set_shipment_status(approved.shipments[0].id, "SHIPMENT_PACKED")
    assert caught.value.upstream_code == "INVALID_STATUS_TRANSITION"

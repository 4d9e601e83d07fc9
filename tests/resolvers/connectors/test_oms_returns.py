"""The OMS connector's returns: by order, by RMA number, reasons, and creation that is safe to retry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from resolvers.domain import ReturnDraft, ReturnDraftLine
from resolvers.errors import UpstreamConflict
from resolvers.oms import OmsConnector, OmsSettings
from resolvers.oms.returns import order_number_of_rma
from sandbox.oms.canonical import RETURN_STATUS_IDS
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem


@pytest.fixture
async def system(run_system: RunSystem) -> AsyncIterator[RunningSystem]:
    async with run_system("oms") as running:
        yield running


@pytest.fixture
def connector(system: RunningSystem, make_live_kit: LiveKitFactory) -> OmsConnector:
    settings = OmsSettings(base_url=system.url)
    return OmsConnector(make_live_kit({"systems": {"oms": settings.default_policy()}}), settings)


def _with_returns(world: World, count: int) -> list[Order]:
    return [o for o in world.orders if o.in_oms and o.returns][:count]


def _returnable(world: World) -> Order:
    """A completed, shipped OMS order without returns whose first line has two or more units."""
    return next(
        o
        for o in world.orders
        if o.in_oms and o.status == "FULFILLED" and not o.returns and o.lines[0].quantity >= 2
    )


def _draft(order: Order, rma: str | None = None, quantity: int = 1, **extra: str) -> ReturnDraft:
    return ReturnDraft(
        rma_number=rma or f"RMA-{order.number[1:]}-90",
        order_number=order.number,
        lines=(ReturnDraftLine(1, order.lines[0].sku, quantity, "DAMAGED"),),
        refund_method=extra.get("refund_method", "ORIGINAL_PAYMENT"),
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        idempotency_key="key-1",
        drop_off_location_id=extra.get("drop_off"),
    )


def test_the_order_number_is_read_from_the_rma_number() -> None:
    assert order_number_of_rma("RMA-100015-01") == "R100015"
    assert order_number_of_rma("RMA-100015-10023") == "R100015"
    assert order_number_of_rma("RET10001") is None
    assert order_number_of_rma("RMA-X-01") is None


async def test_returns_for_orders_match_the_world_with_our_reasons(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    orders = _with_returns(world, 4)
    nothing = next(o for o in world.orders if o.in_oms and not o.returns)
    numbers = [o.number for o in orders] + [nothing.number, orders[0].number]

    found = await connector.returns_for_orders(numbers)

    assert found[-2] == []
    assert found[-1] == found[0]
    for order, returns in zip(orders, found, strict=False):
        assert [r.rma_number for r in returns] == [
            r.rma_number for r in sorted(order.returns, key=lambda r: r.created_at, reverse=True)
        ]
        for record in returns:
            seeded = next(r for r in order.returns if r.rma_number == record.rma_number)
            assert (record.system, record.system_id, record.order_number) == ("OMS", seeded.id, order.number)
            assert record.status == RETURN_STATUS_IDS[seeded.status]
            assert [(line.line_no, line.quantity, line.reason) for line in record.lines] == [
                (line.line_no, line.quantity, line.reason) for line in seeded.lines
            ]
            assert record.lines[0].sku == order.lines[seeded.lines[0].line_no - 1].sku
            assert record.refund_method == seeded.refund_method
            expected_refund = None if seeded.refund_cents is None else Decimal(seeded.refund_cents) / 100
            assert (record.refund.amount if record.refund else None) == expected_refund
            assert record.drop_off_location_id == seeded.drop_off_location_code
            assert record.events[0].type == "RETURN_REQUESTED"
    assert system.calls("GET /rest/s1/oms/returns") == len(orders) + 1  # one per distinct order
    assert system.calls("/return-reasons") == 1


async def test_returns_by_rma_find_each_return_through_its_order(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    orders = _with_returns(world, 3)
    rmas = [o.returns[0].rma_number for o in orders]

    found = await connector.returns_by_rma([*rmas, "RMA-999999-01", "not-an-rma"])

    assert [r.rma_number if r else None for r in found] == [*rmas, None, None]
    assert [r.system_id for r in found if r] == [o.returns[0].id for o in orders]
    assert system.calls("GET /rest/s1/oms/returns") == 4


async def test_a_created_return_carries_our_rma_number_and_reason(
    connector: OmsConnector, world: World
) -> None:
    order = _returnable(world)
    before = await connector.returns_for_orders([order.number])
    draft = _draft(order, refund_method="STORE_CREDIT", drop_off=order.lines[0].location_code)

    created = await connector.create_return(draft)

    assert (created.system, created.rma_number, created.order_number) == (
        "OMS",
        draft.rma_number,
        order.number,
    )
    assert created.status == "RETURN_REQUESTED"
    assert [(line.line_no, line.quantity, line.reason, line.sku) for line in created.lines] == [
        (1, 1, "DAMAGED", order.lines[0].sku)
    ]
    assert created.refund_method == "STORE_CREDIT"
    assert created.drop_off_location_id == order.lines[0].location_code
    assert before == [[]]
    assert await connector.returns_for_orders([order.number]) == [[created]]
    assert await connector.returns_by_rma([draft.rma_number]) == [created]


async def test_creating_the_same_return_again_answers_the_return_already_made(
    connector: OmsConnector, system: RunningSystem, world: World
) -> None:
    order = _returnable(world)

    first = await connector.create_return(_draft(order))
    again = await connector.create_return(_draft(order))

    assert again == first
    assert system.runtime.stats.by_status[201] == 1
    assert len((await connector.returns_for_orders([order.number]))[0]) == 1


async def test_returning_more_than_was_shipped_is_a_conflict_with_the_oms_code(
    connector: OmsConnector, world: World
) -> None:
    order = _returnable(world)

    with pytest.raises(UpstreamConflict) as caught:
        await connector.create_return(_draft(order, quantity=order.lines[0].quantity + 1))

    assert caught.value.upstream_code == "RETURN_QUANTITY_EXCEEDED"
    assert caught.value.status == 409


async def test_return_reasons_map_oms_ids_to_our_reasons(connector: OmsConnector) -> None:
    reasons = await connector.return_reasons()

    assert reasons["RTN_DAMAGED"] == "DAMAGED"
    assert reasons["RTN_NOT_WANT"] == "CHANGED_MIND"
    assert set(reasons.values()) >= {"DAMAGED", "DEFECTIVE", "WRONG_ITEM", "SIZE_OR_FIT", "OTHER"}

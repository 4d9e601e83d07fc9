"""The POS connector's returns: a store sale's refunds and returned goods, checked against the world."""

from __future__ import annotations

from decimal import Decimal

from resolvers.domain import ReturnRecord
from resolvers.pos import PosConnector
from sandbox.pos.order_seed import RETURNED_GOODS
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import RunningSystem

EXPECTED_STATUS = {
    "REQUESTED": "PENDING",
    "APPROVED": "PENDING+RETURNED",
    "RECEIVED": "PENDING+RETURNED",
    "INSPECTED": "PENDING+RETURNED",
    "REFUNDED": "APPROVED",
    "CLOSED": "APPROVED",
    "DECLINED": "REJECTED",
    "CANCELLED": "FAILED",
}
"""World return status -> the status the connector reads from the till (refund status, goods back or not)."""


def _store_sales_with_returns(world: World) -> list[Order]:
    picked: dict[str, Order] = {}
    for order in world.orders:
        if order.in_pos and order.returns:
            for ret in order.returns:
                picked.setdefault(ret.status, order)
    return list(dict.fromkeys(picked.values()))


def _value(order: Order, record: ReturnRecord) -> Decimal:
    prices = {line.line_no: line.unit_price_cents for line in order.lines}
    return sum((Decimal(prices[ln.line_no] * ln.quantity) / 100 for ln in record.lines), Decimal(0))


async def test_every_refund_of_a_store_sale_is_a_return_with_its_status_goods_and_store(
    pos: PosConnector, world: World
) -> None:
    orders = _store_sales_with_returns(world)
    assert {ret.status for o in orders for ret in o.returns} == set(EXPECTED_STATUS)
    online = next(o for o in world.orders if not o.in_pos)
    found = await pos.returns_for_orders([o.number for o in orders] + [online.number])
    assert found[-1] == []
    for order, records in zip(orders, found, strict=False):
        assert len(records) == len(order.returns), order.number
        for ret, record in zip(order.returns, records, strict=True):
            assert (record.system, record.rma_number, record.order_number) == ("POS", None, order.number)
            assert record.status == EXPECTED_STATUS[ret.status], (order.number, ret.status)
            assert record.drop_off_location_id == order.lines[0].location_code
            assert abs(record.created_at - ret.created_at).total_seconds() < 1
            if ret.status in RETURNED_GOODS:
                assert [(ln.line_no, ln.quantity, ln.reason) for ln in record.lines] == [
                    (ln.line_no, ln.quantity, ln.reason) for ln in ret.lines
                ]
            refunded = ret.refund_cents if ret.refund_cents is not None else None
            if record.lines and refunded is None:
                assert _value(order, record) == sum(
                    Decimal(order.lines[ln.line_no - 1].unit_price_cents * ln.quantity) / 100
                    for ln in ret.lines
                )
            if ret.status in ("REFUNDED", "CLOSED"):
                assert record.refund is not None
                assert refunded is not None
                assert record.refund.amount == Decimal(refunded) / 100
            else:
                assert record.refund is None


async def test_a_refund_id_leads_back_to_its_order_number_and_an_unknown_one_to_none(
    pos: PosConnector, pos_system: RunningSystem, world: World
) -> None:
    order = _store_sales_with_returns(world)[0]
    [records] = await pos.returns_for_orders([order.number])
    refund_ids = [record.system_id for record in records]
    assert await pos.order_numbers_of_refunds([*refund_ids, "NO_SUCH_REFUND"]) == [
        *(order.number for _ in refund_ids),
        None,
    ]
    before = pos_system.calls("/v2/refunds")
    assert await pos.order_numbers_of_refunds(refund_ids) == [order.number for _ in refund_ids]
    assert pos_system.calls("/v2/refunds") == before  # a refund's order never changes: cached


async def test_square_keeps_no_rma_numbers(pos: PosConnector, pos_system: RunningSystem) -> None:
    assert await pos.returns_by_rma(["RMA-100015-01"]) == [None]
    assert pos_system.calls() == 0

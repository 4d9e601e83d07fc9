"""The return book: seeded and created customer returns, their search, creation and status changes.

Only shipped units can be returned, and only once: a new return may ask for
at most (shipped - already on returns that are not rejected or cancelled)
per order item, else 409 ``RETURN_QUANTITY_EXCEEDED`` with the figures per
item. Effects of status changes: RETURN_RECEIVED marks every unit received;
RETURN_COMPLETED refunds the return total (``refundAmount``) against the
order's payment preference, which becomes PAYMENT_REFUNDED once everything
is refunded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sandbox.oms._wire import seq_id
from sandbox.oms.canonical import RETURN_REASONS
from sandbox.oms.errors import OmsError
from sandbox.oms.models import CreateReturn
from sandbox.oms.orders import OrderBook
from sandbox.oms.records import OrderRecord, ReturnItem, ReturnRecord, StatusRow
from sandbox.oms.statuses import check_transition
from sandbox.world import World

__all__ = ["ReturnBook"]


class ReturnBook:
    """Every return, indexed by id, externalId, order and customer."""

    def __init__(self, world: World, orders: OrderBook, clock: Callable[[], datetime]) -> None:
        self._world, self._orders, self._clock = world, orders, clock
        self._by_id: dict[str, ReturnRecord] = {}
        self._by_order: dict[str, list[str]] = {}
        self._by_external: dict[str, str] = {}
        for order in world.orders:
            if order.in_oms:
                for ret in order.returns:
                    self._index(orders.seeder.return_(ret))
        numbers = [int(r.id[3:]) for o in world.orders for r in o.returns]
        self._next = max(numbers, default=10_000) + 1

    def _index(self, record: ReturnRecord) -> None:
        self._by_id[record.return_id] = record
        self._by_order.setdefault(record.order_id, []).append(record.return_id)
        if record.external_id:
            self._by_external[record.external_id] = record.return_id

    def get(self, return_id: str) -> ReturnRecord:
        record = self._by_id.get(return_id)
        if record is None:
            raise OmsError.not_found("Return", return_id)
        return record

    def search(
        self, order_id: str | None, party_id: str | None, status_ids: set[str] | None
    ) -> list[ReturnRecord]:
        """Returns matching every filter, newest first."""
        if order_id is not None:
            found = [self._by_id[r] for r in self._by_order.get(order_id, ())]
        else:
            found = list(self._by_id.values())
        found = [
            r
            for r in found
            if (party_id is None or r.party_id == party_id)
            and (status_ids is None or r.status_id in status_ids)
        ]
        return sorted(found, key=lambda r: (r.created_at, r.return_id), reverse=True)

    def returnable(self, order: OrderRecord) -> dict[str, tuple[int, int]]:
        """Per order item: (shipped units, units already on live returns)."""
        already: Counter[str] = Counter()
        for return_id in self._by_order.get(order.order_id, ()):
            record = self._by_id[return_id]
            if record.counts_against_order():
                for item in record.items:
                    already[item.order_item_seq_id] += item.quantity
        shipped = order.shipped_quantities()
        return {item.seq_id: (shipped[item.seq_id], already[item.seq_id]) for item in order.items}

    def create(self, body: CreateReturn, by: str) -> ReturnRecord:
        if body.externalId and body.externalId in self._by_external:
            existing = self._by_external[body.externalId]
            raise OmsError(
                409,
                "RETURN_EXISTS",
                f"A return with externalId [{body.externalId}] already exists: [{existing}].",
                [{"field": "externalId", "value": body.externalId, "returnId": existing}],
            )
        order_id = self._orders.find_id(body.orderId)
        if order_id is None:
            raise OmsError(400, "UNKNOWN_ORDER", f"Order [{body.orderId}] not found.", [{"field": "orderId"}])
        order = self._orders.get(order_id)
        self._check_references(body, order)
        self._check_quantities(body, order)
        now = self._clock()
        record = ReturnRecord(
            return_id=f"RET{self._next}",
            return_name=f"RMA-{(order.order_name or order.order_id).lstrip('R')}-{self._next}",
            external_id=body.externalId,
            order_id=order.order_id,
            party_id=order.party_id,
            status_id="RETURN_REQUESTED",
            channel_enum_id=body.returnChannel,
            destination_facility_id=body.destinationFacilityId or order.ship_groups[0].facility_id,
            items=[
                ReturnItem(
                    seq_id=seq_id(n),
                    order_item_seq_id=item.orderItemSeqId,
                    product_id=ordered.product_id,
                    quantity=item.returnQuantity,
                    received_quantity=0,
                    reason_id=item.returnReasonId,
                    return_type_id=item.returnTypeId,
                    unit_price_cents=ordered.unit_price_cents,
                )
                for n, item in enumerate(body.items, start=1)
                if (ordered := order.item(item.orderItemSeqId)) is not None
            ],
            statuses=[StatusRow("RETURN_REQUESTED", now, by)],
            refund_cents=None,
            created_at=now,
            updated_at=now,
            currency=order.currency,
        )
        self._next += 1
        self._index(record)
        self._orders.touch(order.order_id)
        return record

    def _check_references(self, body: CreateReturn, order: OrderRecord) -> None:
        problems = []
        for i, item in enumerate(body.items):
            if order.item(item.orderItemSeqId) is None:
                problems.append(("UNKNOWN_ORDER_ITEM", f"items.{i}.orderItemSeqId", item.orderItemSeqId))
            if item.returnReasonId not in RETURN_REASONS:
                problems.append(("UNKNOWN_RETURN_REASON", f"items.{i}.returnReasonId", item.returnReasonId))
        facility = body.destinationFacilityId
        if facility is not None and facility not in self._world.locations_by_code:
            problems.append(("UNKNOWN_FACILITY", "destinationFacilityId", facility))
        if problems:
            error_id, field, value = problems[0]
            raise OmsError(
                400,
                error_id,
                f"The return is not valid: [{value}] in {field} is not known.",
                [{"errorId": e, "field": f, "value": v} for e, f, v in problems],
            )

    def _check_quantities(self, body: CreateReturn, order: OrderRecord) -> None:
        wanted: Counter[str] = Counter()
        for item in body.items:
            wanted[item.orderItemSeqId] += item.returnQuantity
        figures = self.returnable(order)
        over = [
            {
                "orderItemSeqId": seq,
                "requested": qty,
                "shipped": figures[seq][0],
                "alreadyReturned": figures[seq][1],
                "returnable": max(0, figures[seq][0] - figures[seq][1]),
            }
            for seq, qty in wanted.items()
            if qty > figures[seq][0] - figures[seq][1]
        ]
        if over:
            raise OmsError(
                409,
                "RETURN_QUANTITY_EXCEEDED",
                "Return quantity exceeds the shipped, not yet returned quantity for "
                + ", ".join(f"[{o['orderItemSeqId']}]" for o in over)
                + ".",
                over,
            )

    def change_status(self, return_id: str, target: str, by: str, reason: str | None) -> ReturnRecord:
        record = self.get(return_id)
        if target == record.status_id:
            return record
        check_transition("ORDER_RETURN_STTS", record.status_id, target)
        now = self._clock()
        record.status_id = target
        record.statuses.append(StatusRow(target, now, by, reason))
        record.updated_at = now
        if target == "RETURN_RECEIVED":
            for item in record.items:
                item.received_quantity = item.quantity
        elif target == "RETURN_COMPLETED":
            record.refund_cents = record.return_total_cents
            order = self._orders.touch(record.order_id)
            payment = order.payments[0]
            payment.refunded_cents += record.refund_cents
            if payment.refunded_cents >= payment.max_amount_cents:
                payment.status_id = "PAYMENT_REFUNDED"
        return record

"""Pure functions from a Square order to the canonical :class:`~resolvers.domain.OrderRecord`.

- **number**: ``reference_id`` (our ``R1xxxxx``); **status**: ``state`` as Square
  spells it (OPEN, COMPLETED, CANCELED, DRAFT); the subgraphs normalise it.
- **lines**: ``line_no`` is the number in the ``uid`` of lines this connector
  created (``line-3``), else the line's 1-based position (how the till and the
  seeded orders keep them: in order). Quantities are decimal strings -> int,
  money is smallest units -> Decimal. ``quantity_returned`` sums the order's
  ``returns`` by ``source_line_item_uid``. ``quantity_fulfilled`` sums the
  COMPLETED fulfillments that cover the line; an order with no fulfillments
  is a sale at the till, handed over when paid: all of it once COMPLETED, else 0.
- **shipments**: one per fulfillment (``state`` as Square spells it: PROPOSED,
  RESERVED, PREPARED, COMPLETED, CANCELED, FAILED), lines from ``entries`` or
  every line for ``line_item_application`` ALL.
- **financial_status** in Square's own payment vocabulary, its InvoiceStatus
  spelling (:func:`financial_status`).
- **events**: ORDER_PLACED (created), ORDER_PAID (each tender), ORDER_CANCELLED
  (closed while CANCELED), REFUND_<status> (each refund, its reason as message).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from resolvers.domain import (
    Address,
    FulfilmentType,
    Money,
    OrderEventRecord,
    OrderLineRecord,
    OrderRecord,
    ShipmentRecord,
)
from resolvers.pos.mapping import address, money, quantity, utc
from resolvers.pos.wire import SquareCustomer
from resolvers.pos.wire_orders import Fulfillment, LineItem, SquareOrder

__all__ = ["FINANCIAL_STATUSES", "financial_status", "line_no_of", "line_uid", "order_record"]

_OUR_UID = re.compile(r"^line-(\d+)$")
_DONE_REFUNDS = frozenset({"APPROVED", "COMPLETED"})
_DEAD_CARDS = frozenset({"FAILED", "VOIDED"})


def line_uid(line_no: int) -> str:
    """The ``uid`` this connector gives line ``line_no`` of an order it creates."""
    return f"line-{line_no}"


def line_no_of(line: LineItem, position: int) -> int:
    """The line's number: from a uid of ours, else its 1-based ``position``."""
    found = _OUR_UID.match(line.uid or "")
    return int(found.group(1)) if found else position


FINANCIAL_STATUSES = (
    "UNPAID",
    "PAYMENT_PENDING",
    "PARTIALLY_PAID",
    "PAID",
    "PARTIALLY_REFUNDED",
    "REFUNDED",
    "FAILED",
    "CANCELED",
)
"""Every word :func:`financial_status` answers."""


def financial_status(order: SquareOrder) -> str:
    """Where the order's money stands, in Square's InvoiceStatus words.

    UNPAID (nothing tendered), PAYMENT_PENDING (a card only authorised),
    PARTIALLY_PAID, PAID, PARTIALLY_REFUNDED / REFUNDED (APPROVED refunds, by
    amount against what was paid), FAILED (every card tender failed or was
    voided), CANCELED (cancelled before any payment).
    """
    live = [t for t in order.tenders if not (t.card_details and t.card_details.status in _DEAD_CARDS)]
    paid = sum(t.amount_money.amount for t in live if t.amount_money)
    refunded = sum(r.amount_money.amount for r in order.refunds if r.status in _DONE_REFUNDS)
    total = order.total_money.amount if order.total_money else 0
    if not live:
        if order.state == "CANCELED":
            return "CANCELED"
        return "FAILED" if order.tenders else "UNPAID"
    if any(t.card_details and t.card_details.status == "AUTHORIZED" for t in live):
        return "PAYMENT_PENDING"
    if refunded > 0:
        return "REFUNDED" if refunded >= paid else "PARTIALLY_REFUNDED"
    return "PARTIALLY_PAID" if paid < total else "PAID"


def _covered(fulfillment: Fulfillment, lines: Mapping[str, tuple[int, int]]) -> list[tuple[int, int]]:
    """(line_no, quantity) pairs a fulfillment covers; ``lines`` is uid -> (line_no, quantity)."""
    if fulfillment.line_item_application == "ENTRY_LIST":
        return [
            (lines[entry.line_item_uid][0], quantity(entry.quantity))
            for entry in fulfillment.entries
            if entry.line_item_uid in lines
        ]
    return list(lines.values())


def _fulfilment_type(order: SquareOrder) -> FulfilmentType | None:
    for fulfillment in order.fulfillments:
        if fulfillment.state in ("CANCELED", "FAILED"):
            continue
        if fulfillment.type == "PICKUP":
            return "PICKUP"
        if fulfillment.type in ("SHIPMENT", "DELIVERY"):
            return "SHIP"
    return None


def _shipping_address(order: SquareOrder) -> Address | None:
    for fulfillment in order.fulfillments:
        details = fulfillment.shipment_details
        if details is not None and details.recipient is not None:
            return address(details.recipient.address)
    return None


def _events(order: SquareOrder, placed_at: datetime) -> tuple[OrderEventRecord, ...]:
    source = order.source.name if order.source and order.source.name else "Square"
    events = [OrderEventRecord(placed_at, "POS", "ORDER_PLACED", f"Order placed via {source}")]
    for tender in order.tenders:
        at = utc(tender.created_at)
        if at is not None:
            events.append(OrderEventRecord(at, "POS", "ORDER_PAID", tender.type))
    closed = utc(order.closed_at)
    if order.state == "CANCELED" and closed is not None:
        events.append(OrderEventRecord(closed, "POS", "ORDER_CANCELLED", None))
    for refund in order.refunds:
        at = utc(refund.created_at)
        if at is not None:
            events.append(OrderEventRecord(at, "POS", f"REFUND_{refund.status}", refund.reason or None))
    return tuple(sorted(events, key=lambda event: event.at))


def order_record(
    order: SquareOrder,
    *,
    skus: Mapping[str, str],
    locations: Mapping[str, str],
    customer: SquareCustomer | None = None,
    stale: bool = False,
) -> OrderRecord:
    """The canonical record of ``order``.

    ``skus``: variation id -> SKU; ``locations``: Square location id -> our
    location id; ``customer``: the order's Square profile (our id is its
    ``reference_id``), when known.
    """
    placed_at = utc(order.created_at)
    assert placed_at is not None
    currency = order.total_money.currency if order.total_money else "USD"
    location = locations.get(order.location_id)
    by_uid: dict[str, tuple[int, int]] = {}
    numbered: list[tuple[int, LineItem]] = []
    for position, line in enumerate(order.line_items, start=1):
        line_no = line_no_of(line, position)
        numbered.append((line_no, line))
        if line.uid:
            by_uid[line.uid] = (line_no, quantity(line.quantity))
    returned: dict[str, int] = {}
    for ret in order.returns:
        for item in ret.return_line_items:
            if item.source_line_item_uid:
                uid = item.source_line_item_uid
                returned[uid] = returned.get(uid, 0) + quantity(item.quantity)
    fulfilled: dict[int, int] = {}
    for fulfillment in order.fulfillments:
        if fulfillment.state == "COMPLETED":
            for line_no, qty in _covered(fulfillment, by_uid):
                fulfilled[line_no] = fulfilled.get(line_no, 0) + qty
    lines = []
    for line_no, line in numbered:
        ordered = quantity(line.quantity)
        if order.fulfillments:
            done = fulfilled.get(line_no, 0)
        else:
            done = ordered if order.state == "COMPLETED" else 0
        sku = skus.get(line.catalog_object_id or "") or line.name or ""
        price = money(line.base_price_money) if line.base_price_money else Money(Decimal(0), currency)
        lines.append(
            OrderLineRecord(
                line_no=line_no,
                sku=sku,
                quantity=ordered,
                unit_price=price,
                quantity_fulfilled=done,
                quantity_returned=returned.get(line.uid or "", 0),
                location_id=location,
                system_line_id=line.uid,
            )
        )
    updated_at = utc(order.updated_at) or placed_at
    shipments = tuple(
        ShipmentRecord(
            system="POS",
            id=fulfillment.uid or f"{order.id}:{index}",
            status=fulfillment.state,
            location_id=locations.get(fulfillment.location_id or order.location_id, location),
            carrier=fulfillment.shipment_details.carrier if fulfillment.shipment_details else None,
            tracking_number=(
                fulfillment.shipment_details.tracking_number if fulfillment.shipment_details else None
            ),
            lines=tuple(_covered(fulfillment, by_uid)),
            updated_at=updated_at,
        )
        for index, fulfillment in enumerate(order.fulfillments, start=1)
    )
    kind = _fulfilment_type(order)
    return OrderRecord(
        system="POS",
        system_id=order.id,
        number=order.reference_id or "",
        placed_at=placed_at,
        status=order.state,
        lines=tuple(lines),
        currency=currency,
        financial_status=financial_status(order),
        customer_id=customer.reference_id if customer else None,
        email=customer.email_address if customer else None,
        total=money(order.total_money) if order.total_money else None,
        fulfilment_type=kind,
        shipping_address=_shipping_address(order) if kind == "SHIP" else None,
        pickup_location_id=location if kind == "PICKUP" else None,
        shipments=shipments,
        events=_events(order, placed_at),
        updated_at=updated_at,
        stale=stale,
    )

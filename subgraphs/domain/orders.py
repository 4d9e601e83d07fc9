"""One order (and one return) from the records of every system that holds it.

Who says what, for an order:

* **channel**: the first record that carries one (OMS, SHOPIFY, POS, ERP);
  else STORE if the POS holds it, else ONLINE.
* **header** (placed_at, currency, customer, email, fulfilment): the system of
  engagement, Shopify for ONLINE, the POS for STORE, the OMS otherwise; a
  field it lacks (or the whole record, if it does not hold the order) comes
  from the next system in the order OMS, SHOPIFY, POS, ERP.
* **lines**: the fulfilment system's (the OMS, the POS for store sales), then
  the others for lines it lacks; ``quantity_fulfilled`` / ``quantity_returned``
  from the first system that tracks them, else fulfilled units are counted
  from shipments that left (SHIPPED, DELIVERED, PICKED_UP), else every unit
  of a FULFILLED order, else 0.
* **shipments**: the OMS's, else Shopify's, else the POS's (else the ERP's).
* **financial status**: Shopify's or the POS's (the channels take payment),
  else the OMS's (call centre and clienteling payments), else the ERP's,
  else PENDING.
* **status**: :func:`~subgraphs.domain.status.combined_order_status` over every
  system, the fulfilment system as the authority, refined by the lines.
* **total**: the header's, else any system's, else the sum of the lines.
* **timeline**: every system's events merged; **external refs**: every record.
* **erp_posting**: POSTED when the ERP holds the order, else the posting
  state our outbox gives, else PENDING.

A return: the OMS's copy first (it runs the returns process), then SHOPIFY,
ERP, POS; status by :func:`~subgraphs.domain.returns.combined_return_status`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from resolvers.domain import ExternalRef, FulfilmentType, Money, OrderRecord, ReturnRecord, System
from subgraphs.domain.enums import Channel, FinancialStatus, OrderStatus, PostingStatus
from subgraphs.domain.enums import ShipmentStatus as S
from subgraphs.domain.errors import RecordsMismatch
from subgraphs.domain.returns import RETURN_PRECEDENCE, combined_return_status
from subgraphs.domain.status import (
    combined_order_status,
    financial_status,
    order_status,
    parse_channel,
    return_status,
    shipment_status,
)
from subgraphs.domain.timeline import merge_timeline
from subgraphs.domain.views import OrderLineView, OrderView, ReturnView, ShipmentView

__all__ = [
    "OrderLineView",
    "OrderView",
    "ReturnView",
    "ShipmentView",
    "engagement_system",
    "fulfilment_authority",
    "merge_order",
    "merge_return",
]

T = TypeVar("T")
E = TypeVar("E")
R = TypeVar("R", OrderRecord, ReturnRecord)

_SYSTEMS: tuple[System, ...] = ("OMS", "SHOPIFY", "POS", "ERP")
_SHIPMENT_SOURCES: tuple[System, ...] = ("OMS", "SHOPIFY", "POS", "ERP")
_ENGAGEMENT: dict[Channel, System] = {Channel.ONLINE: "SHOPIFY", Channel.STORE: "POS"}
_FINANCIAL_SOURCES: tuple[System, ...] = ("SHOPIFY", "POS", "OMS", "ERP")
_LEFT = frozenset({S.SHIPPED, S.DELIVERED, S.PICKED_UP})


def engagement_system(channel: Channel) -> System:
    """Where the customer placed the order: Shopify online, the POS in store, the OMS otherwise."""
    return _ENGAGEMENT.get(channel, "OMS")


def fulfilment_authority(channel: Channel) -> System:
    """Who fulfils the order: the POS for store sales, the OMS for everything else."""
    return "POS" if channel is Channel.STORE else "OMS"


def _ordered(records: Sequence[R], *first: System) -> list[R]:
    """``records`` by system: ``first`` then the usual order; a stable sort keeps a system's own order."""
    order = list(dict.fromkeys([*first, *_SYSTEMS]))
    return sorted(records, key=lambda record: order.index(record.system))


def _pick(items: Sequence[E], get: Callable[[E], T | None]) -> T | None:
    """The first value ``get`` finds in ``items`` (in precedence order)."""
    return next((value for item in items if (value := get(item)) is not None), None)


def _refs(records: Sequence[OrderRecord] | Sequence[ReturnRecord]) -> tuple[ExternalRef, ...]:
    refs = {ExternalRef(record.system, record.system_id) for record in records}
    return tuple(sorted(refs, key=lambda ref: (ref.system, ref.id)))


def _channel(records: Sequence[OrderRecord]) -> Channel:
    for record in _ordered(records):
        if record.channel is not None:
            return parse_channel(record.system, record.channel)
    return Channel.STORE if any(r.system == "POS" for r in records) else Channel.ONLINE


def _shipments(records: Sequence[OrderRecord], pickup: bool) -> tuple[ShipmentView, ...]:
    source = next((r for r in _ordered(records, *_SHIPMENT_SOURCES) if r.shipments), None)
    if source is None:
        return ()
    return tuple(
        ShipmentView(
            system=s.system,
            id=s.id,
            status=shipment_status(s.system, s.status, pickup=pickup),
            location_id=s.location_id,
            carrier=s.carrier,
            tracking_number=s.tracking_number,
            lines=s.lines,
            updated_at=s.updated_at,
        )
        for s in source.shipments
    )


@dataclass(frozen=True, slots=True)
class _Line:
    quantity: int
    quantity_fulfilled: int | None


def _left_in_shipments(shipments: Sequence[ShipmentView]) -> dict[int, int]:
    """Units per line on shipments that left (shipped, delivered, picked up)."""
    left: dict[int, int] = {}
    for shipment in shipments:
        if shipment.status in _LEFT:
            for line_no, quantity in shipment.lines:
                left[line_no] = left.get(line_no, 0) + quantity
    return left


def _lines(
    records: Sequence[OrderRecord],
    shipments: Sequence[ShipmentView],
    is_fulfilled: Callable[[Sequence[_Line]], bool],
) -> tuple[OrderLineView, ...]:
    """The order's lines, ``records`` in precedence order (see the module's rule)."""
    numbers = sorted({line.line_no for record in records for line in record.lines})
    copies = {no: [line for r in records for line in r.lines if line.line_no == no] for no in numbers}
    left = _left_in_shipments(shipments)
    tracked: dict[int, int | None] = {}
    for no, same in copies.items():
        fulfilled = _pick(same, lambda line: line.quantity_fulfilled)
        if fulfilled is None and shipments:
            fulfilled = min(same[0].quantity, left.get(no, 0))
        tracked[no] = fulfilled
    everything = is_fulfilled([_Line(copies[no][0].quantity, tracked[no]) for no in numbers])
    views = []
    for no, same in copies.items():
        base, fulfilled = same[0], tracked[no]
        if fulfilled is None:  # no system tracks it and no shipment tells: all or nothing
            fulfilled = base.quantity if everything else 0
        views.append(
            OrderLineView(
                line_no=no,
                sku=base.sku,
                quantity=base.quantity,
                unit_price=base.unit_price,
                quantity_fulfilled=fulfilled,
                quantity_returned=_pick(same, lambda line: line.quantity_returned) or 0,
                location_id=_pick(same, lambda line: line.location_id),
                returned_tracked=any(line.quantity_returned is not None for line in same),
            )
        )
    return tuple(views)


def merge_order(records: Sequence[OrderRecord], *, posting: PostingStatus | None = None) -> OrderView:
    """One order from every system's record of it (see the module's rule).

    ``posting`` is our outbox's state of the ERP posting. Raises :class:`RecordsMismatch` for no
    records or records of different order numbers, :class:`UnknownStatus` for a status no table knows.
    """
    if not records:
        raise RecordsMismatch("no order records to merge")
    numbers = {record.number for record in records}
    if len(numbers) > 1:
        raise RecordsMismatch(f"records of different orders: {sorted(numbers)}")
    channel = _channel(records)
    authority = fulfilment_authority(channel)
    header_first = _ordered(records, engagement_system(channel))
    header = header_first[0]
    fulfilment_type: FulfilmentType | None = _pick(header_first, lambda r: r.fulfilment_type)
    shipments = _shipments(records, pickup=fulfilment_type == "PICKUP")
    statuses = [(r.system, order_status(r.system, r.status)) for r in header_first]

    def is_fulfilled(lines: Sequence[_Line]) -> bool:
        return combined_order_status(statuses, authority=authority, lines=lines) is OrderStatus.FULFILLED

    lines = _lines(_ordered(records, authority), shipments, is_fulfilled)
    status = combined_order_status(statuses, authority=authority, lines=lines)
    financial = _pick(
        _ordered(records, *_FINANCIAL_SOURCES),
        lambda r: financial_status(r.system, r.financial_status) if r.financial_status is not None else None,
    )
    total = _pick(header_first, lambda r: r.total)
    if total is None:
        total = Money(sum((ln.unit_price.amount * ln.quantity for ln in lines), Decimal(0)), header.currency)
    if any(r.system == "ERP" for r in records):
        erp_posting = PostingStatus.POSTED
    else:
        erp_posting = posting or PostingStatus.PENDING
    updated = [r.updated_at for r in records if r.updated_at is not None]
    return OrderView(
        number=header.number,
        channel=channel,
        placed_at=header.placed_at,
        status=status,
        financial_status=financial or FinancialStatus.PENDING,
        erp_posting=erp_posting,
        currency=header.currency,
        lines=lines,
        total=total,
        shipments=shipments,
        timeline=tuple(merge_timeline(*(r.events for r in records))),
        external_refs=_refs(records),
        header_system=header.system,
        customer_id=_pick(header_first, lambda r: r.customer_id),
        email=_pick(header_first, lambda r: r.email),
        fulfilment_type=fulfilment_type,
        shipping_address=_pick(header_first, lambda r: r.shipping_address),
        pickup_location_id=_pick(header_first, lambda r: r.pickup_location_id),
        updated_at=max(updated) if updated else None,
        stale=any(r.stale for r in records),
    )


def merge_return(records: Sequence[ReturnRecord]) -> ReturnView:
    """One return from every system's copy of it (see the module's rule).

    Raises :class:`RecordsMismatch` for no records or copies of different RMA numbers.
    """
    if not records:
        raise RecordsMismatch("no return records to merge")
    rmas = {record.rma_number for record in records if record.rma_number}
    if len(rmas) > 1:
        raise RecordsMismatch(f"records of different returns: {sorted(rmas)}")
    ordered = _ordered(records, *RETURN_PRECEDENCE)
    updated = [r.updated_at for r in records if r.updated_at is not None]
    return ReturnView(
        rma_number=next(iter(rmas), None),
        order_number=_pick(ordered, lambda r: r.order_number),
        status=combined_return_status([(r.system, return_status(r.system, r.status)) for r in ordered]),
        lines=next((r.lines for r in ordered if r.lines), ()),
        created_at=min(r.created_at for r in records),
        timeline=tuple(merge_timeline(*(r.events for r in records))),
        external_refs=_refs(records),
        refund_method=_pick(ordered, lambda r: r.refund_method),
        refund=_pick(ordered, lambda r: r.refund),
        drop_off_location_id=_pick(ordered, lambda r: r.drop_off_location_id),
        updated_at=max(updated) if updated else None,
    )

"""Statuses as each system spells them, mapped onto the contract's enums, and one order status from many.

The rule: every system's status word maps to exactly one contract value
through a table kept here (case-insensitive, surrounding blanks ignored); a
word no table knows raises :class:`~subgraphs.domain.errors.UnknownStatus`
instead of being guessed. Where a system's word is coarser than the contract
(Shopify's return ``OPEN`` covers approved, received and inspected), the
table gives the *earliest* contract status the word is consistent with, so we
never claim progress that may not have happened; the merge rules
(:func:`combined_order_status`, lines' fulfilled quantities) refine it.

=========  =============================================  ==========================================
system     order (``OrderRecord.status``)                 notes
=========  =============================================  ==========================================
OMS        ORDER_CREATED PENDING, ORDER_HOLD ON_HOLD,      ORDER_APPROVED is also the OMS's word for a
           ORDER_APPROVED IN_PROGRESS, ORDER_COMPLETED     partly shipped order: the lines tell
           FULFILLED, ORDER_CANCELLED CANCELLED
POS        DRAFT PENDING, OPEN IN_PROGRESS, COMPLETED      Square ``order.state``; OPEN = rung up,
           FULFILLED, CANCELED CANCELLED                   not yet paid and handed over
SHOPIFY    ``displayFulfillmentStatus``: UNFULFILLED,      the connector sends CANCELLED when
           OPEN, PENDING_FULFILLMENT, SCHEDULED PENDING;   ``cancelledAt`` is set (Shopify shows such
           ON_HOLD, REQUEST_DECLINED ON_HOLD; IN_PROGRESS; an order UNFULFILLED or RESTOCKED)
           PARTIALLY_FULFILLED (REST: partial);
           FULFILLED; RESTOCKED, CANCELLED CANCELLED
ERP        SAP header fields, see below
=========  =============================================  ==========================================

The ERP's status is spread over several SAP fields, so its raw value is
``Field=Code`` pairs joined by ``;`` (SAP's own field names and codes), e.g.
``OverallSDProcessStatus=B;OverallDeliveryStatus=B;OverallSDDocumentRejectionSts=A;DeliveryBlockReason=``;
a bare code (``"B"``) is read as ``OverallSDProcessStatus`` alone. Orders:
rejection C (every item rejected) CANCELLED; delivery C (or process C with no
delivery status) FULFILLED; a delivery block ON_HOLD; delivery B
PARTIALLY_FULFILLED; process B IN_PROGRESS; process A PENDING. Returns
(``OverallSDProcessStatus``, ``ReturnsMaterialHasBeenReceived`` and
``RetMatlInspResultCode`` over the items): C REFUNDED; B INSPECTED when
inspected else RECEIVED; A APPROVED (RECEIVED if already received).
The enums are defined in :mod:`subgraphs.domain.enums` and re-exported here; the
other tables (financial, shipment, return) are in :mod:`subgraphs.domain._tables`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from resolvers.domain import System
from subgraphs.domain import _tables
from subgraphs.domain.enums import (
    Channel,
    FinancialStatus,
    OrderStatus,
    PostingStatus,
    ReturnStatus,
    ShipmentStatus,
    StockStatus,
)
from subgraphs.domain.errors import RecordsMismatch, UnknownStatus

__all__ = [
    "Channel",
    "FinancialStatus",
    "OrderStatus",
    "PostingStatus",
    "ReturnStatus",
    "ShipmentStatus",
    "StockStatus",
    "combined_order_status",
    "financial_status",
    "listed_words",
    "order_status",
    "parse_channel",
    "return_status",
    "shipment_status",
    "status_from_lines",
]

_T = TypeVar("_T")


def _word(raw: str | None, system: str, kind: str) -> str:
    if raw is None or not raw.strip():
        raise UnknownStatus(system, kind, raw)
    return raw.strip().upper()


def _lookup(tables: Mapping[str, Mapping[str, _T]], system: System, kind: str, raw: str | None) -> _T:
    table = tables.get(system)
    found = table.get(_word(raw, system, kind)) if table is not None else None
    if found is None:
        raise UnknownStatus(system, kind, raw)
    return found


def order_status(system: System, raw: str | None) -> OrderStatus:
    """The contract's OrderStatus for an order status as ``system`` spells it."""
    if system == "ERP":
        return _tables.erp_order_status(raw)
    return _lookup(_tables.ORDER, system, "order", raw)


def financial_status(system: System, raw: str | None) -> FinancialStatus:
    """The contract's FinancialStatus for a payment/financial status as ``system`` spells it."""
    return _lookup(_tables.FINANCIAL, system, "financial", raw)


def shipment_status(system: System, raw: str | None, *, pickup: bool = False) -> ShipmentStatus:
    """The contract's ShipmentStatus; ``pickup`` for store-pickup shipments, whose words mean other things
    (OMS SHIPMENT_PACKED is ready for pickup and SHIPMENT_SHIPPED handed over; Shopify OPEN/SUCCESS,
    Square PREPARED/COMPLETED likewise)."""
    ship, collect = _lookup(_tables.SHIPMENT, system, "shipment", raw)
    return collect if pickup else ship


def return_status(system: System, raw: str | None) -> ReturnStatus:
    """The contract's ReturnStatus for a return status as ``system`` spells it."""
    if system == "ERP":
        return _tables.erp_return_status(raw)
    return _lookup(_tables.RETURN, system, "return", raw)


def parse_channel(system: System, raw: str | None) -> Channel:
    """Our Channel from a record's ``channel`` (connectors carry our names already)."""
    try:
        return Channel(_word(raw, system, "channel"))
    except ValueError:
        raise UnknownStatus(system, "channel", raw) from None


# ---------------------------------------------------------------- one order, many systems


class _Line(Protocol):
    @property
    def quantity(self) -> int: ...

    @property
    def quantity_fulfilled(self) -> int | None: ...


_PROGRESS = {
    OrderStatus.PENDING: 0,
    OrderStatus.ON_HOLD: 1,
    OrderStatus.IN_PROGRESS: 2,
    OrderStatus.PARTIALLY_FULFILLED: 3,
    OrderStatus.FULFILLED: 4,
    OrderStatus.CANCELLED: 5,
}
_REFINABLE = frozenset({OrderStatus.PENDING, OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_FULFILLED})


def status_from_lines(lines: Sequence[_Line]) -> OrderStatus | None:
    """What the lines' fulfilled quantities say: FULFILLED when every line is fully fulfilled,
    PARTIALLY_FULFILLED when some unit is, None when they say nothing (no line, nothing fulfilled,
    or no system tracks fulfilment). A line whose fulfilment is untracked (None) is never "done"."""
    known = [line for line in lines if line.quantity_fulfilled is not None]
    if not known:
        return None
    if len(known) == len(lines) and all((line.quantity_fulfilled or 0) >= line.quantity for line in lines):
        return OrderStatus.FULFILLED
    if any((line.quantity_fulfilled or 0) > 0 for line in known):
        return OrderStatus.PARTIALLY_FULFILLED
    return None


def combined_order_status(
    statuses: Sequence[tuple[System, OrderStatus]],
    *,
    authority: System | None = None,
    lines: Sequence[_Line] = (),
) -> OrderStatus:
    """One status for one order seen by several systems.

    Precedence, in order:

    1. CANCELLED from any system wins: cancellation is final everywhere and
       the systems that have not caught up yet will.
    2. The fulfilment ``authority`` (OMS for OMS orders, POS for store sales)
       decides between PENDING, ON_HOLD, IN_PROGRESS and FULFILLED; without
       it, the most advanced status any system reports (systems lag, they do
       not regress).
    3. The lines refine that when they say more: a PENDING, IN_PROGRESS or
       PARTIALLY_FULFILLED order whose lines show fulfilled units becomes
       PARTIALLY_FULFILLED or FULFILLED (the OMS says ORDER_APPROVED for both
       in-progress and partly shipped orders). Lines never downgrade a
       status, and never override ON_HOLD (the hold is what needs acting on).
    """
    if not statuses:
        raise RecordsMismatch("no system reported a status for the order")
    seen = [status for _, status in statuses]
    if OrderStatus.CANCELLED in seen:
        return OrderStatus.CANCELLED
    by_system = dict(reversed(statuses))  # first status per system
    base = by_system.get(authority) if authority is not None else None
    if base is None:
        base = max(seen, key=_PROGRESS.__getitem__)
    told = status_from_lines(lines)
    if told is not None and base in _REFINABLE and _PROGRESS[told] > _PROGRESS[base]:
        return told
    return base


_DECIDED_BY_AUTHORITY = frozenset({OrderStatus.PENDING, OrderStatus.ON_HOLD, OrderStatus.IN_PROGRESS})


def listed_words(system: System, wanted: OrderStatus) -> frozenset[str] | None:
    """The order words of ``system`` that an order whose merged status is ``wanted`` can carry there,
    for a listing to filter by; None when it may carry any (the filter must stay ours).

    Only PENDING, ON_HOLD and IN_PROGRESS narrow it (by :func:`combined_order_status`): no system
    says CANCELLED; the fulfilment authority, when it holds the order, says ``wanted`` itself (lines
    only refine upwards, to PARTIALLY_FULFILLED or FULFILLED); otherwise the most advanced status
    wins, so every holder says ``wanted`` or less. Either way each holder's word ranks no higher
    than ``wanted``, and the authority's (a listing system: the OMS or the POS) is ``wanted``.
    PARTIALLY_FULFILLED and FULFILLED come from lines too, and CANCELLED from any system.
    """
    if wanted not in _DECIDED_BY_AUTHORITY:
        return None
    table = _tables.ORDER.get(system)
    if table is None:
        return None
    rank = _PROGRESS[wanted]
    return frozenset(word for word, status in table.items() if _PROGRESS[status] <= rank)

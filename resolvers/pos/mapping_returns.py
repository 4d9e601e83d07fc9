r"""Pure functions from a Square order's refunds and returns to canonical ``ReturnRecord``\ s.

A return at the till is two things in Square: a refund on the sale's tender
(``order.refunds``, the legacy ``Refund``: PENDING, APPROVED, REJECTED,
FAILED) and, once the goods are back, an entry of ``order.returns`` with the
returned line items. Square does not link the two, and neither carries our
RMA number, so:

- each refund is one return (``system_id`` = the refund's id, which is also
  its id in the Refunds API); its goods are the first unclaimed
  ``order.returns`` entry worth exactly the refund (base price x quantity),
  oldest refund first;
- a refund with no such entry (goods not back yet, or refused) names the
  order line it pays for when its amount is a whole number of one line's
  units (that many units; the first such line), else no lines;
- an ``order.returns`` entry no refund claimed (an exchange: goods back,
  nothing refunded) is a return of its own (``system_id`` = the entry's uid).

**status**, as Square spells it, with the goods in it where Square's word
alone would say less than the till knows: the refund's status, or
``PENDING+RETURNED`` (refund pending, goods back), or ``RETURNED`` (goods
back, no refund); the subgraphs map these to our ReturnStatus.
**reason**: the till's reason text as our ReturnReason where it is one of
:data:`TILL_REASONS`, else the text. **refund**: the amount once APPROVED.
**drop_off_location_id**: the sale's store (returns are taken at a till).
**refund_method**: ORIGINAL_PAYMENT (the order's refund entry does not say;
a copy from the OMS or ERP, when there is one, says which).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from resolvers.domain import (
    Money,
    OrderEventRecord,
    OrderRecord,
    ReturnLineRecord,
    ReturnRecord,
)
from resolvers.pos.mapping import money, quantity, utc
from resolvers.pos.wire_orders import LegacyRefund, OrderReturn, SquareOrder

__all__ = ["TILL_REASONS", "return_records"]

TILL_REASONS = {
    "damaged item": "DAMAGED",
    "defective item": "DEFECTIVE",
    "wrong item": "WRONG_ITEM",
    "not as described": "NOT_AS_DESCRIBED",
    "size or fit": "SIZE_OR_FIT",
    "changed mind": "CHANGED_MIND",
    "other": "OTHER",
}
"""The till's refund reason texts (the retailer's POS set-up) -> our ReturnReason."""


def _reason(text: str | None) -> str:
    if not text or not text.strip():
        return "OTHER"
    return TILL_REASONS.get(text.strip().lower(), text.strip())


Units = dict[int, int]
"""Order line number -> units."""


def _goods(entry: OrderReturn, line_of_uid: dict[str, int]) -> Units:
    """The units an ``order.returns`` entry brought back, by our line number."""
    units: Units = {}
    for item in entry.return_line_items:
        line_no = line_of_uid.get(item.source_line_item_uid or "")
        if line_no is not None:
            units[line_no] = units.get(line_no, 0) + quantity(item.quantity)
    return units


def _worth(units: Units, prices: dict[int, Money]) -> Money | None:
    """What ``units`` cost at the order's prices (None: a line the order lacks)."""
    if any(no not in prices for no in units):
        return None
    currencies = {prices[no].currency for no in units}
    if len(currencies) != 1:
        return None
    return Money(sum((prices[no].amount * qty for no, qty in units.items()), Decimal(0)), currencies.pop())


def _paid_for(refund: Money, record: OrderRecord) -> Units:
    """The first order line ``refund`` pays a whole number of fulfilled units of (empty: none)."""
    for line in record.lines:
        price = line.unit_price.amount
        if price <= 0 or line.unit_price.currency != refund.currency:
            continue
        units, rest = divmod(refund.amount, price)
        if rest == 0 and 1 <= units <= (line.quantity_fulfilled or 0):
            return {line.line_no: int(units)}
    return {}


def _lines(units: Units, record: OrderRecord, reason: str) -> tuple[ReturnLineRecord, ...]:
    skus = {line.line_no: line.sku for line in record.lines}
    return tuple(ReturnLineRecord(no, qty, reason, skus.get(no) or None) for no, qty in sorted(units.items()))


def _store(record: OrderRecord) -> str | None:
    return record.pickup_location_id or next((ln.location_id for ln in record.lines if ln.location_id), None)


def _record(
    record: OrderRecord,
    system_id: str,
    status: str,
    lines: tuple[ReturnLineRecord, ...],
    at: datetime,
    *,
    refund: LegacyRefund | None,
) -> ReturnRecord:
    amount = money(refund.amount_money) if refund is not None else None
    message = refund.reason if refund is not None else "Goods returned at the till"
    return ReturnRecord(
        system="POS",
        system_id=system_id,
        rma_number=None,
        order_number=record.number or None,
        status=status,
        lines=lines,
        created_at=at,
        refund_method="ORIGINAL_PAYMENT",
        refund=amount if refund is not None and refund.status == "APPROVED" else None,
        drop_off_location_id=_store(record),
        events=(OrderEventRecord(at, "POS", f"REFUND_{status}", message or None),),
        updated_at=at,
    )


def return_records(order: SquareOrder, record: OrderRecord) -> tuple[ReturnRecord, ...]:
    """The returns of ``order`` (see the module docstring); ``record`` is its canonical record."""
    line_of_uid = {line.system_line_id: line.line_no for line in record.lines if line.system_line_id}
    prices = {line.line_no: line.unit_price for line in record.lines}
    returned = [(entry.uid, goods) for entry in order.returns if (goods := _goods(entry, line_of_uid))]
    claimed: set[int] = set()
    out: list[ReturnRecord] = []
    for refund in sorted(order.refunds, key=lambda r: (utc(r.created_at) or record.placed_at, r.id)):
        amount = money(refund.amount_money)
        match = next(
            (
                i
                for i, (_, units) in enumerate(returned)
                if i not in claimed and _worth(units, prices) == amount
            ),
            None,
        )
        if match is not None:  # the goods are back
            claimed.add(match)
            units = returned[match][1]
            status = "PENDING+RETURNED" if refund.status == "PENDING" else refund.status
        else:
            units, status = _paid_for(amount, record), refund.status
        at = utc(refund.created_at) or record.placed_at
        lines = _lines(units, record, _reason(refund.reason))
        out.append(_record(record, refund.id, status, lines, at, refund=refund))
    for i, (uid, units) in enumerate(returned):
        if i not in claimed:  # goods back with no refund: an exchange
            at = record.updated_at or record.placed_at
            lines = _lines(units, record, "OTHER")
            out.append(
                _record(record, uid or f"{order.id}:return:{i + 1}", "RETURNED", lines, at, refund=None)
            )
    return tuple(out)

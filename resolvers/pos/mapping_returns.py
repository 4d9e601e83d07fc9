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
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from resolvers.domain import (
    Money,
    OrderEventRecord,
    OrderLineRecord,
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


def _goods(
    entry: OrderReturn, by_uid: dict[str, OrderLineRecord], reason: str
) -> tuple[ReturnLineRecord, ...]:
    units: dict[int, int] = {}
    for item in entry.return_line_items:
        line = by_uid.get(item.source_line_item_uid or "")
        if line is not None:
            units[line.line_no] = units.get(line.line_no, 0) + quantity(item.quantity)
    return tuple(
        ReturnLineRecord(line_no=no, quantity=qty, reason=reason, sku=_sku(by_uid, no))
        for no, qty in sorted(units.items())
    )


def _sku(by_uid: dict[str, OrderLineRecord], line_no: int) -> str | None:
    return next((line.sku for line in by_uid.values() if line.line_no == line_no and line.sku), None)


def _worth(lines: Sequence[ReturnLineRecord], record: OrderRecord) -> Money | None:
    prices = {line.line_no: line.unit_price for line in record.lines}
    total = None
    for line in lines:
        price = prices.get(line.line_no)
        if price is None:
            return None
        value = Money(price.amount * line.quantity, price.currency)
        total = value if total is None else Money(total.amount + value.amount, total.currency)
    return total


def _paid_for(refund: Money, record: OrderRecord, reason: str) -> tuple[ReturnLineRecord, ...]:
    for line in record.lines:
        price = line.unit_price.amount
        if price <= 0 or line.unit_price.currency != refund.currency:
            continue
        units, rest = divmod(refund.amount, price)
        if rest == 0 and 1 <= units <= (line.quantity_fulfilled or 0):
            return (ReturnLineRecord(line_no=line.line_no, quantity=int(units), reason=reason, sku=line.sku),)
    return ()


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
    by_uid = {line.system_line_id: line for line in record.lines if line.system_line_id}
    entries = [(entry, _goods(entry, by_uid, "OTHER")) for entry in order.returns]
    claimed: set[int] = set()
    out: list[ReturnRecord] = []
    refunds = sorted(order.refunds, key=lambda r: (utc(r.created_at) or record.placed_at, r.id))
    for refund in refunds:
        reason = _reason(refund.reason)
        amount = money(refund.amount_money)
        match = next(
            (
                i
                for i, (_, goods) in enumerate(entries)
                if i not in claimed and goods and _worth(goods, record) == amount
            ),
            None,
        )
        if match is not None:
            claimed.add(match)
            lines = tuple(
                ReturnLineRecord(ln.line_no, ln.quantity, reason, ln.sku) for ln in entries[match][1]
            )
            status = "PENDING+RETURNED" if refund.status == "PENDING" else refund.status
        else:
            lines, status = _paid_for(amount, record, reason), refund.status
        out.append(
            _record(
                record, refund.id, status, lines, utc(refund.created_at) or record.placed_at, refund=refund
            )
        )
    for i, (entry, goods) in enumerate(entries):
        if i not in claimed and goods:
            at = record.updated_at or record.placed_at
            out.append(
                _record(record, entry.uid or f"{order.id}:return:{i + 1}", "RETURNED", goods, at, refund=None)
            )
    return tuple(out)

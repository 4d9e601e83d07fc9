"""The POS's seeded sales: every world order with ``in_pos`` (the STORE channel).

Canonical order status -> Square order state::

    FULFILLED  -> COMPLETED  (paid at the till, 30 s after it was rung up; one CARD or CASH tender)
    CANCELLED  -> CANCELED   (voided before payment: no tenders; closed an hour later)

Each world return of a sale becomes a PaymentRefund on the sale's tender, and
the returns whose goods came back also appear as ``order.returns`` line
items (so ``net_amounts`` drop by their value). Canonical return status ->
PaymentRefund status, and whether the goods show in ``order.returns``::

    REQUESTED  -> PENDING     not returned
    APPROVED   -> PENDING     returned
    RECEIVED   -> PENDING     returned
    INSPECTED  -> PENDING     returned
    REFUNDED   -> COMPLETED   returned
    CLOSED     -> COMPLETED   returned
    DECLINED   -> REJECTED    not returned
    CANCELLED  -> FAILED      not returned

Refund ``reason`` is the till's text for the canonical reason (see
``REASON_TEXT``); store-credit refunds have ``destination_type`` EXTERNAL.
The stock effect of seeded sales and returns is already in the world's
physical stock, so seeding changes no counts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from sandbox.pos.order_model import LineItem, OrderReturn, PosOrder, Refund, ReturnLine, Tender
from sandbox.world import Order, Return, World, stable_id

__all__ = ["REASON_TEXT", "REFUND_STATUS", "RETURNED_GOODS", "seed_orders"]

RefundStatus = Literal["PENDING", "COMPLETED", "REJECTED", "FAILED"]
REFUND_STATUS: dict[str, RefundStatus] = {
    "REQUESTED": "PENDING",
    "APPROVED": "PENDING",
    "RECEIVED": "PENDING",
    "INSPECTED": "PENDING",
    "REFUNDED": "COMPLETED",
    "CLOSED": "COMPLETED",
    "DECLINED": "REJECTED",
    "CANCELLED": "FAILED",
}
RETURNED_GOODS = frozenset({"APPROVED", "RECEIVED", "INSPECTED", "REFUNDED", "CLOSED"})
REASON_TEXT = {
    "DAMAGED": "Damaged item",
    "DEFECTIVE": "Defective item",
    "WRONG_ITEM": "Wrong item",
    "NOT_AS_DESCRIBED": "Not as described",
    "SIZE_OR_FIT": "Size or fit",
    "CHANGED_MIND": "Changed mind",
    "OTHER": "Other",
}
_BRANDS = ("VISA", "MASTERCARD", "AMERICAN_EXPRESS", "DISCOVER")


def seed_orders(world: World) -> list[PosOrder]:
    """The seeded POS orders (with their refunds attached), in world order."""
    titles = {product.id: product.title for product in world.products}
    return [_order(world, titles, order) for order in world.orders if order.in_pos and order.square_order_id]


def _order(world: World, titles: dict[str, str], source: Order) -> PosOrder:
    assert source.square_order_id is not None
    store = world.locations_by_code[source.lines[0].location_code]
    customer = world.customers_by_id.get(source.customer_id or "")
    lines = [
        LineItem(
            uid=stable_id("square-line", source.id, line.line_no, length=22),
            name=titles[world.variants_by_sku[line.sku].product_id],
            quantity=line.quantity,
            base_price=line.unit_price_cents,
            catalog_object_id=world.variants_by_sku[line.sku].square_variation_id,
            variation_name=world.variants_by_sku[line.sku].title,
        )
        for line in source.lines
    ]
    completed = source.status != "CANCELLED"
    order = PosOrder(
        id=source.square_order_id,
        location_id=store.square_location_id or "",
        state="COMPLETED" if completed else "CANCELED",
        created_at=source.placed_at,
        updated_at=source.placed_at,
        reference_id=source.number,
        customer_id=customer.square_customer_id if customer else None,
        version=2,
        closed_at=source.placed_at + (timedelta(seconds=30) if completed else timedelta(hours=1)),
        line_items=lines,
    )
    if completed:
        order.tenders.append(_tender(source, order))
        for ret in source.returns:
            _attach_return(order, source, ret)
    order.updated_at = max([order.closed_at or order.created_at, *(r.updated_at for r in order.refunds)])
    return order


def _tender(source: Order, order: PosOrder) -> Tender:
    assert order.closed_at is not None
    payment_id = stable_id("square-payment", source.id, length=29)
    number = int(stable_id("card", source.id, length=6, alphabet="0123456789"))
    return Tender(
        payment_id=payment_id,
        type="CASH" if source.index % 4 == 3 else "CARD",
        amount=order.total,
        created_at=order.closed_at,
        card_brand=_BRANDS[number % len(_BRANDS)],
        last_4=f"{number % 10_000:04d}",
    )


def _attach_return(order: PosOrder, source: Order, ret: Return) -> None:
    by_no = {line.line_no: order.line_items[i] for i, line in enumerate(source.lines)}
    value = sum(by_no[rl.line_no].base_price * rl.quantity for rl in ret.lines)
    tender = order.tenders[0]
    status = REFUND_STATUS[ret.status]
    refund = Refund(
        id=f"{tender.payment_id}_{stable_id('square-refund', ret.id, length=26)}",
        status=status,
        location_id=order.location_id,
        amount=ret.refund_cents if ret.refund_cents is not None else value,
        payment_id=tender.payment_id,
        order_id=order.id,
        reason=REASON_TEXT.get(ret.lines[0].reason, "Other") if ret.lines else None,
        created_at=ret.created_at,
        updated_at=ret.updated_at,
        destination_type="EXTERNAL" if ret.refund_method == "STORE_CREDIT" else tender.type,
    )
    order.refunds.append(refund)
    order.version += 1
    if ret.status in RETURNED_GOODS:
        lines = [
            ReturnLine(
                stable_id("square-return-line", ret.id, rl.line_no, length=22), by_no[rl.line_no], rl.quantity
            )
            for rl in ret.lines
        ]
        order.returns.append(OrderReturn(stable_id("square-return", ret.id, length=22), order.id, lines))

"""Shopify's records built from the world: its customers and its (ONLINE channel) orders.

Derived ids are pure arithmetic on world numbers, so the same seed gives the
same ids; orders and returns created at run time continue from counters in
:class:`sandbox.shopify.state.ShopState` using the same helpers.
"""

from __future__ import annotations

from datetime import timedelta

from sandbox.shopify._util import stable_int
from sandbox.shopify.records import (
    CustomerRecord,
    FulfillmentLineRecord,
    FulfillmentOrderRecord,
    FulfillmentRecord,
    LineItemRecord,
    OrderRecord,
    ReturnLineRecord,
    ReturnRecord,
)
from sandbox.shopify.statuses import (
    FULFILLMENT_DISPLAY,
    FULFILLMENT_ORDER_STATUS,
    FULFILLMENT_STATUS,
    ORDER_FULFILLMENT_DISPLAY,
    RETURN_STATUS,
    return_reason,
)
from sandbox.world import EPOCH, Order, Variant, World

__all__ = [
    "build_customers",
    "build_orders",
    "fulfillment_order_id",
    "fulfillment_order_line_id",
    "line_item_id",
    "return_line_id",
]

_CANCEL_REASONS = ("CUSTOMER", "INVENTORY", "FRAUD", "DECLINED", "OTHER")
_DECLINE_REASONS = ("RETURN_PERIOD_ENDED", "FINAL_SALE", "OTHER")
_CLOSING_FINANCIAL = frozenset({"PAID", "PARTIALLY_REFUNDED", "REFUNDED"})


def line_item_id(seq: int, line_no: int) -> int:
    return 13_000_000_000_000 + seq * 1000 + line_no


def fulfillment_order_id(seq: int, k: int) -> int:
    return 6_800_000_000 + seq * 10 + k


def fulfillment_order_line_id(seq: int, line_no: int) -> int:
    return 17_000_000_000_000 + seq * 1000 + line_no


def return_line_id(return_number: int, k: int) -> int:
    return 18_000_000_000_000 + return_number * 100 + k


def build_customers(world: World) -> list[CustomerRecord]:
    out = []
    for customer in world.customers:
        if customer.shopify_customer_id is None:
            continue
        span = max(1, (EPOCH - customer.created_at).days)
        out.append(
            CustomerRecord(
                id=customer.shopify_customer_id,
                first_name=customer.first_name,
                last_name=customer.last_name,
                email=customer.email,
                phone=customer.phone,
                addresses=customer.addresses,
                created_at=customer.created_at,
                updated_at=customer.created_at + timedelta(days=stable_int("c-upd", customer.id) % span),
                world=customer,
                tags=["loyalty"] if customer.loyalty_lifetime_points > 6000 else [],
                address_base=8_900_000_000 + customer.index * 10,
            )
        )
    return out


def build_orders(world: World, customers: dict[str, CustomerRecord]) -> list[OrderRecord]:
    """Records for the world's Shopify orders, linked to their customers, in id order."""
    titles = {p.id: p.title for p in world.products}
    catalog = {v.sku: (v, titles[v.product_id]) for v in world.variants}
    orders = [_order(order, customers, catalog) for order in world.orders if order.in_shopify]
    for record in orders:
        if record.customer is not None:
            record.customer.orders.append(record)
    return orders


def _order(
    order: Order, customers: dict[str, CustomerRecord], catalog: dict[str, tuple[Variant, str]]
) -> OrderRecord:
    assert order.shopify_order_id is not None
    cancelled = order.status == "CANCELLED"
    restocked = cancelled and any(s.status == "CANCELLED" for s in order.shipments)
    record = OrderRecord(
        id=order.shopify_order_id,
        seq=order.index,
        name=order.number,
        email=order.email,
        created_at=order.placed_at,
        processed_at=order.placed_at,
        updated_at=order.updated_at,
        financial_status=order.financial_status,
        fulfillment_display="RESTOCKED" if restocked else ORDER_FULFILLMENT_DISPLAY[order.status],
        currency=order.currency,
        customer=customers.get(order.customer_id) if order.customer_id else None,
        shipping_address=order.shipping_address,
        tags=["pickup"] if order.fulfilment_type == "PICKUP" else [],
        world=order,
    )
    if cancelled:
        record.cancelled_at = order.placed_at + timedelta(hours=1)
        record.cancel_reason = _CANCEL_REASONS[stable_int("cancel", order.id) % len(_CANCEL_REASONS)]
        record.closed_at = record.cancelled_at
    elif order.status == "FULFILLED" and order.financial_status in _CLOSING_FINANCIAL:
        record.closed_at = order.updated_at
    refunded = {line.line_no: 0 for line in order.lines}
    for ret in order.returns:
        if ret.refund_cents is not None:
            for rl in ret.lines:
                refunded[rl.line_no] += rl.quantity
    lines: dict[int, LineItemRecord] = {}
    for line in order.lines:
        variant, title = catalog[line.sku]
        lines[line.line_no] = LineItemRecord(
            id=line_item_id(order.index, line.line_no),
            line_no=line.line_no,
            order=record,
            sku=line.sku,
            variant=variant,
            title=title,
            quantity=line.quantity,
            unit_price_cents=line.unit_price_cents,
            location_code=line.location_code,
            fulfilled=line.quantity_fulfilled,
            removed=line.quantity - line.quantity_fulfilled if cancelled else 0,
            refunded=refunded[line.line_no],
        )
    record.lines = list(lines.values())
    _fulfillments(record, order, lines)
    _fulfillment_orders(record, order)
    _returns(record, order)
    return record


def _fulfillments(record: OrderRecord, order: Order, lines: dict[int, LineItemRecord]) -> None:
    for k, shipment in enumerate((s for s in order.shipments if s.status != "PENDING"), start=1):
        number = int(shipment.id[3:])
        fulfillment = FulfillmentRecord(
            id=5_900_000_000 + number,
            order=record,
            name=f"{order.number}-F{k}",
            status=FULFILLMENT_STATUS[shipment.status],
            display_status=FULFILLMENT_DISPLAY[shipment.status],
            location_code=shipment.location_code,
            created_at=shipment.created_at,
            updated_at=shipment.updated_at,
            in_transit_at=shipment.shipped_at if shipment.status in ("SHIPPED", "DELIVERED") else None,
            delivered_at=shipment.delivered_at,
            tracking_company=shipment.carrier,
            tracking_number=shipment.tracking_number,
        )
        fulfillment.lines = [
            FulfillmentLineRecord(
                16_000_000_000_000 + number * 100 + line_no, fulfillment, lines[line_no], qty
            )
            for line_no, qty in shipment.lines
        ]
        record.fulfillments.append(fulfillment)


def _fulfillment_orders(record: OrderRecord, order: Order) -> None:
    by_location: dict[str, list[LineItemRecord]] = {}
    for line in record.lines:
        by_location.setdefault(line.location_code, []).append(line)
    for k, (code, lines) in enumerate(by_location.items()):
        fo = FulfillmentOrderRecord(
            id=fulfillment_order_id(order.index, k),
            order=record,
            location_code=code,
            method="PICK_UP" if order.fulfilment_type == "PICKUP" else "SHIPPING",
            status=FULFILLMENT_ORDER_STATUS[order.status],
            created_at=order.placed_at,
            updated_at=order.updated_at,
        )
        fo.lines = [(fulfillment_order_line_id(order.index, line.line_no), line) for line in lines]
        record.fulfillment_orders.append(fo)


def _returns(record: OrderRecord, order: Order) -> None:
    counted = [fl for f in record.fulfillments if f.status == "SUCCESS" for fl in f.lines]
    for k, ret in enumerate(order.returns, start=1):
        number = int(ret.id[3:])
        status = RETURN_STATUS[ret.status]
        rec = ReturnRecord(
            id=9_700_000_000 + number,
            name=f"{order.number}-R{k}",
            order=record,
            status=status,
            created_at=ret.created_at,
            updated_at=ret.updated_at,
            request_approved_at=ret.created_at + timedelta(hours=4) if status in ("OPEN", "CLOSED") else None,
            closed_at=ret.updated_at if status == "CLOSED" else None,
        )
        if status == "DECLINED":
            rec.decline_reason = _DECLINE_REASONS[number % len(_DECLINE_REASONS)]
        for j, rl in enumerate(ret.lines, start=1):
            target = next((fl for fl in counted if fl.line.line_no == rl.line_no), None)
            if target is None:
                continue
            reason, note = return_reason(rl.reason)
            rec.lines.append(ReturnLineRecord(return_line_id(number, j), target, rl.quantity, reason, note))
        record.returns.append(rec)

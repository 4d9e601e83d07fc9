"""Pure functions between Shopify's orders and returns and the canonical records, both ways.

Reading an order (:func:`to_order`):

- ``status`` is ``displayFulfillmentStatus`` as Shopify spells it, except that a
  cancelled order (``cancelledAt`` set) reads ``CANCELLED``: Shopify keeps the
  fulfilment display of a cancelled order (UNFULFILLED or RESTOCKED) and flags
  the cancellation apart. ``financial_status`` is ``displayFinancialStatus``;
- line numbers are the lines' positions; fulfilled units are ``quantity -
  unfulfilledQuantity`` (for a cancelled order, whose unfulfilled units were
  removed, the units on successful fulfillments); returned units are the
  refunded ones (``quantity - currentQuantity`` less removed units);
- channel, customer and pickup location come from our tags when the order
  was created through us (``channel:ONLINE``, ``customer:C000001``,
  ``pickup_location:ST004``), else from Shopify (``sourceName`` ``web`` is the
  online store, the customer's ``custom.customer_id`` metafield, the
  fulfillment order's assigned location for ``PICK_UP``);
- fulfillments are the shipments (``displayStatus`` as status); the API has no
  order timeline here, so events are derived from the order's own times.

Returns carry our RMA number and return reason in each line's
``returnReasonNote`` (``rma:RMA-100017-02 reason:SIZE_OR_FIT``): Shopify
names returns itself (``R100017-R1``) and its reasons are coarser. A return
created elsewhere has neither: its ``rma_number`` is None and its reason
Shopify's code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from resolvers.domain import (
    Address,
    FulfilmentType,
    Money,
    OrderDraft,
    OrderEventRecord,
    OrderLineRecord,
    OrderRecord,
    ReturnLineRecord,
    ReturnRecord,
    ShipmentRecord,
)
from resolvers.shopify.mapping import SYSTEM, aware, metafield_value, to_address
from resolvers.shopify.search import gid_number
from resolvers.shopify.wire_orders import FulfillmentNode, MoneyBag, OrderNode, ReturnNode

__all__ = [
    "HELD_RETURN_STATUSES",
    "SHOPIFY_REASONS",
    "iso",
    "order_input",
    "parse_note",
    "return_note",
    "tag_value",
    "to_order",
    "to_return",
]

LocationOf = Callable[[str], str | None]
"""Shopify's numeric location id -> our location id (None when the directory does not know it)."""

SHOPIFY_REASONS: Mapping[str, str] = {
    "DAMAGED": "DEFECTIVE",
    "DEFECTIVE": "DEFECTIVE",
    "WRONG_ITEM": "WRONG_ITEM",
    "NOT_AS_DESCRIBED": "NOT_AS_DESCRIBED",
    "SIZE_OR_FIT": "SIZE_TOO_SMALL",
    "CHANGED_MIND": "UNWANTED",
    "OTHER": "OTHER",
}
"""Our ReturnReason -> Shopify's ``ReturnReason`` (ours also travels in the note)."""
HELD_RETURN_STATUSES = frozenset({"REQUESTED", "OPEN", "CLOSED"})
"""Returns whose units are no longer returnable (DECLINED and CANCELED give them back)."""
_SOURCE_CHANNELS = {"web": "ONLINE", "pos": "STORE"}
_NOTE_RMA = re.compile(r"(?:^|\s)rma:(\S+)")
_NOTE_REASON = re.compile(r"(?:^|\s)reason:(\S+)")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_value(tags: Iterable[str], name: str) -> str | None:
    """The value of our tag ``name:value`` (None without one)."""
    prefix = f"{name}:"
    return next(
        (tag[len(prefix) :] for tag in tags if tag.startswith(prefix) and len(tag) > len(prefix)), None
    )


def _money(bag: MoneyBag | None, currency: str) -> Money:
    if bag is None:
        return Money(Decimal(0), currency)
    return Money(bag.shopMoney.amount, bag.shopMoney.currencyCode)


# ---------------------------------------------------------------- orders


def to_order(node: OrderNode, location_of: LocationOf, *, stale: bool = False) -> OrderRecord:
    """The canonical order (module docstring)."""
    cancelled = node.cancelledAt is not None
    line_numbers = {line.id: no for no, line in enumerate(node.lineItems.nodes, start=1)}
    shipped: dict[str, int] = {}
    for fulfillment in node.fulfillments:
        if fulfillment.status == "SUCCESS":
            for fl in fulfillment.fulfillmentLineItems.nodes:
                shipped[fl.lineItem.id] = shipped.get(fl.lineItem.id, 0) + (fl.quantity or 0)
    lines = []
    for no, line in enumerate(node.lineItems.nodes, start=1):
        fulfilled = shipped.get(line.id, 0) if cancelled else line.quantity - line.unfulfilledQuantity
        removed = line.quantity - fulfilled if cancelled else 0
        lines.append(
            OrderLineRecord(
                line_no=no,
                sku=line.sku or "",
                quantity=line.quantity,
                unit_price=_money(line.originalUnitPriceSet, node.currencyCode),
                quantity_fulfilled=fulfilled,
                quantity_returned=max(0, line.quantity - line.currentQuantity - removed),
                system_line_id=gid_number(line.id),
            )
        )
    fulfilment, pickup = _fulfilment(node, location_of)
    placed = aware(node.processedAt) or aware(node.createdAt)
    assert placed is not None
    shipments = tuple(_shipment(f, line_numbers, location_of, placed) for f in node.fulfillments)
    return OrderRecord(
        system=SYSTEM,
        system_id=node.legacyResourceId,
        number=node.name,
        placed_at=placed,
        status="CANCELLED" if cancelled else node.displayFulfillmentStatus,
        lines=tuple(lines),
        currency=node.currencyCode,
        channel=tag_value(node.tags, "channel") or _SOURCE_CHANNELS.get(node.sourceName or ""),
        financial_status=node.displayFinancialStatus,
        customer_id=(metafield_value(node.customer.metafield) if node.customer else None)
        or tag_value(node.tags, "customer"),
        email=node.email or None,
        total=_money(node.totalPriceSet, node.currencyCode) if node.totalPriceSet else None,
        fulfilment_type=fulfilment,
        shipping_address=to_address(node.shippingAddress),
        pickup_location_id=pickup,
        shipments=shipments,
        events=_events(node, placed, shipments),
        updated_at=aware(node.updatedAt),
        stale=stale,
    )


def _fulfilment(node: OrderNode, location_of: LocationOf) -> tuple[FulfilmentType, str | None]:
    pickups = [
        fo
        for fo in node.fulfillmentOrders.nodes
        if fo.deliveryMethod is not None and fo.deliveryMethod.methodType == "PICK_UP"
    ]
    tagged = tag_value(node.tags, "pickup_location")
    if not pickups and "pickup" not in node.tags and tagged is None:
        return "SHIP", None
    if tagged is not None:
        return "PICKUP", tagged
    assigned = pickups[0].assignedLocation if pickups else None
    located = assigned.location if assigned is not None else None
    return "PICKUP", location_of(located.legacyResourceId) if located is not None else None


def _shipment(
    node: FulfillmentNode, line_numbers: Mapping[str, int], location_of: LocationOf, placed: datetime
) -> ShipmentRecord:
    tracking = node.trackingInfo[0] if node.trackingInfo else None
    return ShipmentRecord(
        system=SYSTEM,
        id=node.legacyResourceId or node.name or "",
        status=node.displayStatus or node.status,
        location_id=location_of(node.location.legacyResourceId) if node.location else None,
        carrier=tracking.company if tracking else None,
        tracking_number=tracking.number if tracking else None,
        lines=tuple(
            (line_numbers[fl.lineItem.id], fl.quantity or 0)
            for fl in node.fulfillmentLineItems.nodes
            if fl.lineItem.id in line_numbers
        ),
        updated_at=aware(node.updatedAt) or placed,
    )


def _events(
    node: OrderNode, placed: datetime, shipments: tuple[ShipmentRecord, ...]
) -> tuple[OrderEventRecord, ...]:
    events = [OrderEventRecord(placed, SYSTEM, "ORDER_PLACED", f"Order {node.name} placed")]
    events += [OrderEventRecord(s.updated_at, SYSTEM, f"FULFILLMENT_{s.status}", s.id) for s in shipments]
    cancelled = aware(node.cancelledAt)
    if cancelled is not None:
        events.append(OrderEventRecord(cancelled, SYSTEM, "ORDER_CANCELLED", node.cancelReason))
    return tuple(sorted(events, key=lambda e: e.at))


def order_input(draft: OrderDraft, customer_gid: str | None) -> dict[str, Any]:
    """``OrderCreateOrderInput`` for our accepted order: name = our number, our keys in tags."""
    tags = [f"channel:{draft.channel}"]
    if draft.customer_id:
        tags.append(f"customer:{draft.customer_id}")
    if draft.fulfilment_type == "PICKUP":
        tags.append("pickup")
        if draft.pickup_location_id:
            tags.append(f"pickup_location:{draft.pickup_location_id}")
    order: dict[str, Any] = {
        "name": draft.number,
        "currency": draft.currency,
        "processedAt": iso(draft.placed_at),
        "financialStatus": "PAID" if draft.payment_reference else "PENDING",
        "sourceName": "retail-gateway",
        "sourceIdentifier": draft.number,
        "note": f"payment:{draft.payment_reference}",
        "tags": tags,
        "lineItems": [
            {
                "sku": line.sku,
                "title": line.sku,
                "quantity": line.quantity,
                "priceSet": {
                    "shopMoney": {
                        "amount": str(line.unit_price.amount),
                        "currencyCode": line.unit_price.currency,
                    }
                },
            }
            for line in sorted(draft.lines, key=lambda line: line.line_no)
        ],
    }
    if draft.email:
        order["email"] = draft.email
    if customer_gid:
        order["customerId"] = customer_gid
    if draft.shipping_address is not None:
        order["shippingAddress"] = _address_input(draft.shipping_address)
    return order


def _address_input(address: Address) -> dict[str, Any]:
    return {
        "address1": address.line1,
        "address2": address.line2,
        "city": address.city,
        "provinceCode": address.region,
        "zip": address.postal_code,
        "countryCode": address.country_code,
    }


# ---------------------------------------------------------------- returns


def return_note(rma_number: str, reason: str) -> str:
    return f"rma:{rma_number} reason:{reason}"


def parse_note(note: str | None) -> tuple[str | None, str | None]:
    """(our RMA number, our reason) from a return line's note; Nones where absent."""
    if not note:
        return None, None
    rma, reason = _NOTE_RMA.search(note), _NOTE_REASON.search(note)
    return (rma.group(1) if rma else None), (reason.group(1) if reason else None)


def to_return(
    node: ReturnNode, order_number: str, lines: Mapping[str, tuple[int, str | None]]
) -> ReturnRecord:
    """The canonical return; ``lines`` maps the order's line item ids to (line number, SKU)."""
    rma_number: str | None = None
    out = []
    for item in node.returnLineItems.nodes:
        rma, reason = parse_note(item.returnReasonNote)
        rma_number = rma_number or rma
        returned = item.fulfillmentLineItem
        line = lines.get(returned.lineItem.id) if returned and returned.lineItem else None
        if line is None:
            continue
        line_no, sku = line
        out.append(ReturnLineRecord(line_no, item.quantity, reason or item.returnReason or "OTHER", sku))
    created = aware(node.createdAt)
    assert created is not None
    moments = [m for m in (created, aware(node.requestApprovedAt), aware(node.closedAt)) if m is not None]
    return ReturnRecord(
        system=SYSTEM,
        system_id=gid_number(node.id) or node.id,
        rma_number=rma_number,
        order_number=order_number,
        status=node.status,
        lines=tuple(out),
        created_at=created,
        updated_at=max(moments),
    )

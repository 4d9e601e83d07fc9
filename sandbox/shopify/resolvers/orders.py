"""Resolvers of Order and what hangs off it: line items, fulfillments and fulfillment orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.shopify._util import money_bag
from sandbox.shopify.context import Info, context_of
from sandbox.shopify.gids import gid
from sandbox.shopify.paging import Connection, PageArgs, paginate
from sandbox.shopify.records import (
    FulfillmentLineRecord,
    FulfillmentOrderRecord,
    FulfillmentRecord,
    LineItemRecord,
    OrderRecord,
    ReturnRecord,
)
from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS, resolves
from sandbox.shopify.resolvers.customers import mailing_address
from sandbox.world import Location, Product, Variant

__all__: list[str] = []

TYPE_RESOLVERS.update(
    {
        OrderRecord: "Order",
        LineItemRecord: "LineItem",
        FulfillmentRecord: "Fulfillment",
        FulfillmentLineRecord: "FulfillmentLineItem",
        FulfillmentOrderRecord: "FulfillmentOrder",
    }
)

_TRACKING_URLS = {
    "UPS": "https://www.ups.com/track?tracknum={}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "DHL": "https://www.dhl.com/en/express/tracking.html?AWB={}",
}


def _by_id(item: Any) -> tuple[int]:
    return (item.id,)


# ---------------------------------------------------------------- Order


@resolves("Order", "id")
def _order_id(o: OrderRecord, info: Info) -> str:
    return gid("Order", o.id)


@resolves("Order", "legacyResourceId")
def _order_legacy(o: OrderRecord, info: Info) -> str:
    return str(o.id)


@resolves("Order", "processedAt")
def _processed(o: OrderRecord, info: Info) -> datetime:
    return o.processed_at or o.created_at


@resolves("Order", "closed")
def _closed(o: OrderRecord, info: Info) -> bool:
    return o.closed_at is not None


@resolves("Order", "confirmed")
def _confirmed(o: OrderRecord, info: Info) -> bool:
    return True


@resolves("Order", "displayFinancialStatus")
def _financial(o: OrderRecord, info: Info) -> str:
    return o.financial_status


@resolves("Order", "displayFulfillmentStatus")
def _fulfillment(o: OrderRecord, info: Info) -> str:
    return o.fulfillment_display


@resolves("Order", "currencyCode")
def _currency(o: OrderRecord, info: Info) -> str:
    return o.currency


@resolves("Order", "totalPriceSet", "subtotalPriceSet")
def _total(o: OrderRecord, info: Info) -> dict[str, Any]:
    return money_bag(o.total_cents, o.currency)


@resolves("Order", "currentTotalPriceSet")
def _current_total(o: OrderRecord, info: Info) -> dict[str, Any]:
    return money_bag(o.current_total_cents, o.currency)


@resolves("Order", "totalRefundedSet")
def _refunded(o: OrderRecord, info: Info) -> dict[str, Any]:
    return money_bag(o.refunded_cents, o.currency)


@resolves("Order", "shippingAddress")
def _shipping(o: OrderRecord, info: Info) -> dict[str, Any] | None:
    if o.shipping_address is None:
        return None
    first, last = (o.customer.first_name, o.customer.last_name) if o.customer else (None, None)
    return mailing_address(o.shipping_address, 8_800_000_000 + o.seq, first, last, o.phone, "Order")


@resolves("Order", "lineItems")
def _lines(o: OrderRecord, info: Info, **args: Any) -> Connection[LineItemRecord]:
    return paginate(o.lines, _by_id, PageArgs.from_args(args))


@resolves("Order", "fulfillments")
def _fulfillments(o: OrderRecord, info: Info, first: int | None = None) -> list[FulfillmentRecord]:
    return o.fulfillments[:first] if first is not None else list(o.fulfillments)


@resolves("Order", "fulfillmentOrders")
def _fulfillment_orders(o: OrderRecord, info: Info, **args: Any) -> Connection[FulfillmentOrderRecord]:
    return paginate(o.fulfillment_orders, _by_id, PageArgs.from_args(args))


@resolves("Order", "returns")
def _returns(o: OrderRecord, info: Info, **args: Any) -> Connection[ReturnRecord]:
    return paginate(o.returns, _by_id, PageArgs.from_args(args))


# ---------------------------------------------------------------- LineItem


@resolves("LineItem", "id")
def _line_id(line: LineItemRecord, info: Info) -> str:
    return gid("LineItem", line.id)


@resolves("LineItem", "name")
def _line_name(line: LineItemRecord, info: Info) -> str:
    return f"{line.title} - {line.variant.title}" if line.variant else line.title


@resolves("LineItem", "variantTitle")
def _variant_title(line: LineItemRecord, info: Info) -> str | None:
    return line.variant.title if line.variant else None


@resolves("LineItem", "refundableQuantity")
def _refundable(line: LineItemRecord, info: Info) -> int:
    return line.current_quantity


@resolves("LineItem", "requiresShipping")
def _requires_shipping(line: LineItemRecord, info: Info) -> bool:
    return True


@resolves("LineItem", "originalUnitPriceSet", "discountedUnitPriceSet")
def _unit_price(line: LineItemRecord, info: Info) -> dict[str, Any]:
    return money_bag(line.unit_price_cents, line.order.currency)


@resolves("LineItem", "originalTotalSet")
def _line_total(line: LineItemRecord, info: Info) -> dict[str, Any]:
    return money_bag(line.unit_price_cents * line.quantity, line.order.currency)


@resolves("LineItem", "product")
def _line_product(line: LineItemRecord, info: Info) -> Product | None:
    return context_of(info).state.product_of_variant(line.variant) if line.variant else None


@resolves("LineItem", "variant")
def _line_variant(line: LineItemRecord, info: Info) -> Variant | None:
    return line.variant


# ---------------------------------------------------------------- Fulfillment


@resolves("Fulfillment", "id")
def _fulfillment_id(f: FulfillmentRecord, info: Info) -> str:
    return gid("Fulfillment", f.id)


@resolves("Fulfillment", "legacyResourceId")
def _fulfillment_legacy(f: FulfillmentRecord, info: Info) -> str:
    return str(f.id)


@resolves("Fulfillment", "location")
def _fulfillment_location(f: FulfillmentRecord, info: Info) -> Location | None:
    return context_of(info).state.location_by_code(f.location_code)


@resolves("Fulfillment", "totalQuantity")
def _fulfillment_quantity(f: FulfillmentRecord, info: Info) -> int:
    return sum(fl.quantity for fl in f.lines)


@resolves("Fulfillment", "trackingInfo")
def _tracking(f: FulfillmentRecord, info: Info, first: int | None = None) -> list[dict[str, Any]]:
    if f.tracking_number is None:
        return []
    template = _TRACKING_URLS.get(f.tracking_company or "")
    url = template.format(f.tracking_number) if template else None
    return [{"company": f.tracking_company, "number": f.tracking_number, "url": url}][:first]


@resolves("Fulfillment", "fulfillmentLineItems")
def _fulfillment_lines(f: FulfillmentRecord, info: Info, **args: Any) -> Connection[FulfillmentLineRecord]:
    return paginate(f.lines, _by_id, PageArgs.from_args(args))


@resolves("FulfillmentLineItem", "id")
def _fl_id(fl: FulfillmentLineRecord, info: Info) -> str:
    return gid("FulfillmentLineItem", fl.id)


@resolves("FulfillmentLineItem", "lineItem")
def _fl_line(fl: FulfillmentLineRecord, info: Info) -> LineItemRecord:
    return fl.line


@resolves("FulfillmentLineItem", "originalTotalSet")
def _fl_total(fl: FulfillmentLineRecord, info: Info) -> dict[str, Any]:
    return money_bag(fl.line.unit_price_cents * fl.quantity, fl.line.order.currency)


# ---------------------------------------------------------------- FulfillmentOrder


@resolves("FulfillmentOrder", "id")
def _fo_id(fo: FulfillmentOrderRecord, info: Info) -> str:
    return gid("FulfillmentOrder", fo.id)


@resolves("FulfillmentOrder", "assignedLocation")
def _fo_location(fo: FulfillmentOrderRecord, info: Info) -> dict[str, Any]:
    location = context_of(info).state.location_by_code(fo.location_code)
    return {"name": location.name if location else fo.location_code, "location": location}


@resolves("FulfillmentOrder", "deliveryMethod")
def _fo_method(fo: FulfillmentOrderRecord, info: Info) -> dict[str, Any]:
    return {"id": gid("DeliveryMethod", fo.id), "methodType": fo.method}


@resolves("FulfillmentOrder", "lineItems")
def _fo_lines(fo: FulfillmentOrderRecord, info: Info, **args: Any) -> Connection[tuple[int, LineItemRecord]]:
    return paginate(fo.lines, lambda pair: (pair[0],), PageArgs.from_args(args))


@resolves("FulfillmentOrderLineItem", "id")
def _fol_id(pair: tuple[int, LineItemRecord], info: Info) -> str:
    return gid("FulfillmentOrderLineItem", pair[0])


@resolves("FulfillmentOrderLineItem", "sku")
def _fol_sku(pair: tuple[int, LineItemRecord], info: Info) -> str:
    return pair[1].sku


@resolves("FulfillmentOrderLineItem", "totalQuantity")
def _fol_total(pair: tuple[int, LineItemRecord], info: Info) -> int:
    return pair[1].quantity


@resolves("FulfillmentOrderLineItem", "remainingQuantity")
def _fol_remaining(pair: tuple[int, LineItemRecord], info: Info) -> int:
    return pair[1].unfulfilled_quantity


@resolves("FulfillmentOrderLineItem", "lineItem")
def _fol_line(pair: tuple[int, LineItemRecord], info: Info) -> LineItemRecord:
    return pair[1]

"""REST-style webhook payloads (the subset of fields a retail integration reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.shopify._util import iso, money
from sandbox.shopify.gids import gid, level_gid
from sandbox.shopify.records import OrderRecord, ReturnRecord
from sandbox.world import Location, Variant

__all__ = ["inventory_level_payload", "order_payload", "return_payload"]

_FULFILLMENT = {
    "FULFILLED": "fulfilled",
    "PARTIALLY_FULFILLED": "partial",
    "RESTOCKED": "restocked",
}


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def order_payload(order: OrderRecord) -> dict[str, Any]:
    return {
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "name": order.name,
        "email": order.email,
        "phone": order.phone,
        "currency": order.currency,
        "total_price": money(order.total_cents),
        "current_total_price": money(order.current_total_cents),
        "financial_status": order.financial_status.lower(),
        "fulfillment_status": _FULFILLMENT.get(order.fulfillment_display),
        "customer": {"id": order.customer.id, "email": order.customer.email} if order.customer else None,
        "line_items": [
            {
                "id": line.id,
                "admin_graphql_api_id": gid("LineItem", line.id),
                "sku": line.sku,
                "quantity": line.quantity,
                "current_quantity": line.current_quantity,
                "fulfillable_quantity": line.unfulfilled_quantity,
                "variant_id": line.variant.shopify_variant_id if line.variant else None,
                "price": money(line.unit_price_cents),
            }
            for line in order.lines
        ],
        "created_at": _when(order.created_at),
        "updated_at": _when(order.updated_at),
        "processed_at": _when(order.processed_at or order.created_at),
        "cancelled_at": _when(order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": _when(order.closed_at),
        "tags": ", ".join(order.tags),
    }


def return_payload(ret: ReturnRecord) -> dict[str, Any]:
    return {
        "id": ret.id,
        "admin_graphql_api_id": gid("Return", ret.id),
        "name": ret.name,
        "status": ret.status.lower(),
        "order": {"id": ret.order.id, "admin_graphql_api_id": gid("Order", ret.order.id)},
        "total_return_line_items": len(ret.lines),
        "return_line_items": [
            {
                "id": line.id,
                "admin_graphql_api_id": gid("ReturnLineItem", line.id),
                "quantity": line.quantity,
                "return_reason": line.reason.lower(),
                "return_reason_note": line.reason_note,
                "customer_note": line.customer_note,
                "fulfillment_line_item": {
                    "id": line.fulfillment_line.id,
                    "admin_graphql_api_id": gid("FulfillmentLineItem", line.fulfillment_line.id),
                    "line_item": {"id": line.fulfillment_line.line.id, "sku": line.fulfillment_line.line.sku},
                },
            }
            for line in ret.lines
        ],
        "decline": {"reason": ret.decline_reason.lower(), "note": ret.decline_note}
        if ret.decline_reason
        else None,
    }


def inventory_level_payload(
    variant: Variant, location: Location, available: int, updated_at: datetime
) -> dict[str, Any]:
    assert location.shopify_location_id is not None
    return {
        "inventory_item_id": variant.shopify_inventory_item_id,
        "location_id": location.shopify_location_id,
        "available": available,
        "updated_at": iso(updated_at),
        "admin_graphql_api_id": level_gid(location.shopify_location_id, variant.shopify_inventory_item_id),
    }

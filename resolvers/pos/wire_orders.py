"""Square API v2 order payloads: line items, returns, tenders, refunds and fulfillments.

As in :mod:`resolvers.pos.wire`, unknown fields are ignored (``extra="ignore"``
on :class:`~resolvers.pos.wire.Wire`): these are answers from Square, which
adds fields over time. ``fulfillments`` follow Square's shape (SHIPMENT /
PICKUP with ``shipment_details`` / ``pickup_details``); an order rung up at the
till has none.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from resolvers.pos.wire import DecimalString, SquareAddress, SquareMoney, Wire

__all__ = [
    "CardDetails",
    "Fulfillment",
    "FulfillmentEntry",
    "LegacyRefund",
    "LineItem",
    "OrderAnswer",
    "OrderReturn",
    "OrderSource",
    "OrdersAnswer",
    "PickupDetails",
    "Recipient",
    "ReturnLineItem",
    "ShipmentDetails",
    "SquareOrder",
    "Tender",
]


class LineItem(Wire):
    uid: str | None = None
    catalog_object_id: str | None = None
    quantity: DecimalString
    name: str | None = None
    variation_name: str | None = None
    note: str | None = None
    base_price_money: SquareMoney | None = None
    total_money: SquareMoney | None = None


class ReturnLineItem(Wire):
    uid: str | None = None
    source_line_item_uid: str | None = None
    catalog_object_id: str | None = None
    quantity: DecimalString


class OrderReturn(Wire):
    uid: str | None = None
    source_order_id: str | None = None
    return_line_items: list[ReturnLineItem] = Field(default_factory=list)


class CardDetails(Wire):
    status: str | None = None
    """AUTHORIZED, CAPTURED, VOIDED or FAILED."""


class Tender(Wire):
    id: str
    type: str
    amount_money: SquareMoney | None = None
    created_at: datetime | None = None
    card_details: CardDetails | None = None


class LegacyRefund(Wire):
    """An entry of ``order.refunds`` (Square's legacy ``Refund``: PENDING, APPROVED, REJECTED, FAILED)."""

    id: str
    status: str
    amount_money: SquareMoney
    created_at: datetime | None = None
    reason: str | None = None


class FulfillmentEntry(Wire):
    line_item_uid: str
    quantity: DecimalString


class Recipient(Wire):
    display_name: str | None = None
    address: SquareAddress | None = None


class ShipmentDetails(Wire):
    recipient: Recipient | None = None
    carrier: str | None = None
    tracking_number: str | None = None


class PickupDetails(Wire):
    recipient: Recipient | None = None


class Fulfillment(Wire):
    uid: str | None = None
    type: str | None = None
    """PICKUP, SHIPMENT or DELIVERY."""
    state: str
    """PROPOSED, RESERVED, PREPARED, COMPLETED, CANCELED or FAILED."""
    line_item_application: str | None = None
    """ALL (the default) or ENTRY_LIST (then ``entries`` says which lines)."""
    entries: list[FulfillmentEntry] = Field(default_factory=list)
    location_id: str | None = None
    shipment_details: ShipmentDetails | None = None
    pickup_details: PickupDetails | None = None


class OrderSource(Wire):
    name: str | None = None


class SquareOrder(Wire):
    id: str
    location_id: str
    reference_id: str | None = None
    customer_id: str | None = None
    state: str
    """OPEN, COMPLETED, CANCELED or DRAFT."""
    version: int | None = None
    source: OrderSource | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    returns: list[OrderReturn] = Field(default_factory=list)
    tenders: list[Tender] = Field(default_factory=list)
    refunds: list[LegacyRefund] = Field(default_factory=list)
    fulfillments: list[Fulfillment] = Field(default_factory=list)
    total_money: SquareMoney | None = None
    net_amount_due_money: SquareMoney | None = None
    created_at: datetime
    updated_at: datetime | None = None
    closed_at: datetime | None = None


class OrdersAnswer(Wire):
    """``SearchOrders`` and ``BatchRetrieveOrders``."""

    orders: list[SquareOrder] = Field(default_factory=list)
    cursor: str | None = None


class OrderAnswer(Wire):
    """``CreateOrder``."""

    order: SquareOrder

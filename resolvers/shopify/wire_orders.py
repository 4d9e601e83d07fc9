"""Admin GraphQL payloads of orders and returns (see :mod:`resolvers.shopify.wire` for the conventions).

Every model ignores fields it does not declare (``extra="ignore"``): answers
come FROM Shopify, which adds fields in every API version.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from resolvers.shopify.wire import MailingAddress, Metafield, PageInfo, Wire

__all__ = [
    "FulfillmentNode",
    "LineItemNode",
    "MoneyBag",
    "OrderNode",
    "OrderReturnsNode",
    "ReturnLineNode",
    "ReturnNode",
]


class _Money(Wire):
    amount: Decimal
    currencyCode: str


class MoneyBag(Wire):
    shopMoney: _Money


class _Ref(Wire):
    """Any node referred to by its id (a line item, a fulfillment line item)."""

    id: str


class _Located(Wire):
    legacyResourceId: str


class LineItemNode(Wire):
    id: str
    sku: str | None = None
    quantity: int = 0
    currentQuantity: int = 0
    unfulfilledQuantity: int = 0
    originalUnitPriceSet: MoneyBag | None = None


class _LineItems(Wire):
    nodes: list[LineItemNode] = Field(default_factory=list)
    pageInfo: PageInfo = PageInfo()


class _Tracking(Wire):
    company: str | None = None
    number: str | None = None


class _FulfillmentLine(Wire):
    id: str
    quantity: int | None = None
    lineItem: _Ref


class _FulfillmentLines(Wire):
    nodes: list[_FulfillmentLine] = Field(default_factory=list)


class FulfillmentNode(Wire):
    legacyResourceId: str | None = None
    name: str | None = None
    status: str
    displayStatus: str | None = None
    updatedAt: datetime | None = None
    location: _Located | None = None
    trackingInfo: list[_Tracking] = Field(default_factory=list)
    fulfillmentLineItems: _FulfillmentLines = _FulfillmentLines()


class _AssignedLocation(Wire):
    location: _Located | None = None


class _DeliveryMethod(Wire):
    methodType: str


class _FulfillmentOrder(Wire):
    assignedLocation: _AssignedLocation | None = None
    deliveryMethod: _DeliveryMethod | None = None


class _FulfillmentOrders(Wire):
    nodes: list[_FulfillmentOrder] = Field(default_factory=list)


class _Customer(Wire):
    legacyResourceId: str
    metafield: Metafield | None = None


class OrderNode(Wire):
    id: str
    legacyResourceId: str
    name: str
    createdAt: datetime
    processedAt: datetime | None = None
    updatedAt: datetime | None = None
    cancelledAt: datetime | None = None
    cancelReason: str | None = None
    displayFinancialStatus: str | None = None
    displayFulfillmentStatus: str
    email: str | None = None
    currencyCode: str
    sourceName: str | None = None
    tags: list[str] = Field(default_factory=list)
    customer: _Customer | None = None
    totalPriceSet: MoneyBag | None = None
    shippingAddress: MailingAddress | None = None
    lineItems: _LineItems = _LineItems()
    fulfillments: list[FulfillmentNode] = Field(default_factory=list)
    fulfillmentOrders: _FulfillmentOrders = _FulfillmentOrders()


class _ReturnedLine(Wire):
    id: str
    lineItem: _Ref | None = None


class ReturnLineNode(Wire):
    quantity: int
    returnReason: str | None = None
    returnReasonNote: str | None = None
    fulfillmentLineItem: _ReturnedLine | None = None


class _ReturnLines(Wire):
    nodes: list[ReturnLineNode] = Field(default_factory=list)


class ReturnNode(Wire):
    id: str
    name: str | None = None
    status: str
    createdAt: datetime
    requestApprovedAt: datetime | None = None
    closedAt: datetime | None = None
    returnLineItems: _ReturnLines = _ReturnLines()


class _Returns(Wire):
    nodes: list[ReturnNode] = Field(default_factory=list)


class OrderReturnsNode(Wire):
    """An order as the returns reads see it: its lines, fulfillments (what is returnable) and returns."""

    id: str
    name: str
    lineItems: _LineItems = _LineItems()
    fulfillments: list[FulfillmentNode] = Field(default_factory=list)
    returns: _Returns = _Returns()

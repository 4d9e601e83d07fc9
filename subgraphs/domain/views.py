"""The merged order, line, shipment and return that :mod:`subgraphs.domain.orders` builds.

Plain frozen values in the contract's terms (statuses are the contract's
enums); the subgraphs turn them into GraphQL types. Every field that the
contract makes non-null is non-null here too, except where a subgraph must
fill it from elsewhere (a location from its id, a customer from theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from resolvers.domain import (
    Address,
    ExternalRef,
    FulfilmentType,
    Money,
    OrderEventRecord,
    ReturnLineRecord,
    System,
)
from subgraphs.domain.enums import (
    Channel,
    FinancialStatus,
    OrderStatus,
    PostingStatus,
    ReturnStatus,
    ShipmentStatus,
)

__all__ = ["OrderLineView", "OrderView", "ReturnView", "ShipmentView"]


@dataclass(frozen=True, slots=True)
class OrderLineView:
    line_no: int
    sku: str
    quantity: int
    unit_price: Money
    quantity_fulfilled: int
    quantity_returned: int
    location_id: str | None
    returned_tracked: bool = True
    """Whether a system that holds the order counts its returned units (the POS and Shopify do; the
    OMS and the ERP keep returns apart): when not, ``quantity_returned`` is 0 and the order's
    returns tell."""


@dataclass(frozen=True, slots=True)
class ShipmentView:
    system: System
    id: str
    status: ShipmentStatus
    location_id: str | None
    carrier: str | None
    tracking_number: str | None
    lines: tuple[tuple[int, int], ...]
    """(line_no, quantity) pairs."""
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderView:
    number: str
    channel: Channel
    placed_at: datetime
    status: OrderStatus
    financial_status: FinancialStatus
    erp_posting: PostingStatus
    currency: str
    lines: tuple[OrderLineView, ...]
    total: Money
    shipments: tuple[ShipmentView, ...]
    timeline: tuple[OrderEventRecord, ...]
    external_refs: tuple[ExternalRef, ...]
    header_system: System
    customer_id: str | None = None
    email: str | None = None
    fulfilment_type: FulfilmentType | None = None
    shipping_address: Address | None = None
    pickup_location_id: str | None = None
    updated_at: datetime | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class ReturnView:
    rma_number: str | None
    order_number: str | None
    status: ReturnStatus
    lines: tuple[ReturnLineRecord, ...]
    created_at: datetime
    timeline: tuple[OrderEventRecord, ...]
    external_refs: tuple[ExternalRef, ...]
    refund_method: str | None = None
    refund: Money | None = None
    drop_off_location_id: str | None = None
    updated_at: datetime | None = None

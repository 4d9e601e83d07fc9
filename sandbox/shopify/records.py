"""Shopify's own records: orders with their lines, fulfillments and returns, and customers.

They are built from the world once per start or reset (:mod:`sandbox.shopify.seed`)
and mutated in place by the mutations; products, variants and locations stay
the world's read-only objects. Numeric ids are Shopify's (the GID number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sandbox.world import Address, Customer, Location, Order, Variant

__all__ = [
    "COUNTED_RETURN_STATUSES",
    "AdjustmentGroup",
    "CustomerRecord",
    "FulfillmentLineRecord",
    "FulfillmentOrderRecord",
    "FulfillmentRecord",
    "InventoryItemRef",
    "InventoryLevelRef",
    "Job",
    "LineItemRecord",
    "OrderRecord",
    "ReturnLineRecord",
    "ReturnRecord",
]

COUNTED_RETURN_STATUSES = frozenset({"REQUESTED", "OPEN", "CLOSED"})
"""Return statuses whose quantities are no longer returnable (DECLINED and CANCELED free them)."""


@dataclass(frozen=True, slots=True)
class InventoryItemRef:
    """Shopify's inventory item of a variant (same SKU, its own id)."""

    variant: Variant


@dataclass(frozen=True, slots=True)
class InventoryLevelRef:
    """One inventory item at one location."""

    variant: Variant
    location: Location


@dataclass(slots=True, eq=False)
class CustomerRecord:
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    addresses: tuple[Address, ...]
    created_at: datetime
    updated_at: datetime
    world: Customer | None = None
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    orders: list[OrderRecord] = field(default_factory=list)
    address_base: int = 0

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or (self.email or "")


@dataclass(slots=True, eq=False)
class LineItemRecord:
    id: int
    line_no: int
    order: OrderRecord
    sku: str
    variant: Variant | None
    title: str
    quantity: int
    unit_price_cents: int
    location_code: str
    fulfilled: int = 0
    removed: int = 0
    """Unfulfilled units taken off the order (cancellation)."""
    refunded: int = 0

    @property
    def current_quantity(self) -> int:
        return self.quantity - self.removed - self.refunded

    @property
    def unfulfilled_quantity(self) -> int:
        return max(0, self.quantity - self.fulfilled - self.removed)


@dataclass(slots=True, eq=False)
class FulfillmentLineRecord:
    id: int
    fulfillment: FulfillmentRecord
    line: LineItemRecord
    quantity: int

    def returned_quantity(self) -> int:
        """Units of this fulfillment line on returns that still hold them."""
        return sum(
            rl.quantity
            for ret in self.line.order.returns
            if ret.status in COUNTED_RETURN_STATUSES
            for rl in ret.lines
            if rl.fulfillment_line is self
        )


@dataclass(slots=True, eq=False)
class FulfillmentRecord:
    id: int
    order: OrderRecord
    name: str
    status: str
    display_status: str
    location_code: str
    created_at: datetime
    updated_at: datetime
    in_transit_at: datetime | None = None
    delivered_at: datetime | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    lines: list[FulfillmentLineRecord] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class FulfillmentOrderRecord:
    id: int
    order: OrderRecord
    location_code: str
    method: str
    status: str
    created_at: datetime
    updated_at: datetime
    lines: list[tuple[int, LineItemRecord]] = field(default_factory=list)
    """(fulfillment order line item id, order line) pairs."""


@dataclass(slots=True, eq=False)
class ReturnLineRecord:
    id: int
    fulfillment_line: FulfillmentLineRecord
    quantity: int
    reason: str
    reason_note: str = ""
    customer_note: str | None = None


@dataclass(slots=True, eq=False)
class ReturnRecord:
    id: int
    name: str
    order: OrderRecord
    status: str
    created_at: datetime
    updated_at: datetime
    lines: list[ReturnLineRecord] = field(default_factory=list)
    request_approved_at: datetime | None = None
    closed_at: datetime | None = None
    decline_reason: str | None = None
    decline_note: str | None = None

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(slots=True, eq=False)
class OrderRecord:
    id: int
    seq: int
    """Position among all orders (seeded and created); the base of derived ids."""
    name: str
    email: str | None
    created_at: datetime
    updated_at: datetime
    financial_status: str
    fulfillment_display: str
    currency: str = "USD"
    phone: str | None = None
    customer: CustomerRecord | None = None
    processed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    source_name: str = "web"
    test: bool = False
    shipping_address: Address | None = None
    lines: list[LineItemRecord] = field(default_factory=list)
    fulfillments: list[FulfillmentRecord] = field(default_factory=list)
    fulfillment_orders: list[FulfillmentOrderRecord] = field(default_factory=list)
    returns: list[ReturnRecord] = field(default_factory=list)
    world: Order | None = None

    @property
    def total_cents(self) -> int:
        return sum(line.quantity * line.unit_price_cents for line in self.lines)

    @property
    def current_total_cents(self) -> int:
        return sum(line.current_quantity * line.unit_price_cents for line in self.lines)

    @property
    def refunded_cents(self) -> int:
        return sum(line.refunded * line.unit_price_cents for line in self.lines)


@dataclass(slots=True, eq=False)
class AdjustmentGroup:
    """The record of one ``inventoryAdjustQuantities`` / ``inventorySetQuantities`` call."""

    id: int
    created_at: datetime
    reason: str
    reference_document_uri: str | None
    changes: list[tuple[str, int, int, Variant, Location]]
    """(name, delta, quantity after change, variant, location)."""


@dataclass(slots=True, eq=False)
class Job:
    """An asynchronous job (``orderCancel`` answers with one); ours finish at once."""

    id: str
    done: bool = True

"""The canonical records every connector maps its system's wire payloads into.

Plain frozen dataclasses: the subgraphs read these and nothing of any
system's wire shape. Shared keys across the systems (see the README):

* a location's ``id`` is the OMS facility id (``ExternalRef`` holds the ERP
  plant, the Square and Shopify location ids);
* a variant is identified by its ``sku``; a product by our product id;
* an order by its ``number`` (``R1xxxxx``), a customer by our id (``C0xxxxx``),
  a return by its ``rma_number``.

Statuses are carried **as each system spells them** (``status`` with the
record's ``system``): mapping them onto the contract's enums is a domain rule
of the subgraphs (``subgraphs.domain``), kept in one place for every system.
Quantities are ints, money is :class:`Money` (``Decimal`` amount), times are
aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Generic, Literal, TypeVar

__all__ = [
    "Address",
    "CustomerRecord",
    "ExternalRef",
    "FulfilmentType",
    "Location",
    "LocationType",
    "Loyalty",
    "Money",
    "OrderDraft",
    "OrderDraftLine",
    "OrderEventRecord",
    "OrderLineRecord",
    "OrderRecord",
    "Page",
    "Product",
    "Reservation",
    "ReservationLine",
    "ReturnDraft",
    "ReturnDraftLine",
    "ReturnLineRecord",
    "ReturnRecord",
    "ShipmentRecord",
    "StockLevel",
    "System",
    "Variant",
]

T = TypeVar("T")
System = Literal["ERP", "OMS", "POS", "SHOPIFY"]
LocationType = Literal["STORE", "WAREHOUSE", "DISTRIBUTION_CENTER"]
FulfilmentType = Literal["SHIP", "PICKUP"]


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str
    """ISO 4217."""


@dataclass(frozen=True, slots=True)
class ExternalRef:
    system: System
    id: str


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country_code: str


@dataclass(frozen=True)  # no slots: with Generic they break `Page[int](...)`
class Page(Generic[T]):
    """One page of a listing; ``end_cursor`` is the system's own cursor (opaque to callers)."""

    items: tuple[T, ...]
    has_next_page: bool
    end_cursor: str | None


# ---------------------------------------------------------------- master data


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    """The OMS facility id: the location key across systems."""
    name: str
    type: LocationType
    address: Address | None
    fulfills_online: bool
    pickup_enabled: bool
    refs: tuple[ExternalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Variant:
    sku: str
    title: str
    product_id: str
    price: Money
    gtin: str | None = None
    refs: tuple[ExternalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    title: str
    description: str | None
    brand: str | None
    variants: tuple[Variant, ...]
    refs: tuple[ExternalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class StockLevel:
    """One system's figures for one SKU at one location, in the contract's quantity terms.

    ``unavailable`` is damaged + quality control + blocked. ``available`` is the
    system's own net figure where it reports one (Shopify ``available``, OMS
    ATP), signed; None where it does not. The subgraph's ATS rule decides what
    to use; a connector never nets figures itself.
    """

    system: System
    sku: str
    location_id: str
    on_hand: int
    committed: int = 0
    reserved: int = 0
    safety_stock: int = 0
    unavailable: int = 0
    incoming: int = 0
    available: int | None = None
    as_of: datetime | None = None
    """When the system's figure was read (for a stale one: when it was cached)."""
    stale: bool = False


@dataclass(frozen=True, slots=True)
class ReservationLine:
    sku: str
    location_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Reservation:
    id: str
    lines: tuple[ReservationLine, ...]
    expires_at: datetime | None
    status: str
    """As the system spells it (OMS: ACTIVE, CONFIRMED, RELEASED, EXPIRED)."""


# ---------------------------------------------------------------- customers


@dataclass(frozen=True, slots=True)
class Loyalty:
    tier: str
    points: int


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as one system knows them; ``customer_id`` is our id where the system carries it."""

    system: System
    system_id: str
    customer_id: str | None
    email: str | None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    addresses: tuple[Address, ...] = ()
    loyalty: Loyalty | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


# ---------------------------------------------------------------- orders


@dataclass(frozen=True, slots=True)
class OrderLineRecord:
    line_no: int
    """1-based line number, the same in every system (the line's position in the order)."""
    sku: str
    quantity: int
    unit_price: Money
    quantity_fulfilled: int | None = None
    """None where the system does not track it."""
    quantity_returned: int | None = None
    location_id: str | None = None
    system_line_id: str | None = None


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    system: System
    id: str
    status: str
    """As the system spells it."""
    location_id: str | None
    carrier: str | None
    tracking_number: str | None
    lines: tuple[tuple[int, int], ...]
    """(line_no, quantity) pairs."""
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderEventRecord:
    at: datetime
    system: str
    """ERP, OMS, POS, SHOPIFY or GATEWAY."""
    type: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as one system knows it. Statuses as the system spells them."""

    system: System
    system_id: str
    number: str
    placed_at: datetime
    status: str
    lines: tuple[OrderLineRecord, ...]
    currency: str
    channel: str | None = None
    """Our Channel where the system carries it (OMS sales channel, Shopify tag), else None."""
    financial_status: str | None = None
    customer_id: str | None = None
    email: str | None = None
    total: Money | None = None
    fulfilment_type: FulfilmentType | None = None
    shipping_address: Address | None = None
    pickup_location_id: str | None = None
    shipments: tuple[ShipmentRecord, ...] = ()
    events: tuple[OrderEventRecord, ...] = ()
    updated_at: datetime | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class ReturnLineRecord:
    line_no: int
    """The order line's number."""
    quantity: int
    reason: str
    """Our ReturnReason where the system carries it, else the system's code."""
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    system: System
    system_id: str
    rma_number: str | None
    order_number: str | None
    status: str
    """As the system spells it."""
    lines: tuple[ReturnLineRecord, ...]
    created_at: datetime
    refund_method: str | None = None
    refund: Money | None = None
    drop_off_location_id: str | None = None
    events: tuple[OrderEventRecord, ...] = ()
    updated_at: datetime | None = None


# ---------------------------------------------------------------- writes


@dataclass(frozen=True, slots=True)
class OrderDraftLine:
    line_no: int
    sku: str
    quantity: int
    unit_price: Money
    location_id: str
    """Where the line is fulfilled from (its reservation's location)."""


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An accepted order, as the subgraph hands it to each system to create."""

    number: str
    channel: str
    placed_at: datetime
    lines: tuple[OrderDraftLine, ...]
    currency: str
    payment_reference: str
    fulfilment_type: FulfilmentType
    idempotency_key: str
    """Forwarded downstream: Shopify ``@idempotent``, Square ``idempotency_key``; SAP dedupes by number."""
    customer_id: str | None = None
    email: str | None = None
    shipping_address: Address | None = None
    pickup_location_id: str | None = None
    reservation_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReturnDraftLine:
    line_no: int
    sku: str
    quantity: int
    reason: str
    """Our ReturnReason."""


@dataclass(frozen=True, slots=True)
class ReturnDraft:
    rma_number: str
    order_number: str
    lines: tuple[ReturnDraftLine, ...]
    refund_method: str
    created_at: datetime
    idempotency_key: str
    drop_off_location_id: str | None = None
    currency: str = "USD"

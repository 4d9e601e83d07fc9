"""The seeded world that every sandbox system projects its own view of.

One deterministic generator (a seed number and a size) builds the retail
business behind the four systems of record: locations, products and
variants, customers, and orders with their lines, shipments and returns.
Each system (ERP, OMS, POS, Shopify) starts from the same world and shows it
in its own wire shapes and vocabulary, with the drift real estates have:
POS sales not yet posted to the ERP, Shopify's committed units, OMS soft
reservations.

Statuses here are canonical (the contract's enums); each system translates
them into its own status ids. Stock is computed lazily per (sku, location)
from a hash, so the large size (20,000 SKUs x 300 locations) costs no memory
until a figure is asked for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

__all__ = [
    "CHANNELS",
    "EPOCH",
    "ORDER_STATUSES",
    "RETURN_REASONS",
    "RETURN_STATUSES",
    "SHIPMENT_STATUSES",
    "SIZES",
    "Address",
    "Customer",
    "Location",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Product",
    "Return",
    "ReturnLine",
    "Shipment",
    "Size",
    "Stock",
    "Variant",
    "World",
    "build_world",
    "stable_id",
]

EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
"""The seeded business 'now': every seeded timestamp lies before it."""

SizeName = Literal["small", "large"]


@dataclass(frozen=True)
class Size:
    skus: int
    locations: int
    customers: int
    orders: int


SIZES: dict[str, Size] = {
    "small": Size(skus=200, locations=30, customers=500, orders=2_000),
    "large": Size(skus=20_000, locations=300, customers=5_000, orders=20_000),
}

ORDER_STATUSES = ("PENDING", "ON_HOLD", "IN_PROGRESS", "PARTIALLY_FULFILLED", "FULFILLED", "CANCELLED")
SHIPMENT_STATUSES = ("PENDING", "SHIPPED", "DELIVERED", "READY_FOR_PICKUP", "PICKED_UP", "CANCELLED")
RETURN_STATUSES = (
    "REQUESTED",
    "APPROVED",
    "DECLINED",
    "RECEIVED",
    "INSPECTED",
    "REFUNDED",
    "CLOSED",
    "CANCELLED",
)
RETURN_REASONS = (
    "DAMAGED",
    "DEFECTIVE",
    "WRONG_ITEM",
    "NOT_AS_DESCRIBED",
    "SIZE_OR_FIT",
    "CHANGED_MIND",
    "OTHER",
)
CHANNELS = ("ONLINE", "STORE", "CLIENTELING", "CALL_CENTER")


def stable_id(*parts: object, length: int = 22, alphabet: str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ") -> str:
    """A deterministic opaque id (Square-style) derived from its parts."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=32).digest()
    number = int.from_bytes(digest, "big")
    out = []
    for _ in range(length):
        number, rem = divmod(number, len(alphabet))
        out.append(alphabet[rem])
    return "".join(out)


def _hash_int(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


# ---------------------------------------------------------------- master data


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country_code: str


@dataclass(frozen=True)
class Location:
    """A store, warehouse or distribution centre. ``code`` is the OMS facility id."""

    index: int
    code: str
    name: str
    type: Literal["STORE", "WAREHOUSE", "DISTRIBUTION_CENTER"]
    address: Address
    fulfills_online: bool
    pickup_enabled: bool
    erp_plant: str
    erp_storage_location: str
    square_location_id: str | None
    shopify_location_id: int | None


@dataclass(frozen=True)
class Variant:
    index: int
    sku: str
    gtin: str
    title: str
    product_id: str
    price_cents: int
    options: tuple[tuple[str, str], ...]
    weight_grams: int
    shopify_variant_id: int
    shopify_inventory_item_id: int
    square_variation_id: str
    square_item_id: str


@dataclass(frozen=True)
class Product:
    index: int
    id: str
    title: str
    description: str
    brand: str
    product_type: str
    tags: tuple[str, ...]
    variants: tuple[Variant, ...]
    shopify_product_id: int
    created_at: datetime


@dataclass(frozen=True)
class Customer:
    index: int
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    addresses: tuple[Address, ...]
    created_at: datetime
    shopify_customer_id: int | None
    square_customer_id: str | None
    erp_business_partner: str | None
    loyalty_lifetime_points: int
    loyalty_balance: int


@dataclass(frozen=True)
class Stock:
    """The physical truth for one SKU at one location, before any system's drift."""

    on_hand: int
    damaged: int
    quality_control: int
    safety_stock: int
    incoming: int


# ---------------------------------------------------------------- orders


@dataclass(frozen=True)
class OrderLine:
    line_no: int
    sku: str
    quantity: int
    unit_price_cents: int
    location_code: str
    quantity_fulfilled: int
    quantity_returned: int


@dataclass(frozen=True)
class Shipment:
    id: str
    location_code: str
    status: str
    carrier: str | None
    tracking_number: str | None
    lines: tuple[tuple[int, int], ...]
    """(line_no, quantity) pairs."""
    created_at: datetime
    updated_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class ReturnLine:
    line_no: int
    quantity: int
    reason: str


@dataclass(frozen=True)
class Return:
    id: str
    rma_number: str
    order_id: str
    status: str
    lines: tuple[ReturnLine, ...]
    refund_method: Literal["ORIGINAL_PAYMENT", "STORE_CREDIT"]
    refund_cents: int | None
    drop_off_location_code: str | None
    created_at: datetime
    updated_at: datetime
    in_erp: bool


@dataclass(frozen=True)
class OrderEvent:
    at: datetime
    system: Literal["ERP", "OMS", "POS", "SHOPIFY"]
    type: str
    message: str | None


@dataclass(frozen=True)
class Order:
    index: int
    id: str
    """The OMS order id for OMS orders; the business key across systems is ``number``."""
    number: str
    channel: str
    placed_at: datetime
    customer_id: str | None
    email: str
    status: str
    financial_status: str
    fulfilment_type: Literal["SHIP", "PICKUP"]
    shipping_address: Address | None
    pickup_location_code: str | None
    currency: str
    lines: tuple[OrderLine, ...]
    shipments: tuple[Shipment, ...]
    returns: tuple[Return, ...]
    events: tuple[OrderEvent, ...]
    payment_reference: str
    in_shopify: bool
    in_oms: bool
    in_pos: bool
    erp_posted: bool
    shopify_order_id: int | None
    square_order_id: str | None
    erp_sales_order: str | None
    updated_at: datetime

    @property
    def total_cents(self) -> int:
        return sum(line.quantity * line.unit_price_cents for line in self.lines)


@dataclass
class World:
    seed: int
    size: Size
    locations: tuple[Location, ...]
    products: tuple[Product, ...]
    customers: tuple[Customer, ...]
    orders: tuple[Order, ...]
    variants_by_sku: dict[str, Variant] = field(default_factory=dict)
    locations_by_code: dict[str, Location] = field(default_factory=dict)
    customers_by_id: dict[str, Customer] = field(default_factory=dict)
    orders_by_id: dict[str, Order] = field(default_factory=dict)
    orders_by_number: dict[str, Order] = field(default_factory=dict)
    _open_by_stock: dict[tuple[str, str], int] = field(default_factory=dict)
    _pos_lag: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.variants_by_sku = {v.sku: v for p in self.products for v in p.variants}
        self.locations_by_code = {loc.code: loc for loc in self.locations}
        self.customers_by_id = {c.id: c for c in self.customers}
        self.orders_by_id = {o.id: o for o in self.orders}
        self.orders_by_number = {o.number: o for o in self.orders}
        for order in self.orders:
            if order.status == "CANCELLED":
                continue
            for line in order.lines:
                open_qty = line.quantity - line.quantity_fulfilled
                if open_qty > 0:
                    key = (line.sku, line.location_code)
                    self._open_by_stock[key] = self._open_by_stock.get(key, 0) + open_qty
            if order.channel == "STORE" and not order.erp_posted:
                for line in order.lines:
                    key = (line.sku, line.location_code)
                    self._pos_lag[key] = self._pos_lag.get(key, 0) + line.quantity

    @property
    def variants(self) -> Iterator[Variant]:
        for product in self.products:
            yield from product.variants

    def carries(self, sku: str, location_code: str) -> bool:
        """Whether the location stocks the SKU at all (warehouses carry everything; unknown ids: no)."""
        location = self.locations_by_code.get(location_code)
        if location is None or sku not in self.variants_by_sku:
            return False
        if location.type != "STORE":
            return True
        return _hash_int(self.seed, "carry", sku, location_code) % 100 < 75

    def stock(self, sku: str, location_code: str) -> Stock | None:
        """The physical stock of ``sku`` at ``location_code`` (None where not carried)."""
        if not self.carries(sku, location_code):
            return None
        location = self.locations_by_code[location_code]
        h = _hash_int(self.seed, "stock", sku, location_code)
        scale = 12 if location.type == "STORE" else 120
        bucket = h % 100
        if bucket < 12:
            on_hand = 0  # out of stock here
        elif bucket < 22:
            on_hand = 1 + (h >> 8) % 3  # low stock
        else:
            on_hand = 2 + (h >> 8) % scale
        on_hand += self._open_by_stock.get((sku, location_code), 0)
        damaged = 1 if (h >> 16) % 17 == 0 and on_hand > 1 else 0
        quality_control = 2 if (h >> 20) % 23 == 0 and on_hand > 3 else 0
        safety_stock = 0 if location.type == "STORE" else (h >> 24) % 5
        incoming = (h >> 28) % 40 if (h >> 34) % 5 == 0 else 0
        return Stock(on_hand, damaged, quality_control, safety_stock, incoming)

    def committed(self, sku: str, location_code: str) -> int:
        """Units promised to open (unshipped, not cancelled) order lines at this location."""
        return self._open_by_stock.get((sku, location_code), 0)

    def pos_sales_not_in_erp(self, sku: str, location_code: str) -> int:
        """Units sold at the till whose sales the ERP has not yet received."""
        return self._pos_lag.get((sku, location_code), 0)


def build_world(seed: int = 42, size: SizeName | Size = "small") -> World:
    """Generate the world for ``seed`` at ``size``; the same inputs give the same world."""
    import random

    from sandbox._seed_master import customers, locations, products
    from sandbox._seed_orders import OrderFactory

    dims = SIZES[size] if isinstance(size, str) else size
    rng = random.Random(seed)
    locs = locations(rng, dims.locations)
    prods = products(rng, dims.skus)
    custs = customers(rng, dims.customers)
    factory = OrderFactory(rng, locs, prods)
    orders = tuple(factory.build(i, custs) for i in range(dims.orders))
    return World(seed, dims, locs, prods, custs, orders)

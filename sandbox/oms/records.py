"""The OMS's mutable records: orders with their items, ship groups, shipments and payments; returns.

Plain dataclasses in OFBiz's terms (amounts in cents, timestamps as aware
datetimes); :mod:`sandbox.oms.views` turns them into wire JSON. Seeded
records are made from the read-only world on first use
(:mod:`sandbox.oms.seed`); records created at run time start here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "OPEN_SHIPMENT_STATUSES",
    "SHIPPED_STATUSES",
    "OrderItem",
    "OrderRecord",
    "PaymentPreference",
    "ReturnItem",
    "ReturnRecord",
    "ShipGroup",
    "ShipmentRecord",
    "StatusRow",
]

SHIPPED_STATUSES = frozenset({"SHIPMENT_SHIPPED", "SHIPMENT_DELIVERED"})
"""Shipment statuses whose units have left the facility (handed over, for store pickup)."""
OPEN_SHIPMENT_STATUSES = frozenset({"SHIPMENT_INPUT", "SHIPMENT_APPROVED", "SHIPMENT_PACKED"})


@dataclass
class StatusRow:
    """One row of a status history (OFBiz OrderStatus / ShipmentStatus / ReturnStatus)."""

    status_id: str
    at: datetime
    by: str
    reason: str | None = None


@dataclass
class OrderItem:
    seq_id: str
    ship_group_seq_id: str
    product_id: str
    description: str
    quantity: int
    unit_price_cents: int
    status_id: str
    cancel_quantity: int = 0
    external_id: str | None = None


@dataclass
class ShipGroup:
    seq_id: str
    facility_id: str
    method: str
    """STANDARD (ship to ``postal_address``) or STOREPICKUP (collect at ``facility_id``)."""
    carrier_party_id: str
    postal_address: dict[str, Any] | None


@dataclass
class ShipmentRecord:
    shipment_id: str
    order_id: str
    ship_group_seq_id: str
    status_id: str
    facility_id: str
    method: str
    carrier_party_id: str
    tracking_id: str | None
    items: list[tuple[str, int]]
    """(orderItemSeqId, quantity) pairs."""
    statuses: list[StatusRow]
    created_at: datetime
    updated_at: datetime
    estimated_ship_date: datetime | None = None


@dataclass
class PaymentPreference:
    preference_id: str
    method_type_id: str
    status_id: str
    max_amount_cents: int
    refunded_cents: int
    reference: str


@dataclass
class OrderRecord:
    order_id: str
    order_name: str | None
    external_id: str | None
    channel_enum_id: str
    status_id: str
    order_date: datetime
    entry_date: datetime
    party_id: str
    email: str | None
    currency: str
    items: list[OrderItem]
    ship_groups: list[ShipGroup]
    shipments: list[ShipmentRecord]
    statuses: list[StatusRow]
    payments: list[PaymentPreference]
    updated_at: datetime
    seeded: bool = True

    @property
    def grand_total_cents(self) -> int:
        return sum(i.quantity * i.unit_price_cents for i in self.items)

    def item(self, seq_id: str) -> OrderItem | None:
        return next((i for i in self.items if i.seq_id == seq_id), None)

    def ship_group(self, seq_id: str) -> ShipGroup:
        return next(g for g in self.ship_groups if g.seq_id == seq_id)

    def shipped_quantities(self) -> Counter[str]:
        """Units per orderItemSeqId on shipped (or handed-over) shipments."""
        shipped: Counter[str] = Counter()
        for shipment in self.shipments:
            if shipment.status_id in SHIPPED_STATUSES:
                for seq, qty in shipment.items:
                    shipped[seq] += qty
        return shipped

    def planned_quantities(self) -> Counter[str]:
        """Units per orderItemSeqId on shipments that are open or shipped (not cancelled)."""
        planned: Counter[str] = Counter()
        for shipment in self.shipments:
            if shipment.status_id != "SHIPMENT_CANCELLED":
                for seq, qty in shipment.items:
                    planned[seq] += qty
        return planned

    def open_commitments(self) -> Counter[tuple[str, str]]:
        """Units still promised, per (productId, facilityId): what this order adds to ``committed``."""
        out: Counter[tuple[str, str]] = Counter()
        if self.status_id in ("ORDER_CANCELLED", "ORDER_COMPLETED"):
            return out
        shipped = self.shipped_quantities()
        for item in self.items:
            if item.status_id in ("ITEM_CANCELLED", "ITEM_COMPLETED"):
                continue
            open_qty = item.quantity - item.cancel_quantity - shipped[item.seq_id]
            if open_qty > 0:
                out[(item.product_id, self.ship_group(item.ship_group_seq_id).facility_id)] += open_qty
        return out

    def shipped_stock(self) -> Counter[tuple[str, str]]:
        """Units shipped, per (productId, facilityId) of the shipment's origin."""
        out: Counter[tuple[str, str]] = Counter()
        products = {i.seq_id: i.product_id for i in self.items}
        for shipment in self.shipments:
            if shipment.status_id in SHIPPED_STATUSES:
                for seq, qty in shipment.items:
                    out[(products[seq], shipment.facility_id)] += qty
        return out


@dataclass
class ReturnItem:
    seq_id: str
    order_item_seq_id: str
    product_id: str
    quantity: int
    received_quantity: int
    reason_id: str
    return_type_id: str
    """RTN_REFUND (to the original payment) or RTN_CREDIT (store credit)."""
    unit_price_cents: int


@dataclass
class ReturnRecord:
    return_id: str
    return_name: str
    external_id: str | None
    order_id: str
    party_id: str
    status_id: str
    channel_enum_id: str
    destination_facility_id: str | None
    items: list[ReturnItem]
    statuses: list[StatusRow]
    refund_cents: int | None
    created_at: datetime
    updated_at: datetime
    currency: str = "USD"

    @property
    def return_total_cents(self) -> int:
        return sum(i.quantity * i.unit_price_cents for i in self.items)

    def counts_against_order(self) -> bool:
        """Whether its units are spoken for (everything but rejected or cancelled returns)."""
        return self.status_id not in ("RETURN_REJECTED", "RETURN_CANCELLED")

"""The OMS's view of the seeded world: world orders and returns as OMS records.

Orders are made on first use (the large world has 14,000 OMS orders, most
never asked for); :func:`seeded_status` answers an order's status without
making it, for filters. Status histories come from the world order's OMS
events; shipment and return histories walk the status ladder up to the
seeded status at the seeded times.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from sandbox.oms._wire import item_seq_id, postal_address, seq_id
from sandbox.oms.canonical import (
    CARRIER_PARTY_IDS,
    CHANNEL_ENUM_IDS,
    ORDER_STATUS_IDS,
    PAYMENT_STATUS_IDS,
    RETURN_STATUS_IDS,
    SEED_REASON_IDS,
    SHIPMENT_METHODS,
)
from sandbox.oms.records import (
    OrderItem,
    OrderRecord,
    PaymentPreference,
    ReturnItem,
    ReturnRecord,
    ShipGroup,
    ShipmentRecord,
    StatusRow,
)
from sandbox.world import Order, Return, Shipment, World

__all__ = ["SYSTEM_USER", "Seeder", "seeded_shipment_status", "seeded_status"]

SYSTEM_USER = "system"
_ITEM_STATUS = {
    "PENDING": "ITEM_CREATED",
    "ON_HOLD": "ITEM_CREATED",
    "IN_PROGRESS": "ITEM_APPROVED",
    "PARTIALLY_FULFILLED": "ITEM_APPROVED",
    "FULFILLED": "ITEM_COMPLETED",
    "CANCELLED": "ITEM_CANCELLED",
}
_ORDER_EVENTS = {
    "ORDER_CREATED": "ORDER_CREATED",
    "ORDER_HELD": "ORDER_HOLD",
    "ORDER_APPROVED": "ORDER_APPROVED",
}
_SHIPMENT_LADDER = ("SHIPMENT_INPUT", "SHIPMENT_APPROVED", "SHIPMENT_PACKED", "SHIPMENT_SHIPPED")
_RETURN_LADDER = (
    "RETURN_REQUESTED",
    "RETURN_ACCEPTED",
    "RETURN_RECEIVED",
    "RETURN_INSPECTED",
    "RETURN_COMPLETED",
    "RETURN_CLOSED",
)


def seeded_status(order: Order) -> str:
    """The OMS status id of a seeded order, without building its record."""
    return ORDER_STATUS_IDS[order.status]


def seeded_shipment_status(shipment: Shipment) -> str:
    """The OMS status id of a seeded shipment."""
    if shipment.status == "PENDING":
        # Not yet picked: mostly approved, some still in input, some packed and waiting for the carrier.
        bucket = zlib.crc32(shipment.id.encode()) % 5
        return {0: "SHIPMENT_INPUT", 1: "SHIPMENT_PACKED"}.get(bucket, "SHIPMENT_APPROVED")
    return {
        "SHIPPED": "SHIPMENT_SHIPPED",
        "DELIVERED": "SHIPMENT_DELIVERED",
        "READY_FOR_PICKUP": "SHIPMENT_PACKED",
        "PICKED_UP": "SHIPMENT_SHIPPED",
        "CANCELLED": "SHIPMENT_CANCELLED",
    }[shipment.status]


def _shipment_history(shipment: Shipment, status_id: str) -> list[StatusRow]:
    created = shipment.created_at
    times = {
        "SHIPMENT_INPUT": created,
        "SHIPMENT_APPROVED": created + timedelta(minutes=5),
        "SHIPMENT_PACKED": shipment.shipped_at - timedelta(hours=1)
        if shipment.shipped_at
        else shipment.updated_at,
        "SHIPMENT_SHIPPED": shipment.shipped_at or shipment.updated_at,
    }
    if status_id == "SHIPMENT_CANCELLED":
        return [
            StatusRow("SHIPMENT_INPUT", created, SYSTEM_USER),
            StatusRow(status_id, shipment.updated_at, SYSTEM_USER),
        ]
    last = "SHIPMENT_SHIPPED" if status_id == "SHIPMENT_DELIVERED" else status_id
    ladder = _SHIPMENT_LADDER[: _SHIPMENT_LADDER.index(last) + 1]
    rows = [StatusRow(s, times[s], SYSTEM_USER) for s in ladder]
    if status_id == "SHIPMENT_DELIVERED":
        rows.append(StatusRow(status_id, shipment.delivered_at or shipment.updated_at, SYSTEM_USER))
    return rows


def _spread(start: datetime, end: datetime, steps: int) -> list[datetime]:
    if steps <= 1:
        return [start]
    return [start + (end - start) * i / (steps - 1) for i in range(steps)]


class Seeder:
    """Turns world orders and returns into OMS records."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._product_titles = {p.id: p.title for p in world.products}

    def description(self, sku: str) -> str:
        variant = self._world.variants_by_sku[sku]
        return f"{self._product_titles[variant.product_id]} - {variant.title}"

    def order(self, order: Order) -> OrderRecord:
        world = self._world
        customer = world.customers_by_id.get(order.customer_id or "")
        method = SHIPMENT_METHODS[order.fulfilment_type]
        facility = order.pickup_location_code or order.lines[0].location_code
        carrier = next((s.carrier for s in order.shipments if s.carrier), None)
        to_name = f"{customer.first_name} {customer.last_name}" if customer else None
        group = ShipGroup(
            seq_id(1),
            facility,
            method,
            "_NA_" if method == "STOREPICKUP" else CARRIER_PARTY_IDS.get(carrier or "", "_NA_"),
            postal_address(order.shipping_address, to_name) if order.shipping_address else None,
        )
        item_status = _ITEM_STATUS[order.status]
        items = [
            OrderItem(
                seq_id=item_seq_id(line.line_no),
                ship_group_seq_id=group.seq_id,
                product_id=line.sku,
                description=self.description(line.sku),
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                status_id=item_status,
                cancel_quantity=line.quantity - line.quantity_fulfilled if order.status == "CANCELLED" else 0,
            )
            for line in order.lines
        ]
        shipments = [self._shipment(order, s, group) for s in order.shipments]
        refunded = sum(r.refund_cents or 0 for r in order.returns)
        payment = PaymentPreference(
            preference_id=f"OPP{order.id.removeprefix('OMS')}",
            method_type_id="CREDIT_CARD",
            status_id=PAYMENT_STATUS_IDS[order.financial_status],
            max_amount_cents=order.total_cents,
            refunded_cents=refunded,
            reference=order.payment_reference,
        )
        return OrderRecord(
            order_id=order.id,
            order_name=order.number,
            external_id=str(order.shopify_order_id) if order.shopify_order_id else None,
            channel_enum_id=CHANNEL_ENUM_IDS[order.channel],
            status_id=seeded_status(order),
            order_date=order.placed_at,
            entry_date=order.placed_at + timedelta(minutes=1),
            party_id=order.customer_id or "_NA_",
            email=order.email,
            currency=order.currency,
            items=items,
            ship_groups=[group],
            shipments=shipments,
            statuses=self._order_history(order, shipments),
            payments=[payment],
            updated_at=order.updated_at,
        )

    @staticmethod
    def _order_history(order: Order, shipments: list[ShipmentRecord]) -> list[StatusRow]:
        rows: list[StatusRow] = []
        for event in order.events:
            if event.system == "OMS" and event.type in _ORDER_EVENTS:
                rows.append(StatusRow(_ORDER_EVENTS[event.type], event.at, SYSTEM_USER, event.message))
            elif event.type == "ORDER_CANCELLED":
                by = SYSTEM_USER if event.system == "OMS" else f"{event.system.lower()}.sync"
                rows.append(StatusRow("ORDER_CANCELLED", event.at, by, event.message))
        if order.status == "FULFILLED":
            shipped = [s.statuses[-1].at for s in shipments if s.status_id != "SHIPMENT_CANCELLED"]
            done = max(shipped, default=order.placed_at + timedelta(days=1))
            rows.append(StatusRow("ORDER_COMPLETED", done, SYSTEM_USER))
        return rows

    @staticmethod
    def _shipment(order: Order, shipment: Shipment, group: ShipGroup) -> ShipmentRecord:
        status_id = seeded_shipment_status(shipment)
        history = _shipment_history(shipment, status_id)
        return ShipmentRecord(
            shipment_id=shipment.id,
            order_id=order.id,
            ship_group_seq_id=group.seq_id,
            status_id=status_id,
            facility_id=shipment.location_code,
            method=group.method,
            carrier_party_id=CARRIER_PARTY_IDS.get(shipment.carrier or "", "_NA_"),
            tracking_id=shipment.tracking_number,
            items=[(item_seq_id(no), qty) for no, qty in shipment.lines],
            statuses=history,
            created_at=shipment.created_at,
            updated_at=history[-1].at,
        )

    def return_(self, ret: Return) -> ReturnRecord:
        order = self._world.orders_by_id[ret.order_id]
        status_id = RETURN_STATUS_IDS[ret.status]
        if status_id in _RETURN_LADDER:
            path = list(_RETURN_LADDER[: _RETURN_LADDER.index(status_id) + 1])
        else:
            path = ["RETURN_REQUESTED", status_id]
        times = _spread(ret.created_at, ret.updated_at, len(path))
        received = "RETURN_RECEIVED" in path
        prices = {line.line_no: (line.sku, line.unit_price_cents) for line in order.lines}
        items = [
            ReturnItem(
                seq_id=seq_id(n),
                order_item_seq_id=item_seq_id(line.line_no),
                product_id=prices[line.line_no][0],
                quantity=line.quantity,
                received_quantity=line.quantity if received else 0,
                reason_id=SEED_REASON_IDS[line.reason],
                return_type_id="RTN_CREDIT" if ret.refund_method == "STORE_CREDIT" else "RTN_REFUND",
                unit_price_cents=prices[line.line_no][1],
            )
            for n, line in enumerate(ret.lines, start=1)
        ]
        if ret.drop_off_location_code:
            channel = "POS_RTN_CHANNEL"
        else:
            channel = "CSR_RTN_CHANNEL" if order.channel == "CALL_CENTER" else "ECOM_RTN_CHANNEL"
        return ReturnRecord(
            return_id=ret.id,
            return_name=ret.rma_number,
            external_id=None,
            order_id=ret.order_id,
            party_id=order.customer_id or "_NA_",
            status_id=status_id,
            channel_enum_id=channel,
            destination_facility_id=ret.drop_off_location_code or order.lines[0].location_code,
            items=items,
            statuses=[StatusRow(s, at, SYSTEM_USER) for s, at in zip(path, times, strict=True)],
            refund_cents=ret.refund_cents,
            created_at=ret.created_at,
            updated_at=ret.updated_at,
        )

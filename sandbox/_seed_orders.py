"""Seeded orders, built so that every order, shipment and return status occurs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Literal

from sandbox._seed_master import CARRIERS, address
from sandbox.world import (
    CHANNELS,
    EPOCH,
    ORDER_STATUSES,
    RETURN_REASONS,
    RETURN_STATUSES,
    Customer,
    Location,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Return,
    ReturnLine,
    Shipment,
    stable_id,
)

__all__ = ["OrderFactory"]


class OrderFactory:
    """Builds orders so that every order, shipment and return status occurs."""

    def __init__(self, rng: random.Random, locations: tuple[Location, ...], products: tuple[Product, ...]):
        self.rng = rng
        self.locations = locations
        self.variants = [v for p in products for v in p.variants]
        self.stores = [loc for loc in self.locations if loc.type == "STORE"]
        self.online = [loc for loc in self.locations if loc.fulfills_online]
        self.pickup = [loc for loc in self.locations if loc.pickup_enabled] or self.stores
        self.shipment_seq = 0
        self.return_seq = 0

    def build(self, index: int, customers: tuple[Customer, ...]) -> Order:
        rng = self.rng
        channel = CHANNELS[index % 4] if index < 64 else rng.choices(CHANNELS, (55, 30, 8, 7))[0]
        # Cycle every status for the first orders so that each occurs on each channel.
        status = ORDER_STATUSES[(index // 4) % 6] if index < 64 else self._weighted_status()
        if channel == "STORE":
            status = "CANCELLED" if status == "CANCELLED" and index % 3 == 0 else "FULFILLED"
        pickup = channel != "STORE" and (index % 5 == 2 or (index >= 64 and rng.random() < 0.2))
        customer = customers[rng.randrange(len(customers))] if rng.random() < 0.85 or index < 8 else None
        placed_at = EPOCH - timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 1440))
        if channel == "STORE":
            location = rng.choice(self.stores)
        elif pickup:
            location = rng.choice(self.pickup)
        else:
            location = rng.choice(self.online)
        lines = self._lines(location, status, rng.randint(1, 4))
        number = f"R{100_000 + index + 1}"
        order_id = f"OMS{10_000 + index + 1}"
        shipments = self._shipments(order_id, lines, status, pickup, placed_at, channel)
        fulfilled = {no: 0 for no, *_ in lines}
        for shipment in shipments:
            if shipment.status in ("SHIPPED", "DELIVERED", "PICKED_UP"):
                for no, qty in shipment.lines:
                    fulfilled[no] += qty
        if channel == "STORE" and status == "FULFILLED":
            fulfilled = {no: qty for no, _, qty, *_ in lines}
        returns = self._returns(order_id, number, lines, fulfilled, placed_at, channel, location)
        returned = {no: 0 for no, *_ in lines}
        for ret in returns:
            if ret.status not in ("DECLINED", "CANCELLED", "REQUESTED"):
                for rl in ret.lines:
                    returned[rl.line_no] += rl.quantity
        order_lines = tuple(
            OrderLine(no, sku, qty, price, loc, fulfilled[no], returned[no])
            for no, sku, qty, price, loc in lines
        )
        total = sum(line.quantity * line.unit_price_cents for line in order_lines)
        refunded = sum(r.refund_cents or 0 for r in returns)
        financial = self._financial(status, refunded, total, channel)
        erp_posted = status not in ("PENDING", "ON_HOLD") and (index % 9 != 4)
        events = self._events(channel, status, placed_at, shipments, returns, erp_posted)
        updated_at = max([placed_at, *(e.at for e in events)])
        email = customer.email if customer else f"guest.{index + 1}@example.net"
        return Order(
            index=index,
            id=order_id,
            number=number,
            channel=channel,
            placed_at=placed_at,
            customer_id=customer.id if customer else None,
            email=email,
            status=status,
            financial_status=financial,
            fulfilment_type="PICKUP" if pickup else "SHIP",
            shipping_address=None if pickup or channel == "STORE" else address(rng),
            pickup_location_code=location.code if pickup else None,
            currency="USD",
            lines=order_lines,
            shipments=shipments,
            returns=returns,
            events=events,
            payment_reference=f"pay_{stable_id('payment', index, length=16).lower()}",
            in_shopify=channel == "ONLINE",
            in_oms=channel != "STORE",
            in_pos=channel == "STORE",
            erp_posted=erp_posted,
            shopify_order_id=5_500_000_000 + index + 1 if channel == "ONLINE" else None,
            square_order_id=stable_id("square-order", index, length=26) if channel == "STORE" else None,
            erp_sales_order=f"{1_000_000 + index + 1}" if erp_posted else None,
            updated_at=updated_at,
        )

    def _weighted_status(self) -> str:
        return self.rng.choices(ORDER_STATUSES, (6, 2, 12, 8, 66, 6))[0]

    def _lines(self, location: Location, status: str, count: int) -> list[tuple[int, str, int, int, str]]:
        chosen = self.rng.sample(self.variants, min(count, len(self.variants)))
        minimum = 2 if status == "PARTIALLY_FULFILLED" else 1
        out = []
        for no, variant in enumerate(chosen, start=1):
            qty = self.rng.choice((1, 1, 1, 2, 3)) + (1 if no == 1 and minimum == 2 else 0)
            out.append((no, variant.sku, qty, variant.price_cents, location.code))
        return out

    def _shipment(
        self, order_id: str, location_code: str, status: str, lines: tuple[tuple[int, int], ...], at: datetime
    ) -> Shipment:
        self.shipment_seq += 1
        shipped = status in ("SHIPPED", "DELIVERED")
        carrier = self.rng.choice(CARRIERS) if shipped else None
        shipped_at = at + timedelta(hours=20) if status in ("SHIPPED", "DELIVERED", "PICKED_UP") else None
        delivered_at = at + timedelta(days=3) if status in ("DELIVERED", "PICKED_UP") else None
        return Shipment(
            id=f"SHP{100_000 + self.shipment_seq}",
            location_code=location_code,
            status=status,
            carrier=carrier,
            tracking_number=f"1Z{stable_id('track', self.shipment_seq, length=16)}" if shipped else None,
            lines=lines,
            created_at=at + timedelta(hours=2),
            updated_at=delivered_at or shipped_at or at + timedelta(hours=3),
            shipped_at=shipped_at,
            delivered_at=delivered_at,
        )

    def _shipments(
        self,
        order_id: str,
        lines: list[tuple[int, str, int, int, str]],
        status: str,
        pickup: bool,
        at: datetime,
        channel: str,
    ) -> tuple[Shipment, ...]:
        if channel == "STORE" or status in ("PENDING", "ON_HOLD"):
            return ()
        loc = lines[0][4]
        everything = tuple((no, qty) for no, _, qty, _, _ in lines)
        done, transit = ("PICKED_UP", "READY_FOR_PICKUP") if pickup else ("DELIVERED", "SHIPPED")
        if status == "CANCELLED":
            return (
                (self._shipment(order_id, loc, "CANCELLED", everything, at),)
                if self.rng.random() < 0.5
                else ()
            )
        if status == "IN_PROGRESS":
            return (self._shipment(order_id, loc, transit if pickup else "PENDING", everything, at),)
        if status == "FULFILLED":
            state = done if self.rng.random() < 0.7 else ("PICKED_UP" if pickup else "SHIPPED")
            return (self._shipment(order_id, loc, state, everything, at),)
        # PARTIALLY_FULFILLED: the first unit of line 1 has gone; the rest is still open.
        first_no, _, first_qty, _, _ = lines[0]
        gone = ((first_no, 1),)
        rest = tuple([(first_no, first_qty - 1)] + [(no, qty) for no, _, qty, _, _ in lines[1:]])
        rest = tuple((no, qty) for no, qty in rest if qty > 0)
        first = self._shipment(order_id, loc, done if self.rng.random() < 0.5 else "SHIPPED", gone, at)
        second = self._shipment(order_id, loc, transit if pickup else "PENDING", rest, at)
        return (first, second)

    def _returns(
        self,
        order_id: str,
        number: str,
        lines: list[tuple[int, str, int, int, str]],
        fulfilled: dict[int, int],
        at: datetime,
        channel: str,
        location: Location,
    ) -> tuple[Return, ...]:
        returnable = [(no, fulfilled[no], price) for no, _, _, price, _ in lines if fulfilled[no] > 0]
        if not returnable or self.rng.random() > 0.35:
            return ()
        self.return_seq += 1
        status = RETURN_STATUSES[self.return_seq % len(RETURN_STATUSES)]
        no, qty, price = returnable[0]
        quantity = 1 if qty == 1 else self.rng.randint(1, qty)
        method: Literal["ORIGINAL_PAYMENT", "STORE_CREDIT"] = (
            "STORE_CREDIT" if self.return_seq % 4 == 0 else "ORIGINAL_PAYMENT"
        )
        refund = quantity * price if status in ("REFUNDED", "CLOSED") else None
        created = at + timedelta(days=5 + self.rng.randrange(10))
        return (
            Return(
                id=f"RET{10_000 + self.return_seq}",
                rma_number=f"RMA-{number[1:]}-{self.return_seq % 100:02d}",
                order_id=order_id,
                status=status,
                lines=(ReturnLine(no, quantity, RETURN_REASONS[self.return_seq % len(RETURN_REASONS)]),),
                refund_method=method,
                refund_cents=refund,
                drop_off_location_code=location.code if location.type == "STORE" else None,
                created_at=created,
                updated_at=created + timedelta(days=2),
                in_erp=status not in ("REQUESTED", "DECLINED", "CANCELLED"),
            ),
        )

    @staticmethod
    def _financial(status: str, refunded: int, total: int, channel: str) -> str:
        if refunded:
            return "REFUNDED" if refunded >= total else "PARTIALLY_REFUNDED"
        if status == "CANCELLED":
            return "VOIDED"
        if status == "PENDING":
            return "PENDING"
        if status in ("ON_HOLD", "IN_PROGRESS") and channel != "STORE":
            return "AUTHORIZED"
        return "PAID"

    @staticmethod
    def _events(
        channel: str,
        status: str,
        at: datetime,
        shipments: tuple[Shipment, ...],
        returns: tuple[Return, ...],
        erp_posted: bool,
    ) -> tuple[OrderEvent, ...]:
        origin: Literal["ERP", "OMS", "POS", "SHOPIFY"] = {"ONLINE": "SHOPIFY", "STORE": "POS"}.get(
            channel, "OMS"
        )  # type: ignore[assignment]
        events = [OrderEvent(at, origin, "ORDER_PLACED", f"Order placed via {channel.lower()}")]
        if channel != "STORE":
            events.append(OrderEvent(at + timedelta(minutes=1), "OMS", "ORDER_CREATED", None))
            if status == "ON_HOLD":
                events.append(OrderEvent(at + timedelta(minutes=5), "OMS", "ORDER_HELD", "Fraud review"))
            elif status != "PENDING":
                events.append(OrderEvent(at + timedelta(minutes=5), "OMS", "ORDER_APPROVED", None))
        else:
            events.append(OrderEvent(at + timedelta(seconds=30), "POS", "ORDER_PAID", None))
        if erp_posted:
            events.append(OrderEvent(at + timedelta(minutes=30), "ERP", "POSTED_TO_ERP", None))
        for shipment in shipments:
            if shipment.shipped_at:
                kind = "PICKED_UP" if shipment.status == "PICKED_UP" else "SHIPPED"
                events.append(OrderEvent(shipment.shipped_at, "OMS", kind, shipment.id))
            if shipment.status == "READY_FOR_PICKUP":
                events.append(OrderEvent(shipment.updated_at, "OMS", "READY_FOR_PICKUP", shipment.id))
            if shipment.delivered_at and shipment.status == "DELIVERED":
                events.append(OrderEvent(shipment.delivered_at, "OMS", "DELIVERED", shipment.id))
        if status == "CANCELLED":
            events.append(OrderEvent(at + timedelta(hours=1), origin, "ORDER_CANCELLED", None))
        for ret in returns:
            events.append(OrderEvent(ret.created_at, "OMS", f"RETURN_{ret.status}", ret.rma_number))
        return tuple(sorted(events, key=lambda e: e.at))

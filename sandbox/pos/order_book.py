"""The orders and refunds the POS holds: the seeded store sales plus those made at run time.

Indexes: orders by id, refunds by id, and the order behind each payment id
(a tender's ``payment_id``), which is how ``POST /v2/refunds`` finds what it
refunds.
"""

from __future__ import annotations

from sandbox.pos.errors import not_found
from sandbox.pos.order_model import PosOrder, Refund, Tender
from sandbox.pos.order_seed import seed_orders
from sandbox.world import World

__all__ = ["OrderBook"]


class OrderBook:
    def __init__(self, world: World) -> None:
        self.orders: dict[str, PosOrder] = {}
        self.refunds: dict[str, Refund] = {}
        self.by_payment: dict[str, PosOrder] = {}
        for order in seed_orders(world):
            self.add(order)

    def add(self, order: PosOrder) -> None:
        self.orders[order.id] = order
        for tender in order.tenders:
            self.by_payment[tender.payment_id] = order
        for refund in order.refunds:
            self.refunds[refund.id] = refund

    def get(self, order_id: str) -> PosOrder:
        order = self.orders.get(order_id)
        if order is None:
            raise not_found("Order", order_id)
        return order

    def add_tender(self, order: PosOrder, tender: Tender) -> None:
        order.tenders.append(tender)
        self.by_payment[tender.payment_id] = order

    def add_refund(self, order: PosOrder, refund: Refund) -> None:
        order.refunds.append(refund)
        self.refunds[refund.id] = refund

    def refundable(self, payment_id: str) -> int:
        """What is left to refund on a payment: its amount less refunds not rejected or failed."""
        order = self.by_payment[payment_id]
        paid = sum(t.amount for t in order.tenders if t.payment_id == payment_id)
        live = ("PENDING", "COMPLETED")
        refunded = sum(r.amount for r in order.refunds if r.payment_id == payment_id and r.status in live)
        return paid - refunded

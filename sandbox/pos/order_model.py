"""Orders, tenders, returns and refunds as the POS keeps them, and their Square wire shapes.

Money amounts are integer cents (USD). This mimic has no taxes, discounts,
tips or service charges: those totals are always zero, so
``total_money = sum(line total_money)`` and
``net_amounts.total_money = total_money - return_amounts.total_money``.

Order states: OPEN (created), DRAFT (created as a draft), COMPLETED (paid),
CANCELED. Returns are listed on the sale order itself (Square puts them on a
separate return order; one order is simpler to join and carries the same
line references). Refunds are :class:`Refund` records shared between the
order's legacy ``refunds`` array and the Refunds API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sandbox.pos.wire import compact, money, timestamp

__all__ = ["LEGACY_REFUND_STATUS", "LineItem", "OrderReturn", "PosOrder", "Refund", "ReturnLine", "Tender"]

LEGACY_REFUND_STATUS = {
    "PENDING": "PENDING",
    "COMPLETED": "APPROVED",
    "REJECTED": "REJECTED",
    "FAILED": "FAILED",
}
"""PaymentRefund status -> the status of the legacy ``Refund`` object on an order."""

_ZERO_AMOUNTS = ("tax_money", "discount_money", "tip_money", "service_charge_money")


@dataclass
class LineItem:
    uid: str
    name: str
    quantity: int
    base_price: int
    catalog_object_id: str | None = None
    variation_name: str | None = None
    note: str | None = None

    @property
    def total(self) -> int:
        return self.quantity * self.base_price

    def as_json(self) -> dict[str, Any]:
        return compact(
            {
                "uid": self.uid,
                "catalog_object_id": self.catalog_object_id,
                "quantity": str(self.quantity),
                "name": self.name,
                "variation_name": self.variation_name,
                "note": self.note,
                "item_type": "ITEM",
                "base_price_money": money(self.base_price),
                "variation_total_price_money": money(self.total),
                "gross_sales_money": money(self.total),
                "total_tax_money": money(0),
                "total_discount_money": money(0),
                "total_service_charge_money": money(0),
                "total_money": money(self.total),
            }
        )


@dataclass
class ReturnLine:
    uid: str
    source: LineItem
    quantity: int

    @property
    def total(self) -> int:
        return self.quantity * self.source.base_price

    def as_json(self) -> dict[str, Any]:
        return compact(
            {
                "uid": self.uid,
                "source_line_item_uid": self.source.uid,
                "catalog_object_id": self.source.catalog_object_id,
                "name": self.source.name,
                "variation_name": self.source.variation_name,
                "quantity": str(self.quantity),
                "item_type": "ITEM",
                "base_price_money": money(self.source.base_price),
                "variation_total_price_money": money(self.total),
                "gross_return_money": money(self.total),
                "total_tax_money": money(0),
                "total_discount_money": money(0),
                "total_money": money(self.total),
            }
        )


@dataclass
class OrderReturn:
    uid: str
    source_order_id: str
    lines: list[ReturnLine]

    def as_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "source_order_id": self.source_order_id,
            "return_line_items": [line.as_json() for line in self.lines],
        }


@dataclass
class Tender:
    payment_id: str
    type: Literal["CARD", "CASH"]
    amount: int
    created_at: datetime
    card_brand: str = "VISA"
    last_4: str = "1111"

    def as_json(self, order: PosOrder) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.payment_id,
            "location_id": order.location_id,
            "transaction_id": order.id,
            "created_at": timestamp(self.created_at),
            "amount_money": money(self.amount),
            "type": self.type,
            "payment_id": self.payment_id,
        }
        if self.type == "CARD":
            card = {"card_brand": self.card_brand, "last_4": self.last_4}
            out["card_details"] = {"status": "CAPTURED", "card": card, "entry_method": "EMV"}
        else:
            out["cash_details"] = {"buyer_tendered_money": money(self.amount), "change_back_money": money(0)}
        return out


@dataclass
class Refund:
    """A PaymentRefund (``GET /v2/refunds/{id}``); also listed on its order."""

    id: str
    status: Literal["PENDING", "COMPLETED", "REJECTED", "FAILED"]
    location_id: str
    amount: int
    payment_id: str
    order_id: str
    reason: str | None
    created_at: datetime
    updated_at: datetime
    destination_type: str

    def as_json(self) -> dict[str, Any]:
        return compact(
            {
                "id": self.id,
                "status": self.status,
                "location_id": self.location_id,
                "unlinked": False,
                "destination_type": self.destination_type,
                "amount_money": money(self.amount),
                "payment_id": self.payment_id,
                "order_id": self.order_id,
                "reason": self.reason,
                "created_at": timestamp(self.created_at),
                "updated_at": timestamp(self.updated_at),
            }
        )

    def order_json(self) -> dict[str, Any]:
        """The legacy ``Refund`` shape in ``order.refunds``."""
        return compact(
            {
                "id": self.id,
                "location_id": self.location_id,
                "transaction_id": self.order_id,
                "tender_id": self.payment_id,
                "created_at": timestamp(self.created_at),
                "reason": self.reason or "",
                "amount_money": money(self.amount),
                "status": LEGACY_REFUND_STATUS[self.status],
            }
        )


@dataclass
class PosOrder:
    id: str
    location_id: str
    state: Literal["OPEN", "COMPLETED", "CANCELED", "DRAFT"]
    created_at: datetime
    updated_at: datetime
    reference_id: str | None = None
    customer_id: str | None = None
    source_name: str = "Square Point of Sale"
    version: int = 1
    closed_at: datetime | None = None
    line_items: list[LineItem] = field(default_factory=list)
    tenders: list[Tender] = field(default_factory=list)
    returns: list[OrderReturn] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.line_items)

    @property
    def returned(self) -> int:
        return sum(line.total for ret in self.returns for line in ret.lines)

    @property
    def paid(self) -> int:
        return sum(t.amount for t in self.tenders)

    def line(self, uid: str) -> LineItem | None:
        return next((line for line in self.line_items if line.uid == uid), None)

    def as_json(self) -> dict[str, Any]:
        total, returned = self.total, self.returned
        due = total - self.paid if self.state in ("OPEN", "DRAFT") else 0

        def amounts(value: int) -> dict[str, Any]:
            return {"total_money": money(value), **{name: money(0) for name in _ZERO_AMOUNTS}}

        return compact(
            {
                "id": self.id,
                "location_id": self.location_id,
                "reference_id": self.reference_id,
                "source": {"name": self.source_name},
                "customer_id": self.customer_id,
                "line_items": [line.as_json() for line in self.line_items],
                "returns": [ret.as_json() for ret in self.returns],
                "return_amounts": amounts(returned) if self.returns else None,
                "net_amounts": amounts(total - returned),
                "tenders": [tender.as_json(self) for tender in self.tenders],
                "refunds": [refund.order_json() for refund in self.refunds],
                "created_at": timestamp(self.created_at),
                "updated_at": timestamp(self.updated_at),
                "closed_at": timestamp(self.closed_at) if self.closed_at else None,
                "state": self.state,
                "version": self.version,
                "total_money": money(total),
                "total_tax_money": money(0),
                "total_discount_money": money(0),
                "total_tip_money": money(0),
                "total_service_charge_money": money(0),
                "net_amount_due_money": money(due),
            }
        )

    def entry_json(self) -> dict[str, Any]:
        """An ``OrderEntry`` (``return_entries: true`` in a search)."""
        return {"order_id": self.id, "version": self.version, "location_id": self.location_id}

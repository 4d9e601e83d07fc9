"""The ERP's own documents (sales orders, customer returns) and how their statuses derive.

Documents are frozen: a change replaces the document, so a snapshot of the
state is a shallow copy of its dicts (what $batch changesets roll back to).

Sales order statuses derive from the items, as in SD:

* item ``DeliveryStatus``: A nothing delivered, B partly, C fully (goods issued);
* item ``SDProcessStatus``: C when rejected or fully delivered, B when partly
  delivered or the order is released to fulfilment, else A;
* header ``OverallSDDocumentRejectionSts``: A no item rejected, B some, C all;
* header ``OverallDeliveryStatus`` = ``OverallTotalDeliveryStatus``: over the
  items not rejected (A/B/C as above; blank when every item is rejected);
* header ``OverallSDProcessStatus``: C when every item is rejected or the
  delivery is complete, B when partly delivered or released, else A;
* ``TotalNetAmount`` sums the items not rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

__all__ = [
    "CHANNEL_CODES",
    "ONE_TIME_CUSTOMER",
    "REJECTION_REASONS",
    "RETURN_REASON_CODES",
    "CustomerReturn",
    "HeaderStatus",
    "ReturnItem",
    "SalesItem",
    "SalesOrder",
    "bumped",
    "delivery_status",
    "header_status",
    "item_process_status",
]

CHANNEL_CODES = {"ONLINE": "10", "STORE": "20", "CLIENTELING": "30", "CALL_CENTER": "40"}
"""Canonical channel -> SAP DistributionChannel."""

ONE_TIME_CUSTOMER = "ONETIME"
"""SoldToParty of guests and of customers without a business partner."""

RETURN_REASON_CODES = {
    "DAMAGED": "101",
    "DEFECTIVE": "102",
    "WRONG_ITEM": "103",
    "NOT_AS_DESCRIBED": "104",
    "SIZE_OR_FIT": "105",
    "CHANGED_MIND": "106",
    "OTHER": "107",
}
"""Canonical return reason -> SAP SDDocumentReason / ReturnReason."""

REJECTION_REASONS = {
    "01": "Delivery date too late",
    "02": "Poor quality",
    "03": "Too expensive",
    "04": "Competitor better",
    "05": "Guarantee",
    "10": "Unreasonable request",
    "11": "Cust.to receive replacement",
    "50": "Transaction being checked",
}
"""SalesDocumentRjcnReason values (SAP's standard table TVAG); seeded cancellations use ``10``."""


@dataclass(frozen=True)
class SalesItem:
    item: str
    material: str
    text: str
    quantity: Decimal
    unit: str
    net_price: Decimal
    plant: str
    storage_location: str
    delivered: Decimal = Decimal(0)
    rejection_reason: str = ""
    billing_block: str = ""

    @property
    def net_amount(self) -> Decimal:
        return self.quantity * self.net_price


@dataclass(frozen=True)
class SalesOrder:
    sales_order: str
    order_type: str
    sales_organization: str
    distribution_channel: str
    division: str
    sold_to: str
    purchase_order: str
    purchase_order_date: datetime | None
    external_document_id: str
    requested_delivery_date: datetime | None
    created_at: datetime
    changed_at: datetime
    created_by: str
    currency: str
    billing_block: str
    delivery_block: str
    released: bool
    """Released to fulfilment (every order the ERP got from the OMS or the tills)."""
    items: tuple[SalesItem, ...]

    def item(self, number: str) -> SalesItem | None:
        return next((i for i in self.items if i.item == number), None)


@dataclass(frozen=True)
class ReturnItem:
    item: str
    material: str
    text: str
    quantity: Decimal
    unit: str
    net_price: Decimal
    plant: str
    reason: str
    reference_document: str
    reference_item: str
    received: bool = False
    inspected: bool = False

    @property
    def net_amount(self) -> Decimal:
        return self.quantity * self.net_price


@dataclass(frozen=True)
class CustomerReturn:
    number: str
    return_type: str
    sales_organization: str
    distribution_channel: str
    division: str
    sold_to: str
    purchase_order: str
    reference_document: str
    reason: str
    created_at: datetime
    changed_at: datetime
    currency: str
    process_status: str
    items: tuple[ReturnItem, ...]


@dataclass(frozen=True)
class HeaderStatus:
    process: str
    delivery: str
    rejection: str
    net_amount: Decimal


def delivery_status(delivered: Decimal, quantity: Decimal) -> str:
    if delivered <= 0:
        return "A"
    return "C" if delivered >= quantity else "B"


def item_process_status(order: SalesOrder, item: SalesItem) -> str:
    if item.rejection_reason:
        return "C"
    status = delivery_status(item.delivered, item.quantity)
    if status != "A":
        return status
    return "B" if order.released else "A"


def header_status(order: SalesOrder) -> HeaderStatus:
    active = [i for i in order.items if not i.rejection_reason]
    rejected = len(order.items) - len(active)
    rejection = "A" if rejected == 0 else ("C" if not active else "B")
    statuses = {delivery_status(i.delivered, i.quantity) for i in active}
    if not active:
        delivery = ""
    elif statuses == {"C"}:
        delivery = "C"
    elif statuses == {"A"}:
        delivery = "A"
    else:
        delivery = "B"
    if not active or delivery == "C":
        process = "C"
    elif delivery == "B" or order.released:
        process = "B"
    else:
        process = "A"
    net = sum((i.net_amount for i in active), Decimal(0))
    return HeaderStatus(process, delivery, rejection, net)


def bumped(previous: datetime, now: datetime) -> datetime:
    """A change timestamp strictly after ``previous`` (so every change gives a new ETag)."""
    return max(now, previous + timedelta(microseconds=1))

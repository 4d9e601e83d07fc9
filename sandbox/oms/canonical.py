"""How the world's canonical vocabulary (the contract's enums) reads in the OMS, and back.

========================  ==========================================================
canonical                 OMS
========================  ==========================================================
order PENDING             ORDER_CREATED (items ITEM_CREATED)
order ON_HOLD             ORDER_HOLD (items ITEM_CREATED)
order IN_PROGRESS         ORDER_APPROVED (items ITEM_APPROVED, nothing shipped yet)
order PARTIALLY_FULFILLED ORDER_APPROVED (items ITEM_APPROVED, one shipment shipped, one open)
order FULFILLED           ORDER_COMPLETED (items ITEM_COMPLETED)
order CANCELLED           ORDER_CANCELLED (items ITEM_CANCELLED)
shipment PENDING          SHIPMENT_APPROVED, some SHIPMENT_INPUT or SHIPMENT_PACKED (ship to address)
shipment SHIPPED          SHIPMENT_SHIPPED (STANDARD)
shipment DELIVERED        SHIPMENT_DELIVERED (STANDARD)
shipment READY_FOR_PICKUP SHIPMENT_PACKED (STOREPICKUP)
shipment PICKED_UP        SHIPMENT_SHIPPED (STOREPICKUP)
shipment CANCELLED        SHIPMENT_CANCELLED
return REQUESTED ...      RETURN_REQUESTED, APPROVED -> RETURN_ACCEPTED, DECLINED -> RETURN_REJECTED,
                          RECEIVED, INSPECTED, REFUNDED -> RETURN_COMPLETED, CLOSED, CANCELLED
financial PENDING         PAYMENT_NOT_AUTH; AUTHORIZED -> PAYMENT_AUTHORIZED; PAID -> PAYMENT_SETTLED;
                          VOIDED -> PAYMENT_CANCELLED; PARTIALLY_REFUNDED -> PAYMENT_SETTLED with
                          refundedAmount > 0; REFUNDED -> PAYMENT_REFUNDED
========================  ==========================================================

Return reasons: see :data:`RETURN_REASONS` (OMS id -> canonical ReturnReason);
the first OMS id listed for a canonical reason is the one the seed uses.
"""

from __future__ import annotations

__all__ = [
    "CARRIER_PARTY_IDS",
    "CHANNEL_ENUM_IDS",
    "FACILITY_TYPE_IDS",
    "ORDER_STATUS_IDS",
    "PAYMENT_STATUS_IDS",
    "RETURN_CHANNEL_ENUM_IDS",
    "RETURN_REASONS",
    "RETURN_STATUS_IDS",
    "SEED_REASON_IDS",
    "SHIPMENT_METHODS",
]

ORDER_STATUS_IDS: dict[str, str] = {
    "PENDING": "ORDER_CREATED",
    "ON_HOLD": "ORDER_HOLD",
    "IN_PROGRESS": "ORDER_APPROVED",
    "PARTIALLY_FULFILLED": "ORDER_APPROVED",
    "FULFILLED": "ORDER_COMPLETED",
    "CANCELLED": "ORDER_CANCELLED",
}

RETURN_STATUS_IDS: dict[str, str] = {
    "REQUESTED": "RETURN_REQUESTED",
    "APPROVED": "RETURN_ACCEPTED",
    "DECLINED": "RETURN_REJECTED",
    "RECEIVED": "RETURN_RECEIVED",
    "INSPECTED": "RETURN_INSPECTED",
    "REFUNDED": "RETURN_COMPLETED",
    "CLOSED": "RETURN_CLOSED",
    "CANCELLED": "RETURN_CANCELLED",
}

PAYMENT_STATUS_IDS: dict[str, str] = {
    "PENDING": "PAYMENT_NOT_AUTH",
    "AUTHORIZED": "PAYMENT_AUTHORIZED",
    "PAID": "PAYMENT_SETTLED",
    "PARTIALLY_REFUNDED": "PAYMENT_SETTLED",
    "REFUNDED": "PAYMENT_REFUNDED",
    "VOIDED": "PAYMENT_CANCELLED",
}

CHANNEL_ENUM_IDS: dict[str, str] = {
    "ONLINE": "WEB_SALES_CHANNEL",
    "STORE": "POS_SALES_CHANNEL",
    "CLIENTELING": "CLIENTELING_CHANNEL",
    "CALL_CENTER": "PHONE_SALES_CHANNEL",
}

RETURN_CHANNEL_ENUM_IDS: tuple[str, ...] = ("ECOM_RTN_CHANNEL", "POS_RTN_CHANNEL", "CSR_RTN_CHANNEL")

FACILITY_TYPE_IDS: dict[str, str] = {
    "STORE": "RETAIL_STORE",
    "WAREHOUSE": "WAREHOUSE",
    "DISTRIBUTION_CENTER": "DISTRIBUTION_CENTER",
}

SHIPMENT_METHODS: dict[str, str] = {"SHIP": "STANDARD", "PICKUP": "STOREPICKUP"}

CARRIER_PARTY_IDS: dict[str, str] = {"UPS": "UPS", "FedEx": "FEDEX", "USPS": "USPS", "DHL": "DHL"}
"""World carrier names -> OMS carrier party ids; shipments without a carrier carry ``_NA_``."""

RETURN_REASONS: dict[str, tuple[str, str]] = {
    "RTN_DAMAGED": ("DAMAGED", "Arrived damaged"),
    "RTN_DEFECTIVE_ITEM": ("DEFECTIVE", "Defective item"),
    "RTN_WRONG_ITEM": ("WRONG_ITEM", "Wrong item received"),
    "RTN_MISSHIP": ("WRONG_ITEM", "Mis-shipped item"),
    "RTN_MISSHIP_ITEM": ("WRONG_ITEM", "Mis-shipped item"),
    "RTN_NOT_AS_DESCRIBED": ("NOT_AS_DESCRIBED", "Not as described"),
    "RTN_SIZE_EXCHANGE": ("SIZE_OR_FIT", "Size or fit"),
    "RTN_NOT_WANT": ("CHANGED_MIND", "Did not want the item"),
    "RTN_DID_NOT_WANT": ("CHANGED_MIND", "Did not want the item"),
    "RTN_OTHER": ("OTHER", "Other"),
}
"""OMS returnReasonId -> (canonical ReturnReason, description)."""

SEED_REASON_IDS: dict[str, str] = {
    canonical: reason_id for reason_id, (canonical, _) in reversed(list(RETURN_REASONS.items()))
}
"""Canonical ReturnReason -> the OMS id the seed writes (the first one listed above)."""

"""The contract's enums (``retail.graphql``) as ``StrEnum`` s: the values every domain rule speaks.

Each member's value is its name, so ``OrderStatus("FULFILLED")`` parses a
contract value and ``str(member)`` is what the API answers. They are
re-exported by :mod:`subgraphs.domain.status`, which maps every system's
spelling onto them.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Channel",
    "FinancialStatus",
    "OrderStatus",
    "PostingStatus",
    "ReturnStatus",
    "ShipmentStatus",
    "StockStatus",
]


class Channel(StrEnum):
    ONLINE = "ONLINE"
    STORE = "STORE"
    CLIENTELING = "CLIENTELING"
    CALL_CENTER = "CALL_CENTER"


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    ON_HOLD = "ON_HOLD"
    IN_PROGRESS = "IN_PROGRESS"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"


class FinancialStatus(StrEnum):
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"


class ShipmentStatus(StrEnum):
    PENDING = "PENDING"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    PICKED_UP = "PICKED_UP"
    CANCELLED = "CANCELLED"


class ReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    RECEIVED = "RECEIVED"
    INSPECTED = "INSPECTED"
    REFUNDED = "REFUNDED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class PostingStatus(StrEnum):
    PENDING = "PENDING"
    POSTED = "POSTED"
    FAILED = "FAILED"


class StockStatus(StrEnum):
    IN_STOCK = "IN_STOCK"
    LOW_STOCK = "LOW_STOCK"
    OUT_OF_STOCK = "OUT_OF_STOCK"

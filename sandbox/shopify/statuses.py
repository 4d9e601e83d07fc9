"""How the world's canonical statuses read in Shopify's own vocabulary.

Orders (canonical status -> ``displayFulfillmentStatus``)::

    PENDING              -> UNFULFILLED   (displayFinancialStatus PENDING)
    ON_HOLD              -> ON_HOLD
    IN_PROGRESS          -> IN_PROGRESS
    PARTIALLY_FULFILLED  -> PARTIALLY_FULFILLED
    FULFILLED            -> FULFILLED
    CANCELLED            -> RESTOCKED when its stock went back (a cancelled shipment), else UNFULFILLED;
                            cancelledAt is set either way

Financial statuses are the same words on both sides. Shipments become
fulfillments (``status`` / ``displayStatus``)::

    PENDING           -> no fulfillment yet (the fulfillment order is OPEN / IN_PROGRESS)
    SHIPPED           -> SUCCESS / IN_TRANSIT
    DELIVERED         -> SUCCESS / DELIVERED
    READY_FOR_PICKUP  -> OPEN / READY_FOR_PICKUP (not yet counted as fulfilled)
    PICKED_UP         -> SUCCESS / PICKED_UP
    CANCELLED         -> CANCELLED / CANCELED

Returns (canonical -> ``ReturnStatus``)::

    REQUESTED -> REQUESTED     APPROVED, RECEIVED, INSPECTED -> OPEN
    DECLINED  -> DECLINED      REFUNDED, CLOSED -> CLOSED      CANCELLED -> CANCELED
"""

from __future__ import annotations

__all__ = [
    "FULFILLMENT_DISPLAY",
    "FULFILLMENT_ORDER_STATUS",
    "FULFILLMENT_STATUS",
    "ORDER_FULFILLMENT_DISPLAY",
    "RETURN_REASON",
    "RETURN_STATUS",
    "return_reason",
]

ORDER_FULFILLMENT_DISPLAY: dict[str, str] = {
    "PENDING": "UNFULFILLED",
    "ON_HOLD": "ON_HOLD",
    "IN_PROGRESS": "IN_PROGRESS",
    "PARTIALLY_FULFILLED": "PARTIALLY_FULFILLED",
    "FULFILLED": "FULFILLED",
    "CANCELLED": "UNFULFILLED",
}

FULFILLMENT_ORDER_STATUS: dict[str, str] = {
    "PENDING": "OPEN",
    "ON_HOLD": "ON_HOLD",
    "IN_PROGRESS": "IN_PROGRESS",
    "PARTIALLY_FULFILLED": "IN_PROGRESS",
    "FULFILLED": "CLOSED",
    "CANCELLED": "CANCELLED",
}

FULFILLMENT_STATUS: dict[str, str] = {
    "SHIPPED": "SUCCESS",
    "DELIVERED": "SUCCESS",
    "READY_FOR_PICKUP": "OPEN",
    "PICKED_UP": "SUCCESS",
    "CANCELLED": "CANCELLED",
}

FULFILLMENT_DISPLAY: dict[str, str] = {
    "SHIPPED": "IN_TRANSIT",
    "DELIVERED": "DELIVERED",
    "READY_FOR_PICKUP": "READY_FOR_PICKUP",
    "PICKED_UP": "PICKED_UP",
    "CANCELLED": "CANCELED",
}

RETURN_STATUS: dict[str, str] = {
    "REQUESTED": "REQUESTED",
    "APPROVED": "OPEN",
    "RECEIVED": "OPEN",
    "INSPECTED": "OPEN",
    "DECLINED": "DECLINED",
    "REFUNDED": "CLOSED",
    "CLOSED": "CLOSED",
    "CANCELLED": "CANCELED",
}

RETURN_REASON: dict[str, str] = {
    "DAMAGED": "DEFECTIVE",
    "DEFECTIVE": "DEFECTIVE",
    "WRONG_ITEM": "WRONG_ITEM",
    "NOT_AS_DESCRIBED": "NOT_AS_DESCRIBED",
    "SIZE_OR_FIT": "SIZE_TOO_SMALL",
    "CHANGED_MIND": "UNWANTED",
    "OTHER": "OTHER",
}


def return_reason(canonical: str) -> tuple[str, str]:
    """Shopify's ``returnReason`` and ``returnReasonNote`` for a canonical reason."""
    note = "Arrived damaged" if canonical == "DAMAGED" else ""
    return RETURN_REASON.get(canonical, "OTHER"), note

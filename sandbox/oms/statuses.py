"""OFBiz status items and their allowed transitions (``StatusItem`` / ``StatusValidChange`` data).

One table per status type, in OFBiz's own vocabulary::

    ORDER_STATUS         ORDER_CREATED -> ORDER_APPROVED | ORDER_HOLD | ORDER_CANCELLED
                         ORDER_HOLD -> ORDER_APPROVED | ORDER_CANCELLED
                         ORDER_APPROVED -> ORDER_HOLD | ORDER_COMPLETED | ORDER_CANCELLED
    ORDER_ITEM_STATUS    ITEM_CREATED -> ITEM_APPROVED | ITEM_CANCELLED; ITEM_APPROVED -> ITEM_COMPLETED | ...
    SHIPMENT_STATUS      SHIPMENT_INPUT -> SHIPMENT_APPROVED -> SHIPMENT_PACKED -> SHIPMENT_SHIPPED
                         -> SHIPMENT_DELIVERED (ship-to-address only); any open one -> SHIPMENT_CANCELLED
    ORDER_RETURN_STTS    RETURN_REQUESTED -> RETURN_ACCEPTED | RETURN_REJECTED | RETURN_CANCELLED
                         RETURN_ACCEPTED -> RETURN_RECEIVED | RETURN_CANCELLED
                         RETURN_RECEIVED -> RETURN_INSPECTED
                         RETURN_INSPECTED -> RETURN_COMPLETED (refunded); RETURN_COMPLETED -> RETURN_CLOSED
    PAYMENT_PREF_STATUS  read-only here (PAYMENT_NOT_AUTH, PAYMENT_AUTHORIZED, PAYMENT_SETTLED, ...)

For store pickup (HotWax semantics) SHIPMENT_PACKED means ready for pickup and
SHIPMENT_SHIPPED means handed over to the customer, so such a shipment never
becomes SHIPMENT_DELIVERED. :func:`check_transition` raises the 409 that an
invalid change gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.oms.errors import OmsError

__all__ = [
    "NOT_FOR_PICKUP",
    "STATUS_ITEMS",
    "STATUS_TYPES",
    "VALID_CHANGES",
    "StatusItem",
    "check_transition",
    "status_type_of",
    "statuses_json",
]


@dataclass(frozen=True)
class StatusItem:
    status_id: str
    status_type_id: str
    description: str
    sequence_id: str


def _items(status_type: str, *rows: tuple[str, str]) -> list[StatusItem]:
    return [StatusItem(sid, status_type, desc, f"{(i + 1) * 10:02d}") for i, (sid, desc) in enumerate(rows)]


STATUS_ITEMS: tuple[StatusItem, ...] = (
    *_items(
        "ORDER_STATUS",
        ("ORDER_CREATED", "Created"),
        ("ORDER_APPROVED", "Approved"),
        ("ORDER_HOLD", "Held"),
        ("ORDER_COMPLETED", "Completed"),
        ("ORDER_CANCELLED", "Cancelled"),
    ),
    *_items(
        "ORDER_ITEM_STATUS",
        ("ITEM_CREATED", "Created"),
        ("ITEM_APPROVED", "Approved"),
        ("ITEM_COMPLETED", "Completed"),
        ("ITEM_CANCELLED", "Cancelled"),
    ),
    *_items(
        "SHIPMENT_STATUS",
        ("SHIPMENT_INPUT", "Input"),
        ("SHIPMENT_APPROVED", "Approved"),
        ("SHIPMENT_PACKED", "Packed (ready for pickup for store pickup)"),
        ("SHIPMENT_SHIPPED", "Shipped (handed over for store pickup)"),
        ("SHIPMENT_DELIVERED", "Delivered"),
        ("SHIPMENT_CANCELLED", "Cancelled"),
    ),
    *_items(
        "ORDER_RETURN_STTS",
        ("RETURN_REQUESTED", "Requested"),
        ("RETURN_ACCEPTED", "Accepted"),
        ("RETURN_REJECTED", "Rejected"),
        ("RETURN_RECEIVED", "Received"),
        ("RETURN_INSPECTED", "Inspected"),
        ("RETURN_COMPLETED", "Completed (refunded)"),
        ("RETURN_CLOSED", "Closed"),
        ("RETURN_CANCELLED", "Cancelled"),
    ),
    *_items(
        "PAYMENT_PREF_STATUS",
        ("PAYMENT_NOT_AUTH", "Not Authorized"),
        ("PAYMENT_AUTHORIZED", "Authorized"),
        ("PAYMENT_SETTLED", "Settled"),
        ("PAYMENT_REFUNDED", "Refunded"),
        ("PAYMENT_CANCELLED", "Cancelled"),
    ),
)

STATUS_TYPES: tuple[str, ...] = tuple(dict.fromkeys(item.status_type_id for item in STATUS_ITEMS))

VALID_CHANGES: dict[str, tuple[str, ...]] = {
    "ORDER_CREATED": ("ORDER_APPROVED", "ORDER_HOLD", "ORDER_CANCELLED"),
    "ORDER_HOLD": ("ORDER_APPROVED", "ORDER_CANCELLED"),
    "ORDER_APPROVED": ("ORDER_HOLD", "ORDER_COMPLETED", "ORDER_CANCELLED"),
    "ITEM_CREATED": ("ITEM_APPROVED", "ITEM_CANCELLED"),
    "ITEM_APPROVED": ("ITEM_COMPLETED", "ITEM_CANCELLED"),
    "SHIPMENT_INPUT": ("SHIPMENT_APPROVED", "SHIPMENT_PACKED", "SHIPMENT_CANCELLED"),
    "SHIPMENT_APPROVED": ("SHIPMENT_PACKED", "SHIPMENT_SHIPPED", "SHIPMENT_CANCELLED"),
    "SHIPMENT_PACKED": ("SHIPMENT_SHIPPED", "SHIPMENT_APPROVED", "SHIPMENT_CANCELLED"),
    "SHIPMENT_SHIPPED": ("SHIPMENT_DELIVERED",),
    "RETURN_REQUESTED": ("RETURN_ACCEPTED", "RETURN_REJECTED", "RETURN_CANCELLED"),
    "RETURN_ACCEPTED": ("RETURN_RECEIVED", "RETURN_CANCELLED"),
    "RETURN_RECEIVED": ("RETURN_INSPECTED",),
    "RETURN_INSPECTED": ("RETURN_COMPLETED",),
    "RETURN_COMPLETED": ("RETURN_CLOSED",),
}
"""StatusValidChange rows: from status -> the statuses it may move to (absent = final)."""

NOT_FOR_PICKUP: frozenset[tuple[str, str]] = frozenset(
    {("SHIPMENT_APPROVED", "SHIPMENT_SHIPPED"), ("SHIPMENT_SHIPPED", "SHIPMENT_DELIVERED")}
)
"""Changes a STOREPICKUP shipment may not make: it is handed over only once packed (ready for
pickup), and handing over is its last step."""

_PICKUP_CONDITION = "shipmentMethodTypeId != 'STOREPICKUP'"

_TYPE_OF = {item.status_id: item.status_type_id for item in STATUS_ITEMS}


def status_type_of(status_id: str) -> str | None:
    """The status type (ORDER_STATUS, SHIPMENT_STATUS, ...) of ``status_id``; None if unknown."""
    return _TYPE_OF.get(status_id)


def check_transition(status_type_id: str, current: str, target: str, *, pickup: bool = False) -> None:
    """Raise the OMS's 400 (unknown status) or 409 (not a valid change) for ``current -> target``.

    ``pickup`` applies the narrower rules of STOREPICKUP shipments (:data:`NOT_FOR_PICKUP`).
    """
    if _TYPE_OF.get(target) != status_type_id:
        valid = [item.status_id for item in STATUS_ITEMS if item.status_type_id == status_type_id]
        raise OmsError(
            400,
            "INVALID_STATUS",
            f"Status [{target}] is not a valid {status_type_id} status.",
            [{"field": "statusId", "validStatusIds": valid}],
        )
    permitted = tuple(
        to for to in VALID_CHANGES.get(current, ()) if not (pickup and (current, to) in NOT_FOR_PICKUP)
    )
    if target not in permitted:
        raise OmsError(
            409,
            "INVALID_STATUS_TRANSITION",
            f"Status change from [{current}] to [{target}] is not valid.",
            [{"statusId": current, "statusIdTo": target, "validStatusIdsTo": list(permitted)}],
        )


def statuses_json(status_type_id: str | None) -> dict[str, Any]:
    """``GET /statuses``: StatusItem and StatusValidChange rows, optionally of one type."""
    items = [i for i in STATUS_ITEMS if status_type_id in (None, i.status_type_id)]
    ids = {i.status_id for i in items}
    return {
        "statusItems": [
            {
                "statusId": i.status_id,
                "statusTypeId": i.status_type_id,
                "description": i.description,
                "sequenceId": i.sequence_id,
            }
            for i in items
        ],
        "statusValidChanges": [
            {
                "statusId": src,
                "statusIdTo": dst,
                "transitionName": f"{src} to {dst}",
                "conditionExpression": _PICKUP_CONDITION if (src, dst) in NOT_FOR_PICKUP else None,
            }
            for src, targets in VALID_CHANGES.items()
            if src in ids
            for dst in targets
        ],
    }

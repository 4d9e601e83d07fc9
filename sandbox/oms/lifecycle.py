"""What a status change does to an order, its items, shipments and payments (OFBiz's SECAs).

* Order approved: created items become ITEM_APPROVED, and every ship group
  with unplanned units gets a SHIPMENT_APPROVED shipment for them.
* Order cancelled: unshipped units are cancelled (an item with nothing
  shipped becomes ITEM_CANCELLED, a partly shipped one ITEM_COMPLETED),
  open shipments become SHIPMENT_CANCELLED, unsettled payments
  PAYMENT_CANCELLED.
* Order completed (by hand): open items become ITEM_COMPLETED, open shipments
  are cancelled (nothing more will ship), authorised payments are settled.
* Shipment shipped (handed over, for store pickup): once every item is fully
  shipped the items become ITEM_COMPLETED and the order ORDER_COMPLETED.

A shipment can only be packed or shipped while its order is ORDER_APPROVED.
Setting the status an entity already has is a no-op that succeeds (OFBiz's
changeOrderStatus does the same), so retried calls are safe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sandbox.oms.errors import OmsError
from sandbox.oms.records import (
    OPEN_SHIPMENT_STATUSES,
    OrderRecord,
    ShipmentRecord,
    StatusRow,
)
from sandbox.oms.statuses import check_transition

__all__ = ["change_order_status", "change_shipment_status"]

_OPEN_ITEM = ("ITEM_CREATED", "ITEM_APPROVED")


def change_order_status(
    order: OrderRecord,
    target: str,
    now: datetime,
    by: str,
    reason: str | None,
    new_shipment_id: Callable[[], str],
) -> bool:
    """Move ``order`` to ``target`` with its side effects; False when it already was there."""
    if target == order.status_id:
        return False
    check_transition("ORDER_STATUS", order.status_id, target)
    _set_order(order, target, now, by, reason)
    if target == "ORDER_APPROVED":
        _approve(order, now, by, new_shipment_id)
    elif target == "ORDER_CANCELLED":
        _cancel(order, now, by)
    elif target == "ORDER_COMPLETED":
        _complete(order, now, by)
    return True


def change_shipment_status(
    order: OrderRecord,
    shipment: ShipmentRecord,
    target: str,
    now: datetime,
    by: str,
    tracking_id: str | None = None,
    carrier_party_id: str | None = None,
) -> bool:
    """Move ``shipment`` to ``target``; shipping the last units completes the order."""
    if tracking_id is not None:
        shipment.tracking_id = tracking_id
    if carrier_party_id is not None:
        shipment.carrier_party_id = carrier_party_id
    if target == shipment.status_id:
        return False
    check_transition("SHIPMENT_STATUS", shipment.status_id, target, pickup=shipment.method == "STOREPICKUP")
    if target in ("SHIPMENT_PACKED", "SHIPMENT_SHIPPED") and order.status_id != "ORDER_APPROVED":
        raise OmsError(
            409,
            "ORDER_NOT_APPROVED",
            f"Order [{order.order_id}] is {order.status_id}; its shipments cannot be packed or shipped.",
            [{"orderId": order.order_id, "statusId": order.status_id}],
        )
    _set_shipment(shipment, target, now, by)
    order.updated_at = now
    if target == "SHIPMENT_SHIPPED":
        _complete_if_shipped(order, now, by)
    return True


def _set_order(order: OrderRecord, target: str, now: datetime, by: str, reason: str | None = None) -> None:
    order.status_id = target
    order.statuses.append(StatusRow(target, now, by, reason))
    order.updated_at = now


def _set_shipment(shipment: ShipmentRecord, target: str, now: datetime, by: str) -> None:
    shipment.status_id = target
    shipment.statuses.append(StatusRow(target, now, by))
    shipment.updated_at = now


def _approve(order: OrderRecord, now: datetime, by: str, new_shipment_id: Callable[[], str]) -> None:
    for item in order.items:
        if item.status_id == "ITEM_CREATED":
            item.status_id = "ITEM_APPROVED"
    planned = order.planned_quantities()
    for group in order.ship_groups:
        remaining = [
            (item.seq_id, item.quantity - item.cancel_quantity - planned[item.seq_id])
            for item in order.items
            if item.ship_group_seq_id == group.seq_id and item.status_id == "ITEM_APPROVED"
        ]
        remaining = [(seq, qty) for seq, qty in remaining if qty > 0]
        if not remaining:
            continue
        order.shipments.append(
            ShipmentRecord(
                shipment_id=new_shipment_id(),
                order_id=order.order_id,
                ship_group_seq_id=group.seq_id,
                status_id="SHIPMENT_APPROVED",
                facility_id=group.facility_id,
                method=group.method,
                carrier_party_id=group.carrier_party_id,
                tracking_id=None,
                items=remaining,
                statuses=[StatusRow("SHIPMENT_INPUT", now, by), StatusRow("SHIPMENT_APPROVED", now, by)],
                created_at=now,
                updated_at=now,
            )
        )


def _cancel_open_shipments(order: OrderRecord, now: datetime, by: str) -> None:
    for shipment in order.shipments:
        if shipment.status_id in OPEN_SHIPMENT_STATUSES:
            _set_shipment(shipment, "SHIPMENT_CANCELLED", now, by)


def _cancel(order: OrderRecord, now: datetime, by: str) -> None:
    shipped = order.shipped_quantities()
    for item in order.items:
        if item.status_id in _OPEN_ITEM:
            item.cancel_quantity = item.quantity - shipped[item.seq_id]
            item.status_id = "ITEM_COMPLETED" if shipped[item.seq_id] else "ITEM_CANCELLED"
    _cancel_open_shipments(order, now, by)
    for payment in order.payments:
        if payment.status_id in ("PAYMENT_NOT_AUTH", "PAYMENT_AUTHORIZED"):
            payment.status_id = "PAYMENT_CANCELLED"


def _complete(order: OrderRecord, now: datetime, by: str) -> None:
    for item in order.items:
        if item.status_id in _OPEN_ITEM:
            item.status_id = "ITEM_COMPLETED"
    _cancel_open_shipments(order, now, by)
    for payment in order.payments:
        if payment.status_id == "PAYMENT_AUTHORIZED":
            payment.status_id = "PAYMENT_SETTLED"


def _complete_if_shipped(order: OrderRecord, now: datetime, by: str) -> None:
    shipped = order.shipped_quantities()
    for item in order.items:
        if item.status_id in _OPEN_ITEM and shipped[item.seq_id] >= item.quantity - item.cancel_quantity:
            item.status_id = "ITEM_COMPLETED"
    if order.status_id == "ORDER_APPROVED" and all(i.status_id not in _OPEN_ITEM for i in order.items):
        _set_order(order, "ORDER_COMPLETED", now, by)
        _complete(order, now, by)

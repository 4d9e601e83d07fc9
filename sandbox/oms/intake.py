"""Order creation (``POST /orders``): dedupe, validation against master data, the new record.

The OMS dedupes retried creates by ``externalId`` and ``orderName``: either
one already on file is a 409 ``ORDER_EXISTS`` that names the existing
orderId. Every reference is checked before anything changes: products
(``UNKNOWN_PRODUCT``), facilities (``UNKNOWN_FACILITY``, and
``FACILITY_NOT_PICKUP`` for store pickup where pickup is off), the customer
(``UNKNOWN_PARTY``) and a shipping address for STANDARD ship groups; all
problems come back together in ``details``. A new order is ORDER_CREATED
with ITEM_CREATED items and commits its units at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox.oms._wire import item_seq_id, seq_id
from sandbox.oms.errors import OmsError
from sandbox.oms.models import CreateOrder
from sandbox.oms.orders import OrderBook
from sandbox.oms.records import OrderItem, OrderRecord, PaymentPreference, ShipGroup, StatusRow
from sandbox.world import World

__all__ = ["create_order"]


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _check_duplicates(body: CreateOrder, book: OrderBook) -> None:
    for field, value, existing in (
        ("externalId", body.externalId, book.id_by_external_id(body.externalId or "")),
        ("orderName", body.orderName, book.id_by_name(body.orderName or "")),
    ):
        if value and existing:
            raise OmsError(
                409,
                "ORDER_EXISTS",
                f"An order with {field} [{value}] already exists: [{existing}].",
                [{"field": field, "value": value, "orderId": existing}],
            )


def _problems(body: CreateOrder, world: World) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def problem(error_id: str, field: str, message: str) -> None:
        problems.append({"errorId": error_id, "field": field, "message": message})

    if body.customerPartyId != "_NA_" and body.customerPartyId not in world.customers_by_id:
        problem("UNKNOWN_PARTY", "customerPartyId", f"Party [{body.customerPartyId}] not found.")
    for g, group in enumerate(body.shipGroups):
        where = f"shipGroups.{g}"
        location = world.locations_by_code.get(group.facilityId)
        if location is None:
            problem("UNKNOWN_FACILITY", f"{where}.facilityId", f"Facility [{group.facilityId}] not found.")
        elif group.shipmentMethodTypeId == "STOREPICKUP" and not location.pickup_enabled:
            problem(
                "FACILITY_NOT_PICKUP", f"{where}.facilityId", f"Facility [{group.facilityId}] has no pickup."
            )
        if group.shipmentMethodTypeId == "STANDARD" and group.postalAddress is None:
            problem(
                "VALIDATION_ERROR", f"{where}.postalAddress", "A STANDARD ship group needs a postalAddress."
            )
        for i, item in enumerate(group.items):
            if item.productId not in world.variants_by_sku:
                problem(
                    "UNKNOWN_PRODUCT",
                    f"{where}.items.{i}.productId",
                    f"Product [{item.productId}] not found.",
                )
    return problems


def create_order(body: CreateOrder, book: OrderBook, world: World, now: datetime, by: str) -> OrderRecord:
    """Validate ``body``, then add the new order to ``book`` and answer its record."""
    _check_duplicates(body, book)
    problems = _problems(body, world)
    if problems:
        raise OmsError(
            400, problems[0]["errorId"], "The order is not valid: " + problems[0]["message"], problems
        )
    order_date = body.orderDate or now
    if order_date.tzinfo is None:
        order_date = order_date.replace(tzinfo=UTC)
    order_id = book.new_order_id()
    groups: list[ShipGroup] = []
    items: list[OrderItem] = []
    for g, group_in in enumerate(body.shipGroups, start=1):
        group = ShipGroup(
            seq_id(g),
            group_in.facilityId,
            group_in.shipmentMethodTypeId,
            group_in.carrierPartyId,
            group_in.postalAddress.model_dump() if group_in.postalAddress else None,
        )
        groups.append(group)
        for item_in in group_in.items:
            items.append(
                OrderItem(
                    seq_id=item_seq_id(len(items) + 1),
                    ship_group_seq_id=group.seq_id,
                    product_id=item_in.productId,
                    description=item_in.itemDescription or book.seeder.description(item_in.productId),
                    quantity=item_in.quantity,
                    unit_price_cents=_cents(item_in.unitPrice),
                    status_id="ITEM_CREATED",
                    external_id=item_in.externalId,
                )
            )
    total = sum(i.quantity * i.unit_price_cents for i in items)
    digits = order_id.removeprefix("OMS")
    payments = [
        PaymentPreference(
            preference_id=f"OPP{digits}" + (f"-{n}" if n > 1 else ""),
            method_type_id=p.paymentMethodTypeId,
            status_id=p.statusId,
            max_amount_cents=total if p.maxAmount is None else _cents(p.maxAmount),
            refunded_cents=0,
            reference=p.manualRefNum or "",
        )
        for n, p in enumerate(body.paymentPreferences or [], start=1)
    ] or [PaymentPreference(f"OPP{digits}", "CREDIT_CARD", "PAYMENT_AUTHORIZED", total, 0, "")]
    customer = world.customers_by_id.get(body.customerPartyId)
    record = OrderRecord(
        order_id=order_id,
        order_name=body.orderName,
        external_id=body.externalId,
        channel_enum_id=body.salesChannelEnumId,
        status_id="ORDER_CREATED",
        order_date=order_date,
        entry_date=now,
        party_id=body.customerPartyId,
        email=body.emailAddress or (customer.email if customer else None),
        currency=body.currencyUom,
        items=items,
        ship_groups=groups,
        shipments=[],
        statuses=[StatusRow("ORDER_CREATED", now, by)],
        payments=payments,
        updated_at=now,
        seeded=False,
    )
    book.add(record)
    return record

"""``orderCreate`` and ``orderCancel``.

orderCreate commits stock for each line at the first location that fulfils
online orders and has the units available (else the first that stocks the
item): committed += qty, available -= qty. ``options.inventoryBehaviour``:
BYPASS leaves inventory alone, DECREMENT_OBEYING_POLICY refuses lines nobody
can cover (INVENTORY_CLAIM_FAILED), DECREMENT_IGNORING_POLICY (the sandbox's
default when the option is absent) commits regardless.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.shopify.context import Info, context_of
from sandbox.shopify.errors import user_error
from sandbox.shopify.gids import InvalidGid, parse_gid
from sandbox.shopify.idempotency import run_idempotent
from sandbox.shopify.records import (
    CustomerRecord,
    FulfillmentOrderRecord,
    Job,
    LineItemRecord,
    OrderRecord,
)
from sandbox.shopify.resolvers._registry import resolves
from sandbox.shopify.resolvers.root import number_of
from sandbox.shopify.seed import fulfillment_order_id, fulfillment_order_line_id, line_item_id
from sandbox.shopify.state import ShopState
from sandbox.shopify.webhooks.events import level_events, order_event
from sandbox.world import Address, Location, Variant

__all__: list[str] = []

Payload = dict[str, Any]


class _Refused(Exception):
    def __init__(self, field: list[str], message: str, code: str = "INVALID") -> None:
        super().__init__(message)
        self.error = user_error(field, message, code)


@dataclass(slots=True)
class _Line:
    variant: Variant | None
    sku: str
    title: str
    quantity: int
    price_cents: int
    location: Location | None


# ---------------------------------------------------------------- orderCreate


@resolves("Mutation", "orderCreate")
def _order_create(
    _: None, info: Info, order: dict[str, Any], options: dict[str, Any] | None = None
) -> Payload:
    ctx = context_of(info)
    return run_idempotent(
        info,
        ctx.idempotency,
        {"order": order, "options": options},
        lambda: _create(ctx.state, order, options or {}),
        lambda error: {"order": None, "userErrors": [error]},
    )


def _create(state: ShopState, data: dict[str, Any], options: dict[str, Any]) -> Payload:
    behaviour = options.get("inventoryBehaviour") or "DECREMENT_IGNORING_POLICY"
    try:
        if data.get("fulfillmentStatus") not in (None, "FULFILLED"):
            raise _Refused(["order", "fulfillmentStatus"], "Only FULFILLED is supported by the sandbox.")
        customer = _customer(state, data)
        lines = [_line(state, i, raw, behaviour) for i, raw in enumerate(data.get("lineItems") or [])]
        if not lines:
            raise _Refused(["order", "lineItems"], "Line items must have at least one line item.")
        processed = data.get("processedAt")
        now = datetime.now(UTC)
        if processed is not None and processed > now:
            raise _Refused(
                ["order", "processedAt"], "Processed at cannot be in the future.", "PROCESSED_AT_INVALID"
            )
    except _Refused as refused:
        return {"order": None, "userErrors": [refused.error]}
    if customer is not None and customer.id not in state.customers_by_id:
        state.add_customer(customer)
    record = _record(state, data, lines, customer, processed or now, now)
    fulfilled = data.get("fulfillmentStatus") == "FULFILLED"
    changes = []
    for line, src in zip(record.lines, lines, strict=True):
        if behaviour == "BYPASS" or line.variant is None or src.location is None:
            continue
        deltas = (
            {"available": -line.quantity}
            if fulfilled
            else {"committed": line.quantity, "available": -line.quantity}
        )
        changes += state.inventory.apply(line.sku, src.location.code, deltas)
    state.add_order(record)
    if customer is not None:
        customer.orders.append(record)
        customer.updated_at = now
    level_events(state, changes)
    order_event(state, "orders/create", record)
    return {"order": record, "userErrors": []}


def _customer(state: ShopState, data: dict[str, Any]) -> CustomerRecord | None:
    given = data.get("customer") or {}
    if data.get("customerId") and given:
        raise _Refused(
            ["order", "customerId"],
            "Provide either customerId or customer, not both.",
            "REDUNDANT_CUSTOMER_FIELDS",
        )
    associate = data.get("customerId") or (given.get("toAssociate") or {}).get("id")
    if associate:
        try:
            number = parse_gid(associate, "Customer")
        except InvalidGid:
            number = None
        found = state.customers_by_id.get(number) if number is not None else None
        if found is None:
            raise _Refused(["order", "customerId"], "Customer does not exist.")
        return found
    upsert = given.get("toUpsert")
    if not upsert:
        return None
    email = upsert.get("email") or data.get("email")
    existing = state.customers_by_email.get(email.lower()) if email else None
    if existing is not None:
        return existing
    now = datetime.now(UTC)
    customer = CustomerRecord(
        id=state.next_customer_id,
        first_name=upsert.get("firstName") or "",
        last_name=upsert.get("lastName") or "",
        email=email,
        phone=upsert.get("phone"),
        addresses=(),
        created_at=now,
        updated_at=now,
        tags=list(upsert.get("tags") or []),
        note=upsert.get("note"),
    )
    state.next_customer_id += 1
    return customer


def _line(state: ShopState, i: int, raw: dict[str, Any], behaviour: str) -> _Line:
    path = ["order", "lineItems", str(i)]
    variant: Variant | None = None
    if raw.get("variantId"):
        try:
            number = parse_gid(raw["variantId"], "ProductVariant")
        except InvalidGid:
            number = None
        variant = state.variants_by_id.get(number) if number is not None else None
        if variant is None:
            raise _Refused([*path, "variantId"], "Variant does not exist.")
    elif raw.get("sku"):
        variant = state.world.variants_by_sku.get(raw["sku"])
    quantity = raw["quantity"]
    if quantity < 1:
        raise _Refused([*path, "quantity"], "Quantity must be greater than or equal to 1.")
    price = _price(raw, path)
    if variant is None:
        if not raw.get("title") or price is None:
            raise _Refused(
                [*path, "sku"], "A line item needs a known variantId or sku, or a title and priceSet."
            )
        return _Line(None, raw.get("sku") or "", raw["title"], quantity, price, None)
    location = _pick_location(state, variant.sku, quantity)
    if behaviour == "DECREMENT_OBEYING_POLICY" and (
        location is None or state.inventory.available(variant.sku, location.code) < quantity
    ):
        raise _Refused(
            path,
            f"Unable to claim {quantity} of {variant.sku}: not enough available.",
            "INVENTORY_CLAIM_FAILED",
        )
    title = state.product_of_variant(variant).title
    return _Line(
        variant, variant.sku, title, quantity, variant.price_cents if price is None else price, location
    )


def _price(raw: dict[str, Any], path: list[str]) -> int | None:
    money = ((raw.get("priceSet") or {}).get("shopMoney") or {}).get("amount")
    if money is None:
        return None
    try:
        return int((Decimal(str(money)) * 100).to_integral_value())
    except InvalidOperation as exc:
        raise _Refused([*path, "priceSet"], f"'{money}' is not a decimal amount.") from exc


def _pick_location(state: ShopState, sku: str, quantity: int) -> Location | None:
    inventory = state.inventory
    online = [loc for loc in state.locations if loc.fulfills_online]
    stocked = [loc for loc in online if inventory.stocked(sku, loc.code)]
    for loc in stocked:
        if inventory.available(sku, loc.code) >= quantity:
            return loc
    return stocked[0] if stocked else (online[0] if online else None)


def _address(raw: dict[str, Any] | None) -> Address | None:
    if not raw:
        return None
    return Address(
        line1=raw.get("address1") or "",
        line2=raw.get("address2"),
        city=raw.get("city") or "",
        region=raw.get("provinceCode"),
        postal_code=raw.get("zip") or "",
        country_code=raw.get("countryCode") or "US",
    )


def _record(
    state: ShopState,
    data: dict[str, Any],
    lines: list[_Line],
    customer: CustomerRecord | None,
    processed: datetime,
    now: datetime,
) -> OrderRecord:
    seq = state.next_order_seq
    state.next_order_seq += 1
    name = data.get("name")
    if not name:
        name = f"R{state.next_order_number}"
        state.next_order_number += 1
    fulfilled = data.get("fulfillmentStatus") == "FULFILLED"
    record = OrderRecord(
        id=5_600_000_000 + seq,
        seq=seq,
        name=name,
        email=data.get("email") or (customer.email if customer else None),
        phone=data.get("phone"),
        created_at=now,
        processed_at=processed,
        updated_at=now,
        financial_status=data.get("financialStatus") or "PENDING",
        fulfillment_display="FULFILLED" if fulfilled else "UNFULFILLED",
        currency=data.get("currency") or "USD",
        customer=customer,
        note=data.get("note"),
        tags=list(data.get("tags") or []),
        source_name=data.get("sourceName") or "api",
        test=bool(data.get("test")),
        shipping_address=_address(data.get("shippingAddress")),
    )
    fallback = state.locations[0].code if state.locations else ""
    for no, line in enumerate(lines, start=1):
        code = line.location.code if line.location else fallback
        record.lines.append(
            LineItemRecord(
                id=line_item_id(seq, no),
                line_no=no,
                order=record,
                sku=line.sku,
                variant=line.variant,
                title=line.title,
                quantity=line.quantity,
                unit_price_cents=line.price_cents,
                location_code=code,
                fulfilled=line.quantity if fulfilled else 0,
            )
        )
    by_location: dict[str, list[LineItemRecord]] = {}
    for item in record.lines:
        by_location.setdefault(item.location_code, []).append(item)
    for k, (code, items) in enumerate(by_location.items()):
        fo = FulfillmentOrderRecord(
            fulfillment_order_id(seq, k),
            record,
            code,
            "SHIPPING",
            "CLOSED" if fulfilled else "OPEN",
            now,
            now,
        )
        fo.lines = [(fulfillment_order_line_id(seq, item.line_no), item) for item in items]
        record.fulfillment_orders.append(fo)
    if fulfilled:
        record.closed_at = now if record.financial_status == "PAID" else None
    return record


# ---------------------------------------------------------------- orderCancel


@resolves("Mutation", "orderCancel")
def _order_cancel(_: None, info: Info, orderId: str, reason: str, restock: bool, **args: Any) -> Payload:
    state = context_of(info).state
    number = number_of(orderId, "Order")
    order = state.orders_by_id.get(number) if number is not None else None
    if order is None:
        return _cancel_refused(["orderId"], "Order does not exist.", "NOT_FOUND")
    if order.cancelled_at is not None:
        return _cancel_refused(["orderId"], "Order has already been cancelled.", "INVALID")
    if any(f.status == "SUCCESS" for f in order.fulfillments):
        return _cancel_refused(["orderId"], "Cannot cancel an order that has fulfillments.", "INVALID")
    now = datetime.now(UTC)
    changes = []
    for line in order.lines:
        open_units = line.unfulfilled_quantity
        if open_units <= 0:
            continue
        deltas = {"committed": -open_units, **({"available": open_units} if restock else {})}
        if line.variant is not None and line.location_code in state.locations_by_code:
            changes += state.inventory.apply(line.sku, line.location_code, deltas)
        line.removed += open_units
    order.cancelled_at = order.closed_at = order.updated_at = now
    order.cancel_reason = reason
    order.fulfillment_display = "RESTOCKED" if restock else "UNFULFILLED"
    if order.financial_status in ("PENDING", "AUTHORIZED"):
        order.financial_status = "VOIDED"
    elif args.get("refund") and order.financial_status in ("PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"):
        order.financial_status = "REFUNDED"
        for line in order.lines:
            line.refunded = line.quantity - line.removed
    if args.get("staffNote"):
        order.note = args["staffNote"]
    for fo in order.fulfillment_orders:
        fo.status, fo.updated_at = "CANCELLED", now
    for fulfillment in order.fulfillments:
        if fulfillment.status == "OPEN":
            fulfillment.status, fulfillment.display_status, fulfillment.updated_at = (
                "CANCELLED",
                "CANCELED",
                now,
            )
    job = Job(f"gid://shopify/Job/{uuid.uuid4()}", done=True)
    state.jobs[job.id] = job
    level_events(state, changes)
    order_event(state, "orders/cancelled", order)
    order_event(state, "orders/updated", order)
    return {"job": {"id": job.id, "done": False}, "orderCancelUserErrors": [], "userErrors": []}


def _cancel_refused(field: list[str], message: str, code: str) -> Payload:
    error = user_error(field, message, code)
    return {
        "job": None,
        "orderCancelUserErrors": [error],
        "userErrors": [{"field": field, "message": message}],
    }

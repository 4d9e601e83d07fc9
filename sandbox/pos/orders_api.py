"""Order endpoints: create, retrieve, batch-retrieve, update and pay.

    POST /v2/orders {idempotency_key (required, <=192), order {location_id, reference_id, customer_id,
         source {name}, line_items [{catalog_object_id | name + base_price_money, quantity, note, uid}],
         state OPEN|DRAFT}}                                   -> {order}   (state OPEN, version 1)
    GET  /v2/orders/{id}                                      -> {order}
    POST /v2/orders/batch-retrieve {location_id?, order_ids (1-100)} -> {orders}   (unknown ids left out)
    PUT  /v2/orders/{id} {order {version, ...sparse fields}, fields_to_clear, idempotency_key?}
                                                              -> {order}   (version + 1)
    POST /v2/orders/{id}/pay {idempotency_key, order_version?, payment_ids?} -> {order}  (COMPLETED)

Idempotency: the same key and body replay the first answer (no second
order); the same key with another body is ``400 IDEMPOTENCY_KEY_REUSED``. A
stale ``version`` / ``order_version`` is ``409 VERSION_MISMATCH``.
COMPLETED and CANCELED orders cannot be updated. Updates may move OPEN or
DRAFT to CANCELED and DRAFT to OPEN; COMPLETED is reached only by paying.

Paying: the sandbox has no Payments API, so ``payment_ids`` are taken as
captured card payments (the total split evenly over them); without any, the
order is paid in cash. Paying moves every catalog line from IN_STOCK to SOLD
at the order's location (the till never refuses a sale: IN_STOCK may go
negative) and accrues loyalty points for the order's customer.
"""

from __future__ import annotations

import copy

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.endpoint import SquareModel, ok, path_param, read_body
from sandbox.pos.errors import SquareError, invalid, not_found
from sandbox.pos.order_input import CreateOrderBody, PayOrderBody, UpdateOrderBody, apply_changes, build_line
from sandbox.pos.order_model import LineItem, PosOrder, Tender
from sandbox.pos.store import PosStore
from sandbox.pos.wire import new_id, now

__all__ = ["order_routes"]

_API_SOURCE = "External API"


class _BatchBody(SquareModel):
    location_id: str | None = None
    order_ids: list[str] = Field(min_length=1, max_length=100)


def _check_uids(lines: list[LineItem]) -> None:
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line.uid in seen:
            raise invalid(f"Duplicate line item uid `{line.uid}`.", f"order.line_items[{i}].uid")
        seen.add(line.uid)


def _version_mismatch(expected: int, given: int, field: str) -> SquareError:
    return SquareError(
        409, "VERSION_MISMATCH", f"The order is at version {expected}, not {given}.", field=field
    )


def order_routes(store: PosStore) -> list[Route]:
    def check_customer(customer_id: str | None) -> None:
        if customer_id is not None and customer_id not in store.customers.by_id:
            raise not_found("Customer", customer_id, "order.customer_id")

    async def create_order(request: Request) -> Response:
        body, raw = await read_body(request, CreateOrderBody)
        replay = store.keys.replay("orders.create", body.idempotency_key, raw)
        if replay is not None:
            return ok(replay)
        spec = body.order
        if spec.location_id not in store.stores.by_id:
            raise not_found("Location", spec.location_id, "order.location_id")
        check_customer(spec.customer_id)
        state = spec.state or "OPEN"
        if state not in ("OPEN", "DRAFT"):
            raise invalid(f"An order cannot be created in state `{state}`.", "order.state")
        specs = enumerate(spec.line_items or [])
        lines = [build_line(line, f"order.line_items[{i}]", store.catalog) for i, line in specs]
        _check_uids(lines)
        created = now()
        order = PosOrder(
            id=new_id(26),
            location_id=spec.location_id,
            state=state,
            created_at=created,
            updated_at=created,
            reference_id=spec.reference_id,
            customer_id=spec.customer_id,
            source_name=(spec.source.name if spec.source else None) or _API_SOURCE,
            line_items=lines,
        )
        store.orders.add(order)
        return ok(store.keys.remember("orders.create", body.idempotency_key, raw, {"order": order.as_json()}))

    async def retrieve_order(request: Request) -> Response:
        return ok({"order": store.orders.get(path_param(request, "order_id")).as_json()})

    async def batch_retrieve(request: Request) -> Response:
        body, _ = await read_body(request, _BatchBody)
        found = (store.orders.orders.get(oid) for oid in dict.fromkeys(body.order_ids))
        orders = [o for o in found if o is not None and body.location_id in (None, o.location_id)]
        return ok({"orders": [o.as_json() for o in orders]})

    async def update_order(request: Request) -> Response:
        order_id = path_param(request, "order_id")
        body, raw = await read_body(request, UpdateOrderBody)
        order = store.orders.get(order_id)
        scope = f"orders.update:{order_id}"
        if body.idempotency_key is not None:
            replay = store.keys.replay(scope, body.idempotency_key, raw)
            if replay is not None:
                return ok(replay)
        if body.order.version != order.version:
            raise _version_mismatch(order.version, body.order.version, "order.version")
        if order.state in ("COMPLETED", "CANCELED"):
            raise SquareError(400, "BAD_REQUEST", f"A {order.state} order cannot be updated.", field="order")
        if body.order.location_id not in (None, order.location_id):
            raise invalid("An order cannot move location.", "order.location_id")
        check_customer(body.order.customer_id)
        target = body.order.state or order.state
        allowed = {("OPEN", "CANCELED"), ("DRAFT", "OPEN"), ("DRAFT", "CANCELED")}
        if target != order.state and (order.state, target) not in allowed:
            raise invalid(f"An order cannot go from {order.state} to {target}.", "order.state")
        updated = copy.deepcopy(order)
        apply_changes(updated, body, store.catalog)
        _check_uids(updated.line_items)
        updated.state = target
        updated.version += 1
        updated.updated_at = now()
        if target == "CANCELED":
            updated.closed_at = updated.updated_at
        store.orders.orders[order_id] = updated
        response = {"order": updated.as_json()}
        if body.idempotency_key is not None:
            store.keys.remember(scope, body.idempotency_key, raw, response)
        return ok(response)

    async def pay_order(request: Request) -> Response:
        order_id = path_param(request, "order_id")
        body, raw = await read_body(request, PayOrderBody)
        order = store.orders.get(order_id)
        scope = f"orders.pay:{order_id}"
        replay = store.keys.replay(scope, body.idempotency_key, raw)
        if replay is not None:
            return ok(replay)
        if body.order_version is not None and body.order_version != order.version:
            raise _version_mismatch(order.version, body.order_version, "order_version")
        if order.state != "OPEN":
            raise SquareError(400, "BAD_REQUEST", f"A {order.state} order cannot be paid.", field="order_id")
        payment_ids = body.payment_ids or []
        for i, payment_id in enumerate(payment_ids):
            if payment_id in store.orders.by_payment or payment_ids.index(payment_id) != i:
                raise invalid(f"Payment `{payment_id}` is already used.", f"payment_ids[{i}]")
        _complete_sale(store, order, payment_ids)
        return ok(store.keys.remember(scope, body.idempotency_key, raw, {"order": order.as_json()}))

    return [
        Route("/v2/orders", create_order, methods=["POST"]),
        Route("/v2/orders/batch-retrieve", batch_retrieve, methods=["POST"]),
        Route("/v2/orders/{order_id}", retrieve_order, methods=["GET"]),
        Route("/v2/orders/{order_id}", update_order, methods=["PUT"]),
        Route("/v2/orders/{order_id}/pay", pay_order, methods=["POST"]),
    ]


def _complete_sale(store: PosStore, order: PosOrder, payment_ids: list[str]) -> None:
    """Tenders, COMPLETED, the stock moved to SOLD and the customer's points."""
    moment = now()
    total = order.total
    if payment_ids:
        share, rest = divmod(total, len(payment_ids))
        for i, payment_id in enumerate(payment_ids):
            tender = Tender(payment_id, "CARD", share + (rest if i == 0 else 0), moment)
            store.orders.add_tender(order, tender)
    elif total > 0:
        store.orders.add_tender(order, Tender(new_id(29), "CASH", total, moment))
    order.state = "COMPLETED"
    order.closed_at = order.updated_at = moment
    order.version += 1
    location = store.stores.by_id[order.location_id]
    for line in order.line_items:
        variant = store.catalog.variations.get(line.catalog_object_id or "")
        if variant is not None:
            store.inventory.adjust(
                variant, location, "IN_STOCK", "SOLD", line.quantity, moment, transaction_id=order.id
            )
    store.loyalty.accrue(order.customer_id, total)

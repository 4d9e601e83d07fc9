"""Return mutations and their status rules.

    returnRequest           -> REQUESTED          (webhook returns/request)
    returnCreate            -> OPEN               (returns/approve)
    returnApproveRequest    REQUESTED -> OPEN     (returns/approve)
    returnDeclineRequest    REQUESTED -> DECLINED (returns/decline)
    returnClose             OPEN -> CLOSED        (returns/close)
    returnReopen            CLOSED -> OPEN        (returns/reopen)
    returnCancel            REQUESTED | OPEN -> CANCELED (returns/cancel)

Any other transition is a user error ``INVALID_STATE``. A line may return at
most the fulfilled quantity of its fulfillment line item minus what requested,
open and closed returns already hold (``LESS_THAN_OR_EQUAL_TO``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.shopify.context import Info, context_of
from sandbox.shopify.errors import user_error
from sandbox.shopify.gids import InvalidGid, parse_gid
from sandbox.shopify.idempotency import run_idempotent
from sandbox.shopify.records import FulfillmentLineRecord, OrderRecord, ReturnLineRecord, ReturnRecord
from sandbox.shopify.resolvers._registry import resolves
from sandbox.shopify.seed import return_line_id
from sandbox.shopify.state import ShopState
from sandbox.shopify.webhooks.events import return_event

__all__ = ["TRANSITIONS"]

Payload = dict[str, Any]

TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "returnApproveRequest": (frozenset({"REQUESTED"}), "OPEN", "returns/approve"),
    "returnDeclineRequest": (frozenset({"REQUESTED"}), "DECLINED", "returns/decline"),
    "returnClose": (frozenset({"OPEN"}), "CLOSED", "returns/close"),
    "returnReopen": (frozenset({"CLOSED"}), "OPEN", "returns/reopen"),
    "returnCancel": (frozenset({"REQUESTED", "OPEN"}), "CANCELED", "returns/cancel"),
}


def _refuse(error: Payload) -> Payload:
    return {"return": None, "userErrors": [error]}


def _number(value: str, resource: str) -> int | None:
    try:
        return parse_gid(value, resource)
    except InvalidGid:
        return None


# ---------------------------------------------------------------- creating


@resolves("Mutation", "returnCreate")
def _return_create(_: None, info: Info, returnInput: dict[str, Any]) -> Payload:
    ctx = context_of(info)
    action = lambda: _open(ctx.state, returnInput, "returnInput", "OPEN")  # noqa: E731
    return run_idempotent(info, ctx.idempotency, {"returnInput": returnInput}, action, _refuse)


@resolves("Mutation", "returnRequest")
def _return_request(_: None, info: Info, input: dict[str, Any]) -> Payload:
    ctx = context_of(info)
    action = lambda: _open(ctx.state, input, "input", "REQUESTED")  # noqa: E731
    return run_idempotent(info, ctx.idempotency, {"input": input}, action, _refuse)


def _open(state: ShopState, data: dict[str, Any], root: str, status: str) -> Payload:
    number = _number(data["orderId"], "Order")
    order = state.orders_by_id.get(number) if number is not None else None
    if order is None:
        return _refuse(user_error([root, "orderId"], "Order does not exist.", "NOT_FOUND"))
    raw_lines = data["returnLineItems"]
    if not raw_lines:
        return _refuse(
            user_error([root, "returnLineItems"], "Return must have at least one line item.", "BLANK")
        )
    errors, targets = _check_lines(state, order, raw_lines, root)
    if errors:
        return {"return": None, "userErrors": errors}
    now = datetime.now(UTC)
    serial = 5_000_000 + state.next_return_number
    state.next_return_number += 1
    ret = ReturnRecord(
        id=9_700_000_000 + serial,
        name=f"{order.name}-R{len(order.returns) + 1}",
        order=order,
        status=status,
        created_at=data.get("requestedAt") or now,
        updated_at=now,
        request_approved_at=now if status == "OPEN" else None,
    )
    for k, (raw, target) in enumerate(zip(raw_lines, targets, strict=True), start=1):
        ret.lines.append(
            ReturnLineRecord(
                id=return_line_id(serial, k),
                fulfillment_line=target,
                quantity=raw["quantity"],
                reason=raw["returnReason"],
                reason_note=raw.get("returnReasonNote") or "",
                customer_note=raw.get("customerNote"),
            )
        )
    order.returns.append(ret)
    order.updated_at = now
    state.returns[ret.id] = ret
    return_event(state, "returns/approve" if status == "OPEN" else "returns/request", ret)
    return {"return": ret, "userErrors": []}


def _check_lines(
    state: ShopState, order: OrderRecord, raw_lines: list[dict[str, Any]], root: str
) -> tuple[list[Payload], list[FulfillmentLineRecord]]:
    errors: list[Payload] = []
    targets: list[FulfillmentLineRecord] = []
    asked: Counter[int] = Counter()
    for i, raw in enumerate(raw_lines):
        path = [root, "returnLineItems", str(i)]
        number = _number(raw["fulfillmentLineItemId"], "FulfillmentLineItem")
        target = state.fulfillment_lines.get(number) if number is not None else None
        if target is None or target.line.order is not order:
            errors.append(
                user_error(
                    [*path, "fulfillmentLineItemId"], "Fulfillment line item does not exist.", "NOT_FOUND"
                )
            )
            continue
        if target.fulfillment.status != "SUCCESS":
            errors.append(
                user_error(
                    [*path, "fulfillmentLineItemId"], "Fulfillment line item is not fulfilled yet.", "INVALID"
                )
            )
            continue
        quantity = raw["quantity"]
        if quantity < 1:
            errors.append(user_error([*path, "quantity"], "Quantity must be greater than 0.", "GREATER_THAN"))
            continue
        returnable = target.quantity - target.returned_quantity() - asked[target.id]
        if quantity > returnable:
            errors.append(
                user_error(
                    [*path, "quantity"],
                    f"Quantity must be less than or equal to {max(returnable, 0)}, the returnable quantity.",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            )
            continue
        asked[target.id] += quantity
        targets.append(target)
    return errors, targets


# ---------------------------------------------------------------- transitions


def _transition(
    info: Info,
    mutation: str,
    value: str,
    path: list[str],
    apply: Callable[[ReturnRecord], None] | None = None,
) -> Payload:
    state = context_of(info).state
    number = _number(value, "Return")
    ret = state.returns.get(number) if number is not None else None
    if ret is None:
        return _refuse(user_error(path, "Return does not exist.", "NOT_FOUND"))
    allowed, target, topic = TRANSITIONS[mutation]
    if ret.status not in allowed:
        wanted = " or ".join(sorted(allowed))
        message = f"Return is {ret.status}; only a return that is {wanted} can become {target}."
        return _refuse(user_error(path, message, "INVALID_STATE"))
    now = datetime.now(UTC)
    ret.status, ret.updated_at = target, now
    if apply is not None:
        apply(ret)
    ret.order.updated_at = now
    return_event(state, topic, ret)
    return {"return": ret, "userErrors": []}


@resolves("Mutation", "returnApproveRequest")
def _approve(_: None, info: Info, input: dict[str, Any]) -> Payload:
    def stamp(ret: ReturnRecord) -> None:
        ret.request_approved_at = ret.updated_at

    return _transition(info, "returnApproveRequest", input["id"], ["input", "id"], stamp)


@resolves("Mutation", "returnDeclineRequest")
def _decline(_: None, info: Info, input: dict[str, Any]) -> Payload:
    def stamp(ret: ReturnRecord) -> None:
        ret.decline_reason, ret.decline_note = input["declineReason"], input.get("declineNote")

    return _transition(info, "returnDeclineRequest", input["id"], ["input", "id"], stamp)


@resolves("Mutation", "returnClose")
def _close(_: None, info: Info, id: str) -> Payload:
    def stamp(ret: ReturnRecord) -> None:
        ret.closed_at = ret.updated_at

    return _transition(info, "returnClose", id, ["id"], stamp)


@resolves("Mutation", "returnReopen")
def _reopen(_: None, info: Info, id: str) -> Payload:
    def stamp(ret: ReturnRecord) -> None:
        ret.closed_at = None

    return _transition(info, "returnReopen", id, ["id"], stamp)


@resolves("Mutation", "returnCancel")
def _cancel(_: None, info: Info, id: str, **_args: Any) -> Payload:
    return _transition(info, "returnCancel", id, ["id"])

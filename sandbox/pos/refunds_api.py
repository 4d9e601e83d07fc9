"""Refund endpoints (Square's PaymentRefunds), over the seeded returns and refunds made at run time.

    GET  /v2/refunds?location_id=&status=&begin_time=&end_time=&sort_order=ASC|DESC&cursor=&limit=(1-100)
         -> {refunds, cursor}      (by created_at, newest first by default; no default time window)
    GET  /v2/refunds/{id}          -> {refund}
    POST /v2/refunds {idempotency_key (<=45), payment_id, amount_money, reason?}
         -> {refund}               (status COMPLETED at once; ``REFUND_AMOUNT_INVALID`` above what is left)

A refund: ``{id, status PENDING|COMPLETED|REJECTED|FAILED, location_id,
amount_money, payment_id, order_id, reason, destination_type, created_at,
updated_at}``; ``order_id`` is the sale's order. It is also listed in the
order's legacy ``refunds`` array. Refunding moves no stock: to restock, post
an inventory adjustment from SOLD to IN_STOCK (what the till does when the
clerk ticks "restock").
"""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.endpoint import SquareModel, ok, path_param, query_enum, query_int, query_str, read_body
from sandbox.pos.errors import invalid, not_found
from sandbox.pos.order_input import MoneyIn
from sandbox.pos.order_model import Refund
from sandbox.pos.store import PosStore
from sandbox.pos.wire import CURRENCY, decode_offset, encode_cursor, fingerprint, new_id, now, parse_time

__all__ = ["refund_routes"]

_STATUSES = ("PENDING", "COMPLETED", "REJECTED", "FAILED")


class _RefundBody(SquareModel):
    idempotency_key: str = Field(min_length=1, max_length=45)
    amount_money: MoneyIn
    payment_id: str = Field(min_length=1, max_length=192)
    reason: str | None = Field(None, max_length=192)
    location_id: str | None = None


def refund_routes(store: PosStore) -> list[Route]:
    async def list_refunds(request: Request) -> Response:
        location_id = query_str(request, "location_id")
        status = query_enum(request, "status", _STATUSES, None)
        sort_order = query_enum(request, "sort_order", ("ASC", "DESC"), "DESC")
        begin, end = query_str(request, "begin_time"), query_str(request, "end_time")
        since = parse_time(begin, "begin_time") if begin else None
        until = parse_time(end, "end_time") if end else None
        limit = query_int(request, "limit", 100, 1, 100)
        query = fingerprint([location_id, status, sort_order, begin, end])
        start = decode_offset(query_str(request, "cursor"), "refunds.list", query)
        found = [
            r
            for r in store.orders.refunds.values()
            if location_id in (None, r.location_id)
            and status in (None, r.status)
            and (since is None or r.created_at >= since)
            and (until is None or r.created_at < until)
        ]
        found.sort(key=lambda r: (r.created_at, r.id), reverse=sort_order == "DESC")
        more = start + limit < len(found)
        return ok(
            {
                "refunds": [r.as_json() for r in found[start : start + limit]],
                "cursor": encode_cursor("refunds.list", query, start + limit) if more else None,
            }
        )

    async def retrieve_refund(request: Request) -> Response:
        refund_id = path_param(request, "refund_id")
        refund = store.orders.refunds.get(refund_id)
        if refund is None:
            raise not_found("Refund", refund_id)
        return ok({"refund": refund.as_json()})

    async def refund_payment(request: Request) -> Response:
        body, raw = await read_body(request, _RefundBody)
        replay = store.keys.replay("refunds", body.idempotency_key, raw)
        if replay is not None:
            return ok(replay)
        order = store.orders.by_payment.get(body.payment_id)
        if order is None:
            raise not_found("Payment", body.payment_id, "payment_id")
        money = body.amount_money
        if money.currency != CURRENCY:
            detail = f"The payment is in {CURRENCY}, not `{money.currency}`."
            raise invalid(detail, "amount_money.currency", "CURRENCY_MISMATCH")
        left = store.orders.refundable(body.payment_id)
        if money.amount <= 0 or money.amount > left:
            detail = f"The refund amount must be between 1 and {left}."
            raise invalid(detail, "amount_money.amount", "REFUND_AMOUNT_INVALID")
        moment = now()
        tender = next(t for t in order.tenders if t.payment_id == body.payment_id)
        refund = Refund(
            id=f"{body.payment_id}_{new_id(26)}",
            status="COMPLETED",
            location_id=order.location_id,
            amount=money.amount,
            payment_id=body.payment_id,
            order_id=order.id,
            reason=body.reason,
            created_at=moment,
            updated_at=moment,
            destination_type=tender.type,
        )
        store.orders.add_refund(order, refund)
        order.updated_at = moment
        order.version += 1
        return ok(store.keys.remember("refunds", body.idempotency_key, raw, {"refund": refund.as_json()}))

    return [
        Route("/v2/refunds", list_refunds, methods=["GET"]),
        Route("/v2/refunds", refund_payment, methods=["POST"]),
        Route("/v2/refunds/{refund_id}", retrieve_refund, methods=["GET"]),
    ]

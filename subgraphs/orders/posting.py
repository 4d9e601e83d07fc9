"""The ERP posting of accepted orders: the outbox payload, its handler, the worker, and the posting state.

``submitOrder`` queues each accepted order's :class:`~resolvers.domain.OrderDraft`
as JSON on the durable stream ``erp-postings`` (:func:`queue_posting`) before
it answers; :func:`erp_worker` builds the :class:`~subgraphs.common.outbox.OutboxWorker`
that posts them with the ERP connector's ``create_order`` (which looks the
order number up first, so a second delivery never makes a second sales order),
in consumer group ``erp`` (:data:`ERP_GROUP`), dead-lettering after
``settings.orders.erp_posting_attempts`` tries.

The posting state an order shows (:func:`posting_states`): POSTED when the
outbox delivered it (its done marker, with when and the sales order) or the
ERP holds it (the order merge sees the ERP's record); FAILED when its posting
is a dead letter; else PENDING.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from resolvers.domain import Address, Money, OrderDraft, OrderDraftLine
from subgraphs.common.app import Background
from subgraphs.common.erp_posting import ERP_GROUP, ErpPosting, erp_posting_worker, running_in_background
from subgraphs.common.outbox import (
    OutboxPolicy,
    OutboxWorker,
    dead_letters_by_key,
    delivered,
    enqueue,
)
from subgraphs.common.systems import Systems
from subgraphs.domain.enums import PostingStatus

__all__ = [
    "ERP_GROUP",
    "ERP_POSTINGS",
    "PostingState",
    "decode_draft",
    "encode_draft",
    "erp_outbox_worker",
    "erp_worker",
    "posting_key",
    "posting_states",
    "queue_posting",
]

ERP_POSTINGS = "erp-postings"
"""The consumer group of the ERP posting workers."""
_KIND = "erp-posting"


def _address(raw: dict[str, Any] | None) -> Address | None:
    return Address(**raw) if raw is not None else None


def encode_draft(draft: OrderDraft) -> bytes:
    """The outbox payload of ``draft`` (JSON: amounts as decimal strings, times in RFC 3339)."""
    address = draft.shipping_address
    body = {
        "kind": _KIND,
        "v": 1,
        "number": draft.number,
        "channel": draft.channel,
        "placed_at": draft.placed_at.isoformat(),
        "lines": [
            {
                "line_no": line.line_no,
                "sku": line.sku,
                "quantity": line.quantity,
                "amount": str(line.unit_price.amount),
                "currency": line.unit_price.currency,
                "location_id": line.location_id,
            }
            for line in draft.lines
        ],
        "currency": draft.currency,
        "payment_reference": draft.payment_reference,
        "fulfilment_type": draft.fulfilment_type,
        "idempotency_key": draft.idempotency_key,
        "customer_id": draft.customer_id,
        "email": draft.email,
        "shipping_address": None
        if address is None
        else {
            "line1": address.line1,
            "line2": address.line2,
            "city": address.city,
            "region": address.region,
            "postal_code": address.postal_code,
            "country_code": address.country_code,
        },
        "pickup_location_id": draft.pickup_location_id,
        "reservation_id": draft.reservation_id,
        "extra": draft.extra,
    }
    return orjson.dumps(body)


def _body(payload: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(body, dict) or body.get("kind") != _KIND or not isinstance(body.get("number"), str):
        raise ValueError("not an ERP posting")
    return body


def posting_key(payload: bytes) -> str:
    """The order number a posting is for (ValueError for a payload that is not a posting)."""
    number: str = _body(payload)["number"]
    return number


def decode_draft(payload: bytes) -> OrderDraft:
    """The draft of a posting payload (ValueError when it is not one)."""
    body = _body(payload)
    try:
        return OrderDraft(
            number=body["number"],
            channel=body["channel"],
            placed_at=datetime.fromisoformat(body["placed_at"]),
            lines=tuple(
                OrderDraftLine(
                    line_no=line["line_no"],
                    sku=line["sku"],
                    quantity=line["quantity"],
                    unit_price=Money(Decimal(line["amount"]), line["currency"]),
                    location_id=line["location_id"],
                )
                for line in body["lines"]
            ),
            currency=body["currency"],
            payment_reference=body["payment_reference"],
            fulfilment_type=body["fulfilment_type"],
            idempotency_key=body["idempotency_key"],
            customer_id=body["customer_id"],
            email=body["email"],
            shipping_address=_address(body["shipping_address"]),
            pickup_location_id=body["pickup_location_id"],
            reservation_id=body["reservation_id"],
            extra=dict(body["extra"]),
        )
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"malformed ERP posting: {exc!r}") from exc


async def queue_posting(systems: Systems, draft: OrderDraft) -> str:
    """Put ``draft``'s ERP posting in the durable outbox; the entry id."""
    return await enqueue(systems.storage.stream, ERP_POSTINGS, encode_draft(draft))


def erp_worker(systems: Systems, policy: OutboxPolicy | None = None) -> OutboxWorker:
    """The outbox worker posting ``erp-postings`` (sales orders) with ``systems.erp``."""
    erp = systems.erp

    async def create(payload: bytes) -> str:
        return (await erp.create_order(decode_draft(payload))).system_id

    async def probe() -> object:
        return await erp.orders_by_numbers([f"PROBE-{uuid.uuid4().hex}"])  # a key no cache holds

    handler = ErpPosting(key=posting_key, create=create, probe=probe, result_field="sales_order")
    return erp_posting_worker(systems, handler, stream=ERP_POSTINGS, policy=policy)


def erp_outbox_worker(policy: OutboxPolicy | None = None) -> Background:
    """The ERP posting worker as a subgraph background task (runs while the app serves)."""
    return running_in_background(lambda systems: erp_worker(systems, policy), "erp-outbox")


@dataclass(frozen=True, slots=True)
class PostingState:
    """What our outbox knows of one order's ERP posting."""

    status: PostingStatus
    at: datetime | None = None
    """When it was posted, or dead-lettered."""
    detail: str | None = None
    """The sales order, or why the posting failed."""


def _posted(raw: bytes) -> PostingState:
    try:
        body = orjson.loads(raw)
        return PostingState(PostingStatus.POSTED, datetime.fromisoformat(body["at"]), body.get("sales_order"))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return PostingState(PostingStatus.POSTED)


async def posting_states(systems: Systems, numbers: Sequence[str]) -> list[PostingState | None]:
    """Each order's posting state as the outbox knows it (None: not one of ours, or not yet queued)."""
    markers = systems.storage.idempotency
    done = await asyncio.gather(*(delivered(markers, ERP_POSTINGS, n) for n in numbers))
    dead = (
        await dead_letters_by_key(systems.storage.stream, ERP_POSTINGS, posting_key)
        if any(found is None for found in done)
        else {}
    )
    states: list[PostingState | None] = []
    for number, found in zip(numbers, done, strict=True):
        letter = dead.get(number)
        if found is not None:
            states.append(_posted(found))
        elif letter is not None:
            at = datetime.fromtimestamp(letter.dead_at, UTC)
            states.append(PostingState(PostingStatus.FAILED, at, letter.reason))
        else:
            states.append(None)
    return states

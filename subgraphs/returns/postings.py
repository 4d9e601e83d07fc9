"""Customer returns the ERP could not take at once: queued in the durable outbox, posted later.

``authorizeReturn`` does not fail because the ERP is down (or does not hold the
order yet: its own posting is still queued). It :func:`queue_erp_return` s the
return's :class:`~resolvers.domain.ReturnDraft` on the durable stream
``erp-return-postings`` through :mod:`subgraphs.common.outbox` (the shared
outbox: leases per key, done markers, backoff, outage probing, dead letters
after ``orders.erp_posting_attempts`` tries, replay) and answers.
:class:`~subgraphs.common.erp_posting.ErpPosting` is its handler: the key is the RMA number, a delivery
is the ERP connector's ``create_return`` (which looks the RMA up first, so a
second delivery never makes a second customer return).
:func:`erp_return_worker` runs it in the subgraph's process.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson

from resolvers.domain import ReturnDraft, ReturnDraftLine
from subgraphs.common.app import Background
from subgraphs.common.erp_posting import ErpPosting, erp_posting_worker, running_in_background
from subgraphs.common.outbox import OutboxPolicy, OutboxWorker, enqueue
from subgraphs.common.systems import Systems

__all__ = [
    "ERP_RETURN_POSTINGS",
    "decode_draft",
    "encode_draft",
    "erp_return_worker",
    "posting_key",
    "posting_worker",
    "queue_erp_return",
]

ERP_RETURN_POSTINGS = "erp-return-postings"
_KIND = "erp-return-posting"


def encode_draft(draft: ReturnDraft) -> bytes:
    """The outbox payload of ``draft`` (JSON, times in RFC 3339)."""
    return orjson.dumps(
        {
            "kind": _KIND,
            "v": 1,
            "rma_number": draft.rma_number,
            "order_number": draft.order_number,
            "lines": [[ln.line_no, ln.sku, ln.quantity, ln.reason] for ln in draft.lines],
            "refund_method": draft.refund_method,
            "created_at": draft.created_at.isoformat(),
            "idempotency_key": draft.idempotency_key,
            "drop_off_location_id": draft.drop_off_location_id,
            "currency": draft.currency,
        }
    )


def _body(payload: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(body, dict) or body.get("kind") != _KIND or not isinstance(body.get("rma_number"), str):
        raise ValueError("not an ERP return posting")
    return body


def posting_key(payload: bytes) -> str:
    """The RMA number a posting is for (ValueError for a payload that is not a posting)."""
    rma: str = _body(payload)["rma_number"]
    return rma


def decode_draft(payload: bytes) -> ReturnDraft:
    """The draft of a payload (ValueError when it is not one)."""
    body = _body(payload)
    try:
        return ReturnDraft(
            rma_number=body["rma_number"],
            order_number=body["order_number"],
            lines=tuple(ReturnDraftLine(no, sku, qty, reason) for no, sku, qty, reason in body["lines"]),
            refund_method=body["refund_method"],
            created_at=datetime.fromisoformat(body["created_at"]),
            idempotency_key=body["idempotency_key"],
            drop_off_location_id=body["drop_off_location_id"],
            currency=body["currency"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed ERP return posting: {exc!r}") from exc


async def queue_erp_return(systems: Systems, draft: ReturnDraft) -> str:
    """Put ``draft``'s ERP posting in the durable outbox; the entry id."""
    return await enqueue(systems.storage.stream, ERP_RETURN_POSTINGS, encode_draft(draft))


def posting_worker(systems: Systems, policy: OutboxPolicy | None = None) -> OutboxWorker:
    """The outbox worker posting ``erp-return-postings`` (customer returns) with ``systems.erp``."""
    erp = systems.erp

    async def create(payload: bytes) -> str:
        return (await erp.create_return(decode_draft(payload))).system_id

    async def probe() -> object:
        return await erp.returns_by_rma([f"PROBE-{uuid.uuid4().hex}"])  # a key no cache holds

    handler = ErpPosting(key=posting_key, create=create, probe=probe, result_field="customer_return")
    return erp_posting_worker(systems, handler, stream=ERP_RETURN_POSTINGS, policy=policy)


def erp_return_worker(policy: OutboxPolicy | None = None) -> Background:
    """The ERP posting worker as a subgraph background task (runs while the app serves)."""
    return running_in_background(lambda systems: posting_worker(systems, policy), "erp-return-outbox")

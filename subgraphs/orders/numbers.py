"""Order numbers for the orders we accept: ``R2`` + 8 digits, unique, and the same on a retry.

A candidate number is a hash of the submission (the idempotency scope and
the input's fingerprint, with a counter); it is taken by writing a record
``orders:number:<number>`` to the durable idempotency store, whose ``start``
is atomic across processes, so two submissions never get one number (on a
clash the next candidate is tried). The record keeps the submission's draft:
a retry of the same key and input after a failure part-way (the key was
abandoned) finds its number taken *by itself* and resumes with the very same
draft (number, time, prices, locations, downstream idempotency key), so every
system's idempotent create recognises it. ``R1`` numbers are the legacy
estate's; ``R2`` ones are ours.
"""

from __future__ import annotations

import dataclasses
import hashlib

from resolvers.domain import OrderDraft
from storage import IdempotencyStore, StartStatus
from subgraphs.orders.posting import decode_draft, encode_draft

__all__ = ["NUMBER_TTL_S", "allocate_number", "is_ours"]

NUMBER_TTL_S = 10 * 365 * 86_400.0
"""Numbers are never handed out twice in this long."""
_DIGITS = 10**8


def is_ours(number: str) -> bool:
    """Whether ``number`` is of the form we hand out (``R2`` + 8 digits): only those can have an
    ERP posting in our outbox or events in our journal."""
    return len(number) == 10 and number.startswith("R2") and number[2:].isdigit()


def _candidate(submission: str, attempt: int) -> str:
    digest = hashlib.sha256(f"{submission}#{attempt}".encode()).digest()
    return f"R2{int.from_bytes(digest[:8], 'big') % _DIGITS:08d}"


async def allocate_number(
    store: IdempotencyStore, draft: OrderDraft, *, scope: str, print_: str
) -> tuple[OrderDraft, bool]:
    """``draft`` with its number and downstream key, and True; or the stored draft of an earlier
    try of this submission, and False."""
    submission = f"{scope}|{print_}"
    key = hashlib.sha256(submission.encode()).hexdigest()[:40]
    for attempt in range(1000):
        number = _candidate(submission, attempt)
        mine = dataclasses.replace(draft, number=number, idempotency_key=key)
        record = f"orders:number:{number}"
        started = await store.start(record, submission, NUMBER_TTL_S)
        if started.status is StartStatus.STARTED:
            await store.complete(record, encode_draft(mine), NUMBER_TTL_S)
            return mine, True
        if started.fingerprint == submission:
            if started.result is not None:
                return decode_draft(started.result), False
            await store.complete(record, encode_draft(mine), NUMBER_TTL_S)  # an earlier try died between
            return mine, True  # its two writes, before anything was created
    raise RuntimeError("no free order number after 1000 candidates")

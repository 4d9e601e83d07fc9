"""The gateway's own timeline events of the orders it accepted (ORDER_ACCEPTED, STOCK_RESERVED, ...).

No system of record knows that *we* accepted an order or reserved its stock,
so ``submitOrder`` writes those facts here, keyed by order number, before it
answers; the order view merges them into the timeline with every system's
events (system ``GATEWAY``). They live in the durable idempotency store (the
key-value store every storage backend makes durable: SQLite or Redis) as a
write-once record ``orders:journal:<number>``, kept ``JOURNAL_TTL_S``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import orjson

from resolvers.domain import OrderEventRecord
from storage import IdempotencyStore, StartStatus

__all__ = ["JOURNAL_TTL_S", "gateway_events", "record_events"]

JOURNAL_TTL_S = 400 * 86_400.0
"""Longer than any return window: the events stay as long as anyone asks about the order."""


def _key(number: str) -> str:
    return f"orders:journal:{number}"


def _encode(events: Sequence[OrderEventRecord]) -> bytes:
    return orjson.dumps([{"at": e.at.isoformat(), "type": e.type, "message": e.message} for e in events])


def _decode(raw: bytes) -> tuple[OrderEventRecord, ...]:
    try:
        rows = orjson.loads(raw)
        return tuple(
            OrderEventRecord(datetime.fromisoformat(row["at"]), "GATEWAY", row["type"], row.get("message"))
            for row in rows
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return ()


async def record_events(store: IdempotencyStore, number: str, events: Sequence[OrderEventRecord]) -> None:
    """Keep ``events`` for order ``number`` (the first write wins: a resumed submission keeps the first)."""
    key = _key(number)
    started = await store.start(key, number, JOURNAL_TTL_S)
    if started.status is StartStatus.IN_PROGRESS:  # a writer died between its two steps
        await store.abandon(key)
        started = await store.start(key, number, JOURNAL_TTL_S)
    if started.status is StartStatus.STARTED:
        await store.complete(key, _encode(events), JOURNAL_TTL_S)


async def gateway_events(
    store: IdempotencyStore, numbers: Sequence[str]
) -> list[tuple[OrderEventRecord, ...]]:
    """Each order's gateway events, oldest first as written (empty for an order we did not accept)."""
    records = await asyncio.gather(*(store.get(_key(number)) for number in numbers))
    return [
        _decode(record.result) if record is not None and record.result is not None else ()
        for record in records
    ]

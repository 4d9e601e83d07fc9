"""``Query.orders``: one newest-first listing over every system that lists orders, with an opaque cursor.

Each round asks every listing (:mod:`subgraphs.orders.sources`) for the
positions below the cursor, merges them newest first (by time, then number;
one entry per number), and keeps only what is certain: positions not below
the lowest one a still-unfinished system returned (anything lower may have
unseen neighbours there). Those orders are merged by number
(:mod:`subgraphs.orders.reads`, one batch per round; what the listings already
read of them counts as those systems' records) and filtered by the
merged ``status`` and ``channel``, until ``first`` (plus one, to know whether
a next page exists) are found, every system is exhausted, ``MAX_SCAN``
orders were looked at, or the scan has run ``SCAN_BUDGET`` seconds when a
round ends (then the page may be short; its cursor continues the scan).

A round looks at no more than ``ROUND`` orders (a status scan: that many):
an online order costs a Shopify read (about 28 points of a bucket restored
at 50 a second once the request's price is refunded), so 25 orders take
Shopify up to ~14 s when its bucket is empty, and a round of 100 would
outlast the gateway's 30 s subgraph timeout. A listing of a channel whose
orders Shopify never holds (STORE, CLIENTELING, CALL_CENTER) goes in rounds
of ``ROUND_OFFLINE``, fewer rounds one after another. With the budget
checked between rounds a page answers within one round of it, and every
page makes progress. A status scan asks the listings for its next round
while the current round's orders load (the next round starts below the
current one's last position), one call fewer on each round's chain.

The cursor is the base64 of the last position (time, number): the next page
starts strictly below it, so orders placed meanwhile do not shift pages.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from dataclasses import dataclass
from datetime import datetime

import orjson

from subgraphs.common.app import RequestContext
from subgraphs.common.errors import BadUserInput
from subgraphs.domain.enums import Channel, OrderStatus
from subgraphs.orders.reads import OrderDetail, load_orders, prime_records
from subgraphs.orders.sources import Listing, Position, listings

__all__ = [
    "MAX_PAGE",
    "MAX_SCAN",
    "ROUND",
    "ROUND_OFFLINE",
    "SCAN_BUDGET",
    "OrderPage",
    "decode_cursor",
    "encode_cursor",
    "list_orders",
]

MAX_PAGE = 100
MAX_SCAN = 500
"""Orders one page may look at to find ``first`` of a status."""
ROUND = 25
"""Orders one round looks at when some may be online ones (Shopify reads)."""
ROUND_OFFLINE = 50
"""Orders one round looks at when none is online (a listing of another channel)."""
SCAN_BUDGET = 5.0
"""Seconds after which no further round starts (the page answers what it found)."""


@dataclass(frozen=True, slots=True)
class OrderPage:
    items: list[tuple[Position, OrderDetail]]
    has_next_page: bool
    end_cursor: str | None


def encode_cursor(position: Position) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([position.at.isoformat(), position.number])).decode()


def decode_cursor(cursor: str) -> Position:
    """The position in ``cursor``; BadUserInput for anything this API did not give out."""
    try:
        at, number = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        moment = datetime.fromisoformat(at)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BadUserInput("after is not a cursor this API gave out", argument="after") from exc
    if not isinstance(number, str) or moment.tzinfo is None:
        raise BadUserInput("after is not a cursor this API gave out", argument="after")
    return Position(moment, number)


async def _round(sources: list[Listing], before: Position | None, want: int) -> tuple[list[Position], bool]:
    """The next certain positions below ``before`` (newest first), and whether nothing is left after."""
    slices = await asyncio.gather(*(source.below(before, want) for source in sources))
    merged: dict[str, Position] = {}
    for piece in slices:
        for position in piece.positions:
            known = merged.get(position.number)
            merged[position.number] = max(position, known) if known else position
    floors = [piece.positions[-1] for piece in slices if not piece.exhausted and piece.positions]
    horizon = max(floors) if floors else None
    certain = sorted((p for p in merged.values() if horizon is None or p >= horizon), reverse=True)
    done = all(piece.exhausted for piece in slices)
    return certain[:want], done and len(certain) <= want


def _matches(detail: OrderDetail, status: OrderStatus | None, channel: Channel | None) -> bool:
    view = detail.view
    return (status is None or view.status is status) and (channel is None or view.channel is channel)


_RoundTask = asyncio.Task[tuple[list[Position], bool]]


async def _scan(
    ctx: RequestContext,
    sources: list[Listing],
    before: Position | None,
    first: int,
    status: OrderStatus | None,
    channel: Channel | None,
) -> tuple[list[tuple[Position, OrderDetail]], Position | None, bool]:
    """The orders found (up to ``first`` + 1), the last position looked at, and whether every
    system is exhausted. A status scan lists its next round while this one's orders load."""
    found: list[tuple[Position, OrderDetail]] = []
    scanned, finished = 0, False
    deadline = time.monotonic() + SCAN_BUDGET
    size = ROUND if channel in (None, Channel.ONLINE) else ROUND_OFFLINE
    ahead: _RoundTask | None = None
    try:
        while len(found) <= first and scanned < MAX_SCAN and not finished:
            if scanned and time.monotonic() >= deadline:
                break
            want = size if status is not None else min(first + 1 - len(found), size)
            if ahead is not None:
                positions, finished = await ahead
                ahead = None
            else:
                positions, finished = await _round(sources, before, min(want, MAX_SCAN - scanned))
            if not positions:
                finished = True
                break
            left = MAX_SCAN - scanned - len(positions)
            if status is not None and not finished and left > 0:
                ahead = asyncio.ensure_future(_round(sources, positions[-1], min(size, left)))
            numbers = [p.number for p in positions]
            listed = await asyncio.gather(*(source.records(numbers) for source in sources))
            prime_records(ctx, [record for records in listed for record in records])
            details = await load_orders(ctx, numbers)
            for position, detail in zip(positions, details, strict=True):
                scanned += 1
                before = position
                if detail is not None and _matches(detail, status, channel):
                    found.append((position, detail))
                    if len(found) > first:
                        break
        return found, before, finished
    finally:
        if ahead is not None:
            ahead.cancel()
            if ahead.done() and not ahead.cancelled():
                ahead.exception()  # retrieved: a round no one waits for fails quietly


async def list_orders(
    ctx: RequestContext,
    first: int,
    after: str | None,
    status: OrderStatus | None,
    channel: Channel | None,
) -> OrderPage:
    """One page of orders, newest first (see the module docstring)."""
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}", argument="first")
    before = decode_cursor(after) if after else None
    if first == 0:
        return OrderPage([], True, after)
    found, before, finished = await _scan(ctx, listings(ctx.systems, channel), before, first, status, channel)
    items = found[:first]
    if len(found) > first:
        return OrderPage(items, True, encode_cursor(items[-1][0]))
    if finished or before is None:
        return OrderPage(items, False, encode_cursor(items[-1][0]) if items else None)
    return OrderPage(items, True, encode_cursor(before))  # scanned MAX_SCAN: continue from there

"""``Query.orders``: one newest-first listing over every system that lists orders, with an opaque cursor.

Each round takes the next positions below the cursor from the listings
(:mod:`subgraphs.orders.sources`: the OMS's, the POS's per ten stores),
merged newest first (by time, then number; one entry per number) by
:mod:`subgraphs.orders.streams`, which reads a listing again only when the
merge has used up what it read, and takes only certain positions. Those
orders are merged by number
(:mod:`subgraphs.orders.reads`, one batch per round; what the listings already
read of them counts as those systems' records) and filtered by the
merged ``status`` and ``channel`` (the listings already ask their systems only
for orders of that channel and, for PENDING, ON_HOLD and IN_PROGRESS, only for
the status words such an order can carry there, so a status scan looks at
candidates, not at every order), until ``first`` (plus one, to know whether
a next page exists) are found, every system is exhausted, ``MAX_SCAN``
orders were looked at, or the scan has run ``SCAN_BUDGET`` seconds (then the
page may be short; its cursor continues the scan). The budget is checked
when a round ends, and while a later round's orders load: past it, the page
ends where the last whole round did (that round's orders load on into the
caches, for the next page).

A round looks at no more than ``ROUND`` orders (a status scan: that many):
an online order costs a Shopify read (about 28 points of a bucket restored
at 50 a second once the request's price is refunded), so 25 orders take
Shopify up to ~14 s when its bucket is empty, and a round of 100 would
outlast the gateway's 30 s subgraph timeout. A listing of a channel whose
orders Shopify never holds (STORE, CLIENTELING, CALL_CENTER) goes in rounds
of ``ROUND_OFFLINE``, fewer rounds one after another. With the budget
checked between rounds and while a later round loads, a page answers within
its first round or the budget, and every page makes progress. A status scan
reads the listings its next round needs (those the merge used up) while the
current round's orders load, one call fewer on each round's chain.

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
from subgraphs.common.futures import leave_running
from subgraphs.domain.enums import Channel, OrderStatus
from subgraphs.orders.reads import OrderDetail, load_orders, prime_records
from subgraphs.orders.sources import Listing, Position, listings
from subgraphs.orders.streams import Merged

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


def _matches(detail: OrderDetail, status: OrderStatus | None, channel: Channel | None) -> bool:
    view = detail.view
    return (status is None or view.status is status) and (channel is None or view.channel is channel)


async def _within(loading: asyncio.Future[list[OrderDetail | None]], deadline: float) -> bool:
    """Whether ``loading`` finished before ``deadline`` (monotonic seconds)."""
    done, _ = await asyncio.wait([loading], timeout=max(deadline - time.monotonic(), 0.0))
    return bool(done)


async def _scan(
    ctx: RequestContext,
    sources: list[Listing],
    before: Position | None,
    first: int,
    status: OrderStatus | None,
    channel: Channel | None,
) -> tuple[list[tuple[Position, OrderDetail]], Position | None, bool]:
    """The orders found (up to ``first`` + 1), the last position looked at, and whether every
    system is exhausted. A status scan reads its next round's listings while this one's orders load."""
    found: list[tuple[Position, OrderDetail]] = []
    scanned, finished = 0, False
    deadline = time.monotonic() + SCAN_BUDGET
    size = ROUND if channel in (None, Channel.ONLINE) else ROUND_OFFLINE
    merged = Merged(sources, before)
    try:
        while len(found) <= first and scanned < MAX_SCAN and not finished:
            if scanned and time.monotonic() >= deadline:
                break
            want = size if status is not None else min(first + 1 - len(found), size)
            positions, finished = await merged.take(min(want, MAX_SCAN - scanned))
            if not positions:
                finished = True
                break
            if status is not None and not finished:
                merged.read_ahead(size)
            numbers = [p.number for p in positions]
            listed = await asyncio.gather(*(source.records(numbers) for source in sources))
            prime_records(ctx, [record for records in listed for record in records])
            loading = asyncio.ensure_future(load_orders(ctx, numbers))
            if scanned and not await _within(loading, deadline):
                # Out of time in a later round (Shopify's bucket spent on online orders): the page
                # ends where the last whole round did; this round's orders load on into the caches.
                leave_running(loading)
                finished = False
                break
            details = await loading
            for position, detail in zip(positions, details, strict=True):
                scanned += 1
                before = position
                if detail is not None and _matches(detail, status, channel):
                    found.append((position, detail))
                    if len(found) > first:
                        break
        return found, before, finished
    finally:
        merged.close()


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
    sources = await listings(ctx.systems, channel, status)
    found, before, finished = await _scan(ctx, sources, before, first, status, channel)
    items = found[:first]
    if len(found) > first:
        return OrderPage(items, True, encode_cursor(items[-1][0]))
    if finished or before is None:
        return OrderPage(items, False, encode_cursor(items[-1][0]) if items else None)
    return OrderPage(items, True, encode_cursor(before))  # scanned MAX_SCAN: continue from there

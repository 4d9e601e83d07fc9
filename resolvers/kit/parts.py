"""One batch read sent as upstream calls that fit the system's query limit and what its bucket holds now.

A metered system (Shopify) admits a query only when its *requested* cost is
at most what the bucket holds, and then refunds the difference to its
*actual* cost (an order asked with room for 10 lines and 3 fulfillments is
priced at 123 points and usually costs about 28). Parts sized only by the
single-query limit (8 orders, 986 points) each need a nearly full bucket, so
a batch of 26 orders waited ~20 s for refills that the refunds would have
made needless. :func:`load_in_parts` sizes parts by the bucket instead:

- everything fits now (or the system is unpaced): balanced parts of at most
  ``most`` keys, all sent at once (:func:`split`);
- otherwise parts as large as the room left (``room()``, the limiter's
  estimate, less what the parts already sent will take), sent at once while
  they fit; when the next would not, it waits for a running part to answer
  (its refund is back in the estimate then) and sizes the next from that;
  with nothing running it sends the smallest part (one key), which waits in
  the limiter for its tokens.

Pacing itself stays with the limiter (each part takes its tokens before it
is sent); this only decides the sizes. A failing part fails the read, and
the parts still running are cancelled.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

__all__ = ["fit", "load_in_parts", "split"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


def split(items: Sequence[T], most: int) -> list[list[T]]:
    """``items`` in the fewest parts of at most ``most``, of sizes differing by at most one."""
    if not items:
        return []
    parts = math.ceil(len(items) / max(1, most))
    size, extra = divmod(len(items), parts)
    out: list[list[T]] = []
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def fit(price: Callable[[int], float], budget: float, most: int) -> int:
    """The largest ``n <= most`` with ``price(n) <= budget`` (price grows with n); 0 if none."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if price(middle) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


async def load_in_parts(
    keys: Sequence[K],
    most: int,
    price: Callable[[int], float],
    room: Callable[[], float | None],
    send: Callable[[list[K]], Awaitable[dict[K, V]]],
) -> dict[K, V]:
    """Every answer of ``send`` over parts of ``keys`` (module docstring); ``price(n)`` prices n keys."""
    parts = split(keys, max(1, most))
    budget = room()
    if budget is None or sum(price(len(part)) for part in parts) <= budget:
        return _merged(await asyncio.gather(*(send(part) for part in parts)))
    return await _paced(list(keys), max(1, most), price, room, send, budget)


def _merged(answers: Sequence[dict[K, V]]) -> dict[K, V]:
    found: dict[K, V] = {}
    for answer in answers:
        found.update(answer)
    return found


async def _paced(
    pending: list[K],
    most: int,
    price: Callable[[int], float],
    room: Callable[[], float | None],
    send: Callable[[list[K]], Awaitable[dict[K, V]]],
    budget: float,
) -> dict[K, V]:
    """Parts sized by ``budget``; once none fits, by ``room()`` after each answer."""
    found: dict[K, V] = {}
    running: set[asyncio.Task[dict[K, V]]] = set()
    try:
        while pending:
            size = fit(price, budget, min(most, len(pending)))
            if size == 0 and running:
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                found.update(_merged([task.result() for task in done]))
                budget = room() or 0.0  # the answers' refunds are in it; running parts took theirs
                continue
            size = max(1, size)
            part, pending = pending[:size], pending[size:]
            running.add(asyncio.ensure_future(send(part)))
            budget -= price(size)
        found.update(_merged(await asyncio.gather(*running)))
        return found
    finally:
        for task in running:
            task.cancel()

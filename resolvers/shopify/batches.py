"""Batch reads split to fit Shopify's single-query cost limit and its bucket, each key cached.

A batch (100 SKUs' variants, 50 orders) can cost more than one query may
(``max_query_cost``, 1000 points). :func:`read_batches` is one
``kit.read_many`` (per-key cache entries, stale per key on outages) whose
missing keys go upstream in balanced parts of at most ``most`` keys sent at
once, each priced and paced by its requested cost. With ``refunded`` (a
document whose price Shopify mostly refunds on answer: orders and returns,
asked with room for every line and fulfillment they may have) the parts are
sized to what the bucket holds instead (:mod:`resolvers.kit.parts`), so
smaller parts go through on the refunds where full-sized ones would each
wait for a refill; where price and actual cost agree, splitting would only
add requests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from resolvers.kit.call import ConnectorKit
from resolvers.kit.many import ManyCall
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.settings import SYSTEM

__all__ = ["read_batches"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


async def read_batches(
    kit: ConnectorKit,
    operation: str,
    keys: Sequence[K],
    *,
    most: int,
    fetch: Callable[[UpstreamHttp, list[K]], Awaitable[dict[K, V]]],
    cost: Callable[[int], float],
    refunded: bool = False,
) -> ManyCall[K, V]:
    """Read ``keys`` in parts of at most ``most`` (module docstring); ``cost(n)`` prices a part of n keys."""
    return await kit.read_many(SYSTEM, operation, keys, fetch, cost=cost, most=most, fit_to_bucket=refunded)

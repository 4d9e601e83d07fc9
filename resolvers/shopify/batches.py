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
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.settings import SYSTEM

__all__ = ["Batch", "read_batches"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)  # no slots: with Generic they break `Cls[int](...)`
class Batch(Generic[K, V]):
    """What a split batch read answered: the values Shopify holds, which are stale, and when stored."""

    values: dict[K, V] = field(default_factory=dict)
    stale: frozenset[K] = frozenset()
    stored_at: dict[K, float] = field(default_factory=dict)


async def read_batches(
    kit: ConnectorKit,
    operation: str,
    keys: Sequence[K],
    *,
    most: int,
    fetch: Callable[[UpstreamHttp, list[K]], Awaitable[dict[K, V]]],
    cost: Callable[[int], float],
    refunded: bool = False,
) -> Batch[K, V]:
    """Read ``keys`` in parts of at most ``most`` (module docstring); ``cost(n)`` prices a part of n keys."""
    call = await kit.read_many(SYSTEM, operation, keys, fetch, cost=cost, most=most, fit_to_bucket=refunded)
    return Batch(call.values, call.stale_keys, call.stored_at)

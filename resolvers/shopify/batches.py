"""Batch reads split to fit Shopify's single-query cost limit and its bucket, each key cached.

A batch (100 SKUs' variants, 50 orders) can cost more than one query may
(``max_query_cost``, 1000 points). :func:`read_batches` is one
``kit.read_many`` (per-key cache entries, stale per key on outages) whose
missing keys go upstream in parts of at most ``most`` keys, each priced and
paced by its requested cost and sized to what the bucket holds
(:mod:`resolvers.kit.parts`): a part asked with room for every line
Shopify may hold is refunded most of its price on answer, so several
smaller parts go through where full-sized ones would each wait for a refill.
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
) -> Batch[K, V]:
    """Read ``keys`` in parts of at most ``most`` (module docstring); ``cost(n)`` prices a part of n keys."""
    call = await kit.read_many(SYSTEM, operation, keys, fetch, cost=cost, most=most)
    return Batch(call.values, call.stale_keys, call.stored_at)

"""Batch reads split to fit Shopify's single-query cost limit, each part cached per key.

A batch (100 SKUs' variants, 50 orders) can cost more than one query may
(``max_query_cost``, 1000 points). :func:`read_batches` splits the keys into
the fewest parts that fit, of balanced size, and reads them concurrently,
each with ``kit.read_many`` (per-key cache entries, one upstream call for the
keys of the part the cache cannot answer, stale per key on outages) paced by
the part's requested cost. :func:`split` is the balanced split.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.settings import SYSTEM

__all__ = ["Batch", "read_batches", "split"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


@dataclass(frozen=True)  # no slots: with Generic they break `Cls[int](...)`
class Batch(Generic[K, V]):
    """What a split batch read answered: the values Shopify holds, which are stale, and when stored."""

    values: dict[K, V] = field(default_factory=dict)
    stale: frozenset[K] = frozenset()
    stored_at: dict[K, float] = field(default_factory=dict)


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
    parts = split(list(dict.fromkeys(keys)), most)
    calls = await asyncio.gather(
        *(kit.read_many(SYSTEM, operation, part, fetch, cost=cost(len(part))) for part in parts)
    )
    values: dict[K, V] = {}
    stale: set[K] = set()
    stored_at: dict[K, float] = {}
    for call in calls:
        values.update(call.values)
        stale.update(call.stale_keys)
        stored_at.update(call.stored_at)
    return Batch(values, frozenset(stale), stored_at)

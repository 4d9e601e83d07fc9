"""Token buckets: the interface for pacing calls, shared across gateway instances.

A bucket holds up to ``capacity`` tokens and refills continuously at
``refill_per_second``. A bucket nobody has touched is full. ``acquire`` takes
``cost`` tokens if that many are there (all or nothing) and otherwise says how
long until they will be. ``sync`` overwrites the level with what an upstream
reports about itself (Shopify's ``throttleStatus.currentlyAvailable``), so our
local view never drifts far from the real limiter.

Bucket parameters travel with every call rather than being configured up
front: the caller owns the policy, the store owns the state. Implementations:
``storage.memory.MemoryTokenBuckets`` and ``storage.redis.RedisTokenBuckets``
(one Lua script, timed by the Redis server's clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from storage._validate import require_non_negative, require_positive

__all__ = ["BucketResult", "TokenBuckets", "check_bucket_args"]


@dataclass(frozen=True, slots=True)
class BucketResult:
    """The outcome of one ``acquire``."""

    allowed: bool
    remaining: float
    """Tokens left after this call (after the deduction when allowed)."""
    retry_after_seconds: float
    """0 when allowed; otherwise seconds until ``cost`` tokens will be there
    (``math.inf`` if never: cost above capacity, or no refill)."""


@runtime_checkable
class TokenBuckets(Protocol):
    """Named token buckets; every operation on one bucket is atomic."""

    async def acquire(self, key: str, cost: float, capacity: float, refill_per_second: float) -> BucketResult:
        """Take ``cost`` tokens from bucket ``key`` if it holds that many, else take none."""
        ...

    async def sync(self, key: str, available: float, capacity: float, refill_per_second: float) -> None:
        """Set bucket ``key``'s level to ``available`` (clamped to ``[0, capacity]``) as of now."""
        ...


def check_bucket_args(cost: float, capacity: float, refill_per_second: float) -> None:
    """Reject nonsense bucket parameters with ``ValueError`` (the same in every backend)."""
    require_non_negative("cost", cost)
    require_positive("capacity", capacity)
    require_non_negative("refill_per_second", refill_per_second)

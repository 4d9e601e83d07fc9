"""In-process token buckets, refilled lazily from the injectable clock.

A bucket is stored as ``(tokens, updated_at)`` and refilled on each touch;
a bucket never seen is full. At most ``max_buckets`` are kept, least
recently used dropped first (dropping a bucket resets it to full, which errs
towards letting calls through). One event loop only.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from storage._validate import require_finite, require_positive
from storage.clock import Clock, system_clock
from storage.ratelimit import BucketResult, check_bucket_args

__all__ = ["MemoryTokenBuckets"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated_at: float


def _refill(bucket: _Bucket, now: float, capacity: float, refill_per_second: float) -> float:
    elapsed = max(0.0, now - bucket.updated_at)
    return min(capacity, bucket.tokens + elapsed * refill_per_second)


def _retry_after(tokens: float, cost: float, capacity: float, refill_per_second: float) -> float:
    if cost > capacity or refill_per_second <= 0:
        return math.inf
    return (cost - tokens) / refill_per_second


class MemoryTokenBuckets:
    """:class:`~storage.ratelimit.TokenBuckets` held in this process."""

    def __init__(self, max_buckets: int = 100_000, *, clock: Clock = system_clock) -> None:
        require_positive("max_buckets", max_buckets)
        self._max_buckets = int(max_buckets)
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _touch(self, key: str, capacity: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=capacity, updated_at=self._clock())
            self._buckets[key] = bucket
            while len(self._buckets) > self._max_buckets:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket

    async def acquire(self, key: str, cost: float, capacity: float, refill_per_second: float) -> BucketResult:
        check_bucket_args(cost, capacity, refill_per_second)
        bucket = self._touch(key, capacity)
        now = self._clock()
        tokens = _refill(bucket, now, capacity, refill_per_second)
        bucket.tokens, bucket.updated_at = tokens, now
        if tokens >= cost:
            bucket.tokens = tokens - cost
            return BucketResult(allowed=True, remaining=bucket.tokens, retry_after_seconds=0.0)
        wait = _retry_after(tokens, cost, capacity, refill_per_second)
        return BucketResult(allowed=False, remaining=tokens, retry_after_seconds=wait)

    async def sync(self, key: str, available: float, capacity: float, refill_per_second: float) -> None:
        check_bucket_args(0.0, capacity, refill_per_second)
        require_finite("available", available)
        bucket = self._touch(key, capacity)
        bucket.tokens = min(capacity, max(0.0, available))
        bucket.updated_at = self._clock()

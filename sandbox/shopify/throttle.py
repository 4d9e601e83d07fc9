"""The leaky bucket behind calculated query costs, one per app (access token).

A request takes its requested cost up front (refused when the bucket holds
less), and gets back the difference between requested and actual cost after
it ran. The bucket refills continuously at the restore rate up to its size.
Size and rate are read from the knobs on every call, so changing them applies
at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Buckets"]


@dataclass(slots=True)
class _Bucket:
    available: float
    updated: float


class Buckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._clock = clock

    def _bucket(self, app: str, size: float, rate: float) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(app)
        if bucket is None:
            bucket = self._buckets[app] = _Bucket(size, now)
        bucket.available = min(size, bucket.available + (now - bucket.updated) * rate)
        bucket.updated = now
        return bucket

    def take(self, app: str, cost: float, size: float, rate: float) -> bool:
        """Deduct ``cost`` if the bucket holds that much; False (nothing taken) otherwise."""
        bucket = self._bucket(app, size, rate)
        if bucket.available < cost:
            return False
        bucket.available -= cost
        return True

    def refund(self, app: str, points: float, size: float, rate: float) -> None:
        bucket = self._bucket(app, size, rate)
        bucket.available = min(size, bucket.available + max(points, 0.0))

    def status(self, app: str, size: float, rate: float) -> dict[str, Any]:
        """Shopify's ``throttleStatus``."""
        bucket = self._bucket(app, size, rate)
        return {
            "maximumAvailable": float(size),
            "currentlyAvailable": math.floor(bucket.available),
            "restoreRate": float(rate),
        }

"""The store's leaky bucket as this process last heard it, allowed to owe points.

The kit paces every request on the shared bucket (``storage.TokenBuckets``),
synced from each answer's ``throttleStatus``. That store clamps a level to
``[0, capacity]``, so when our own requests in flight already ask for more
than Shopify said it had (a burst, or a latency spike that let answers lag),
the shortfall is forgotten: the shared bucket restarts from 0 and lets new
requests through while Shopify's restore still pays for the old ones, and
they come back THROTTLED.

:class:`StoreBucket` keeps that shortfall as a negative level: the exchange
takes each request's cost from it after the kit's pacing, and a request
waits here while the level is short (at most ``max_wait``; past it the
request is not sent and fails with ``UpstreamRateLimited``, which the kit may
retry). In the steady state both buckets agree and nothing waits here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

__all__ = ["StoreBucket"]


class StoreBucket:
    """A token bucket whose level may go below zero (module docstring)."""

    def __init__(
        self, capacity: float, restore_rate: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.restore_rate = restore_rate
        self._clock = clock
        self._level = capacity
        self._at = clock()
        self._changed = asyncio.Event()

    def level(self) -> float:
        """Points available now (negative while we owe)."""
        elapsed = max(0.0, self._clock() - self._at)
        return min(self.capacity, self._level + elapsed * self.restore_rate)

    def wait_for(self, cost: float) -> float:
        """Seconds until ``cost`` points are there (0 now; a cost above capacity never waits)."""
        short = min(cost, self.capacity) - self.level()
        if short <= 0 or self.restore_rate <= 0:
            return 0.0
        return short / self.restore_rate

    async def take(self, cost: float, *, max_wait: float) -> float | None:
        """Take ``cost`` points, waiting for them; the seconds waited, or None past ``max_wait``."""
        started = self._clock()
        while (needed := self.wait_for(cost)) > 0:
            if self._clock() - started + needed > max_wait:
                return None
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), needed)
        self._level = self.level() - cost
        self._at = self._clock()
        return self._clock() - started

    def set(self, available: float, capacity: float, restore_rate: float) -> None:
        """What Shopify reports (``available`` may be negative: points our requests in flight owe)."""
        self.capacity = capacity
        self.restore_rate = restore_rate
        self._level = min(capacity, available)
        self._at = self._clock()
        self._changed.set()  # wake the waiters: their wait was computed from the old level
        self._changed = asyncio.Event()

"""Upstream pacing: wait for our own tokens rather than provoke a system's rate limiter.

Each system (or an operation with a rate of its own) has one token bucket in
:class:`storage.TokenBuckets` under ``conn:{system}`` (``conn:{system}:{operation}``),
so every gateway instance sharing a Redis shares one limit. A call costs 1
token, or its calculated query cost for Shopify.

- :meth:`UpstreamLimiter.wait` takes ``cost`` tokens, sleeping until they are
  there; if that would take longer than the policy's ``max_wait`` it raises
  :class:`~resolvers.errors.UpstreamRateLimited` at once instead of queueing.
- :meth:`UpstreamLimiter.observe` corrects the bucket from what the system
  reports about its own (Shopify ``throttleStatus``: currentlyAvailable,
  maximumAvailable, restoreRate). A reported size or rate below the policy's
  is remembered and used from then on: we only ever adapt downwards.
- :meth:`UpstreamLimiter.pause` honours a 429's ``Retry-After``: this process
  sends nothing on that bucket until it has passed, and the shared bucket is
  drained so the other instances slow down too.

If the bucket store fails (Redis down) the call goes ahead unpaced, with a
warning: pacing protects the upstream, it must not take the gateway down.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

from resolvers.errors import UpstreamRateLimited, UpstreamRejected
from resolvers.policy import ConnectorPolicies, RatePolicy
from storage import StorageError, TokenBuckets

__all__ = ["Sleep", "UpstreamLimiter"]

Sleep = Callable[[float], Awaitable[None]]

_log = logging.getLogger(__name__)
_MARGIN = 0.0005  # sleep a little past the refill, so float rounding never costs a second round


class UpstreamLimiter:
    """Paces calls per system on shared token buckets."""

    def __init__(
        self,
        buckets: TokenBuckets,
        policies: ConnectorPolicies,
        *,
        namespace: str = "conn",
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._buckets = buckets
        self._policies = policies
        self._namespace = namespace
        self._clock = clock
        self._sleep = sleep
        self._learned: dict[str, tuple[float, float]] = {}
        self._paused_until: dict[str, float] = {}
        self._seen: dict[str, tuple[float, float]] = {}
        """Per bucket: the tokens it last held as far as this process knows, and when."""

    def _bucket(self, system: str, operation: str) -> tuple[str, RatePolicy | None]:
        policy = self._policies.resolve(system, operation)
        return policy.rate_bucket, policy.rate

    def _shape(self, bucket: str, rate: RatePolicy) -> tuple[float, float]:
        learned = self._learned.get(bucket)
        if learned is None:
            return rate.burst, rate.rate
        return min(rate.burst, learned[0]), min(rate.rate, learned[1])

    def room(self, system: str, operation: str = "", *, within: float = 0.0) -> float | None:
        """The tokens the bucket likely holds ``within`` seconds from now (None: unpaced), from
        what this process last saw.

        An estimate for sizing requests (:mod:`resolvers.kit.parts`): other
        instances sharing the bucket take from it unseen; :meth:`wait` decides.
        """
        bucket, rate = self._bucket(system, operation)
        if rate is None:
            return None
        if self._paused_until.get(bucket, 0.0) > self._clock():
            return 0.0
        capacity, refill = self._shape(bucket, rate)
        seen = self._seen.get(bucket)
        if seen is None:
            return capacity
        tokens, at = seen
        return min(capacity, tokens + (max(0.0, self._clock() - at) + within) * refill)

    def bucket_key(self, system: str, operation: str = "") -> str:
        """The storage key of the bucket pacing ``system`` / ``operation``."""
        return f"{self._namespace}:{self._bucket(system, operation)[0]}"

    async def wait(self, system: str, operation: str = "", cost: float = 1.0) -> float:
        """Sleep until ``cost`` tokens are ours; returns the seconds waited (0 if unpaced or at once).

        A pause (:meth:`pause`) is honoured even for an unpaced system, bounded
        by its retry policy's ``max_retry_after`` instead of ``max_wait``.
        """
        policy = self._policies.resolve(system, operation)
        bucket, rate = policy.rate_bucket, policy.rate
        max_wait = policy.retry.max_retry_after if rate is None else rate.max_wait
        capacity, refill = (0.0, 0.0) if rate is None else self._shape(bucket, rate)
        if rate is not None and cost > capacity:
            raise UpstreamRejected(
                f"cost {cost} exceeds the bucket of {capacity}",
                system=system,
                operation=operation,
                upstream_code="COST_EXCEEDS_BUCKET",
            )
        key = f"{self._namespace}:{bucket}"
        waited = 0.0
        while True:
            needed = self._paused_until.get(bucket, 0.0) - self._clock()
            if needed <= 0:
                if rate is None:
                    return waited
                try:
                    result = await self._buckets.acquire(key, cost, capacity, refill)
                except StorageError:
                    _log.warning("rate-limit store failed for %s; calling unpaced", key, exc_info=True)
                    return waited
                self._seen[bucket] = (result.remaining, self._clock())
                if result.allowed:
                    return waited
                needed = result.retry_after_seconds
            if waited + needed > max_wait:
                raise UpstreamRateLimited(
                    f"pacing would wait {needed:.3f}s more, past the bound of {max_wait}s",
                    system=system,
                    operation=operation,
                    retry_after=needed if math.isfinite(needed) else None,
                )
            needed = max(needed, 0.0) + _MARGIN
            await self._sleep(needed)
            waited += needed

    async def observe(
        self,
        system: str,
        operation: str = "",
        *,
        available: float,
        capacity: float | None = None,
        refill_per_second: float | None = None,
    ) -> None:
        """Set the bucket to what the upstream reports (tokens ``available``, and its size and rate)."""
        bucket, rate = self._bucket(system, operation)
        if rate is None or not math.isfinite(available):
            return
        if capacity is not None or refill_per_second is not None:
            size = min(rate.burst, capacity) if capacity is not None and capacity > 0 else rate.burst
            speed = rate.rate
            if refill_per_second is not None and refill_per_second > 0:
                speed = min(rate.rate, refill_per_second)
            self._learned[bucket] = (size, speed)
        size, speed = self._shape(bucket, rate)
        self._seen[bucket] = (min(size, max(0.0, available)), self._clock())
        try:
            await self._buckets.sync(f"{self._namespace}:{bucket}", available, size, speed)
        except StorageError:
            _log.warning("rate-limit store failed syncing %s", bucket, exc_info=True)

    async def pause(self, system: str, operation: str = "", *, seconds: float) -> None:
        """Send nothing on this bucket for ``seconds`` (a 429's Retry-After); drain the shared bucket."""
        bucket, rate = self._bucket(system, operation)
        if not math.isfinite(seconds) or seconds <= 0:
            return
        until = self._clock() + seconds
        self._paused_until[bucket] = max(until, self._paused_until.get(bucket, 0.0))
        if rate is not None:
            await self.observe(system, operation, available=0.0)

    def paused_for(self, system: str, operation: str = "") -> float:
        """Seconds this process still holds back calls on the bucket (0 if not paused)."""
        bucket, _ = self._bucket(system, operation)
        return max(0.0, self._paused_until.get(bucket, 0.0) - self._clock())

"""How each system is called: timeouts, caching, pacing, retries and breaking, per system and per operation.

One pydantic model tree, built once at start-up (it may be a field of the
process's settings object; nothing here reads the environment)::

    ConnectorPolicies
    └── systems: {"erp": SystemPolicy, ...}      a system not listed gets SystemPolicy()'s defaults
        ├── timeout, cache, rate, retry, breaker  the system's defaults
        └── operations: {"stock": OperationPolicy} per-operation overrides, field by field

An override names only what differs: ``{"cache": {"ttl": 5}}`` keeps the
system's ``stale_ttl``. :meth:`ConnectorPolicies.resolve` merges (and
re-validates) them into a :class:`ResolvedPolicy`, memoised per operation.

Pacing is per system (one bucket, ``rate`` of the system) unless an operation
sets its own ``rate``, which gives that operation a bucket of its own. The
breaker is per system unless ``breaker.per_operation`` is set, for the system
or for one operation (an operation's other breaker settings only apply to a
breaker of its own).
The retry *budget* is per system too, from the system's ``retry`` settings;
attempts and backoff follow the operation's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

__all__ = [
    "BreakerPolicy",
    "CachePolicy",
    "ConnectorPolicies",
    "OperationPolicy",
    "RatePolicy",
    "ResolvedPolicy",
    "RetryPolicy",
    "SystemPolicy",
]

_M = TypeVar("_M", bound=BaseModel)


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CachePolicy(_Policy):
    """Read-through caching of an operation's answers (``ttl == 0``: not cached)."""

    ttl: float = Field(0.0, ge=0)
    """Seconds an answer is fresh."""
    stale_ttl: float = Field(0.0, ge=0)
    """Seconds after that during which it is still served if the system fails (stale-if-error)."""


class RatePolicy(_Policy):
    """A token bucket: ``burst`` tokens, refilled at ``rate`` per second; a call costs 1 or its query cost."""

    rate: float = Field(gt=0)
    """Tokens per second (requests per second, or Shopify's restore rate in cost points)."""
    burst: float = Field(gt=0)
    """Bucket size (burst of requests, or Shopify's maximum available cost)."""
    max_wait: float = Field(5.0, ge=0)
    """Longest a call waits for tokens before failing with UpstreamRateLimited instead."""


class RetryPolicy(_Policy):
    """Exponential backoff with full jitter, bounded by attempts and by a per-system retry budget."""

    attempts: int = Field(3, ge=1)
    """Tries in all, the first included (1 = never retry)."""
    base_delay: float = Field(0.05, ge=0)
    """The backoff before retry n is uniform in [0, min(max_delay, base_delay * 2**n)]."""
    max_delay: float = Field(2.0, ge=0)
    landed_check_delay: float = Field(0.0, ge=0)
    """Seconds a write that may have landed waits before its "did it land?" check: a request still
    being processed upstream (the client timed out, the server did not) must have settled first."""
    max_retry_after: float = Field(10.0, ge=0)
    """A Retry-After longer than this is not waited for: the error goes back to the caller."""
    budget_ratio: float = Field(0.2, ge=0)
    """Retries may be at most this fraction of calls over the window..."""
    budget_min_per_second: float = Field(1.0, ge=0)
    """...plus this many per second, so that a quiet system can still retry."""
    budget_window: float = Field(10.0, gt=0)
    """Seconds of history the budget looks at."""


class BreakerPolicy(_Policy):
    """Closed -> open when the failure rate over the window reaches ``failure_rate`` (after ``min_calls``)."""

    window: Literal["count", "time"] = "count"
    """Judge the last ``window_size`` calls, or the calls of the last ``window_seconds``."""
    window_size: int = Field(20, ge=1)
    window_seconds: float = Field(30.0, gt=0)
    failure_rate: float = Field(0.5, gt=0, le=1)
    min_calls: int = Field(10, ge=1)
    """No verdict before this many calls in the window (at most ``window_size`` for a count window)."""
    open_seconds: float = Field(30.0, gt=0)
    """How long calls fail fast before probes are let through (half-open)."""
    half_open_probes: int = Field(1, ge=1)
    """Probes let through at once when half-open: that many successes close it, one failure reopens it."""
    per_operation: bool = False
    """One breaker per operation instead of one per system."""


class OperationPolicy(_Policy):
    """Overrides for one operation; only the fields written differ from the system's."""

    timeout: float | None = Field(None, gt=0)
    cache: CachePolicy | None = None
    rate: RatePolicy | None = None
    retry: RetryPolicy | None = None
    breaker: BreakerPolicy | None = None


class SystemPolicy(_Policy):
    """Defaults for every operation of one system, and the operations that differ."""

    timeout: float = Field(10.0, gt=0)
    """Seconds for one HTTP request, connect to last byte."""
    cache: CachePolicy = CachePolicy()
    rate: RatePolicy | None = None
    """None: the system is not paced."""
    retry: RetryPolicy = RetryPolicy()
    breaker: BreakerPolicy = BreakerPolicy()
    operations: dict[str, OperationPolicy] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResolvedPolicy:
    """Everything the kit needs for one (system, operation), overrides applied."""

    system: str
    operation: str
    timeout: float
    cache: CachePolicy
    rate: RatePolicy | None
    rate_bucket: str
    """The bucket's name: the system, or ``system:operation`` when the operation has its own rate."""
    retry: RetryPolicy
    breaker: BreakerPolicy
    breaker_key: str
    """The breaker's name: the system, or ``system:operation`` when ``breaker.per_operation``."""


def _merge(base: _M, override: _M | None) -> _M:
    if override is None:
        return base
    written = override.model_dump(exclude_unset=True)
    return type(base).model_validate({**base.model_dump(), **written})


class ConnectorPolicies(_Policy):
    """The policies of every system, resolved per operation on first use."""

    systems: dict[str, SystemPolicy] = Field(default_factory=dict)
    _resolved: dict[tuple[str, str], ResolvedPolicy] = PrivateAttr(default_factory=dict)

    def system(self, system: str) -> SystemPolicy:
        """The system's policy (the defaults if it is not configured)."""
        return self.systems.get(system) or SystemPolicy()

    def resolve(self, system: str, operation: str) -> ResolvedPolicy:
        """The effective policy for one operation of one system."""
        key = (system, operation)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._build(system, operation)
        return found

    def _build(self, system: str, operation: str) -> ResolvedPolicy:
        base = self.system(system)
        op = base.operations.get(operation) or OperationPolicy()
        rate = base.rate if op.rate is None else _merge(base.rate, op.rate) if base.rate else op.rate
        breaker = _merge(base.breaker, op.breaker)
        return ResolvedPolicy(
            system=system,
            operation=operation,
            timeout=op.timeout or base.timeout,
            cache=_merge(base.cache, op.cache),
            rate=rate,
            rate_bucket=system if op.rate is None else f"{system}:{operation}",
            retry=_merge(base.retry, op.retry),
            breaker=breaker,
            breaker_key=f"{system}:{operation}" if breaker.per_operation else system,
        )

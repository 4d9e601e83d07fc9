"""When to try an upstream call again, how long to wait first, and how many retries a system may take.

**Classification** (:func:`classify`), from the error's class flags
(:mod:`resolvers.errors`) and what kind of call failed:

- a *read* is retried when the error is ``retryable``: timeouts, 429,
  502/503/504, connection errors;
- a *write* is retried on those errors only when it is idempotent (it carries
  a key the system honours: Square ``idempotency_key``, Shopify
  ``@idempotent``), or when the request certainly never took effect
  (``maybe_landed`` False: refused connection, connect timeout, 429);
  otherwise the caller's "did it land?" check decides (``CHECK_LANDED``), and
  without one the error goes back to the caller.

**Backoff** (:func:`retry_delay`): full jitter, uniform in
``[0, min(max_delay, base_delay * 2**n)]`` before retry ``n`` (0-based), and
never less than the upstream's ``Retry-After``; a ``Retry-After`` above
``max_retry_after`` is not waited for.

**Budget** (:class:`RetryBudget`): per system, retries may be at most
``budget_ratio`` of the calls over the last ``budget_window`` seconds plus
``budget_min_per_second`` per second, so that an upstream in trouble sees at
most that much extra load from us instead of a retry storm.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from resolvers.errors import ConnectorError
from resolvers.kit._window import RollingCounts
from resolvers.policy import ConnectorPolicies, RetryPolicy

__all__ = ["RetryBudget", "RetryBudgets", "RetryVerdict", "classify", "retry_delay"]


class RetryVerdict(StrEnum):
    """What to do after a failed attempt."""

    RETRY = "retry"
    CHECK_LANDED = "check_landed"
    """A write may have taken effect: retry only if the caller's check says it did not."""
    GIVE_UP = "give_up"


def classify(error: ConnectorError, *, write: bool, idempotent: bool) -> RetryVerdict:
    """Whether ``error`` may be retried for this kind of call (attempt counts and budget aside)."""
    if not error.retryable:
        return RetryVerdict.GIVE_UP
    if not write or idempotent or not error.maybe_landed:
        return RetryVerdict.RETRY
    return RetryVerdict.CHECK_LANDED


def retry_delay(
    error: ConnectorError, retry_number: int, policy: RetryPolicy, random: Callable[[], float]
) -> float | None:
    """Seconds to sleep before retry ``retry_number`` (0-based); None if the upstream asks for too long."""
    if error.retry_after is not None and error.retry_after > policy.max_retry_after:
        return None
    ceiling = min(policy.max_delay, policy.base_delay * (2.0 ** min(retry_number, 62)))
    jittered = random() * ceiling
    return max(jittered, error.retry_after or 0.0)


class RetryBudget:
    """Token-bucket-like allowance of retries over a rolling window of calls."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._counts = RollingCounts(policy.budget_window, clock)

    def record_call(self) -> None:
        """Count one call (each call earns ``budget_ratio`` of a retry)."""
        self._counts.add(1, 0)

    def try_spend(self) -> bool:
        """Take one retry from the budget if there is one left; False means do not retry."""
        calls, retries = self._counts.totals()
        allowance = calls * self.policy.budget_ratio
        allowance += self.policy.budget_min_per_second * self.policy.budget_window
        if retries + 1 > allowance:
            return False
        self._counts.add(0, 1)
        return True

    def usage(self) -> tuple[int, int]:
        """``(calls, retries)`` in the window, for metrics and tests."""
        return self._counts.totals()


class RetryBudgets:
    """One :class:`RetryBudget` per system, made on first use from the system's retry policy."""

    def __init__(self, policies: ConnectorPolicies, clock: Callable[[], float] = time.monotonic) -> None:
        self._policies = policies
        self._clock = clock
        self._budgets: dict[str, RetryBudget] = {}

    def for_system(self, system: str) -> RetryBudget:
        budget = self._budgets.get(system)
        if budget is None:
            budget = self._budgets[system] = RetryBudget(self._policies.system(system).retry, self._clock)
        return budget

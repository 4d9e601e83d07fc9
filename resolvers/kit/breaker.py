"""Circuit breakers: stop calling a system that keeps failing, and find out when it is back.

::

    CLOSED --(failure rate >= threshold over the window, after min_calls)--> OPEN
    OPEN   --(open_seconds elapsed, on the next call)----------------------> HALF_OPEN
    HALF_OPEN --(half_open_probes successes)--> CLOSED    --(one failure)--> OPEN

Closed, every call is admitted and its outcome counted in a rolling window
(the last ``window_size`` calls, or the last ``window_seconds``). Open, every
call fails fast with :class:`~resolvers.errors.CircuitOpen` (``retry_after``
says when a probe will be allowed) without touching the network, so a dead
ERP costs nothing and the cache layer can answer stale at once. Half-open, at
most ``half_open_probes`` calls are in flight at a time.

Only errors with ``breaker_failure`` count as failures (unreachable, timeout,
5xx, garbage); a 404 or a validation error means the system is up. A call
that ends without an outcome (cancelled, or a bug in the connector) is
``ABANDONED``: it frees its probe slot and counts for nothing. Outcomes of
calls admitted before the last state change are ignored (``generation``).

One breaker per system, or per (system, operation) with ``per_operation``;
the clock is injectable; :meth:`CircuitBreaker.snapshot` exposes the state
for metrics and tests. One event loop only.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from resolvers.errors import CircuitOpen
from resolvers.kit._window import RollingCounts
from resolvers.policy import BreakerPolicy, ConnectorPolicies, ResolvedPolicy

__all__ = ["BreakerSnapshot", "BreakerState", "Breakers", "CircuitBreaker", "Outcome", "Permit"]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True)
class Permit:
    """Leave to make one call, to be handed back to :meth:`CircuitBreaker.record`."""

    generation: int
    state: BreakerState
    """The state that admitted the call (CLOSED or HALF_OPEN)."""


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    name: str
    state: BreakerState
    calls: int
    """Calls in the current window (closed) or probes finished (half-open)."""
    failures: int
    opened_at: float | None
    probes_in_flight: int


class CircuitBreaker:
    """Closed / open / half-open on a rolling failure rate."""

    def __init__(self, name: str, policy: BreakerPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.policy = policy
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._generation = 0
        self._opened_at: float | None = None
        self._recent: deque[bool] = deque(maxlen=policy.window_size)
        self._timed = RollingCounts(policy.window_seconds, clock)
        self._probes_in_flight = 0
        self._probe_successes = 0

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker whose time is up reads as half-open)."""
        self._maybe_half_open()
        return self._state

    def _counts(self) -> tuple[int, int]:
        if self.policy.window == "count":
            return len(self._recent), sum(1 for ok in self._recent if not ok)
        return self._timed.totals()

    def snapshot(self) -> BreakerSnapshot:
        state = self.state
        calls, failures = self._counts()
        if state is BreakerState.HALF_OPEN:
            calls, failures = self._probe_successes, 0
        return BreakerSnapshot(self.name, state, calls, failures, self._opened_at, self._probes_in_flight)

    def _move(self, state: BreakerState) -> None:
        self._state = state
        self._generation += 1
        self._probes_in_flight = self._probe_successes = 0
        self._recent.clear()
        self._timed.reset()
        self._opened_at = self._clock() if state is BreakerState.OPEN else None

    def _maybe_half_open(self) -> None:
        opened_at = self._opened_at
        if (
            self._state is BreakerState.OPEN
            and opened_at is not None
            and self._clock() - opened_at >= self.policy.open_seconds
        ):
            self._move(BreakerState.HALF_OPEN)

    def admit(self, *, system: str, operation: str) -> Permit:
        """A permit for one call, or :class:`CircuitOpen` if the call must fail fast."""
        self._maybe_half_open()
        if self._state is BreakerState.CLOSED:
            return Permit(self._generation, BreakerState.CLOSED)
        if self._state is BreakerState.HALF_OPEN:
            if self._probes_in_flight + self._probe_successes < self.policy.half_open_probes:
                self._probes_in_flight += 1
                return Permit(self._generation, BreakerState.HALF_OPEN)
            raise CircuitOpen(
                "circuit half-open, probes already in flight", system=system, operation=operation
            )
        assert self._opened_at is not None
        remaining = max(0.0, self._opened_at + self.policy.open_seconds - self._clock())
        raise CircuitOpen(
            f"circuit {self.name} open", system=system, operation=operation, retry_after=remaining
        )

    def record(self, permit: Permit, outcome: Outcome) -> None:
        """The outcome of a call admitted with ``permit`` (ignored if the state has moved on since)."""
        if permit.generation != self._generation:
            return
        if self._state is BreakerState.HALF_OPEN:
            self._probes_in_flight -= 1
            if outcome is Outcome.FAILURE:
                self._move(BreakerState.OPEN)
            elif outcome is Outcome.SUCCESS:
                self._probe_successes += 1
                if self._probe_successes >= self.policy.half_open_probes:
                    self._move(BreakerState.CLOSED)
            return
        if self._state is not BreakerState.CLOSED or outcome is Outcome.ABANDONED:
            return
        failed = outcome is Outcome.FAILURE
        self._recent.append(not failed)
        self._timed.add(1, int(failed))
        calls, failures = self._counts()
        min_calls = self.policy.min_calls
        if self.policy.window == "count":
            min_calls = min(min_calls, self.policy.window_size)
        if calls >= min_calls and failures >= self.policy.failure_rate * calls:
            self._move(BreakerState.OPEN)

    def reset(self) -> None:
        """Close the breaker and forget its history (operations tooling, tests)."""
        self._move(BreakerState.CLOSED)


class Breakers:
    """The process's breakers, one per system (or per operation), made on first use."""

    def __init__(self, policies: ConnectorPolicies, clock: Callable[[], float] = time.monotonic) -> None:
        self._policies = policies
        self._clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}

    def for_policy(self, policy: ResolvedPolicy) -> CircuitBreaker:
        """The breaker guarding ``policy``'s operation."""
        breaker = self._breakers.get(policy.breaker_key)
        if breaker is None:
            rules = policy.breaker
            if not rules.per_operation:
                rules = self._policies.system(policy.system).breaker
            breaker = self._breakers[policy.breaker_key] = CircuitBreaker(
                policy.breaker_key, rules, self._clock
            )
        return breaker

    def get(self, name: str) -> CircuitBreaker | None:
        """The breaker called ``name`` (a system, or ``system:operation``), if it was used yet."""
        return self._breakers.get(name)

    def snapshots(self) -> list[BreakerSnapshot]:
        return [breaker.snapshot() for breaker in self._breakers.values()]

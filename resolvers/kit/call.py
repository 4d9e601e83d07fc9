"""The one composition every connector calls its system through: cache, breaker, pacing, retry, trace.

A connector writes the exchange itself as ``fn(http) -> T`` (build the
request, send it with ``http``, parse the answer) and hands it to
:meth:`ConnectorKit.read` or :meth:`ConnectorKit.write`, both
:meth:`ConnectorKit.call`::

    call(system, operation, fn)
    └── cache (reads with a cache_key): a fresh hit returns here, no request
        └── retry loop, for each attempt:
            ├── breaker: admit, or CircuitOpen at once (no request, not retried)
            ├── pacing: wait for `cost` tokens, or UpstreamRateLimited past max_wait (not retried)
            ├── fn(UpstreamHttp): one CLIENT span per request; status and transport errors translated
            ├── breaker: record success / failure (only `breaker_failure` errors count)
            └── on error: Retry-After pauses the bucket -> classify -> [write: "did it land?"]
                -> attempts left? -> budget left? -> sleep the backoff -> next attempt
    stale-if-error: when the loop ends in an error with `serve_stale` and the cache
    holds a stale value, that value is the answer (UpstreamCall.stale, .stored_at, .error)

Pacing and the breaker apply to every attempt, so retries are paced and an
opening breaker stops a retry loop. ``landed`` is the write's "did it land?"
check: called (as its own traced request) when a write failed in a way that
may have taken effect, it returns the existing result (the retry is then not
needed) or None (safe to retry). Without it, only idempotent writes are retried.

``fn`` should raise only :class:`~resolvers.errors.ConnectorError` (the
handle's ``check=True`` and ``HttpResponse.json()`` already do; a connector
validating a payload raises ``UpstreamBadResponse``). Anything else is a bug:
it propagates untouched, is never retried or served stale, and counts for
nothing in the breaker. The kit catches nothing broadly.

Example (a connector's read)::

    async def stock(self, skus: list[str]) -> list[StockLevel]:
        async def fetch(http: UpstreamHttp) -> list[dict[str, Any]]:
            answer = await http.get(f"{self.base}/A_MatlStkInAcctMod", params=odata_filter(skus))
            return answer.json()["d"]["results"]

        result = await self.kit.read("erp", "stock", fetch, cache_key=sorted(skus))
        return [to_stock_level(row, stale=result.stale) for row in result.value]
"""

from __future__ import annotations

import asyncio
import functools
import random as _random
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from opentelemetry.trace import TracerProvider

from resolvers.errors import ConnectorError, RetryBudgetExhausted, UpstreamRateLimited
from resolvers.http import HttpClient
from resolvers.kit.breaker import Breakers, CircuitBreaker, Outcome
from resolvers.kit.cache import JSON_CODEC, CacheStatus, Codec, ConnectorCache
from resolvers.kit.many import ManyCall, read_many
from resolvers.kit.parts import load_in_parts
from resolvers.kit.ratelimit import Sleep, UpstreamLimiter
from resolvers.kit.retry import RetryBudgets, RetryVerdict, classify, retry_delay
from resolvers.kit.tracing import AttemptInfo, CallTracer
from resolvers.kit.upstream import UpstreamHttp
from resolvers.policy import ConnectorPolicies, ResolvedPolicy
from storage import Cache, TokenBuckets

__all__ = ["ConnectorKit", "LandedCheck", "UpstreamCall", "UpstreamFn"]

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

UpstreamFn = Callable[[UpstreamHttp], Awaitable[T]]
"""A connector's exchange with its system: send with the handle, return the parsed answer."""
LandedCheck = Callable[[UpstreamHttp], Awaitable[T | None]]
"""Look the write up upstream: its result if it took effect, None if it did not."""


@dataclass(frozen=True)  # no slots: with Generic they break `Cls[int](...)`
class UpstreamCall(Generic[T]):
    """What a call answered, and how."""

    value: T
    stale: bool = False
    """True when the value is a cached one served because the system failed (``error`` says how)."""
    stored_at: float | None = None
    """When a cached value was stored (wall clock, epoch seconds); None for an uncached call."""
    cache: CacheStatus = CacheStatus.BYPASS
    attempts: int = 0
    """Tries of ``fn`` (0 for a cache hit or a call that failed fast)."""
    error: ConnectorError | None = None


@dataclass(slots=True)
class _Tally:
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class _Failed:
    error: ConnectorError


@dataclass(frozen=True)  # no slots: with Generic they break `Cls[int](...)`
class _Call(Generic[T]):
    policy: ResolvedPolicy
    breaker: CircuitBreaker
    fn: UpstreamFn[T]
    write: bool
    idempotent: bool
    landed: LandedCheck[T] | None
    cost: float
    tally: _Tally = field(default_factory=_Tally)


_SHORT_WAIT = 0.5
"""Seconds of refill a batch read fitted to the bucket waits for rather than split into more requests."""


def _unpaced() -> float | None:
    return None


class ConnectorKit:
    """The resilience kit shared by every connector of a process (see the module docstring)."""

    def __init__(
        self,
        http: HttpClient,
        policies: ConnectorPolicies,
        buckets: TokenBuckets,
        *,
        cache: Cache | None = None,
        namespace: str = "conn",
        tracer_provider: TracerProvider | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.http = http
        self.policies = policies
        self.cache = ConnectorCache(cache, namespace=namespace) if cache is not None else None
        self.limiter = UpstreamLimiter(buckets, policies, namespace=namespace, clock=clock, sleep=sleep)
        self.breakers = Breakers(policies, clock)
        self.budgets = RetryBudgets(policies, clock)
        self.tracer = CallTracer(tracer_provider)
        self._sleep = sleep
        self._random = random

    async def read(
        self,
        system: str,
        operation: str,
        fn: UpstreamFn[T],
        *,
        cache_key: object | None = None,
        codec: Codec[T] = JSON_CODEC,
        cost: float = 1.0,
    ) -> UpstreamCall[T]:
        """A read: retried on transient errors; cached when ``cache_key`` is given and the ttl is set."""
        return await self.call(
            system, operation, fn, write=False, cache_key=cache_key, codec=codec, cost=cost
        )

    async def write(
        self,
        system: str,
        operation: str,
        fn: UpstreamFn[T],
        *,
        idempotent: bool = False,
        landed: LandedCheck[T] | None = None,
        cost: float = 1.0,
    ) -> UpstreamCall[T]:
        """A write: never cached; retried only if ``idempotent``, surely not landed, or per ``landed``."""
        return await self.call(
            system, operation, fn, write=True, idempotent=idempotent, landed=landed, cost=cost
        )

    async def call(
        self,
        system: str,
        operation: str,
        fn: UpstreamFn[T],
        *,
        write: bool,
        cache_key: object | None = None,
        codec: Codec[T] = JSON_CODEC,
        idempotent: bool = False,
        landed: LandedCheck[T] | None = None,
        cost: float = 1.0,
    ) -> UpstreamCall[T]:
        """Call ``system`` through the whole kit; raises a :class:`ConnectorError` when it cannot answer."""
        if write and cache_key is not None:
            raise ValueError("writes are not cached: drop cache_key")
        if landed is not None and not write:
            raise ValueError("landed checks are for writes")
        policy = self.policies.resolve(system, operation)
        call = _Call(policy, self.breakers.for_policy(policy), fn, write, idempotent, landed, cost)
        if cache_key is None or self.cache is None or policy.cache.ttl <= 0:
            value = await self._retrying(call, CacheStatus.BYPASS)
            return UpstreamCall(value, attempts=call.tally.attempts)
        key = self.cache.key(system, operation, cache_key)

        async def load(status: CacheStatus) -> T:
            return await self._retrying(call, status)

        cached = await self.cache.read_through(key, policy.cache, codec, load)
        return UpstreamCall(
            cached.value, cached.stale, cached.stored_at, cached.status, call.tally.attempts, cached.error
        )

    async def read_many(
        self,
        system: str,
        operation: str,
        keys: Sequence[K],
        fetch: Callable[[UpstreamHttp, list[K]], Awaitable[dict[K, V]]],
        *,
        codec: Codec[V] = JSON_CODEC,
        cost: float | Callable[[int], float] = 1.0,
        most: int | None = None,
        fit_to_bucket: bool = False,
    ) -> ManyCall[K, V]:
        """A batch read cached per key: ``fetch(http, keys)`` for the keys the cache cannot answer.

        ``fetch`` answers a dict of the keys the system holds. See :mod:`resolvers.kit.many`;
        without a cache (or with ``ttl`` 0) every key is read. ``cost`` prices a call of n keys
        (a number: any call); with ``most``, the keys go in balanced calls of at most that many,
        sent at once, or with ``fit_to_bucket`` sized to what the bucket holds (for a system
        that refunds most of a request's price on answer; :mod:`resolvers.kit.parts`).
        """
        policy = self.policies.resolve(system, operation)
        price = cost if callable(cost) else lambda n: float(cost)

        def send(status: CacheStatus) -> Callable[[list[K]], Awaitable[dict[K, V]]]:
            async def one(part: list[K]) -> dict[K, V]:
                async def fn(http: UpstreamHttp) -> dict[K, V]:
                    return await fetch(http, part)

                breaker = self.breakers.for_policy(policy)
                call = _Call(policy, breaker, fn, False, False, None, price(len(part)))
                return await self._retrying(call, status)

            return one

        async def load(missing: list[K], status: CacheStatus) -> dict[K, V]:
            if most is None:
                return await send(status)(missing)
            room = (
                functools.partial(self.limiter.room, system, operation, within=_SHORT_WAIT)
                if fit_to_bucket
                else _unpaced
            )
            return await load_in_parts(missing, most, price, room, send(status))

        if self.cache is None or policy.cache.ttl <= 0:
            unique = list(dict.fromkeys(keys))
            return ManyCall(await load(unique, CacheStatus.BYPASS), fetched=len(unique))
        return await read_many(self.cache, system, operation, keys, policy.cache, codec, load)

    def cache_key(self, system: str, operation: str, args: object) -> str:
        """The key a read with ``cache_key=args`` is cached under (for invalidation by webhooks)."""
        if self.cache is None:
            raise RuntimeError("this kit has no cache")
        return self.cache.key(system, operation, args)

    async def _retrying(self, call: _Call[T], status: CacheStatus) -> T:
        policy = call.policy
        self.budgets.for_system(policy.system).record_call()
        retries = 0
        while True:
            outcome = await self._attempt(call, call.fn, status, retries)
            if not isinstance(outcome, _Failed):
                return outcome
            error = outcome.error
            if isinstance(error, UpstreamRateLimited) and error.retry_after:
                await self.limiter.pause(policy.system, policy.operation, seconds=error.retry_after)
            verdict = classify(error, write=call.write, idempotent=call.idempotent)
            if verdict is RetryVerdict.GIVE_UP:
                raise error
            if verdict is RetryVerdict.CHECK_LANDED:
                if call.landed is None:
                    raise error
                if policy.retry.landed_check_delay:
                    await self._sleep(policy.retry.landed_check_delay)
                found = await self._check_landed(call, call.landed, status, retries, error)
                if found is not None:
                    return found
            delay = retry_delay(error, retries, policy.retry, self._random)
            if retries + 1 >= policy.retry.attempts or delay is None:
                raise error
            if not self.budgets.for_system(policy.system).try_spend():
                raise RetryBudgetExhausted(
                    f"retry budget spent after: {error.message}",
                    system=policy.system,
                    operation=policy.operation,
                    status=error.status,
                    upstream_code=error.upstream_code,
                    maybe_landed=error.maybe_landed,
                ) from error
            await self._sleep(delay)
            retries += 1

    async def _check_landed(
        self, call: _Call[T], landed: LandedCheck[T], status: CacheStatus, retries: int, error: ConnectorError
    ) -> T | None:
        """The landed check's answer; if it cannot say (it failed, or could not be sent), ``error``."""
        try:
            outcome = await self._attempt(call, landed, status, retries, landed_check=True)
        except ConnectorError:  # breaker open or pacing past its bound: the write's fate is unknown
            raise error  # noqa: B904 - keep the write's own cause; the check's error is its __context__
        if isinstance(outcome, _Failed):
            raise error
        return outcome

    async def _attempt(
        self,
        call: _Call[T],
        fn: Callable[[UpstreamHttp], Awaitable[R]],
        status: CacheStatus,
        retries: int,
        *,
        landed_check: bool = False,
    ) -> R | _Failed:
        """One admitted, paced try of ``fn``; its connector error comes back as :class:`_Failed`.

        Errors before the request (CircuitOpen, pacing past max_wait) are raised.
        """
        policy = call.policy
        permit = call.breaker.admit(system=policy.system, operation=policy.operation)
        outcome = Outcome.ABANDONED
        try:
            waited = await self.limiter.wait(policy.system, policy.operation, call.cost)
            info = AttemptInfo(
                system=policy.system,
                operation=policy.operation,
                cache=status.value,
                retries=retries,
                rate_limit_wait_ms=waited * 1000.0,
                breaker_state=permit.state.value,
                landed_check=landed_check,
            )
            http = UpstreamHttp(self.http, self.tracer, self.limiter, info, policy.timeout)
            if not landed_check:
                call.tally.attempts += 1
            try:
                value = await fn(http)
            except ConnectorError as exc:
                outcome = Outcome.FAILURE if exc.breaker_failure else Outcome.SUCCESS
                return _Failed(exc)
            outcome = Outcome.SUCCESS
            return value
        finally:
            call.breaker.record(permit, outcome)

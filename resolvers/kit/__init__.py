"""The resilience kit every connector shares: cache, pacing, retries, circuit breakers and tracing.

=========================  ==============================================================
module                     concept
=========================  ==============================================================
``kit.call``               :class:`ConnectorKit`: the one composition (``read``/``write``/``call``)
``kit.upstream``           :class:`UpstreamHttp`: the traced HTTP handle ``fn`` receives
``kit.cache``              read-through cache, stale-if-error, invalidation (``storage.Cache``)
``kit.many``               batch reads cached per key (``ConnectorKit.read_many``)
``kit.ratelimit``          upstream pacing on shared token buckets (``storage.TokenBuckets``)
``kit.retry``              classification, backoff with full jitter, retry budgets
``kit.breaker``            circuit breakers: closed / open / half-open
``kit.tracing``            one OpenTelemetry CLIENT span per request; ``traceparent``, correlation id
=========================  ==============================================================

Configuration: :mod:`resolvers.policy`. Errors: :mod:`resolvers.errors`.
"""

from __future__ import annotations

from resolvers.kit.breaker import Breakers, BreakerSnapshot, BreakerState, CircuitBreaker, Outcome, Permit
from resolvers.kit.cache import JSON_CODEC, Cached, CacheStatus, Codec, ConnectorCache, cache_key
from resolvers.kit.call import ConnectorKit, LandedCheck, UpstreamCall, UpstreamFn
from resolvers.kit.many import ManyCall
from resolvers.kit.ratelimit import Sleep, UpstreamLimiter
from resolvers.kit.retry import RetryBudget, RetryBudgets, RetryVerdict, classify, retry_delay
from resolvers.kit.tracing import (
    CORRELATION_HEADER,
    TRACER_NAME,
    AttemptInfo,
    CallTracer,
    correlation,
    correlation_id,
    safe_url,
)
from resolvers.kit.upstream import UpstreamHttp

__all__ = [
    "CORRELATION_HEADER",
    "JSON_CODEC",
    "TRACER_NAME",
    "AttemptInfo",
    "BreakerSnapshot",
    "BreakerState",
    "Breakers",
    "CacheStatus",
    "Cached",
    "CallTracer",
    "CircuitBreaker",
    "Codec",
    "ConnectorCache",
    "ConnectorKit",
    "LandedCheck",
    "ManyCall",
    "Outcome",
    "Permit",
    "RetryBudget",
    "RetryBudgets",
    "RetryVerdict",
    "Sleep",
    "UpstreamCall",
    "UpstreamFn",
    "UpstreamHttp",
    "UpstreamLimiter",
    "cache_key",
    "classify",
    "correlation",
    "correlation_id",
    "retry_delay",
    "safe_url",
]

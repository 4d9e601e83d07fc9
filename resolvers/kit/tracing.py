"""One OpenTelemetry CLIENT span per outbound HTTP request, and the trace headers it sends downstream.

**One span per request attempt**, not per :meth:`ConnectorKit.call
<resolvers.kit.call.ConnectorKit.call>`: a call that retries twice makes three
spans, each with its own status and timing (``retail.retries`` is that
attempt's number: 0, 1, 2), the way OpenTelemetry's HTTP conventions count
resends. A call answered from the cache, or failed fast by an open breaker or
by pacing, sends nothing and so makes no CLIENT span. Every span is a child of
the caller's current span (the resolver's), named ``{system} {operation}``,
from tracer ``retail.resolvers``, with:

=============================  ==============================================================
``retail.system``              erp, oms, pos, shopify
``retail.operation``           the connector's operation name
``retail.cache``               miss | stale | bypass (a hit makes no request)
``retail.retries``             0 for the first attempt, n for the n-th retry
``retail.rate_limit_wait_ms``  time this attempt waited for pacing
``retail.breaker_state``       closed | half_open (the state that admitted it)
``retail.landed_check``        present (true) on a write's "did it land?" lookup
``http.request.method``        GET, POST, ...
``url.full``                   without user info; secret-looking query values redacted
``http.response.status_code``  when the system answered; 4xx/5xx set status ERROR
``error.type``                 the connector error's code when one was raised
=============================  ==============================================================

W3C ``traceparent`` (and ``tracestate``) for the span, and our
``X-Correlation-Id`` from the :data:`correlation_id` context variable (set by
the caller with :func:`correlation`), are added to the outbound headers.
Exceptions are recorded on the span, which ends with status ERROR.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue
from yarl import URL

from resolvers.errors import ConnectorError

__all__ = [
    "CORRELATION_HEADER",
    "TRACER_NAME",
    "AttemptInfo",
    "CallTracer",
    "correlation",
    "correlation_id",
    "safe_url",
]

TRACER_NAME = "retail.resolvers"
CORRELATION_HEADER = "X-Correlation-Id"

correlation_id: ContextVar[str | None] = ContextVar("retail_correlation_id", default=None)
"""The id of the request being served, sent downstream as ``X-Correlation-Id``."""

_PROPAGATOR = TraceContextTextMapPropagator()
_SENSITIVE_QUERY = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "client_secret",
        "code",
        "key",
        "password",
        "secret",
        "sig",
        "signature",
        "token",
        "x-amz-signature",
        "x-goog-signature",
    }
)


@contextmanager
def correlation(value: str | None) -> Iterator[None]:
    """Set :data:`correlation_id` for the calls made inside the block."""
    token = correlation_id.set(value)
    try:
        yield
    finally:
        correlation_id.reset(token)


@dataclass(frozen=True, slots=True)
class AttemptInfo:
    """What the kit knows about one attempt, for its span."""

    system: str
    operation: str
    cache: str
    retries: int
    rate_limit_wait_ms: float
    breaker_state: str
    landed_check: bool = False


def safe_url(url: str, params: Mapping[str, str | int | float] | None = None) -> str:
    """The URL as sent (with ``params``), minus user info and fragment, secret query values redacted."""
    parsed = URL(url)
    if params:
        parsed = parsed.extend_query({k: str(v) for k, v in params.items()})
    if parsed.user is not None or parsed.password is not None:
        parsed = parsed.with_user(None)
    if any(name.lower() in _SENSITIVE_QUERY for name in parsed.query):
        parsed = parsed.with_query(
            [(k, "REDACTED" if k.lower() in _SENSITIVE_QUERY else v) for k, v in parsed.query.items()]
        )
    return str(parsed.with_fragment(None))


class CallTracer:
    """Opens the CLIENT span of each outbound request (the global tracer provider unless one is given)."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        self._provider = provider
        self._tracer: Tracer | None = None

    @property
    def tracer(self) -> Tracer:
        if self._tracer is None:
            self._tracer = trace.get_tracer(TRACER_NAME, tracer_provider=self._provider)
        return self._tracer

    @contextmanager
    def client_span(
        self,
        info: AttemptInfo,
        method: str,
        url: str,
        params: Mapping[str, str | int | float] | None,
        headers: dict[str, str],
    ) -> Iterator[Span]:
        """Open the span for one request and add the trace headers to ``headers`` (mutated)."""
        full = safe_url(url, params)
        parsed = URL(full)
        attributes: dict[str, AttributeValue] = {
            "retail.system": info.system,
            "retail.operation": info.operation,
            "retail.cache": info.cache,
            "retail.retries": info.retries,
            "retail.rate_limit_wait_ms": round(info.rate_limit_wait_ms, 3),
            "retail.breaker_state": info.breaker_state,
            "http.request.method": method.upper(),
            "url.full": full,
        }
        if parsed.host is not None:
            attributes["server.address"] = parsed.host
        if parsed.port is not None:
            attributes["server.port"] = parsed.port
        if info.retries:
            attributes["http.request.resend_count"] = info.retries
        if info.landed_check:
            attributes["retail.landed_check"] = True
        name = f"{info.system} {info.operation}"
        with self.tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as span:
            _PROPAGATOR.inject(headers)
            cid = correlation_id.get()
            if cid:
                headers[CORRELATION_HEADER] = cid
            try:
                yield span
            except ConnectorError as exc:
                span.set_attribute("error.type", exc.code)
                raise

    @staticmethod
    def record_response(span: Span, status: int) -> None:
        """Put the answer's status on the span; 4xx and 5xx mark it ERROR."""
        span.set_attribute("http.response.status_code", status)
        if status >= 400:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))

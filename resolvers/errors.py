"""The one exception tree of every system connector (ERP, OMS, POS, Shopify) and of their kit.

Each class has a stable ``code`` (SHOUTY_SNAKE_CASE) that becomes
``extensions.code``; vendor, aiohttp and socket errors are translated into it
at the connector boundary (:mod:`resolvers.translate`) with
``raise ... from exc``, so the cause stays attached::

    ConnectorError                UPSTREAM_ERROR            base; every connector error is one
    ├── UpstreamUnavailable       UPSTREAM_UNAVAILABLE      unreachable: refused, reset, DNS, TLS, 502/503/504
    ├── UpstreamTimeout           UPSTREAM_TIMEOUT          no answer in time (connect, read, total), 408
    ├── UpstreamRateLimited       UPSTREAM_RATE_LIMITED     429 / THROTTLED, or our pacing would wait too long
    ├── UpstreamServerError       UPSTREAM_SERVER_ERROR     500 and the other 5xx
    ├── UpstreamBadResponse       UPSTREAM_BAD_RESPONSE     an answer outside the system's protocol
    ├── UpstreamAuthFailed        UPSTREAM_AUTH_FAILED      401/403: our credentials, token or CSRF token
    ├── UpstreamRejected          UPSTREAM_REJECTED         other 4xx: the request was wrong (validation)
    │   ├── UpstreamNotFound      UPSTREAM_NOT_FOUND        404/410
    │   └── UpstreamConflict      UPSTREAM_CONFLICT         409/412: state transition or ETag mismatch
    │       └── InsufficientStock OUT_OF_STOCK              a reservation the system refused: ``skus`` short
    ├── UpstreamRequestInvalid    UPSTREAM_REQUEST_INVALID  not sendable (bad URL): a bug or config
    ├── CircuitOpen               CIRCUIT_OPEN              failed fast: the breaker for the system is open
    └── RetryBudgetExhausted      RETRY_BUDGET_EXHAUSTED    a retry was due but the system's budget is spent

Three class-level flags drive the kit, so no caller needs an ``isinstance`` ladder:

=======================  =========  ==============  ===========  =============
class                    retryable  breaker_failure  serve_stale  maybe_landed
=======================  =========  ==============  ===========  =============
UpstreamUnavailable      yes        yes             yes          yes [1]
UpstreamTimeout          yes        yes             yes          yes [1]
UpstreamRateLimited      yes        no              yes          no
UpstreamServerError      no         yes             yes          yes
UpstreamBadResponse      no         yes             yes          yes
CircuitOpen              no         no              yes          no
RetryBudgetExhausted     no         no              yes          as its cause
everything else          no         no              no           yes
=======================  =========  ==============  ===========  =============

``retryable``: a read may be tried again. ``breaker_failure``: counts against
the system's health. ``serve_stale``: a stale cached value beats this error.
``maybe_landed`` is per instance: False when the request certainly never took
effect (connection refused, connect timeout, 429), which makes even a
non-idempotent write safe to retry. [1] False for connect-phase failures.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "CircuitOpen",
    "ConnectorError",
    "InsufficientStock",
    "RetryBudgetExhausted",
    "UpstreamAuthFailed",
    "UpstreamBadResponse",
    "UpstreamConflict",
    "UpstreamNotFound",
    "UpstreamRateLimited",
    "UpstreamRejected",
    "UpstreamRequestInvalid",
    "UpstreamServerError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
]


class ConnectorError(Exception):
    """Base of every error a connector raises on purpose."""

    code: ClassVar[str] = "UPSTREAM_ERROR"
    retryable: ClassVar[bool] = False
    breaker_failure: ClassVar[bool] = False
    serve_stale: ClassVar[bool] = False
    landed_by_default: ClassVar[bool] = True

    def __init__(
        self,
        message: str,
        *,
        system: str,
        operation: str,
        status: int | None = None,
        upstream_code: str | None = None,
        retry_after: float | None = None,
        maybe_landed: bool | None = None,
    ) -> None:
        super().__init__(f"{system} {operation}: {message}")
        self.message = message
        self.system = system
        self.operation = operation
        self.status = status
        """The upstream's HTTP status, when it answered."""
        self.upstream_code = upstream_code
        """The system's own error code (OData ``code``, Square ``code``, Shopify ``extensions.code``)."""
        self.retry_after = retry_after
        """Seconds the upstream (or our breaker / pacing) says to wait before trying again."""
        self.maybe_landed = self.landed_by_default if maybe_landed is None else maybe_landed
        """False only when the request certainly had no effect upstream."""

    def extensions(self) -> dict[str, Any]:
        """The GraphQL ``extensions`` for this error: code, system, operation and what the upstream said."""
        out: dict[str, Any] = {"code": self.code, "system": self.system, "operation": self.operation}
        if self.status is not None:
            out["upstreamStatus"] = self.status
        if self.upstream_code is not None:
            out["upstreamCode"] = self.upstream_code
        if self.retry_after is not None:
            out["retryAfter"] = self.retry_after
        return out


class UpstreamUnavailable(ConnectorError):
    """The system could not be reached or said it is down (refused, reset, DNS, TLS, 502/503/504)."""

    code = "UPSTREAM_UNAVAILABLE"
    retryable = True
    breaker_failure = True
    serve_stale = True


class UpstreamTimeout(ConnectorError):
    """No answer within the call's timeout (or the upstream answered 408)."""

    code = "UPSTREAM_TIMEOUT"
    retryable = True
    breaker_failure = True
    serve_stale = True


class UpstreamRateLimited(ConnectorError):
    """The system throttled us (429, THROTTLED), or pacing would have had to wait past its bound."""

    code = "UPSTREAM_RATE_LIMITED"
    retryable = True
    serve_stale = True
    landed_by_default = False


class UpstreamServerError(ConnectorError):
    """The system failed on its side (500 and 5xx other than 502/503/504)."""

    code = "UPSTREAM_SERVER_ERROR"
    breaker_failure = True
    serve_stale = True


class UpstreamBadResponse(ConnectorError):
    """The answer is not what the system's protocol promises (not JSON, unexpected shape or status)."""

    code = "UPSTREAM_BAD_RESPONSE"
    breaker_failure = True
    serve_stale = True


class UpstreamAuthFailed(ConnectorError):
    """The system refused our credentials (401/403): a token to refresh or a configuration to fix."""

    code = "UPSTREAM_AUTH_FAILED"


class UpstreamRejected(ConnectorError):
    """The system refused the request itself (4xx): ``upstream_code`` and the message say why."""

    code = "UPSTREAM_REJECTED"


class UpstreamNotFound(UpstreamRejected):
    """The addressed record does not exist upstream (404/410)."""

    code = "UPSTREAM_NOT_FOUND"


class UpstreamConflict(UpstreamRejected):
    """The record changed or is in the wrong state (409, or 412 on a stale ETag)."""

    code = "UPSTREAM_CONFLICT"


class InsufficientStock(UpstreamConflict):
    """A reservation refused because stock is short; ``skus`` names the short SKUs (nothing was held)."""

    code = "OUT_OF_STOCK"
    landed_by_default = False

    def __init__(
        self, message: str, *, skus: tuple[str, ...], system: str, operation: str, **kw: Any
    ) -> None:
        super().__init__(message, system=system, operation=operation, **kw)
        self.skus = skus


class UpstreamRequestInvalid(ConnectorError):
    """The request could not be sent at all (malformed or non-HTTP URL): a bug or a bad setting."""

    code = "UPSTREAM_REQUEST_INVALID"
    landed_by_default = False


class CircuitOpen(ConnectorError):
    """Failed fast without calling: the system's circuit breaker is open (``retry_after`` until a probe)."""

    code = "CIRCUIT_OPEN"
    serve_stale = True
    landed_by_default = False


class RetryBudgetExhausted(ConnectorError):
    """A retry was due but the system's retry budget is spent; the last upstream error is the cause."""

    code = "RETRY_BUDGET_EXHAUSTED"
    serve_stale = True

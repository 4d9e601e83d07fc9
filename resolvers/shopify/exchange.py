"""The one GraphQL exchange with the Admin API: send, report the bucket, translate every kind of error.

:meth:`ShopifyGraphQL.query` POSTs ``{query, variables}`` to
``/admin/api/{version}/graphql.json`` with ``X-Shopify-Access-Token`` through
the kit's handle (one traced request) and reads the answer::

    non-2xx (401 token, 404 version, 429, 5xx)   -> the status's error, Shopify's message and code
    extensions.cost.throttleStatus               -> http.observe_rate_limit(...)   (every answer)
    errors[].extensions.code
        THROTTLED                                -> UpstreamRateLimited, retry_after =
                                                    (requestedQueryCost - currentlyAvailable) / restoreRate
        MAX_COST_EXCEEDED                        -> UpstreamRejected (our query is too big: never retried)
        ACCESS_DENIED / UNAUTHORIZED             -> UpstreamAuthFailed (the token lacks a scope)
        INTERNAL_SERVER_ERROR / TIMEOUT          -> UpstreamServerError
        anything else (BAD_REQUEST, validation)  -> UpstreamRejected (our request is wrong)
    no data and no errors, or not JSON           -> UpstreamBadResponse

:meth:`ShopifyGraphQL.mutate` also reads the payload's ``userErrors``: the
first becomes ``UpstreamRejected`` with ``upstream_code`` = its code and the
message prefixed by its field path (``IDEMPOTENCY_CONCURRENT_REQUEST``:
``UpstreamConflict``, the same key is still running upstream).

The bucket report: Shopify's ``currentlyAvailable`` counts the requests it
received before this one, not ours sent after it and still in flight, so the
figure reported to the shared pacing bucket is ``currentlyAvailable`` minus
their requested cost (otherwise each answer would hand those points out a
second time); an answer overtaken by the answer to a later request is not
reported at all (its view is older). The shared bucket cannot go below zero,
so what those requests owe beyond it is kept in :attr:`ShopifyGraphQL.bucket`
(:mod:`resolvers.shopify.bucket`), which each request passes after the kit's
pacing. ``latency_jitter`` seconds of restore are kept in reserve (off every
reported level, and off the capacity of that bucket): requests spaced by our
pacing can reach Shopify closer together than they left, and a burst that
starts on a full bucket spends refill Shopify never gets (its bucket was full).
At most ``max_in_flight`` requests are in flight at once: another gateway
instance's reports cannot subtract our requests in flight (it does not know
them), so that bounds how far it can overstate the shared bucket.

:attr:`ShopifyGraphQL.throttled` counts THROTTLED answers (pacing should keep
it near zero), :attr:`ShopifyGraphQL.last_cost` the last ``requestedQueryCost``
per operation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from resolvers.errors import (
    ConnectorError,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamConflict,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamServerError,
)
from resolvers.http import HttpResponse
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.bucket import StoreBucket
from resolvers.shopify.cost import requested_cost
from resolvers.shopify.settings import ShopifySettings
from resolvers.shopify.wire import CostExtension, Envelope, ErrorItem, UserError

__all__ = ["ShopifyGraphQL", "parse"]

M = TypeVar("M", bound=BaseModel)

_log = logging.getLogger(__name__)
_AUTH_CODES = frozenset({"ACCESS_DENIED", "UNAUTHORIZED", "FORBIDDEN"})
_SERVER_CODES = frozenset({"INTERNAL_SERVER_ERROR", "TIMEOUT", "SERVICE_UNAVAILABLE"})
_CONCURRENT = "IDEMPOTENCY_CONCURRENT_REQUEST"


class ShopifyGraphQL:
    """GraphQL requests to one store (module docstring)."""

    def __init__(self, settings: ShopifySettings) -> None:
        self.url = settings.graphql_url
        self._headers = settings.headers()
        self.throttled = 0
        """THROTTLED answers received so far."""
        self.last_cost: dict[str, int] = {}
        """The last ``requestedQueryCost`` Shopify reported, per operation."""
        self._in_flight: dict[int, int] = {}
        """Requested cost of each request sent and not yet answered, by send order."""
        reserve = settings.restore_rate * settings.latency_jitter
        self.bucket = StoreBucket(max(1.0, settings.bucket_size - reserve), settings.restore_rate)
        """The store's bucket as last reported, owing what our requests in flight still ask."""
        self._max_wait = settings.max_pacing_wait
        self._slots = asyncio.Semaphore(settings.max_in_flight)
        self._sent = 0
        self._jitter = settings.latency_jitter
        self._observed = -1
        self._mismatch_logged: set[str] = set()

    async def query(
        self, http: UpstreamHttp, document: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``data`` of one query; raises the connector error for anything else (module docstring)."""
        estimate = requested_cost(document, variables)
        body: dict[str, Any] = {"query": document}
        if variables:
            body["variables"] = dict(variables)
        async with self._slots:
            if await self.bucket.take(estimate, max_wait=self._max_wait) is None:
                raise UpstreamRateLimited(
                    f"Shopify's bucket is owed more than {self._max_wait}s of restore",
                    system=http.system,
                    operation=http.operation,
                    retry_after=self.bucket.wait_for(estimate),
                )
            self._sent += 1
            seq = self._sent
            self._in_flight[seq] = estimate
            try:
                response = await http.post(self.url, json=body, headers=self._headers, check=False)
            finally:
                del self._in_flight[seq]
        if not response.ok:
            raise _http_error(http, response)
        envelope = _envelope(http, response)
        cost = envelope.extensions.cost if envelope.extensions else None
        if cost is not None:
            await self._observe(http, cost, estimate, seq)
        if envelope.errors:
            raise self._graphql_error(http, envelope.errors, cost, response.status)
        if envelope.data is None:
            raise UpstreamBadResponse(
                "answer without data or errors", system=http.system, operation=http.operation
            )
        return envelope.data

    async def mutate(
        self, http: UpstreamHttp, document: str, variables: Mapping[str, Any], *, field: str
    ) -> dict[str, Any]:
        """The payload of mutation ``field``; its first ``userErrors`` entry is raised."""
        data = await self.query(http, document, variables)
        payload = data.get(field)
        if not isinstance(payload, dict):
            raise UpstreamBadResponse(
                f"{field} answered no payload", system=http.system, operation=http.operation
            )
        raw_errors = payload.get("userErrors") or []
        if raw_errors:
            try:
                errors = [UserError.model_validate(item) for item in raw_errors]
            except ValidationError as exc:
                raise UpstreamBadResponse(
                    f"userErrors out of shape: {exc}", system=http.system, operation=http.operation
                ) from exc
            raise _user_error(http, errors)
        return payload

    async def _observe(self, http: UpstreamHttp, cost: CostExtension, estimate: int, seq: int) -> None:
        if cost.requestedQueryCost is not None:
            self.last_cost[http.operation] = cost.requestedQueryCost
            if cost.requestedQueryCost != estimate and http.operation not in self._mismatch_logged:
                self._mismatch_logged.add(http.operation)
                _log.warning(
                    "shopify %s: requested cost %d, estimated %d",
                    http.operation,
                    cost.requestedQueryCost,
                    estimate,
                )
        status = cost.throttleStatus
        if status is None:
            return
        if seq < self._observed:
            return  # an answer overtaken by a later request's: its view of the bucket is older
        self._observed = seq
        later = sum(points for sent, points in self._in_flight.items() if sent > seq)
        reserve = status.restoreRate * self._jitter
        available = status.currentlyAvailable - later - reserve
        self.bucket.set(available, max(1.0, status.maximumAvailable - reserve), status.restoreRate)
        await http.observe_rate_limit(
            available=max(0.0, available),
            capacity=status.maximumAvailable,
            refill_per_second=status.restoreRate,
        )

    def _graphql_error(
        self, http: UpstreamHttp, errors: list[ErrorItem], cost: CostExtension | None, status: int
    ) -> ConnectorError:
        first = next((e for e in errors if e.code == "THROTTLED"), errors[0])
        code = first.code
        message = "; ".join(e.message.strip() for e in errors[:3]) or "GraphQL error"
        if code == "THROTTLED":
            self.throttled += 1
            return UpstreamRateLimited(
                message,
                system=http.system,
                operation=http.operation,
                status=status,
                upstream_code=code,
                retry_after=_throttle_wait(cost),
            )
        kind: type[ConnectorError] = UpstreamRejected
        if code in _AUTH_CODES:
            kind = UpstreamAuthFailed
        elif code in _SERVER_CODES:
            kind = UpstreamServerError
        return kind(message, system=http.system, operation=http.operation, status=status, upstream_code=code)


def parse(model: type[M], raw: Any, *, operation: str) -> M:
    """``raw`` (an answer, or what the cache kept of one) as ``model``; UpstreamBadResponse if it is not."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise UpstreamBadResponse(
            f"{model.__name__} out of shape: {exc}", system="shopify", operation=operation
        ) from exc


def _throttle_wait(cost: CostExtension | None) -> float | None:
    """Seconds until the bucket holds the points the query asked for."""
    if cost is None or cost.throttleStatus is None or cost.requestedQueryCost is None:
        return None
    status = cost.throttleStatus
    if status.restoreRate <= 0:
        return None
    deficit = cost.requestedQueryCost - status.currentlyAvailable
    return max(deficit, 1.0) / status.restoreRate


def _envelope(http: UpstreamHttp, response: HttpResponse) -> Envelope:
    raw = response.json()
    try:
        return Envelope.model_validate(raw)
    except ValidationError as exc:
        raise UpstreamBadResponse(
            f"not a GraphQL answer: {exc}",
            system=http.system,
            operation=http.operation,
            status=response.status,
        ) from exc


def _http_error(http: UpstreamHttp, response: HttpResponse) -> ConnectorError:
    """The error for a non-2xx answer, with what Shopify's body says (its shape varies by status)."""
    try:
        body = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    code: str | None = None
    message: str | None = None
    if isinstance(errors, str):
        message = errors
    elif isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = str(errors[0].get("message", ""))
        extensions = errors[0].get("extensions")
        code = str(extensions["code"]) if isinstance(extensions, dict) and "code" in extensions else None
    elif isinstance(errors, dict):
        message = "; ".join(f"{key}: {value}" for key, value in errors.items())
    text = f"HTTP {response.status}: {message}" if message else None
    return http.error_for(response, upstream_code=code, message=text)


def _user_error(http: UpstreamHttp, errors: list[UserError]) -> ConnectorError:
    first = errors[0]
    where = ".".join(first.field or ())
    message = f"{where}: {first.message}" if where else first.message
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    kind = UpstreamConflict if first.code == _CONCURRENT else UpstreamRejected
    return kind(message, system=http.system, operation=http.operation, upstream_code=first.code)

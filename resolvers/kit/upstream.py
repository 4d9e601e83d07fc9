"""The HTTP handle a connector's call function receives: the shared client, bound to one attempt.

:meth:`ConnectorKit.call <resolvers.kit.call.ConnectorKit.call>` hands the
connector's ``fn`` an :class:`UpstreamHttp` for each attempt. Every request
made through it gets its CLIENT span and trace headers
(:mod:`resolvers.kit.tracing`), the operation's timeout unless it passes its
own, errors labelled with the system and operation, and by default
(``check=True``) a non-2xx answer raised as the matching connector error.

Connectors that parse their system's error envelope pass ``check=False`` and
raise ``http.error_for(response, upstream_code=..., message=...)`` themselves.
Shopify's connector reports ``throttleStatus`` with :meth:`UpstreamHttp.observe_rate_limit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.errors import ConnectorError
from resolvers.http import HttpClient, HttpResponse, QueryParams
from resolvers.kit.ratelimit import UpstreamLimiter
from resolvers.kit.tracing import AttemptInfo, CallTracer, safe_url
from resolvers.translate import error_for_status

__all__ = ["UpstreamHttp"]


class UpstreamHttp:
    """Requests to one system for one attempt of one operation."""

    def __init__(
        self,
        client: HttpClient,
        tracer: CallTracer,
        limiter: UpstreamLimiter,
        info: AttemptInfo,
        timeout: float,
    ) -> None:
        self._client = client
        self._tracer = tracer
        self._limiter = limiter
        self.info = info
        self.timeout = timeout
        self.requests = 0
        """Requests sent through this handle so far."""

    @property
    def system(self) -> str:
        return self.info.system

    @property
    def operation(self) -> str:
        return self.info.operation

    @property
    def attempt(self) -> int:
        """0 for the first attempt, n for the n-th retry."""
        return self.info.retries

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: QueryParams | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - aiohttp enforces it, per request
        check: bool = True,
    ) -> HttpResponse:
        """Send one traced request; with ``check``, a non-2xx answer raises its connector error."""
        send_headers = dict(headers) if headers else {}
        with self._tracer.client_span(self.info, method, url, params, send_headers) as span:
            self.requests += 1
            response = await self._client.request(
                method,
                url,
                headers=send_headers,
                params=params,
                json=json,
                data=data,
                timeout=timeout or self.timeout,
                system=self.system,
                operation=self.operation,
            )
            self._tracer.record_response(span, response.status)
            if check and not response.ok:
                raise self.error_for(response)
            return response

    async def get(self, url: str, **kwargs: Any) -> HttpResponse:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> HttpResponse:
        return await self.request("POST", url, **kwargs)

    def error_for(
        self, response: HttpResponse, *, upstream_code: str | None = None, message: str | None = None
    ) -> ConnectorError:
        """The connector error for a non-2xx ``response`` (``Retry-After`` included); raise it."""
        return error_for_status(
            response.status,
            system=self.system,
            operation=self.operation,
            upstream_code=upstream_code,
            message=message or f"HTTP {response.status} from {response.method} {safe_url(response.url)}",
            retry_after=response.retry_after,
        )

    async def observe_rate_limit(
        self, *, available: float, capacity: float | None = None, refill_per_second: float | None = None
    ) -> None:
        """Sync this operation's pacing bucket from what the system reported (Shopify ``throttleStatus``)."""
        await self._limiter.observe(
            self.system,
            self.operation,
            available=available,
            capacity=capacity,
            refill_per_second=refill_per_second,
        )

"""OData V2 requests to SAP Gateway: ``$filter`` or-lists sized to the URL, paging, SAP's error envelope.

Batch reads ask for many keys in one request with an ``or`` chain
(``(PurchaseOrderByCustomer eq 'R100001' or ...)``). A URL has a limit
(SAP's ICM, proxies), so :func:`chunk_keys` packs the keys into as few
filters as fit ``max_filter_length`` (URL-encoded): the usual request is one
call; thousands of keys become a few calls, in sequence, inside the same
upstream exchange. :meth:`OData.get_all` follows ``__next`` only when the
Gateway actually paged the answer.

Errors: a non-2xx answer becomes the connector error for its status
(:mod:`resolvers.translate`) carrying SAP's message code (``V1/302``,
``/IWBEP/CM_MGW_RT/190``) as ``upstream_code`` and its message text; the
CSRF refusal (403, ``x-csrf-token: Required``, plain text) becomes
:class:`CsrfTokenRejected` so that the write can fetch a token and go again.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote, urljoin

from pydantic import BaseModel, ValidationError

from resolvers.erp.settings import ErpSettings
from resolvers.erp.wire import Collection, Entity, ErrorEnvelope
from resolvers.errors import ConnectorError, UpstreamAuthFailed, UpstreamBadResponse
from resolvers.http import HttpResponse
from resolvers.kit.upstream import UpstreamHttp

__all__ = ["CsrfTokenRejected", "OData", "any_of", "chunk_keys", "encoded_length", "eq", "literal"]

M = TypeVar("M", bound=BaseModel)
_FILTER_SAFE = "'()"


class CsrfTokenRejected(UpstreamAuthFailed):
    """403 "CSRF token validation failed": the token (or its session) expired; nothing was done."""

    landed_by_default = False


def literal(value: str) -> str:
    """An ``Edm.String`` literal: quoted, inner quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def eq(field: str, value: str) -> str:
    return f"{field} eq {literal(value)}"


def any_of(field: str, values: Sequence[str]) -> str:
    """``(F eq 'a' or F eq 'b')``."""
    return "(" + " or ".join(eq(field, value) for value in values) + ")"


def encoded_length(text: str) -> int:
    """Characters ``text`` takes in a URL query (a slight over-estimate: spaces counted as ``%20``)."""
    return len(quote(text, safe=_FILTER_SAFE))


def chunk_keys(field: str, values: Sequence[str], budget: int) -> list[list[str]]:
    """``values`` (de-duplicated, in order) split so that each ``any_of`` fits ``budget`` encoded chars."""
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 2  # the parentheses
    for value in dict.fromkeys(values):
        cost = encoded_length(eq(field, value)) + (len(quote(" or ")) if current else 0)
        if current and used + cost > budget:
            chunks.append(current)
            current, used = [], 2
            cost = encoded_length(eq(field, value))
        current.append(value)
        used += cost
    if current:
        chunks.append(current)
    return chunks


def _bad(http: UpstreamHttp, response: HttpResponse, exc: ValidationError) -> UpstreamBadResponse:
    problems = exc.errors()
    where = ".".join(str(part) for part in problems[0]["loc"]) if problems else ""
    detail = f"{where}: {problems[0]['msg']}" if problems else str(exc)
    return UpstreamBadResponse(
        f"unexpected answer from {response.method} {response.url}: {detail}",
        system=http.system,
        operation=http.operation,
        status=response.status,
    )


class OData:
    """Requests to the ERP's OData services with our logon, JSON and SAP's conventions."""

    def __init__(self, settings: ErpSettings) -> None:
        self.settings = settings
        headers = {"Accept": "application/json"}
        if settings.password is not None:
            pair = f"{settings.user}:{settings.password.get_secret_value()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        self._headers = headers

    def url(self, service: str, path: str = "") -> str:
        return f"{self.settings.service_url(service)}/{path}"

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {**self._headers, **(extra or {})}

    def params(self, params: Mapping[str, str] | None = None) -> dict[str, str]:
        out = dict(params or {})
        if self.settings.sap_client:
            out["sap-client"] = self.settings.sap_client
        return out

    # ------------------------------------------------------------ answers

    @staticmethod
    def error(http: UpstreamHttp, response: HttpResponse) -> ConnectorError:
        """The connector error for a non-2xx answer, with SAP's message code and text."""
        if response.status == 403 and response.headers.get("x-csrf-token", "").lower() == "required":
            return CsrfTokenRejected(
                response.text()[:200] or "CSRF token validation failed",
                system=http.system,
                operation=http.operation,
                status=403,
            )
        try:
            envelope = ErrorEnvelope.model_validate_json(response.body)
        except ValidationError:
            return http.error_for(response)
        return http.error_for(
            response, upstream_code=envelope.error.code or None, message=envelope.error.message.value or None
        )

    def check(self, http: UpstreamHttp, response: HttpResponse) -> HttpResponse:
        if not response.ok:
            raise self.error(http, response)
        return response

    @staticmethod
    def parse(http: UpstreamHttp, response: HttpResponse, kind: type[M]) -> M:
        """The body validated as ``kind``; :class:`UpstreamBadResponse` if it is not that."""
        try:
            return kind.model_validate_json(response.body)
        except ValidationError as exc:
            raise _bad(http, response, exc) from exc

    @staticmethod
    def rows(http: UpstreamHttp, response: HttpResponse, kind: type[M], raw: list[dict[str, Any]]) -> list[M]:
        try:
            return [kind.model_validate(row) for row in raw]
        except ValidationError as exc:
            raise _bad(http, response, exc) from exc

    # ------------------------------------------------------------ reads

    def entity(self, http: UpstreamHttp, response: HttpResponse, kind: type[M]) -> M:
        """The entity of a ``{"d": {...}}`` answer (a read by key, or what a create answers)."""
        self.check(http, response)
        return self.rows(http, response, kind, [self.parse(http, response, Entity).d])[0]

    async def get_all(
        self,
        http: UpstreamHttp,
        service: str,
        path: str,
        kind: type[M],
        params: Mapping[str, str],
        *,
        limit: int | None = None,
        request_timeout: float | None = None,
    ) -> list[M]:
        """Every row of a collection read, following ``__next`` while the Gateway pages (up to ``limit``)."""
        url = self.url(service, path)
        query: dict[str, str] | None = self.params(params)
        rows: list[M] = []
        while True:
            response = await http.get(
                url, params=query, headers=self.headers(), timeout=request_timeout, check=False
            )
            self.check(http, response)
            page = self.parse(http, response, Collection)
            rows.extend(self.rows(http, response, kind, page.d.results))
            if page.d.next is None or (limit is not None and len(rows) >= limit):
                return rows if limit is None else rows[:limit]
            url, query = urljoin(response.url, page.d.next), None

    async def get_by_keys(
        self,
        http: UpstreamHttp,
        service: str,
        path: str,
        kind: type[M],
        field: str,
        keys: Sequence[str],
        params: Mapping[str, str] | None = None,
        *,
        also: str | None = None,
        request_timeout: float | None = None,
    ) -> list[M]:
        """Rows whose ``field`` is any of ``keys`` (``and also``), in as few requests as the URL allows."""
        budget = self.settings.max_filter_length - (encoded_length(f" and {also}") if also else 0)
        rows: list[M] = []
        for chunk in chunk_keys(field, keys, budget):
            expression = any_of(field, chunk) + (f" and {also}" if also else "")
            query = {**(params or {}), "$filter": expression}
            rows.extend(await self.get_all(http, service, path, kind, query, request_timeout=request_timeout))
        return rows

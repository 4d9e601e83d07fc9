"""One Square request inside a kit call: headers, JSON body, Square's error envelope, payload validation.

Every exchange of the connector goes ``kit.read``/``kit.write`` ->
``fn(http)`` -> :meth:`SquareApi.send`, which

- sends ``Authorization: Bearer <token>``, ``Square-Version`` and JSON, as
  Square's own SDKs do;
- turns a non-2xx answer into the matching :class:`~resolvers.errors.ConnectorError`
  (by HTTP status, :mod:`resolvers.translate`) carrying Square's first error
  ``code`` as ``upstream_code`` and its ``detail`` as the message, and the
  ``Retry-After`` header as ``retry_after`` (so a 429 ``RATE_LIMITED`` is paused
  and retried by the kit);
- validates a 2xx answer into its wire model; one that does not fit is
  :class:`~resolvers.errors.UpstreamBadResponse`.

:func:`model_codec` stores those models in the kit's cache as JSON.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from resolvers.errors import ConnectorError, UpstreamBadResponse
from resolvers.http import HttpResponse
from resolvers.kit.cache import Codec
from resolvers.kit.upstream import UpstreamHttp
from resolvers.pos.settings import PosSettings
from resolvers.pos.wire import ErrorEnvelope

__all__ = ["SquareApi", "model_codec", "with_cursor"]

M = TypeVar("M", bound=BaseModel)


def with_cursor(body: dict[str, Any], cursor: str | None) -> dict[str, Any]:
    """``body`` asking for the page after ``cursor`` (unchanged for the first page)."""
    return {**body, "cursor": cursor} if cursor else body


def model_codec(model: type[M]) -> Codec[M]:
    """Cache bytes <-> ``model`` as JSON (a payload that no longer validates is a cache miss)."""

    def decode(raw: bytes) -> M:
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:  # a ValueError: the cache treats it as a miss
            raise ValueError(str(exc)) from exc

    return Codec(encode=lambda value: value.model_dump_json().encode(), decode=decode)


class SquareApi:
    """Builds and checks the requests of one Square account (base URL, token, API version)."""

    def __init__(self, settings: PosSettings) -> None:
        self.base = settings.api_url
        self.headers = {
            "Authorization": f"Bearer {settings.access_token.get_secret_value()}",
            "Square-Version": settings.square_version,
            "Accept": "application/json",
        }

    async def send(
        self, http: UpstreamHttp, method: str, path: str, model: type[M], body: dict[str, Any] | None = None
    ) -> M:
        """One request to ``/v2{path}``; the answer validated as ``model`` or a connector error."""
        response = await http.request(
            method, f"{self.base}{path}", headers=self.headers, json=body, check=False
        )
        if not response.ok:
            raise self.error(http, response)
        try:
            return model.model_validate_json(response.body)
        except ValidationError as exc:
            raise UpstreamBadResponse(
                f"{method} {path} answered outside Square's shape: {exc.errors(include_url=False)[:2]}",
                system=http.system,
                operation=http.operation,
                status=response.status,
            ) from exc

    async def post(self, http: UpstreamHttp, path: str, body: dict[str, Any], model: type[M]) -> M:
        return await self.send(http, "POST", path, model, body)

    async def get(self, http: UpstreamHttp, path: str, model: type[M]) -> M:
        return await self.send(http, "GET", path, model)

    @staticmethod
    def error(http: UpstreamHttp, response: HttpResponse) -> ConnectorError:
        """The connector error for a failed answer, from Square's envelope where there is one."""
        try:
            envelope = ErrorEnvelope.model_validate_json(response.body)
        except ValidationError:
            envelope = ErrorEnvelope()
        if not envelope.errors:
            return http.error_for(response)
        first = envelope.errors[0]
        detail = first.detail or f"HTTP {response.status}"
        if first.field:
            detail = f"{detail} ({first.field})"
        return http.error_for(response, upstream_code=first.code, message=detail)

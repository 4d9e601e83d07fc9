"""One OMS request through the kit's handle: URL, credentials, the error envelope, the answer's model.

Every failure leaves the OMS (HotWax/Moqui) in one envelope::

    {"errorCode": 409, "errors": "Status change from [A] to [B] is not valid.",
     "errorId": "INVALID_STATUS_TRANSITION", "details": [...]}

:func:`error_for` turns it into the connector error for the HTTP status
(:mod:`resolvers.translate`) with ``upstream_code`` = ``errorId`` and the
OMS's message; a 409 ``INSUFFICIENT_INVENTORY`` becomes
:class:`~resolvers.errors.InsufficientStock` naming the short products from
its ``details``. Answers that do not fit their model are
``UpstreamBadResponse`` (they count against the breaker).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from resolvers.errors import ConnectorError, InsufficientStock, UpstreamBadResponse
from resolvers.http import HttpResponse, QueryParams
from resolvers.kit.upstream import UpstreamHttp
from resolvers.oms.settings import OmsSettings
from resolvers.oms.wire import ErrorEnvelope

__all__ = ["INSUFFICIENT_INVENTORY", "OmsHttp", "envelope", "error_for", "existing_id", "parse"]

M = TypeVar("M", bound=BaseModel)

INSUFFICIENT_INVENTORY = "INSUFFICIENT_INVENTORY"


class OmsHttp:
    """Requests to one OMS: its API root and credential headers."""

    def __init__(self, settings: OmsSettings) -> None:
        self.root = settings.api_root
        self.headers: Mapping[str, str] = settings.auth_headers()

    async def send(
        self,
        http: UpstreamHttp,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        json: Any = None,
    ) -> HttpResponse:
        """The raw answer, whatever its status (for callers that branch on the envelope)."""
        return await http.request(
            method, self.root + path, headers=self.headers, params=params, json=json, check=False
        )

    async def call(
        self,
        http: UpstreamHttp,
        method: str,
        path: str,
        model: type[M],
        *,
        params: QueryParams | None = None,
        json: Any = None,
    ) -> M:
        """The answer as ``model``; a non-2xx answer raises its connector error."""
        response = await self.send(http, method, path, params=params, json=json)
        if not response.ok:
            raise error_for(http, response)
        return parse(http, response, model)


def envelope(response: HttpResponse) -> ErrorEnvelope | None:
    """The OMS error envelope of a failed answer; None when the body is not one."""
    try:
        return ErrorEnvelope.model_validate_json(response.body)
    except ValidationError:
        return None


def _short_products(details: list[Any]) -> tuple[str, ...]:
    skus = (d.get("productId") for d in details if isinstance(d, dict))
    return tuple(dict.fromkeys(str(sku) for sku in skus if sku))


def error_for(http: UpstreamHttp, response: HttpResponse) -> ConnectorError:
    """The connector error for a non-2xx answer, with the envelope's ``errorId`` and message."""
    found = envelope(response)
    code = found.errorId if found else None
    message = found.message if found else None
    if response.status == 409 and code == INSUFFICIENT_INVENTORY and found is not None:
        return InsufficientStock(
            message or "not enough inventory",
            skus=_short_products(found.details),
            system=http.system,
            operation=http.operation,
            status=response.status,
            upstream_code=code,
        )
    return http.error_for(response, upstream_code=code, message=message)


def existing_id(http: UpstreamHttp, response: HttpResponse, error_id: str, field: str) -> str | None:
    """For a 409 ``error_id`` (``ORDER_EXISTS``, ``RETURN_EXISTS``): the existing record's ``field``.

    None when the answer is anything else; a duplicate refusal that names no record is a bad answer.
    """
    if response.status != 409:
        return None
    found = envelope(response)
    if found is None or found.errorId != error_id:
        return None
    for detail in found.details:
        if isinstance(detail, dict) and detail.get(field):
            return str(detail[field])
    raise UpstreamBadResponse(
        f"{error_id} without the existing {field}",
        system=http.system,
        operation=http.operation,
        status=response.status,
        upstream_code=error_id,
    )


def parse(http: UpstreamHttp, response: HttpResponse, model: type[M]) -> M:
    """``response``'s body as ``model``, or ``UpstreamBadResponse`` saying what did not fit."""
    try:
        return model.model_validate_json(response.body)
    except ValidationError as exc:
        raise UpstreamBadResponse(
            f"unexpected {model.__name__} from {response.method} {response.url}: "
            f"{exc.error_count()} problem(s), first {exc.errors(include_url=False)[0]['msg']!r}",
            system=http.system,
            operation=http.operation,
            status=response.status,
        ) from exc

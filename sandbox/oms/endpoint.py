"""The one place OMS handlers' failures are caught: auth, body parsing and validation, error shape.

:func:`endpoint` wraps a handler so that an :class:`OmsError` or a pydantic
``ValidationError`` leaves as the Moqui error envelope; anything else
propagates to the app's last-resort handler (a shaped 500). When the
settings name an access token, each request must carry it as
``Authorization: Bearer <token>`` or as an ``api_key`` header (401 otherwise).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.oms.errors import OmsError, error_response

__all__ = ["API_USER", "BASE_PATH", "Handler", "endpoint", "read_body", "route"]

BASE_PATH = "/rest/s1/oms"
API_USER = "api.user"
"""The user login that changes made through the API are recorded under."""

Handler = Callable[[Request], Awaitable[Response]]
M = TypeVar("M", bound=BaseModel)


def _authorised(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode()):
        return True
    api_key = request.headers.get("api_key")
    return api_key is not None and hmac.compare_digest(api_key.encode(), token.encode())


def endpoint(handler: Handler, token: str | None) -> Handler:
    """``handler`` behind the token check, with OmsError and validation errors in the OMS's shape."""

    async def wrapped(request: Request) -> Response:
        if token is not None and not _authorised(request, token):
            return error_response(
                401, "UNAUTHORIZED", "User must be logged in: send Authorization: Bearer <token> or api_key."
            )
        try:
            return await handler(request)
        except OmsError as exc:
            return error_response(exc.status, exc.error_id, exc.message, exc.details)
        except ValidationError as exc:
            details = [
                {
                    "field": ".".join(map(str, err["loc"])) or "(body)",
                    "message": err["msg"],
                    "type": err["type"],
                }
                for err in exc.errors(include_url=False)
            ]
            fields = ", ".join(d["field"] for d in details)
            return error_response(400, "VALIDATION_ERROR", f"Invalid parameters: {fields}.", details)

    wrapped.__name__ = getattr(handler, "__name__", "handler")
    return wrapped


async def read_body(request: Request, model: type[M]) -> M:
    """The JSON body as ``model``; a 400 INVALID_JSON when it is not JSON at all."""
    raw = await request.body()
    try:
        data = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError as exc:
        raise OmsError(400, "INVALID_JSON", f"The request body is not valid JSON: {exc}.") from None
    if data is None:
        raise OmsError(400, "INVALID_JSON", "The request needs a JSON body.")
    return model.model_validate(data)


def route(path: str, handler: Handler, method: str, token: str | None) -> Route:
    """A route under :data:`BASE_PATH` for one method, wrapped by :func:`endpoint`."""
    return Route(BASE_PATH + path, endpoint(handler, token), methods=[method])

"""The edge of every POS endpoint: bearer auth, ``Square-Version``, JSON bodies, query strings.

:func:`guarded` wraps a handler so that it runs only for an authorised
caller and so that a :class:`SquareError` it raises becomes Square's error
envelope. :func:`read_body` validates a JSON body against a pydantic model in
strict mode (Square's JSON parser does not coerce ``"5"`` into ``5``) and
translates validation errors into Square's codes (``EXPECTED_STRING``,
``MISSING_REQUIRED_PARAMETER``, ``INVALID_ENUM_VALUE``, ...) with the
offending ``field`` spelled ``order.line_items[0].quantity``.

Unknown fields are ignored, as Square's API does.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request
from starlette.responses import Response

from sandbox.app import json_response
from sandbox.pos.errors import ErrorItem, SquareError
from sandbox.pos.wire import compact

__all__ = [
    "Handler",
    "SquareModel",
    "guarded",
    "ok",
    "path_param",
    "query_bool",
    "query_enum",
    "query_int",
    "query_list",
    "query_str",
    "read_body",
]

Handler = Callable[[Request], Awaitable[Response]]
M = TypeVar("M", bound=BaseModel)

_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNAUTHORIZED = "This request could not be authorized."
_MALFORMED = (
    "The `Authorization` http header of your request was malformed. The header value is expected to be "
    'of the format "Bearer TOKEN" (without quotation marks), where TOKEN is to be replaced with your '
    "access token."
)

_CODES = {
    "missing": ("MISSING_REQUIRED_PARAMETER", "Field must be set"),
    "string_type": ("EXPECTED_STRING", "Expected a string value"),
    "int_type": ("EXPECTED_INTEGER", "Expected an integer value"),
    "int_from_float": ("EXPECTED_INTEGER", "Expected an integer value"),
    "int_parsing": ("EXPECTED_INTEGER", "Expected an integer value"),
    "bool_type": ("EXPECTED_BOOLEAN", "Expected a boolean value"),
    "list_type": ("EXPECTED_ARRAY", "Expected an array value"),
    "model_type": ("EXPECTED_OBJECT", "Expected an object value"),
    "dict_type": ("EXPECTED_OBJECT", "Expected an object value"),
    "string_too_long": ("VALUE_TOO_LONG", "Field is too long"),
    "too_long": ("ARRAY_LENGTH_TOO_LONG", "Array is too long"),
    "too_short": ("ARRAY_LENGTH_TOO_SHORT", "Array is too short"),
    "greater_than_equal": ("VALUE_TOO_LOW", "Value is too low"),
    "greater_than": ("VALUE_TOO_LOW", "Value is too low"),
    "less_than_equal": ("VALUE_TOO_HIGH", "Value is too high"),
    "less_than": ("VALUE_TOO_HIGH", "Value is too high"),
}


class SquareModel(BaseModel):
    """Base of request bodies: strict JSON types, unknown fields ignored (as Square does)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def guarded(handler: Handler, access_token: str | None) -> Handler:
    """``handler`` behind Square's bearer auth, with :class:`SquareError` rendered."""

    async def endpoint(request: Request) -> Response:
        try:
            _authorise(request, access_token)
            version = request.headers.get("square-version")
            if version is not None and not _VERSION.match(version):
                raise SquareError(
                    400, "INVALID_SQUARE_VERSION_FORMAT", f"`{version}` is not a valid Square-Version."
                )
            return await handler(request)
        except SquareError as exc:
            return exc.response()

    return endpoint


def _authorise(request: Request, access_token: str | None) -> None:
    header = request.headers.get("authorization")
    if header is None:
        raise SquareError(401, "UNAUTHORIZED", _UNAUTHORIZED)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SquareError(401, "UNAUTHORIZED", _MALFORMED)
    if access_token is not None and token.strip() != access_token:
        raise SquareError(401, "UNAUTHORIZED", _UNAUTHORIZED)


def ok(payload: dict[str, Any]) -> Response:
    """A 200 with Square's habit of leaving out unset fields and empty arrays."""
    return json_response(compact(payload))


async def read_body(request: Request, model: type[M]) -> tuple[M, Any]:
    """The validated body and its raw JSON (for idempotency fingerprints)."""
    body = await request.body()
    if not body.strip():
        body = b"{}"
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SquareError(400, "BAD_REQUEST", f"Invalid JSON body: {exc}") from exc
    if not isinstance(raw, dict):
        raise SquareError(400, "BAD_REQUEST", "The request body must be a JSON object.")
    try:
        return model.model_validate_json(body), raw
    except ValidationError as exc:
        items = [_item(error) for error in exc.errors(include_url=False)]
        first, *rest = items
        raise SquareError(400, first.code, first.detail, field=first.field, more=tuple(rest)) from exc


def _item(error: ErrorDetails) -> ErrorItem:
    field = _field(error["loc"])
    kind = error["type"]
    if kind in ("literal_error", "enum"):
        return ErrorItem(
            "INVALID_ENUM_VALUE", f"`{error['input']}` is not a valid enum value for `{field}`", field
        )
    if kind == "string_too_short":
        minimum = (error.get("ctx") or {}).get("min_length", 1)
        code = "VALUE_EMPTY" if minimum == 1 else "VALUE_TOO_SHORT"
        return ErrorItem(code, "Field must not be blank" if minimum == 1 else "Field is too short", field)
    code, detail = _CODES.get(kind, ("INVALID_VALUE", error["msg"]))
    return ErrorItem(code, detail, field)


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def path_param(request: Request, name: str) -> str:
    value: str = request.path_params[name]
    return value


def query_str(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value if value else None


def query_list(request: Request, name: str) -> list[str]:
    """A comma-separated query parameter (``location_ids=A,B``), repeated keys allowed."""
    return [part for value in request.query_params.getlist(name) for part in value.split(",") if part]


def query_int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise SquareError(400, "EXPECTED_INTEGER", "Expected an integer value", field=name) from exc
    if number < lo:
        raise SquareError(400, "VALUE_TOO_LOW", f"`{name}` must be at least {lo}.", field=name)
    if number > hi:
        raise SquareError(400, "VALUE_TOO_HIGH", f"`{name}` must be at most {hi}.", field=name)
    return number


def query_enum(request: Request, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    value = request.query_params.get(name) or default
    if value is not None and value not in allowed:
        detail = f"`{value}` is not a valid enum value for `{name}`"
        raise SquareError(400, "INVALID_ENUM_VALUE", detail, field=name)
    return value


def query_bool(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "").lower()
    if value in ("", "false"):
        return False
    if value == "true":
        return True
    raise SquareError(400, "EXPECTED_BOOLEAN", "Expected a boolean value", field=name)

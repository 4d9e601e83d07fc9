"""Square's error envelope and the one exception the POS handlers raise.

Every failure, whether raised by a handler, injected by the fault knobs or
produced by the router (404/405), leaves the POS in Square's shape::

    {"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND",
                 "detail": "...", "field": "order.location_id"}]}

Exception tree (one class; the ``code`` is Square's ``ErrorCode``)::

    Exception
     └── SquareError   status + one or more Square error objects
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.responses import Response

from sandbox.app import Failure, json_response

__all__ = ["ErrorItem", "SquareError", "category_for", "failure_response", "invalid", "not_found"]

# Codes the shared fault layer and router use that Square spells differently.
_FAILURE_CODES = {
    "UNPROCESSABLE_ENTITY": "BAD_REQUEST",
    "PRECONDITION_FAILED": "BAD_REQUEST",
    "UNSUPPORTED_MEDIA_TYPE": "BAD_REQUEST",
    "HTTP_ERROR": "BAD_REQUEST",
}


def category_for(status: int) -> str:
    """Square's error category for an HTTP status."""
    if status in (401, 403):
        return "AUTHENTICATION_ERROR"
    if status == 429:
        return "RATE_LIMIT_ERROR"
    if status >= 500:
        return "API_ERROR"
    return "INVALID_REQUEST_ERROR"


@dataclass(frozen=True)
class ErrorItem:
    """One entry of Square's ``errors`` array."""

    code: str
    detail: str
    field: str | None = None

    def as_json(self, category: str) -> dict[str, str]:
        out = {"category": category, "code": self.code, "detail": self.detail}
        if self.field is not None:
            out["field"] = self.field
        return out


class SquareError(Exception):
    """A request the POS refuses: answered with ``status`` and Square's ``errors`` array."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        more: tuple[ErrorItem, ...] = (),
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.items = (ErrorItem(code, detail, field), *more)
        self.retry_after = retry_after

    @property
    def code(self) -> str:
        return self.items[0].code

    def response(self) -> Response:
        category = category_for(self.status)
        headers = None
        if self.retry_after is not None:
            headers = {"Retry-After": str(max(1, math.ceil(self.retry_after)))}
        body = {"errors": [item.as_json(category) for item in self.items]}
        return json_response(body, self.status, headers)


def not_found(kind: str, ident: str, field: str | None = None) -> SquareError:
    """Square's 404 for an id that names nothing."""
    return SquareError(404, "NOT_FOUND", f"{kind} `{ident}` not found.", field=field)


def invalid(detail: str, field: str | None = None, code: str = "INVALID_VALUE") -> SquareError:
    """Square's 400 for a value it will not take."""
    return SquareError(400, code, detail, field=field)


def failure_response(failure: Failure) -> Response:
    """A :class:`Failure` from the shared app (faults, router) in Square's envelope."""
    code = _FAILURE_CODES.get(failure.code, failure.code)
    error = SquareError(failure.status, code, failure.message, retry_after=failure.retry_after)
    return error.response()

"""The OMS's one error type and its wire shape (HotWax/Moqui REST).

Every failure leaves the OMS as::

    {"errorCode": 409, "errors": "Status change from [A] to [B] is not valid.",
     "errorId": "INVALID_STATUS_TRANSITION", "details": [...]}

``errorCode`` is the HTTP status, ``errors`` a human message, ``errorId`` a
stable SHOUTY_SNAKE_CASE code a connector can branch on, ``details`` the
structured particulars (field names for 400s, short products for
INSUFFICIENT_INVENTORY, the existing orderId for ORDER_EXISTS). There is one
exception class, :class:`OmsError`; handlers raise it and the endpoint
wrapper (:mod:`sandbox.oms.endpoint`) is the only place that catches.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.responses import Response

from sandbox.app import Failure, json_response

__all__ = ["OmsError", "error_response"]


class OmsError(Exception):
    """A request the OMS refuses: HTTP status, stable errorId, message and details."""

    def __init__(self, status: int, error_id: str, message: str, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.details = details or []

    @classmethod
    def not_found(cls, entity: str, key: str) -> OmsError:
        return cls(404, f"{entity.upper()}_NOT_FOUND", f"{entity} [{key}] not found.", [{"id": key}])

    def as_failure(self) -> Failure:
        return Failure(self.status, self.error_id, self.message)


def error_response(
    status: int,
    error_id: str,
    message: str,
    details: list[Any] | None = None,
    retry_after: float | None = None,
) -> Response:
    """The Moqui-style error envelope; ``Retry-After`` in whole seconds (at least 1) when given."""
    body = {"errorCode": status, "errors": message, "errorId": error_id, "details": details or []}
    headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if retry_after is not None else None
    return json_response(body, status, headers)

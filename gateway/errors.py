"""The gateway's exception tree; every class has a stable ``code`` that becomes ``extensions.code``.

::

    GatewayError                      INTERNAL_SERVER_ERROR
    ├── SupergraphError               INVALID_SUPERGRAPH       (gateway.supergraph)
    └── RequestError                  BAD_REQUEST              a request the client can fix
"""

from __future__ import annotations

__all__ = ["GatewayError", "RequestError"]


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestError(GatewayError):
    """Something about the request that the client can fix."""

    code = "BAD_REQUEST"

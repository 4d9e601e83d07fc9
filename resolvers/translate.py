"""What the wire says, translated into :mod:`resolvers.errors`: transport exceptions and HTTP statuses.

:data:`TRANSPORT_ERRORS` maps every aiohttp client exception class (and the
socket and timeout errors beneath them) to a class of the tree, plus whether
the request may have reached the system (a refused connection or a connect
timeout never did, so even a write is safe to try again). A test walks every
subclass of ``aiohttp.ClientError`` and fails if one is missing here; at run
time an unknown class falls back to its nearest mapped base.

:data:`STATUS_ERRORS` does the same for HTTP statuses; :func:`error_for_status`
builds the error for an answer, with the system's own code and message when
the connector parsed them out of its error envelope.
"""

from __future__ import annotations

import math
import socket
import ssl
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Final, NamedTuple

import aiohttp

from resolvers.errors import (
    ConnectorError,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamConflict,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamRequestInvalid,
    UpstreamServerError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

__all__ = [
    "STATUS_ERRORS",
    "TRANSPORT_ERRORS",
    "Translation",
    "error_for_status",
    "parse_retry_after",
    "translate_transport_error",
]


class Translation(NamedTuple):
    """How one transport exception class maps: the error class, and whether the request may have landed."""

    error: type[ConnectorError]
    maybe_landed: bool


_SENT = True  # the request may have reached the system
_NOT_SENT = False  # it certainly did not (connect phase, or refused before sending)

TRANSPORT_ERRORS: Final[Mapping[type[BaseException], Translation]] = MappingProxyType(
    {
        # aiohttp, every class under ClientError (tests/resolvers/test_errors.py keeps this complete)
        aiohttp.ClientError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.ClientResponseError: Translation(UpstreamBadResponse, _SENT),
        aiohttp.ContentTypeError: Translation(UpstreamBadResponse, _SENT),
        aiohttp.WSServerHandshakeError: Translation(UpstreamBadResponse, _SENT),
        aiohttp.ClientHttpProxyError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.TooManyRedirects: Translation(UpstreamBadResponse, _SENT),
        aiohttp.ClientConnectionError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.ClientConnectionResetError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.ClientOSError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.ClientConnectorError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.ClientConnectorDNSError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.ClientProxyConnectionError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.client_exceptions.UnixClientConnectorError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.ClientSSLError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.ClientConnectorSSLError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.ClientConnectorCertificateError: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.ServerConnectionError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.ServerDisconnectedError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.ServerTimeoutError: Translation(UpstreamTimeout, _SENT),
        aiohttp.ConnectionTimeoutError: Translation(UpstreamTimeout, _NOT_SENT),
        aiohttp.SocketTimeoutError: Translation(UpstreamTimeout, _SENT),
        aiohttp.ServerFingerprintMismatch: Translation(UpstreamUnavailable, _NOT_SENT),
        aiohttp.ClientPayloadError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.UploadAbortedError: Translation(UpstreamUnavailable, _SENT),
        aiohttp.InvalidURL: Translation(UpstreamRequestInvalid, _NOT_SENT),
        aiohttp.InvalidUrlClientError: Translation(UpstreamRequestInvalid, _NOT_SENT),
        aiohttp.InvalidUrlRedirectClientError: Translation(UpstreamBadResponse, _SENT),
        aiohttp.RedirectClientError: Translation(UpstreamBadResponse, _SENT),
        aiohttp.NonHttpUrlClientError: Translation(UpstreamRequestInvalid, _NOT_SENT),
        aiohttp.NonHttpUrlRedirectClientError: Translation(UpstreamBadResponse, _SENT),
        # below aiohttp: asyncio / socket errors that can escape a request
        TimeoutError: Translation(UpstreamTimeout, _SENT),  # asyncio.TimeoutError is this class
        ConnectionRefusedError: Translation(UpstreamUnavailable, _NOT_SENT),
        ConnectionResetError: Translation(UpstreamUnavailable, _SENT),
        ConnectionAbortedError: Translation(UpstreamUnavailable, _SENT),
        BrokenPipeError: Translation(UpstreamUnavailable, _SENT),
        ConnectionError: Translation(UpstreamUnavailable, _SENT),
        socket.gaierror: Translation(UpstreamUnavailable, _NOT_SENT),
        ssl.SSLError: Translation(UpstreamUnavailable, _NOT_SENT),
        OSError: Translation(UpstreamUnavailable, _SENT),
    }
)

# Statuses outside this table: other 4xx -> UpstreamRejected, other 5xx -> UpstreamServerError,
# anything else that is not 2xx -> UpstreamBadResponse.
STATUS_ERRORS: Final[Mapping[int, type[ConnectorError]]] = MappingProxyType(
    {
        401: UpstreamAuthFailed,
        403: UpstreamAuthFailed,
        404: UpstreamNotFound,
        408: UpstreamTimeout,
        409: UpstreamConflict,
        410: UpstreamNotFound,
        412: UpstreamConflict,
        429: UpstreamRateLimited,
        502: UpstreamUnavailable,
        503: UpstreamUnavailable,
        504: UpstreamUnavailable,
    }
)


def _translation_for(exc: BaseException) -> Translation:
    for cls in type(exc).__mro__:
        found = TRANSPORT_ERRORS.get(cls)
        if found is not None:
            return found
    return Translation(UpstreamUnavailable, _SENT)


def translate_transport_error(
    exc: BaseException, *, system: str, operation: str, url: str = ""
) -> ConnectorError:
    """The connector error for a transport exception (raise it ``from exc``)."""
    error, maybe_landed = _translation_for(exc)
    status = exc.status if isinstance(exc, aiohttp.ClientResponseError) else None
    where = f" calling {url}" if url else ""
    detail = str(exc) or type(exc).__name__
    return error(
        f"{type(exc).__name__}{where}: {detail}",
        system=system,
        operation=operation,
        status=status,
        maybe_landed=maybe_landed,
    )


def _status_class(status: int) -> type[ConnectorError]:
    known = STATUS_ERRORS.get(status)
    if known is not None:
        return known
    if 400 <= status < 500:
        return UpstreamRejected
    if 500 <= status < 600:
        return UpstreamServerError
    return UpstreamBadResponse


def error_for_status(
    status: int,
    *,
    system: str,
    operation: str,
    upstream_code: str | None = None,
    message: str | None = None,
    retry_after: float | None = None,
) -> ConnectorError:
    """The connector error for a non-2xx answer; pass what the system's error envelope said."""
    error = _status_class(status)
    return error(
        message or f"HTTP {status}",
        system=system,
        operation=operation,
        status=status,
        upstream_code=upstream_code,
        retry_after=retry_after,
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait per a ``Retry-After`` header (delta-seconds or HTTP date); None if absent or junk."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None

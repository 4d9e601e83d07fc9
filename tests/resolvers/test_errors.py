"""The connector exception tree, and how transport failures and statuses are translated into it."""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from resolvers import errors
from resolvers.errors import (
    CircuitOpen,
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
from resolvers.http import HttpClient
from resolvers.translate import (
    TRANSPORT_ERRORS,
    error_for_status,
    parse_retry_after,
    translate_transport_error,
)
from tests._servers import free_port
from tests.resolvers.conftest import Reply, Upstream

_ERROR_CLASSES = [getattr(errors, name) for name in errors.__all__]


def _subclasses(cls: type[BaseException]) -> Iterator[type[BaseException]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_connector_error_has_its_own_shouty_code() -> None:
    codes = [cls.code for cls in _ERROR_CLASSES]
    assert len(codes) == len(set(codes)) == 14
    assert all(re.fullmatch(r"[A-Z]+(_[A-Z]+)+", code) for code in codes)
    assert all(issubclass(cls, ConnectorError) for cls in _ERROR_CLASSES)


def test_every_aiohttp_client_exception_class_is_mapped_explicitly() -> None:
    subclasses = _subclasses(aiohttp.ClientError)
    aiohttp_classes = {cls for cls in subclasses if cls.__module__.startswith("aiohttp")}
    assert len(aiohttp_classes) > 25
    unmapped = (aiohttp_classes | {aiohttp.ClientError}) - TRANSPORT_ERRORS.keys()
    assert sorted(cls.__qualname__ for cls in unmapped) == []


@pytest.mark.parametrize(
    ("exc", "expected", "maybe_landed"),
    [
        (TimeoutError(), UpstreamTimeout, True),
        (ConnectionRefusedError(), UpstreamUnavailable, False),
        (ConnectionResetError(), UpstreamUnavailable, True),
        (BrokenPipeError(), UpstreamUnavailable, True),
        (socket.gaierror(), UpstreamUnavailable, False),
        (ssl.SSLError(), UpstreamUnavailable, False),
        (OSError(), UpstreamUnavailable, True),
        (aiohttp.ConnectionTimeoutError(), UpstreamTimeout, False),
        (aiohttp.SocketTimeoutError(), UpstreamTimeout, True),
        (aiohttp.ServerDisconnectedError(), UpstreamUnavailable, True),
        (aiohttp.ClientPayloadError(), UpstreamUnavailable, True),
        (aiohttp.InvalidURL("nope"), UpstreamRequestInvalid, False),
    ],
)
def test_socket_timeout_and_aiohttp_errors_translate_with_whether_the_request_may_have_landed(
    exc: BaseException, expected: type[ConnectorError], maybe_landed: bool
) -> None:
    error = translate_transport_error(exc, system="erp", operation="stock", url="http://erp/x")
    assert type(error) is expected
    assert error.maybe_landed is maybe_landed
    assert (error.system, error.operation) == ("erp", "stock")


def test_an_unknown_subclass_falls_back_to_its_nearest_mapped_base() -> None:
    class VendorTimeout(aiohttp.ServerTimeoutError):
        pass

    assert type(translate_transport_error(VendorTimeout(), system="s", operation="o")) is UpstreamTimeout


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, UpstreamRejected),
        (401, UpstreamAuthFailed),
        (403, UpstreamAuthFailed),
        (404, UpstreamNotFound),
        (408, UpstreamTimeout),
        (409, UpstreamConflict),
        (410, UpstreamNotFound),
        (412, UpstreamConflict),
        (422, UpstreamRejected),
        (429, UpstreamRateLimited),
        (500, UpstreamServerError),
        (501, UpstreamServerError),
        (502, UpstreamUnavailable),
        (503, UpstreamUnavailable),
        (504, UpstreamUnavailable),
        (302, UpstreamBadResponse),
    ],
)
def test_each_status_maps_to_its_class_of_the_tree(status: int, expected: type[ConnectorError]) -> None:
    error = error_for_status(status, system="pos", operation="orders", upstream_code="X", message="m")
    assert type(error) is expected
    assert (error.status, error.upstream_code, error.message) == (status, "X", "m")


def test_only_transient_errors_are_retryable_and_only_health_errors_count_against_the_breaker() -> None:
    retryable = {cls for cls in _ERROR_CLASSES if cls.retryable}
    assert retryable == {UpstreamUnavailable, UpstreamTimeout, UpstreamRateLimited}
    breaker = {cls for cls in _ERROR_CLASSES if cls.breaker_failure}
    assert breaker == {UpstreamUnavailable, UpstreamTimeout, UpstreamServerError, UpstreamBadResponse}
    assert not UpstreamNotFound.serve_stale
    assert CircuitOpen.serve_stale


def test_extensions_carry_the_code_system_and_what_the_upstream_said() -> None:
    error = error_for_status(
        429, system="shopify", operation="stock", upstream_code="THROTTLED", retry_after=2
    )
    assert error.extensions() == {
        "code": "UPSTREAM_RATE_LIMITED",
        "system": "shopify",
        "operation": "stock",
        "upstreamStatus": 429,
        "upstreamCode": "THROTTLED",
        "retryAfter": 2,
    }
    assert str(error) == "shopify stock: HTTP 429"


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after(None) is None


async def test_a_refused_connection_is_upstream_unavailable_that_never_landed(http: HttpClient) -> None:
    url = f"http://127.0.0.1:{free_port()}/x"
    with pytest.raises(UpstreamUnavailable) as caught:
        await http.request("GET", url, system="erp", operation="stock")
    assert caught.value.maybe_landed is False
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)


async def test_a_slow_answer_is_upstream_timeout_with_the_cause_attached(
    http: HttpClient, upstream: Upstream
) -> None:
    upstream.script("/slow", Reply(delay=0.5))
    with pytest.raises(UpstreamTimeout) as caught:
        await http.request("GET", f"{upstream.url}/slow", timeout=0.05, system="oms", operation="orders")
    assert isinstance(caught.value.__cause__, TimeoutError)
    assert caught.value.maybe_landed is True


@pytest.fixture
async def hang_up_url() -> AsyncIterator[str]:
    """A TCP server that reads the request and closes the connection without answering."""

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/x"


async def test_a_connection_dropped_mid_request_is_upstream_unavailable_that_may_have_landed(
    http: HttpClient, hang_up_url: str
) -> None:
    with pytest.raises(UpstreamUnavailable) as caught:
        await http.request("POST", hang_up_url, json={"a": 1}, system="pos", operation="create_order")
    assert caught.value.maybe_landed is True
    assert isinstance(caught.value.__cause__, aiohttp.ServerDisconnectedError)


async def test_a_body_that_is_not_json_is_upstream_bad_response(http: HttpClient, upstream: Upstream) -> None:
    upstream.script("/html", Reply(json=None))
    response = await http.request("GET", f"{upstream.url}/html", system="erp", operation="stock")
    with pytest.raises(UpstreamBadResponse) as caught:
        response.json()
    assert caught.value.system == "erp"


async def test_a_url_that_cannot_be_sent_is_upstream_request_invalid(http: HttpClient) -> None:
    with pytest.raises(UpstreamRequestInvalid):
        await http.request("GET", "ftp://example.invalid/x", system="erp", operation="stock")

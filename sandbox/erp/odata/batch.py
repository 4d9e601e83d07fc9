"""``POST <service>/$batch``: multipart/mixed requests, answered multipart/mixed (202).

Request layout (CRLF or LF line ends)::

    --batch_1
    Content-Type: application/http
    Content-Transfer-Encoding: binary

    GET A_SalesOrder('1000001')?$format=json HTTP/1.1
    Accept: application/json

    --batch_1
    Content-Type: multipart/mixed; boundary=changeset_1

    --changeset_1
    Content-Type: application/http
    Content-Transfer-Encoding: binary

    PATCH A_SalesOrderItem(SalesOrder='1000001',SalesOrderItem='10') HTTP/1.1
    Content-Type: application/json

    {"SalesDocumentRjcnReason": "10"}
    --changeset_1--
    --batch_1--

Each retrieval part gets one ``application/http`` response part with its own
status line; a changeset gets a nested multipart of its responses, or, when
any of its requests fails, the state is rolled back and the changeset is
answered by that one error response (OData V2). Request URLs are relative to
the service root or absolute paths below it; ``Content-ID`` is echoed
(``$<id>`` references are not resolved). The parts run in order, without
fault injection (the $batch request as a whole went through it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sandbox.erp.odata.engine import Engine
from sandbox.erp.odata.errors import BAD_BODY, BAD_URI, ODataError
from sandbox.erp.odata.messages import ODataRequest, ODataResponse

__all__ = ["Transaction", "handle_batch"]

_CRLF = b"\r\n"

Transaction = tuple[Callable[[], Any], Callable[[Any], None]]
"""(take a snapshot of the mutable state, restore a snapshot)."""


def _bad(message: str) -> ODataError:
    return ODataError(400, BAD_BODY, f"Invalid batch request: {message}")


def _boundary(content_type: str | None) -> str:
    media, _, params = (content_type or "").partition(";")
    if media.strip().lower() != "multipart/mixed":
        raise _bad("the content type must be multipart/mixed with a boundary")
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value.strip('"'):
            return value.strip('"')
    raise _bad("the multipart/mixed content type has no boundary")


def _parts(body: bytes, boundary: str) -> list[bytes]:
    segments = body.split(b"--" + boundary.encode())
    if len(segments) < 2:
        raise _bad(f"boundary '{boundary}' not found in the body")
    parts: list[bytes] = []
    for segment in segments[1:]:
        if segment.startswith(b"--"):
            return parts
        parts.append(segment.removeprefix(_CRLF).removeprefix(b"\n").removesuffix(_CRLF).removesuffix(b"\n"))
    raise _bad(f"the closing delimiter --{boundary}-- is missing")


def _head(data: bytes) -> tuple[list[str], bytes]:
    """Header lines and the rest, split at the first blank line."""
    normal = data.replace(_CRLF, b"\n")
    head, sep, rest = normal.partition(b"\n\n")
    if not sep:
        head, rest = normal, b""
    lines = [line for line in head.decode("utf-8", "replace").split("\n") if line.strip()]
    return lines, rest


def _headers(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep:
            raise _bad(f"malformed header line '{line}'")
        out[name.strip().lower()] = value.strip()
    return out


def _inner_request(data: bytes, root: str, outer: ODataRequest) -> tuple[ODataRequest, str | None]:
    part_lines, payload = _head(data)
    part_headers = _headers(part_lines)
    if part_headers.get("content-type", "").split(";")[0].strip().lower() != "application/http":
        raise _bad("a part must have Content-Type application/http")
    lines, body = _head(payload)
    if not lines:
        raise _bad("a part has no request line")
    words = lines[0].split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        raise _bad(f"malformed request line '{lines[0]}'")
    method, url, _ = words
    parsed = urlsplit(url)
    path = unquote(parsed.path)
    if path.startswith("/"):
        if not path.startswith(root):
            raise ODataError(400, BAD_URI, f"Batch part URL '{url}' is outside service root {root}")
        path = path[len(root) :]
    request = ODataRequest(
        method=method.upper(),
        path=path,
        query=parse_qsl(parsed.query, keep_blank_values=True),
        headers=_headers(lines[1:]),
        body=body.rstrip(b"\r\n"),
        host_url=outer.host_url,
    )
    return request, part_headers.get("content-id")


def _response_part(response: ODataResponse, content_id: str | None) -> bytes:
    reason = HTTPStatus(response.status).phrase
    head = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        head.append(f"Content-ID: {content_id}")
    inner = [f"HTTP/1.1 {response.status} {reason}"]
    if response.media_type:
        inner.append(f"Content-Type: {response.media_type}")
    inner.append(f"Content-Length: {len(response.body)}")
    inner.extend(f"{name}: {value}" for name, value in response.headers.items())
    return ("\r\n".join(head) + "\r\n\r\n" + "\r\n".join(inner) + "\r\n\r\n").encode() + response.body


def _multipart(parts: list[bytes], boundary: str) -> bytes:
    out = b"".join(b"--" + boundary.encode() + _CRLF + part + _CRLF for part in parts)
    return out + b"--" + boundary.encode() + b"--" + _CRLF


def _changeset(
    engine: Engine, data: bytes, content_type: str, outer: ODataRequest, transaction: Transaction
) -> bytes:
    boundary = _boundary(content_type)
    requests = [_inner_request(part, engine.service.root, outer) for part in _parts(data, boundary)]
    snapshot = transaction[0]()
    answers: list[bytes] = []
    for request, content_id in requests:
        if request.method in ("GET", "HEAD"):
            response = engine.error_response(_bad("a changeset may not contain GET requests"))
        else:
            response = engine.handle(request)
        if response.status >= 400:
            transaction[1](snapshot)
            return _response_part(response, content_id)
        answers.append(_response_part(response, content_id))
    inner_boundary = f"changesetresponse_{uuid.uuid4().hex}"
    head = f"Content-Type: multipart/mixed; boundary={inner_boundary}\r\n\r\n".encode()
    return head + _multipart(answers, inner_boundary)


def handle_batch(engine: Engine, request: ODataRequest, transaction: Transaction) -> ODataResponse:
    """Run every part of a $batch request; a malformed envelope is one OData 400."""
    try:
        boundary = _boundary(request.header("content-type"))
        answers: list[bytes] = []
        for part in _parts(request.body, boundary):
            lines, payload = _head(part)
            content_type = _headers(lines).get("content-type", "")
            if content_type.lower().startswith("multipart/mixed"):
                answers.append(_changeset(engine, payload, content_type, request, transaction))
                continue
            inner, content_id = _inner_request(part, engine.service.root, request)
            if inner.method not in ("GET", "HEAD"):
                raise _bad(f"{inner.method} must be inside a changeset")
            answers.append(_response_part(engine.handle(inner), content_id))
    except ODataError as exc:
        return engine.error_response(exc)
    outer_boundary = f"batchresponse_{uuid.uuid4().hex}"
    return ODataResponse(
        202, _multipart(answers, outer_boundary), f"multipart/mixed; boundary={outer_boundary}"
    )

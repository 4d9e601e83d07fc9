"""The gateway over HTTP (GraphQL over HTTP): ``POST``/``GET /graphql`` and ``GET /health``.

Status codes and media types follow the GraphQL-over-HTTP spec: a client
that accepts ``application/graphql-response+json`` gets it, with 4xx for a
request that could not run (parse, validation, variables); a client asking
for ``application/json`` (or nothing) gets 200 for every well-formed request.
A body that is not JSON, a missing query, or a mutation over GET are 400 or
405 either way. Identical in-flight queries (same document, operation,
variables and caller) share one execution when inbound de-duplication is on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import OperationType
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from gateway.operation import OperationError
from gateway.planner import PlanningError
from gateway.service import Gateway, GraphQLRequest
from gateway.settings import GatewaySettings
from gateway.supergraph import Supergraph

__all__ = ["create_app"]

_log = logging.getLogger("gateway")
_GRAPHQL_RESPONSE = "application/graphql-response+json"
_JSON = "application/json"
_FORWARDED = ("authorization", "x-correlation-id", "traceparent", "tracestate")


def _error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _media_type(request: Request) -> str:
    accept = request.headers.get("accept", "")
    if _GRAPHQL_RESPONSE in accept and (
        _JSON not in accept or accept.index(_GRAPHQL_RESPONSE) < accept.index(_JSON)
    ):
        return _GRAPHQL_RESPONSE
    return _JSON


def _respond(
    body: dict[str, Any] | bytes, status: int, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, status, headers, media_type=f"{media_type}; charset=utf-8")


class _GraphQLEndpoint:
    def __init__(self, gateway: Gateway, settings: GatewaySettings) -> None:
        self.gateway = gateway
        self.settings = settings
        self._in_flight: dict[bytes, asyncio.Future[bytes]] = {}

    async def handle(self, request: Request) -> Response:
        media_type = _media_type(request)
        parsed = await self._read(request)
        if isinstance(parsed, Response):
            return parsed
        graphql_request = parsed
        try:
            _, operation = self.gateway.prepare(graphql_request)
        except OperationError as exc:
            return self._request_error(exc, media_type)
        if operation.operation == OperationType.SUBSCRIPTION:
            return _respond(
                _error_body("This gateway does not serve subscriptions.", "SUBSCRIPTIONS_NOT_SUPPORTED"),
                400,
                media_type,
            )
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            return _respond(
                _error_body("Only queries can be sent with GET; use POST.", "METHOD_NOT_ALLOWED"),
                405,
                media_type,
                {"Allow": "POST"},
            )
        headers = {k: v for k, v in request.headers.items() if k in _FORWARDED}
        if self.settings.dedupe_inbound and operation.operation == OperationType.QUERY:
            return await self._deduplicated(graphql_request, headers, media_type)
        return await self._run(graphql_request, headers, media_type)

    async def _run(
        self, graphql_request: GraphQLRequest, headers: dict[str, str], media_type: str
    ) -> Response:
        try:
            result = await self.gateway.execute(graphql_request, headers)
        except OperationError as exc:
            return self._request_error(exc, media_type)
        except PlanningError as exc:
            return _respond(_error_body(exc.message, exc.code), 500, media_type)
        except Exception:  # the one broad catch: a bug must not leak a stack trace to clients
            _log.exception("unexpected error while executing an operation")
            return _respond(_error_body("Internal server error.", "INTERNAL_SERVER_ERROR"), 500, media_type)
        return _respond(result, 200, media_type)

    async def _deduplicated(
        self, graphql_request: GraphQLRequest, headers: dict[str, str], media_type: str
    ) -> Response:
        key = hashlib.sha256(
            orjson.dumps(
                [
                    graphql_request.query,
                    graphql_request.operation_name,
                    graphql_request.variables,
                    headers,
                    media_type,
                ],
                option=orjson.OPT_SORT_KEYS,
            )
        ).digest()
        pending = self._in_flight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._encoded(graphql_request, headers, media_type))
            self._in_flight[key] = pending
            pending.add_done_callback(lambda _: self._in_flight.pop(key, None))
        encoded = await asyncio.shield(pending)
        status, body = int(encoded[:3]), encoded[3:]
        return _respond(body, status, media_type)

    async def _encoded(
        self, graphql_request: GraphQLRequest, headers: dict[str, str], media_type: str
    ) -> bytes:
        response = await self._run(graphql_request, headers, media_type)
        return str(response.status_code).encode() + bytes(response.body)

    def _request_error(self, exc: OperationError, media_type: str) -> Response:
        errors = []
        for error in exc.errors:
            formatted: dict[str, Any] = dict(error.formatted)
            formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": exc.code}
            errors.append(formatted)
        status = 400 if media_type == _GRAPHQL_RESPONSE else 200
        if exc.code == "OPERATION_RESOLUTION_FAILURE":
            status = 400
        return _respond({"errors": errors}, status, media_type)

    async def _read(self, request: Request) -> GraphQLRequest | Response:
        media_type = _media_type(request)
        raw: Any
        if request.method == "GET":
            params = request.query_params
            raw = {"query": params.get("query"), "operationName": params.get("operationName")}
            if params.get("variables"):
                try:
                    raw["variables"] = orjson.loads(params["variables"])
                except orjson.JSONDecodeError:
                    return _respond(
                        _error_body("variables is not valid JSON", "BAD_REQUEST"), 400, media_type
                    )
        else:
            content_type = request.headers.get("content-type", "")
            if "json" not in content_type:
                return _respond(
                    _error_body("POST bodies must be JSON (Content-Type: application/json).", "BAD_REQUEST"),
                    415,
                    media_type,
                )
            body = await request.body()
            if len(body) > self.settings.max_body_bytes:
                return _respond(
                    _error_body("The request body is too large.", "PAYLOAD_TOO_LARGE"), 413, media_type
                )
            try:
                raw = orjson.loads(body)
            except orjson.JSONDecodeError:
                return _respond(
                    _error_body("The request body is not valid JSON.", "BAD_REQUEST"), 400, media_type
                )
            if not isinstance(raw, dict):
                return _respond(
                    _error_body("The request body must be a JSON object.", "BAD_REQUEST"), 400, media_type
                )
        query, variables, name = raw.get("query"), raw.get("variables"), raw.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return _respond(_error_body("The request has no query.", "BAD_REQUEST"), 400, media_type)
        if variables is not None and not isinstance(variables, dict):
            return _respond(_error_body("variables must be a JSON object.", "BAD_REQUEST"), 400, media_type)
        if name is not None and not isinstance(name, str):
            return _respond(_error_body("operationName must be a string.", "BAD_REQUEST"), 400, media_type)
        return GraphQLRequest(query, variables, name or None)


class _GatewayApp(Starlette):
    """Starlette, with ``/graphql`` served straight from the ASGI call.

    The hot path skips the router and Starlette's two exception middlewares
    (their share of a small request's CPU was ~10 %): the endpoint answers
    every outcome itself, and anything it did not expect is logged and
    answered 500 with a JSON error, as the middleware would have done. Once
    any middleware is added (``add_middleware``), every request takes the
    ordinary path through it.
    """

    endpoint: _GraphQLEndpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.user_middleware
            or scope["type"] != "http"
            or scope["path"] != "/graphql"
            or scope["method"] not in ("GET", "POST")
        ):
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.endpoint.handle(request)
        except ClientDisconnect:
            return  # nobody to answer
        except Exception:
            _log.exception("unexpected error while serving /graphql")
            response = _respond(_error_body("Internal server error.", "INTERNAL_SERVER_ERROR"), 500, _JSON)
        await response(scope, receive, send)


def create_app(supergraph: Supergraph, settings: GatewaySettings | None = None) -> Starlette:
    """The gateway's ASGI app for ``supergraph``."""
    settings = settings or GatewaySettings()
    gateway = Gateway(supergraph, settings)
    endpoint = _GraphQLEndpoint(gateway, settings)

    async def health(_: Request) -> Response:
        return _respond({"status": "pass"}, 200, _JSON)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.close()

    app = _GatewayApp(
        routes=[
            Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.endpoint = endpoint
    app.state.gateway = gateway
    return app

"""One subgraph process: a Strawberry federated schema served by Starlette, with its systems opened once.

``subgraph_app(name, schema, settings)`` gives the ASGI app every subgraph
runs: ``POST/GET /graphql`` (Strawberry), ``GET /health``, and a lifespan that
opens :class:`~subgraphs.common.systems.Systems` (storage, HTTP client,
connectors) and any background workers the subgraph asks for (the ERP
outbox poster), and closes them at shutdown.

Each request gets a :class:`RequestContext`: the process's systems, and its
own per-request dataloaders (``ctx.loader(name, factory)``), so everything one
GraphQL request asks of a system is batched and cached for that request only.

Errors: a resolver's exception with a stable ``code`` (connector errors,
domain errors) becomes ``extensions.code`` (plus what its ``extensions()``
adds) and is not logged as a fault; any other exception is logged with its
traceback and answered as ``INTERNAL_SERVER_ERROR`` without internals.
Never a stack trace to the client. Every error carries a code:

==========================  ===========================================================
GRAPHQL_PARSE_FAILED        the document does not parse (nested too deeply included)
GRAPHQL_VALIDATION_FAILED   the document does not validate against the schema
BAD_USER_INPUT              a variable or an argument value the schema refuses; or a
                            resolver's refusal (:class:`~subgraphs.common.errors.BadUserInput`)
BAD_REQUEST                 not a GraphQL request (HTTP 400): a body that is not a JSON
                            object, or not UTF-8, or holds a lone surrogate, or nests
                            deeper than orjson reads (1024); no query; an unknown
                            operation name; a mutation over GET
NOT_FOUND                   a GET without a query (HTTP 404: no IDE is served)
INTERNAL_SERVER_ERROR       a fault of ours: an uncoded exception, or a value a resolver
                            returned that its type cannot represent (message masked)
==========================  ===========================================================

Strawberry's own refusals (HTTP 4xx) are answered as such a GraphQL error body, not plain text.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.federation import Schema
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.types import QueryParams
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from subgraphs.common.fastpath import FastGraphQL
from subgraphs.common.settings import SubgraphSettings
from subgraphs.common.systems import Systems, open_systems

__all__ = ["Background", "RequestContext", "SystemRoutes", "SystemsFactory", "format_error", "subgraph_app"]

T = TypeVar("T")

SystemsFactory = Callable[[SubgraphSettings], contextlib.AbstractAsyncContextManager[Systems]]
Background = Callable[[Systems], contextlib.AbstractAsyncContextManager[None]]
"""A worker that runs while the process does (entered after the systems open, left before they close)."""
SystemRoutes = Callable[[Systems], Sequence[BaseRoute]]
"""Routes that need the opened systems (e.g. the Shopify webhook endpoint), added at start-up."""


@dataclass
class RequestContext:
    """What every resolver of one request sees (``info.context``)."""

    systems: Systems
    request: Request | WebSocket | None = None
    _loaders: dict[str, Any] = field(default_factory=dict)

    def loader(self, name: str, factory: Callable[[], T]) -> T:
        """This request's loader called ``name``, made by ``factory`` on first use."""
        found = self._loaders.get(name)
        if found is None:
            found = self._loaders[name] = factory()
        loader: T = found
        return loader


_INTERNAL = {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


def _request_error_code(error: GraphQLError, *, executed: bool) -> str:
    """The code of an error GraphQL itself raised (no resolver's exception behind it)."""
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if not executed:
        return "GRAPHQL_VALIDATION_FAILED"
    if error.path is None or error.message.startswith("Argument '"):
        return "BAD_USER_INPUT"  # variable values (before any field ran) or a field's argument values
    return "INTERNAL_SERVER_ERROR"  # a value a resolver returned that its type cannot represent


def format_error(error: GraphQLError, *, executed: bool = True) -> dict[str, Any]:
    """The error as the response carries it: coded errors keep their code, anything else is masked.

    ``executed``: the operation ran (False for a document refused before execution, whose errors
    are parse and validation errors).
    """
    original = error.original_error
    formatted: dict[str, Any] = dict(error.formatted)
    if original is not None and not isinstance(original, GraphQLError):
        code = getattr(original, "code", None)
        if isinstance(code, str):
            extensions = getattr(original, "extensions", None)
            formatted["extensions"] = extensions() if callable(extensions) else {"code": code}
            return formatted
        return {**formatted, **_INTERNAL}
    if isinstance((formatted.get("extensions") or {}).get("code"), str):
        return formatted
    code = _request_error_code(error, executed=executed)
    if code == "INTERNAL_SERVER_ERROR":
        return {**formatted, **_INTERNAL}
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _http_error_code(status: int) -> str:
    return {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "BAD_REQUEST")


def _loads(data: str | bytes, what: str) -> Any:
    """JSON of the request (orjson: UTF-8 only, no lone surrogates, nesting bounded); else HTTP 400."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"{what} is not valid JSON: {exc}") from exc


class _OnlyUnexpectedErrors(logging.Filter):
    """Strawberry logs every resolver error with its traceback; keep only the bugs.

    Errors with a stable ``code`` (bad input, an upstream down) and GraphQL request errors are the
    client's or a system's doing, answered with their code: logging a traceback for each would bury
    the real faults. Anything else (an uncoded exception) stays, traceback included.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return exc is not None and not isinstance(getattr(exc, "code", None), str)


_STRAWBERRY_LOG = logging.getLogger("strawberry.execution")


class _View(GraphQL[RequestContext, None]):
    """Strawberry's view, answering every refusal as a GraphQL error body with a code (module docstring)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            error = {"message": exc.reason, "extensions": {"code": _http_error_code(exc.status_code)}}
            response = JSONResponse({"errors": [error]}, status_code=exc.status_code)
        await response(scope, receive, send)

    def encode_json(self, data: object) -> bytes:
        """A response body: orjson (several times cheaper than ``json.dumps`` for a large answer)."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """A POST body: a JSON object (or a batch's array), else HTTP 400."""
        found = _loads(data, "The request body")
        if not isinstance(found, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return found

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        """A GET request's parameters, ``variables`` and ``extensions`` decoded (Strawberry checks them)."""
        found: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            if found.get(name):
                found[name] = _loads(found[name], name)
        return found

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        return RequestContext(systems=request.app.state.systems, request=request)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        out: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            executed = not isinstance(result, PreExecutionError)
            out["errors"] = [format_error(error, executed=executed) for error in result.errors]
        if result.extensions:
            out["extensions"] = result.extensions
        return out


def subgraph_app(
    name: str,
    schema: Schema,
    settings: SubgraphSettings,
    *,
    routes: Sequence[BaseRoute] = (),
    system_routes: Sequence[SystemRoutes] = (),
    background: Sequence[Background] = (),
    systems_factory: SystemsFactory = open_systems,
) -> Starlette:
    """The ASGI app of subgraph ``name`` (see the module docstring)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with systems_factory(settings) as systems, contextlib.AsyncExitStack() as workers:
            app.state.systems = systems
            for make_routes in system_routes:
                app.router.routes.extend(make_routes(systems))
            for worker in background:
                await workers.enter_async_context(worker(systems))
            yield

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "subgraph": name})

    if not any(isinstance(f, _OnlyUnexpectedErrors) for f in _STRAWBERRY_LOG.filters):
        _STRAWBERRY_LOG.addFilter(_OnlyUnexpectedErrors())
    view = _View(schema, graphql_ide=None)

    def context(scope: Scope, request: Request) -> RequestContext:
        return RequestContext(systems=request.app.state.systems, request=request)

    endpoint = FastGraphQL(schema, view, context, format_error)
    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
            *routes,
        ],
        lifespan=lifespan,
    )

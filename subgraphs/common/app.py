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
Never a stack trace to the client.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.federation import Schema
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from subgraphs.common.settings import SubgraphSettings
from subgraphs.common.systems import Systems, open_systems

__all__ = ["Background", "RequestContext", "SystemRoutes", "SystemsFactory", "format_error", "subgraph_app"]

_log = logging.getLogger(__name__)
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


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The error as the response carries it: coded errors keep their code, anything else is masked."""
    original = error.original_error
    formatted: dict[str, Any] = dict(error.formatted)
    if original is None or isinstance(original, GraphQLError):
        return formatted
    code = getattr(original, "code", None)
    if isinstance(code, str):
        extensions = getattr(original, "extensions", None)
        formatted["extensions"] = extensions() if callable(extensions) else {"code": code}
        return formatted
    formatted["message"] = "Internal server error."
    formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
    return formatted


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
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        return RequestContext(systems=request.app.state.systems, request=request)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        out: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            out["errors"] = [format_error(error) for error in result.errors]
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
    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
            *routes,
        ],
        lifespan=lifespan,
    )

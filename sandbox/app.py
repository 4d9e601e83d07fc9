"""Build one sandbox system's ASGI app: its routes, fault injection and the admin endpoint.

Every system answers failures in its own wire shape (OData envelope, Square
``errors``, ...): it hands :func:`build_app` a renderer for :class:`Failure`,
and the fault middleware, the 404/405 handlers and the last-resort handler
for unexpected exceptions all go through it. Nothing answers a bare 500.

Admin endpoint (never subject to the knobs)::

    GET    /_admin/health   liveness
    GET    /_admin/knobs    current knobs
    PATCH  /_admin/knobs    merge a partial update (422 on unknown or invalid fields)
    GET    /_admin/stats    requests seen, by route and status
    DELETE /_admin/stats    zero the statistics
    POST   /_admin/reset    back to the seeded state, default knobs kept
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.knobs import Knobs, sample_latency
from sandbox.runtime import Runtime

__all__ = ["Failure", "System", "build_app", "json_response"]

_log = logging.getLogger("sandbox")


@dataclass(frozen=True)
class Failure:
    """A failure to answer in the system's own error shape."""

    status: int
    code: str
    message: str
    retry_after: float | None = None


class System(Protocol):
    """What a sandbox system gives :func:`build_app`."""

    name: str
    knobs_model: type[Knobs]

    def routes(self) -> list[BaseRoute]: ...

    def render_error(self, failure: Failure) -> Response: ...

    def reset(self) -> None:
        """Drop every change made since start and go back to the seeded state."""

    def lifespan(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Background work (e.g. webhook delivery) that runs while the app serves."""


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), status, headers, media_type="application/json")


_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


async def _buffered(receive: Receive) -> Receive:
    """Read the request body now; the returned ``receive`` replays it, then waits for a disconnect."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replaying() -> Message:
        if replay:
            return replay.pop()
        return await receive()

    return replaying


class _FaultMiddleware:
    """Counts requests and applies the knobs; turns any escaped exception into a shaped 500."""

    def __init__(self, app: ASGIApp, system: System, runtime: Runtime) -> None:
        self.app, self.system, self.runtime = app, system, runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_admin"):
            await self.app(scope, receive, send)
            return
        runtime = self.runtime
        runtime.stats.record(scope["method"], scope["path"])
        # Take the whole request in before any injected latency, as a real server has it by then:
        # a client that times out during the delay has still delivered its write, which lands.
        receive = await _buffered(receive)
        failure = await self._injected_failure(runtime)
        if failure is not None:
            await self._send(self.system.render_error(failure), scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                runtime.stats.record_status(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            _log.exception("%s: unhandled error on %s %s", runtime.system, scope["method"], scope["path"])
            if started:
                raise
            failure = Failure(500, "INTERNAL_SERVER_ERROR", "The system could not process the request.")
            await self._send(self.system.render_error(failure), scope, receive, send)

    async def _injected_failure(self, runtime: Runtime) -> Failure | None:
        knobs = runtime.knobs
        if knobs.outage:
            if knobs.outage_mode == "timeout":
                await asyncio.sleep(knobs.outage_hang_s)
                return Failure(504, "GATEWAY_TIMEOUT", "The system did not answer in time.")
            return Failure(503, "SERVICE_UNAVAILABLE", "The system is unavailable.")
        delay = sample_latency(knobs, runtime.rng)
        if delay:
            await asyncio.sleep(delay)
        if knobs.rate_limit_rps is not None:
            wait = runtime.limiter.take(knobs.rate_limit_rps, knobs.rate_limit_burst)
            if wait > 0:
                return Failure(429, "RATE_LIMITED", "Too many requests.", retry_after=wait)
        if knobs.error_rate and runtime.rng.random() < knobs.error_rate:
            return Failure(500, "INTERNAL_SERVER_ERROR", "Injected failure.")
        return None

    async def _send(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        self.runtime.stats.record_status(response.status_code)
        await response(scope, receive, send)


def _admin_routes(system: System, runtime: Runtime) -> list[BaseRoute]:
    async def health(_: Request) -> Response:
        return json_response({"status": "ok", "system": runtime.system})

    async def get_knobs(_: Request) -> Response:
        return json_response(runtime.knobs.model_dump())

    async def patch_knobs(request: Request) -> Response:
        try:
            update = orjson.loads(await request.body())
            if not isinstance(update, dict):
                raise TypeError("the body must be a JSON object")
            runtime.knobs = system.knobs_model.model_validate({**runtime.knobs.model_dump(), **update})
        except (orjson.JSONDecodeError, TypeError) as exc:
            return json_response({"error": {"code": "INVALID_JSON", "message": str(exc)}}, 400)
        except ValidationError as exc:
            details = [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
            return json_response({"error": {"code": "INVALID_KNOBS", "details": details}}, 422)
        return json_response(runtime.knobs.model_dump())

    async def get_stats(_: Request) -> Response:
        return json_response(runtime.stats.as_json())

    async def reset_stats(_: Request) -> Response:
        runtime.stats = type(runtime.stats)()
        return json_response(runtime.stats.as_json())

    async def reset(_: Request) -> Response:
        system.reset()
        runtime.stats = type(runtime.stats)()
        return json_response({"status": "reset", "system": runtime.system})

    return [
        Route("/_admin/health", health, methods=["GET"]),
        Route("/_admin/knobs", get_knobs, methods=["GET"]),
        Route("/_admin/knobs", patch_knobs, methods=["PATCH", "PUT"]),
        Route("/_admin/stats", get_stats, methods=["GET"]),
        Route("/_admin/stats", reset_stats, methods=["DELETE"]),
        Route("/_admin/reset", reset, methods=["POST"]),
    ]


def build_app(system: System, runtime: Runtime) -> Starlette:
    """The system's routes behind fault injection, plus the admin endpoint."""

    def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
        return system.render_error(Failure(exc.status_code, code, str(exc.detail)))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with system.lifespan():
            yield

    handlers: dict[Any, Callable[[Request, Exception], Response]] = {HTTPException: http_error}
    app = Starlette(
        routes=[*_admin_routes(system, runtime), *system.routes()],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.system = system
    app.add_middleware(_FaultMiddleware, system=system, runtime=runtime)
    return app

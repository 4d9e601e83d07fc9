"""Fixtures for the connector kit: a scripted upstream over real HTTP, fake time, spans in memory.

- ``upstream``: a small Starlette app served by uvicorn on a loopback port
  (``tests._servers.serving``) that answers from a script (status, JSON,
  headers, delay) and records every request it got; traffic is real aiohttp.
- ``fake_time``: one clock for the kit and the memory stores, and a ``sleep``
  that moves it instead of waiting (recording each sleep).
- ``spans``: an SDK tracer provider whose finished spans land in memory.
- ``make_kit``: a :class:`ConnectorKit` over the shared ``http`` client, the
  memory stores and fake time unless told otherwise.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from resolvers.http import HttpClient, HttpSettings
from resolvers.kit import ConnectorKit, UpstreamHttp
from resolvers.policy import ConnectorPolicies
from storage import Cache, TokenBuckets
from storage.memory import MemoryCache, MemoryTokenBuckets
from tests._servers import serving


class FakeTime:
    """A clock that moves only when slept on or told to; ``sleeps`` lists every sleep asked for."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    json: Any = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    """One request as the upstream received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    client_port: int | None


class Upstream:
    """A scripted system of record: answers ``replies`` in order (per path), then ``default``."""

    def __init__(self) -> None:
        self.url = ""
        self.default = Reply()
        self.scripts: dict[str, deque[Reply]] = {}
        self.routes: dict[str, Callable[[Seen], Reply]] = {}
        self.seen: list[Seen] = []

    def script(self, path: str, *replies: Reply) -> None:
        """Answer requests to ``path`` with ``replies``, one each, before falling back to the default."""
        self.scripts.setdefault(path, deque()).extend(replies)

    def count(self, path: str | None = None, method: str | None = None) -> int:
        return sum(
            1
            for seen in self.seen
            if (path is None or seen.path == path) and (method is None or seen.method == method)
        )

    async def _handle(self, request: Request) -> Response:
        seen = Seen(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            client_port=request.client.port if request.client else None,
        )
        self.seen.append(seen)
        queue = self.scripts.get(seen.path)
        if queue:
            reply = queue.popleft()
        elif seen.path in self.routes:
            reply = self.routes[seen.path](seen)
        else:
            reply = self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.json is None:
            return Response(b"not json", status_code=reply.status, headers=reply.headers)
        return JSONResponse(reply.json, status_code=reply.status, headers=reply.headers)

    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", self._handle, methods=methods)])


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    scripted = Upstream()
    async with serving(scripted.app()) as url:
        scripted.url = url
        yield scripted


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with HttpClient(HttpSettings(default_timeout=5.0)) as client:
        yield client


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def spans() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


KitFactory = Callable[..., ConnectorKit]


@pytest.fixture
def make_kit(
    http: HttpClient, fake_time: FakeTime, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> KitFactory:
    """``make_kit({"systems": {...}}, cache=..., buckets=...)``: a kit on fake time and memory stores."""

    def factory(
        policies: dict[str, Any] | ConnectorPolicies | None = None,
        *,
        cache: Cache | None = None,
        buckets: TokenBuckets | None = None,
        random: Callable[[], float] = lambda: 1.0,
    ) -> ConnectorKit:
        if not isinstance(policies, ConnectorPolicies):
            policies = ConnectorPolicies.model_validate(policies or {})
        return ConnectorKit(
            http,
            policies,
            buckets if buckets is not None else MemoryTokenBuckets(clock=fake_time),
            cache=cache if cache is not None else MemoryCache(clock=fake_time),
            tracer_provider=spans[0],
            clock=fake_time,
            sleep=fake_time.sleep,
            random=random,
        )

    return factory


def get_json(url: str, **kwargs: Any) -> Callable[[UpstreamHttp], Awaitable[Any]]:
    """A connector ``fn`` that GETs ``url`` and returns its JSON."""

    async def fn(http: UpstreamHttp) -> Any:
        return (await http.get(url, **kwargs)).json()

    return fn


def post_json(url: str, body: Any, **kwargs: Any) -> Callable[[UpstreamHttp], Awaitable[Any]]:
    """A connector ``fn`` that POSTs ``body`` to ``url`` and returns the answer's JSON."""

    async def fn(http: UpstreamHttp) -> Any:
        return (await http.post(url, json=body, **kwargs)).json()

    return fn

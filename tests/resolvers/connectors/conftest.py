"""Fixtures for the connectors: each sandbox system served over real HTTP, and a real-time kit.

- ``world``: the default small world (seed 42), built once per session.
- ``run_system``: ``async with run_system("erp", knobs={...}) as system:`` serves a fresh app
  of that sandbox system with uvicorn on a loopback port; ``system.url`` is its base URL,
  ``system.runtime`` its live state (knobs, request stats: ``system.calls()``).
- ``kit``: a :class:`ConnectorKit` on real time with memory stores, its spans in ``spans``;
  ``make_live_kit(policies, cache=..., buckets=...)`` for one with other settings.
- ``pos_system`` (the Square sandbox), ``make_connector`` and ``pos`` (a POS connector on it).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette

from resolvers.directory import LocationDirectory
from resolvers.domain import ExternalRef, Location
from resolvers.http import HttpClient
from resolvers.kit import ConnectorKit
from resolvers.policy import ConnectorPolicies
from sandbox.cli import create_app
from sandbox.runtime import Runtime
from sandbox.settings import SandboxSettings
from sandbox.world import Location as WorldLocation
from sandbox.world import World, build_world
from storage import Cache, TokenBuckets
from storage.memory import MemoryCache, MemoryTokenBuckets
from tests._servers import serving

if TYPE_CHECKING:
    from resolvers.pos import PosConnector
    from tests.resolvers.connectors.pos_support import MakeConnector


@dataclass
class RunningSystem:
    name: str
    url: str
    app: Starlette

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    def set_knobs(self, **knobs: Any) -> None:
        """Change fault knobs live (outage, latency_ms, error_rate, ...)."""
        model = type(self.runtime.knobs)
        self.runtime.knobs = model.model_validate({**self.runtime.knobs.model_dump(), **knobs})

    def calls(self, path_prefix: str = "") -> int:
        """Requests the system received so far under ``path_prefix`` (admin calls excluded)."""
        by_route = self.runtime.stats.by_route
        return sum(n for key, n in by_route.items() if path_prefix in key and "/_admin" not in key)


RunSystem = Callable[..., contextlib.AbstractAsyncContextManager[RunningSystem]]


def world_directory(world: World, ref: Callable[[WorldLocation], ExternalRef | None]) -> LocationDirectory:
    """The world's locations as the OMS location master gives them (facility codes), each with its id
    in one system (``ref``; None: that system does not know the location)."""
    return LocationDirectory.of(
        Location(
            id=loc.code,
            name=loc.name,
            type=loc.type,
            address=None,
            fulfills_online=loc.fulfills_online,
            pickup_enabled=loc.pickup_enabled,
            refs=(found,) if (found := ref(loc)) is not None else (),
        )
        for loc in world.locations
    )


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(42, "small")


@pytest.fixture
def run_system(world: World) -> RunSystem:
    @contextlib.asynccontextmanager
    async def run(name: str, **settings: Any) -> AsyncIterator[RunningSystem]:
        app = create_app(name, SandboxSettings(**settings), world=world)
        async with serving(app) as url:
            yield RunningSystem(name, url, app)

    return run


LiveKitFactory = Callable[..., ConnectorKit]


@pytest.fixture
def make_live_kit(http: HttpClient, spans: tuple[TracerProvider, InMemorySpanExporter]) -> LiveKitFactory:
    def factory(
        policies: dict[str, Any] | ConnectorPolicies | None = None,
        *,
        cache: Cache | None = None,
        buckets: TokenBuckets | None = None,
    ) -> ConnectorKit:
        if not isinstance(policies, ConnectorPolicies):
            policies = ConnectorPolicies.model_validate(policies or {})
        return ConnectorKit(
            http,
            policies,
            buckets if buckets is not None else MemoryTokenBuckets(),
            cache=cache if cache is not None else MemoryCache(),
            tracer_provider=spans[0],
        )

    return factory


@pytest.fixture
def kit(make_live_kit: LiveKitFactory) -> ConnectorKit:
    return make_live_kit()


# ---------------------------------------------------------------- the POS (helpers: pos_support)


@pytest.fixture
async def pos_system(run_system: RunSystem) -> AsyncIterator[RunningSystem]:
    async with run_system("pos") as system:
        yield system


@pytest.fixture
def make_connector(make_live_kit: LiveKitFactory, world: World) -> MakeConnector:
    """``make(system, kit=None, **settings)``: a POS connector on ``system``, by default on a live kit."""
    from tests.resolvers.connectors.pos_support import connector_factory

    return connector_factory(make_live_kit, world)


@pytest.fixture
def pos(pos_system: RunningSystem, make_connector: MakeConnector) -> PosConnector:
    return make_connector(pos_system)

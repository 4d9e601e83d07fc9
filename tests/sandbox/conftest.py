"""Fixtures for the sandbox systems: one seeded world per session, apps per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.settings import SandboxSettings
from sandbox.world import World, build_world


@pytest.fixture(scope="session")
def world() -> World:
    """The default small world (seed 42); read-only, so one per session is enough."""
    return build_world(42, "small")


@pytest.fixture
def make_app(world: World) -> Callable[..., Starlette]:
    """Build a fresh app (fresh mutable state) of one system: ``make_app("erp", knobs={...})``."""

    def factory(system: str, **settings: Any) -> Starlette:
        return create_app(system, SandboxSettings(**settings), world=world)

    return factory


@pytest.fixture
async def client_for(make_app: Callable[..., Starlette]) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """In-process httpx clients for a system (no lifespan: use tests._servers.serving for that)."""
    clients: list[httpx.AsyncClient] = []

    def factory(system: str, **settings: Any) -> httpx.AsyncClient:
        app = make_app(system, **settings)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()

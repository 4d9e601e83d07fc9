"""Fixtures for the subgraphs: the four sandbox systems and subgraph apps, all over real HTTP.

- ``world``: the default small world (seed 42), built once per session.
- ``sandboxes``: ERP, OMS, POS and Shopify sandbox apps served on loopback ports (fresh state per
  test); ``sandboxes.settings`` is a :class:`SubgraphSettings` pointing every connector at them
  with in-memory storage.
- ``serve_subgraph``: ``async with serve_subgraph("catalog") as client:`` serves that subgraph
  (lifespan included) and yields an ``httpx.AsyncClient`` bound to it; ``client.gql(query, vars)``
  posts to /graphql and returns the JSON body.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from resolvers.erp import ErpSettings
from resolvers.oms import OmsSettings
from resolvers.pos import PosSettings
from resolvers.pos.orders import PosOrders
from resolvers.shopify import ShopifySettings
from sandbox.cli import create_app as create_sandbox
from sandbox.settings import SandboxSettings
from sandbox.world import World, build_world
from subgraphs.common.settings import SubgraphSettings
from tests._servers import serving


@dataclass
class Sandboxes:
    urls: dict[str, str]
    apps: dict[str, Starlette]
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> SubgraphSettings:
        return SubgraphSettings(
            storage_url="memory://",
            erp=ErpSettings(base_url=self.urls["erp"]),
            oms=OmsSettings(base_url=self.urls["oms"]),
            pos=PosSettings(base_url=self.urls["pos"]),
            shopify=ShopifySettings(base_url=self.urls["shopify"]),
            **self.overrides,
        )

    def calls(self, system: str) -> int:
        """Requests ``system`` received so far (admin calls excluded)."""
        by_route = self.apps[system].state.runtime.stats.by_route
        return sum(n for key, n in by_route.items() if "/_admin" not in key)


class GraphQLClient(httpx.AsyncClient):
    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(42, "small")


@pytest.fixture
async def sandboxes(world: World) -> AsyncIterator[Sandboxes]:
    async with contextlib.AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        apps: dict[str, Starlette] = {}
        for name in ("erp", "oms", "pos", "shopify"):
            apps[name] = create_sandbox(name, SandboxSettings(), world=world)
            urls[name] = await stack.enter_async_context(serving(apps[name]))
        yield Sandboxes(urls, apps)


ServeSubgraph = Callable[..., contextlib.AbstractAsyncContextManager[GraphQLClient]]


@pytest.fixture
def serve_subgraph(sandboxes: Sandboxes) -> ServeSubgraph:
    @contextlib.asynccontextmanager
    async def serve(name: str, settings: SubgraphSettings | None = None) -> AsyncIterator[GraphQLClient]:
        module = importlib.import_module(f"subgraphs.{name}")
        app = module.create_app(settings or sandboxes.settings)
        async with serving(app) as url, GraphQLClient(base_url=url, timeout=30) as client:
            yield client

    return serve


@pytest.fixture
def pos_numbers_asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every order number any request asks the POS connector for (``PosOrders.square_orders``)."""
    asked: list[str] = []
    original = PosOrders.square_orders

    async def recorded(self: PosOrders, numbers: Any) -> Any:
        asked.extend(numbers)
        return await original(self, numbers)

    monkeypatch.setattr(PosOrders, "square_orders", recorded)
    return asked

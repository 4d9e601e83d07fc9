"""The POS sandbox system: a Square API v2 (Connect v2) mimic for the retailer's stores.

Every ``/v2`` route requires ``Authorization: Bearer <token>`` (any token,
or exactly ``settings.access_token`` when that is set) and accepts a
``Square-Version: YYYY-MM-DD`` header. Failures, injected faults and
router errors all answer in Square's ``{"errors": [...]}`` envelope with
Square's categories (429 RATE_LIMITED is RATE_LIMIT_ERROR with
``Retry-After``; 5xx are API_ERROR).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.app import Failure
from sandbox.knobs import Knobs
from sandbox.pos.catalog_api import catalog_routes
from sandbox.pos.customers_api import customer_routes
from sandbox.pos.endpoint import guarded
from sandbox.pos.errors import failure_response
from sandbox.pos.inventory_api import inventory_routes
from sandbox.pos.locations import location_routes
from sandbox.pos.loyalty_api import loyalty_routes
from sandbox.pos.orders_api import order_routes
from sandbox.pos.orders_search import order_search_routes
from sandbox.pos.refunds_api import refund_routes
from sandbox.pos.store import PosStore
from sandbox.runtime import Runtime
from sandbox.settings import SandboxSettings

__all__ = ["PosSystem"]


class PosSystem:
    """Square's locations, catalog, inventory, orders, refunds, customers and loyalty for the stores."""

    name = "pos"
    knobs_model: type[Knobs] = Knobs

    def __init__(self, runtime: Runtime, settings: SandboxSettings) -> None:
        self.runtime = runtime
        self.access_token = settings.access_token
        self.store = PosStore(runtime.world)

    def routes(self) -> list[BaseRoute]:
        store = self.store
        raw = [
            *location_routes(store.stores),
            *catalog_routes(store.catalog),
            *inventory_routes(store),
            *order_search_routes(store),
            *order_routes(store),
            *refund_routes(store),
            *customer_routes(store),
            *loyalty_routes(store),
        ]
        out: list[BaseRoute] = []
        for route in raw:
            assert isinstance(route, Route)
            out.append(Route(route.path, guarded(route.endpoint, self.access_token), methods=route.methods))
        return out

    def render_error(self, failure: Failure) -> Response:
        return failure_response(failure)

    def reset(self) -> None:
        self.store.reset()

    @contextlib.asynccontextmanager
    async def _no_background_work(self) -> AsyncIterator[None]:
        yield

    def lifespan(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self._no_background_work()

"""Shared helpers of the ERP connector tests: the sandbox ERP with a connector on a live kit.

Plain functions and context managers (not fixtures), imported by the other
``test_erp_*`` modules: :func:`running_erp` serves the sandbox ERP (optionally
behind an ASGI wrapper) and builds an :class:`ErpConnector` on a real-time
kit with the ERP's default policy (or the one given).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.types import ASGIApp

from resolvers.directory import LocationDirectory
from resolvers.domain import ExternalRef, Money, OrderDraft, OrderDraftLine
from resolvers.erp import ErpConnector, ErpSettings
from resolvers.kit import ConnectorKit
from resolvers.policy import ConnectorPolicies, SystemPolicy
from sandbox.cli import create_app
from sandbox.erp.documents import SalesOrder
from sandbox.erp.system import ErpSystem
from sandbox.settings import SandboxSettings
from sandbox.world import World
from tests._servers import serving
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, world_directory

SO_ROOT = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
STOCK_ROOT = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV"
TOKEN_FETCH = f"GET {SO_ROOT}/"


def erp_directory(world: World) -> LocationDirectory:
    """The world's locations as the OMS location master gives them (ERP plant in the refs)."""
    return world_directory(world, lambda loc: ExternalRef("ERP", loc.erp_plant))


def erp_policies(policy: SystemPolicy | None = None) -> ConnectorPolicies:
    return ConnectorPolicies(systems={"erp": policy or ErpSettings.default_policy()})


@dataclass
class Erp:
    system: RunningSystem
    connector: ErpConnector
    kit: ConnectorKit

    @property
    def sandbox(self) -> ErpSystem:
        system: ErpSystem = self.system.app.state.system
        return system

    def sales_orders(self, number: str) -> list[SalesOrder]:
        """The sandbox's sales orders with PurchaseOrderByCustomer ``number`` (its state, not the API)."""
        return [o for o in self.sandbox.state.sales_orders.values() if o.purchase_order == number]

    def route(self, key: str) -> int:
        """Requests the sandbox got for exactly ``METHOD /path``."""
        return self.system.runtime.stats.by_route[key]


@contextlib.asynccontextmanager
async def running_erp(
    world: World,
    make_live_kit: LiveKitFactory,
    *,
    policy: SystemPolicy | None = None,
    knobs: dict[str, Any] | None = None,
    access_token: str | None = None,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
    **settings: Any,
) -> AsyncIterator[Erp]:
    """The sandbox ERP over real HTTP and a connector to it (``settings``: ErpSettings fields)."""
    app = create_app("erp", SandboxSettings(knobs=knobs or {}, access_token=access_token), world=world)
    async with serving(wrap(app) if wrap else app) as url:
        kit = make_live_kit(erp_policies(policy))
        connector = ErpConnector(kit, ErpSettings(base_url=url, **settings), erp_directory(world))
        yield Erp(RunningSystem("erp", url, app), connector, kit)


def order_draft(world: World, number: str, *, customer_id: str | None = None, lines: int = 2) -> OrderDraft:
    """A draft of ``lines`` lines (the first SKUs; line n orders n units) from the first DC."""
    dc = next(loc for loc in world.locations if loc.type == "DISTRIBUTION_CENTER")
    skus = sorted(world.variants_by_sku)[:lines]
    return OrderDraft(
        number=number,
        channel="ONLINE",
        placed_at=datetime(2026, 11, 2, 15, 30, tzinfo=UTC),
        lines=tuple(
            OrderDraftLine(
                line_no=n,
                sku=sku,
                quantity=n,
                unit_price=Money(Decimal(world.variants_by_sku[sku].price_cents) / 100, "USD"),
                location_id=dc.code,
            )
            for n, sku in enumerate(skus, start=1)
        ),
        currency="USD",
        payment_reference="pay_1",
        fulfilment_type="SHIP",
        idempotency_key=f"key-{number}",
        customer_id=customer_id,
    )


async def test_every_location_of_the_world_has_its_erp_plant_in_the_directory(world: World) -> None:
    plants = (await erp_directory(world).map()).system_ids("ERP")
    assert plants == {loc.code: loc.erp_plant for loc in world.locations}
    assert len(set(plants.values())) == len(world.locations) == 30

"""Helpers for the POS connector tests (``test_pos_*``): the location directory built from the world
(what the OMS's facility records say), the connector's policy with overrides, order drafts, sample
orders, and a connector on a live kit. The fixtures ``pos_system``, ``make_connector`` and ``pos``
are in ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from resolvers.directory import LocationDirectory
from resolvers.domain import ExternalRef, Money, OrderDraft, OrderDraftLine
from resolvers.kit import ConnectorKit
from resolvers.policy import ConnectorPolicies
from resolvers.pos import PosConnector, PosSettings
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, world_directory

__all__ = [
    "MakeConnector",
    "connector_factory",
    "draft_for",
    "pos_directory",
    "pos_policies",
    "sample_orders",
    "store_codes",
]


def pos_directory(world: World) -> LocationDirectory:
    """Our locations (OMS facility ids) with their Square ids, as the location master has them."""
    return world_directory(
        world, lambda loc: ExternalRef("POS", loc.square_location_id) if loc.square_location_id else None
    )


def pos_policies(settings: PosSettings, **operations: dict[str, Any]) -> ConnectorPolicies:
    """The connector's default policy for "pos", with per-operation overrides."""
    base = settings.default_policy().model_dump(exclude_unset=False)
    for name, override in operations.items():
        base["operations"][name] = {**base["operations"].get(name, {}), **override}
    return ConnectorPolicies.model_validate({"systems": {"pos": base}})


def store_codes(world: World) -> list[str]:
    return [loc.code for loc in world.locations if loc.square_location_id]


def draft_for(world: World, number: str, *, key: str | None = None, **fields: Any) -> OrderDraft:
    store = store_codes(world)[0]
    variants = list(world.variants)
    lines = fields.pop("lines", None) or (
        OrderDraftLine(1, variants[0].sku, 2, Money(Decimal("10.00"), "USD"), store),
        OrderDraftLine(2, variants[1].sku, 1, Money(Decimal("5.50"), "USD"), store),
    )
    values: dict[str, Any] = {
        "number": number,
        "channel": "CLIENTELING",
        "placed_at": datetime(2026, 11, 20, tzinfo=UTC),
        "lines": lines,
        "currency": "USD",
        "payment_reference": "pay_1",
        "fulfilment_type": "PICKUP",
        "idempotency_key": key or f"key-{number}",
        "pickup_location_id": store,
        **fields,
    }
    return OrderDraft(**values)


MakeConnector = Callable[..., PosConnector]


def connector_factory(make_live_kit: LiveKitFactory, world: World) -> MakeConnector:
    """``make(system, kit=None, **settings)``: a connector on ``system``, by default on a live kit."""

    def make(system: RunningSystem, kit: ConnectorKit | None = None, **settings: Any) -> PosConnector:
        pos_settings = PosSettings(base_url=system.url, **settings)
        return PosConnector(
            kit or make_live_kit(pos_policies(pos_settings)), pos_settings, pos_directory(world)
        )

    return make


def sample_orders(world: World) -> list[Order]:
    """POS orders covering every financial status, returns with and without refunds, and a guest."""
    pos_orders = [o for o in world.orders if o.in_pos]
    picked: dict[str, Order] = {}
    for order in pos_orders:
        picked.setdefault(order.financial_status, order)
        for ret in order.returns:
            picked.setdefault(f"return:{ret.status}", order)
        if order.customer_id is None:
            picked.setdefault("guest", order)
    return list(dict.fromkeys(picked.values()))

"""Helpers shared by the Shopify connector tests (a real sandbox store over HTTP, a real-time kit).

``shop(...)`` serves a fresh Shopify sandbox and builds a :class:`ShopifyConnector`
over a live kit whose policy is the connector's default with the test's
overrides. The two tests here check the helpers themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from resolvers.directory import LocationDirectory
from resolvers.domain import ExternalRef, Money, OrderDraft, OrderDraftLine
from resolvers.kit import ConnectorKit
from resolvers.policy import ConnectorPolicies, SystemPolicy
from resolvers.shopify import ShopifyConnector, ShopifySettings
from sandbox.world import Location as WorldLocation
from sandbox.world import World
from storage import Cache, TokenBuckets
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem, world_directory

TOKEN = "shpat_connector_test"
ROOMY = {"cost_bucket_size": 100_000.0, "cost_restore_rate": 100_000.0}
"""Knobs that keep Shopify's bucket out of the way of tests about something else."""
QUICK_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.05, "max_retry_after": 5.0}


def directory_of(world: World) -> LocationDirectory:
    """Our location ids (OMS facility codes) with their Shopify ids, as the location master has them."""
    return world_directory(world, _shopify_ref)


def _shopify_ref(loc: WorldLocation) -> ExternalRef | None:
    return ExternalRef("SHOPIFY", str(loc.shopify_location_id)) if loc.shopify_location_id else None


def policy(
    settings: ShopifySettings,
    *,
    rate: dict[str, Any] | None = None,
    operations: dict[str, dict[str, Any]] | None = None,
    **system: Any,
) -> ConnectorPolicies:
    """The connector's default policy with overrides (``rate`` merged, ``operations`` merged per op)."""
    base = settings.default_policy().model_dump(exclude_none=True)
    base.update(system)
    base["retry"] = {**base["retry"], **QUICK_RETRY, **system.get("retry", {})}
    if rate:
        base["rate"] = {**base["rate"], **rate}
    for name, override in (operations or {}).items():
        current = base["operations"].get(name, {})
        for field, value in override.items():
            known = current.get(field)
            current[field] = (
                {**known, **value} if isinstance(known, dict) and isinstance(value, dict) else value
            )
        base["operations"][name] = current
    return ConnectorPolicies(systems={"shopify": SystemPolicy.model_validate(base)})


@dataclass
class Shop:
    system: RunningSystem
    connector: ShopifyConnector
    kit: ConnectorKit

    def graphql_calls(self) -> int:
        return self.system.calls("/graphql.json")


@contextlib.asynccontextmanager
async def shop(
    run_system: RunSystem,
    make_live_kit: LiveKitFactory,
    world: World,
    *,
    knobs: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    cache: Cache | None = None,
    buckets: TokenBuckets | None = None,
    **overrides: Any,
) -> AsyncIterator[Shop]:
    """A sandbox store and a connector to it (``overrides`` go to :func:`policy`).

    The kit's rate mirrors the store's bucket knobs unless ``rate`` says otherwise.
    """
    knobs = ROOMY if knobs is None else knobs
    mirror = {"rate": knobs.get("cost_restore_rate", 50.0), "burst": knobs.get("cost_bucket_size", 1000.0)}
    overrides["rate"] = {**mirror, **overrides.get("rate", {})}
    async with run_system("shopify", knobs=knobs, access_token=TOKEN) as system:
        store = {"bucket_size": mirror["burst"], "restore_rate": mirror["rate"], **(settings or {})}
        config = ShopifySettings(base_url=system.url, access_token=TOKEN, **store)
        kit = make_live_kit(policy(config, **overrides), cache=cache, buckets=buckets)
        yield Shop(system, ShopifyConnector(kit, config, directory_of(world)), kit)


async def drop_latency_once(s: Shop, calls: int) -> None:
    """Set the store's latency back to 0 once it has received ``calls`` requests (polls, at most 5 s)."""
    for _ in range(500):
        if s.graphql_calls() >= calls:
            break
        await asyncio.sleep(0.01)
    s.system.set_knobs(latency_ms=0.0)


def draft(
    world: World, number: str, *, key: str, quantity: int = 2, customer: str | None = None
) -> OrderDraft:
    """An accepted online order of two known SKUs."""
    variants = list(world.variants)[:2]
    return OrderDraft(
        number=number,
        channel="ONLINE",
        placed_at=datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
        lines=tuple(
            OrderDraftLine(
                line_no=i,
                sku=v.sku,
                quantity=quantity,
                unit_price=Money(Decimal(v.price_cents) / 100, "USD"),
                location_id="WH01",
            )
            for i, v in enumerate(variants, start=1)
        ),
        currency="USD",
        payment_reference="pay_123",
        fulfilment_type="SHIP",
        idempotency_key=key,
        customer_id=customer,
        email="buyer@example.com",
    )


async def test_the_directory_maps_every_shopify_location_both_ways(world: World) -> None:
    mapping = await directory_of(world).map()
    shopify = [loc for loc in world.locations if loc.shopify_location_id]
    assert len(mapping.system_ids("SHOPIFY")) == len(shopify) == 24
    for loc in shopify:
        assert mapping.location_id("SHOPIFY", str(loc.shopify_location_id)) == loc.code


def test_the_test_policy_keeps_the_defaults_it_does_not_override() -> None:
    settings = ShopifySettings()
    resolved = policy(settings, operations={"stock": {"cache": {"ttl": 0.2}}}).resolve("shopify", "stock")
    assert resolved.cache.ttl == 0.2
    assert resolved.cache.stale_ttl == 600.0
    assert resolved.rate is not None
    assert (resolved.rate.rate, resolved.rate.burst) == (50.0, 1000.0)
    assert resolved.retry.base_delay == QUICK_RETRY["base_delay"]

"""Every read operation of the three apps answers for seed data through the gateway, without errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.world import World
from tests.e2e.conftest import OPERATIONS, Gateway


def _variables(name: str, world: World) -> dict[str, Any]:
    variants = list(world.variants)
    store = next(loc for loc in world.locations if loc.type == "STORE" and loc.pickup_enabled)
    customer = next(c for c in world.customers if c.shopify_customer_id and c.square_customer_id)
    recent = datetime.now(UTC) - timedelta(days=25)
    online = next(o for o in world.orders if o.channel == "ONLINE" and o.placed_at > recent)
    returned = next(o for o in world.orders if o.in_oms and o.returns)
    by_name: dict[str, dict[str, Any]] = {
        "ProductListing": {"first": 10, "query": world.products[0].brand},
        "ProductDetail": {"id": world.products[0].id},
        "CartAvailability": {"skus": [v.sku for v in variants[:10]]},
        "PickupAvailability": {"sku": variants[0].sku, "storeIds": [store.code]},
        "StoreLocator": {},
        "OrderStatus": {"id": online.number},
        "CustomerByEmail": {"email": customer.email},
        "CustomerProfile": {"id": customer.id},
        "StoreAvailability": {"skus": [v.sku for v in variants[:5]], "storeIds": [store.code]},
        "OrderByNumber": {"number": online.number},
        "OrderList": {"first": 10, "channel": "ONLINE"},
        "ReturnStatus": {"id": returned.returns[0].rma_number},
        "CustomerHistory": {"id": customer.id},
    }
    return by_name[name]


READS = sorted(path for path in OPERATIONS.glob("*/*.graphql") if "\nmutation " not in path.read_text())


@pytest.mark.parametrize("path", READS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_operation_answers_without_errors_for_seed_data(
    gateway: Gateway, world: World, path: Any
) -> None:
    body = gateway.query(path.read_text(), _variables(path.stem, world))
    assert "errors" not in body, body["errors"]
    assert all(value is not None for value in body["data"].values()), body["data"]

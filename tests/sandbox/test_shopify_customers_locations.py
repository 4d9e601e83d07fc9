"""Customers (with the retailer's own customer number as a metafield) and locations."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from sandbox.world import World
from tests.sandbox._shopify import Shop, open_shop

Clients = Callable[..., httpx.AsyncClient]
CUSTOMER = """query($id: ID!) { customer(id: $id) {
  id legacyResourceId email phone firstName lastName displayName
  state numberOfOrders tags createdAt updatedAt amountSpent { amount currencyCode }
  metafield(namespace: "custom", key: "customer_id") { namespace key value type }
  addresses { address1 city provinceCode zip countryCodeV2 } defaultAddress { city }
  orders(first: 50) { nodes { name } } } }"""
LOCATION = """query($id: ID) { location(id: $id) {
  id legacyResourceId name isActive isPrimary fulfillsOnlineOrders
  hasActiveInventory localPickupSettingsV2 { pickupTime instructions }
  address { address1 city province provinceCode zip countryCode }
  metafield(namespace: "custom", key: "facility_id") { value } } }"""


@pytest.fixture
def shop(client_for: Clients) -> Shop:
    return open_shop(client_for)


async def test_a_customer_reads_with_the_retailers_customer_number(shop: Shop, world: World) -> None:
    customer = next(c for c in world.customers if c.shopify_customer_id and c.addresses)
    data = await shop.gql(CUSTOMER, {"id": f"gid://shopify/Customer/{customer.shopify_customer_id}"})
    got = data["customer"]
    assert got["metafield"] == {
        "namespace": "custom",
        "key": "customer_id",
        "value": customer.id,
        "type": "single_line_text_field",
    }
    assert (got["email"], got["phone"], got["firstName"], got["lastName"]) == (
        customer.email,
        customer.phone,
        customer.first_name,
        customer.last_name,
    )
    assert got["displayName"] == f"{customer.first_name} {customer.last_name}"
    assert got["state"] == "ENABLED"
    assert got["updatedAt"] >= got["createdAt"]
    assert [a["city"] for a in got["addresses"]] == [a.city for a in customer.addresses]
    assert got["defaultAddress"] == {"city": customer.addresses[0].city}
    online = [o.number for o in world.orders if o.in_shopify and o.customer_id == customer.id]
    assert got["numberOfOrders"] == str(len(online))
    assert [o["name"] for o in got["orders"]["nodes"]] == online


async def test_customers_outside_shopify_do_not_exist_there(shop: Shop, world: World) -> None:
    outside = [c for c in world.customers if c.shopify_customer_id is None]
    everyone = await shop.every("customers", "id")
    assert len(everyone) == len(world.customers) - len(outside)
    assert outside
    data = await shop.gql('{ customer(id: "gid://shopify/Customer/1") { id } }')
    assert data == {"customer": None}


async def test_customers_search_by_email_phone_name_and_updated_at(shop: Shop, world: World) -> None:
    customer = next(c for c in world.customers if c.shopify_customer_id and c.phone)
    gid = f"gid://shopify/Customer/{customer.shopify_customer_id}"
    for query in (f"email:{customer.email}", f"phone:{customer.phone}", customer.email):
        assert [n["id"] for n in await shop.every("customers", "id", query)] == [gid], query
    named = await shop.every(
        "customers", "firstName lastName", f"first_name:{customer.first_name} last_name:{customer.last_name}"
    )
    assert named
    assert all(n["firstName"] == customer.first_name for n in named)
    recent = await shop.every("customers", "updatedAt", "updated_at:>2026-06-01")
    assert recent
    assert all(n["updatedAt"] > "2026-06-01" for n in recent)


async def test_customers_sort_by_name(shop: Shop) -> None:
    nodes = await shop.every("customers", "displayName", sortKey="NAME")
    names = [n["displayName"].lower() for n in nodes]
    assert names == sorted(names)


async def test_only_locations_that_fulfil_online_or_offer_pickup_are_in_shopify(
    shop: Shop, world: World
) -> None:
    nodes = await shop.every("locations", "id name fulfillsOnlineOrders localPickupSettingsV2 { pickupTime }")
    expected = sorted(
        (loc for loc in world.locations if loc.shopify_location_id), key=lambda loc: loc.name.lower()
    )
    assert [n["id"] for n in nodes] == [
        f"gid://shopify/Location/{loc.shopify_location_id}" for loc in expected
    ]
    assert len(nodes) < len(world.locations)
    for node, loc in zip(nodes, expected, strict=True):
        assert node["fulfillsOnlineOrders"] == loc.fulfills_online
        assert (node["localPickupSettingsV2"] is not None) == loc.pickup_enabled
    assert any(n["localPickupSettingsV2"] is None for n in nodes)


async def test_a_location_carries_its_oms_facility_id_and_address(shop: Shop, world: World) -> None:
    loc = next(loc for loc in world.locations if loc.shopify_location_id and loc.pickup_enabled)
    data = await shop.gql(LOCATION, {"id": f"gid://shopify/Location/{loc.shopify_location_id}"})
    got = data["location"]
    assert got["metafield"] == {"value": loc.code}
    assert got["isActive"]
    assert got["hasActiveInventory"]
    assert got["address"]["city"] == loc.address.city
    assert got["address"]["provinceCode"] == loc.address.region
    assert got["localPickupSettingsV2"]["pickupTime"] in {
        "ONE_HOUR",
        "TWO_HOURS",
        "FOUR_HOURS",
        "TWENTY_FOUR_HOURS",
    }
    primary = await shop.gql(LOCATION, {"id": None})
    assert primary["location"]["isPrimary"] is True


async def test_locations_search_by_name(shop: Shop, world: World) -> None:
    loc = next(loc for loc in world.locations if loc.shopify_location_id and loc.type == "WAREHOUSE")
    nodes = await shop.every("locations", "name", f'name:"{loc.name}"')
    assert [n["name"] for n in nodes] == [loc.name]

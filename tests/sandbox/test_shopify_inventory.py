"""Inventory levels by quantity name, and the inventory mutations with their idempotency keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.world import Location, Variant, World
from tests.sandbox._shopify import Shop, open_shop

Clients = Callable[..., httpx.AsyncClient]
NAMES = [
    "available",
    "committed",
    "reserved",
    "on_hand",
    "damaged",
    "safety_stock",
    "quality_control",
    "incoming",
]
LEVEL = """query($item: ID!, $loc: ID!, $names: [String!]!) { inventoryItem(id: $item) {
  inventoryLevel(locationId: $loc) { id updatedAt quantities(names: $names) { name quantity } } } }"""
ADJUST = """mutation($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason
      changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code } } }"""
ADJUST_NO_KEY = """mutation($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) { inventoryAdjustmentGroup { id } userErrors { code } } }"""
SET = """mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) {
  inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
  userErrors { field message code } } }"""


@pytest.fixture
def shop(client_for: Clients) -> Shop:
    return open_shop(client_for)


def stocked_pair(world: World, *, committed: bool = False) -> tuple[Variant, Location]:
    """A (variant, Shopify location) with stock, optionally with units committed to open orders."""
    for variant in world.variants:
        for loc in world.locations:
            if loc.shopify_location_id is None or world.stock(variant.sku, loc.code) is None:
                continue
            if not committed or world.committed(variant.sku, loc.code) > 0:
                return variant, loc
    raise AssertionError("no such pair in the world")


def ids(variant: Variant, loc: Location) -> dict[str, Any]:
    return {
        "item": f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}",
        "loc": f"gid://shopify/Location/{loc.shopify_location_id}",
    }


async def quantities(shop: Shop, variant: Variant, loc: Location) -> dict[str, int]:
    data = await shop.gql(LEVEL, {**ids(variant, loc), "names": NAMES})
    return {q["name"]: q["quantity"] for q in data["inventoryItem"]["inventoryLevel"]["quantities"]}


async def test_quantities_follow_the_world_and_on_hand_is_their_sum(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world, committed=True)
    got = await quantities(shop, variant, loc)
    stock = world.stock(variant.sku, loc.code)
    assert stock is not None
    assert got["committed"] == world.committed(variant.sku, loc.code) > 0
    assert got["on_hand"] == stock.on_hand
    assert (got["damaged"], got["quality_control"], got["safety_stock"], got["incoming"]) == (
        stock.damaged,
        stock.quality_control,
        stock.safety_stock,
        stock.incoming,
    )
    assert got["reserved"] == 0
    parts = ("available", "committed", "reserved", "damaged", "safety_stock", "quality_control")
    assert got["on_hand"] == sum(got[name] for name in parts)


async def test_quantities_come_back_in_the_order_asked(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    data = await shop.gql(LEVEL, {**ids(variant, loc), "names": ["incoming", "available"]})
    level = data["inventoryItem"]["inventoryLevel"]
    assert [q["name"] for q in level["quantities"]] == ["incoming", "available"]
    assert level["id"] == (
        f"gid://shopify/InventoryLevel/{loc.shopify_location_id}?inventory_item_id={variant.shopify_inventory_item_id}"
    )


async def test_an_unknown_quantity_name_is_a_clear_error(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    body = await shop.raw(LEVEL, {**ids(variant, loc), "names": ["available", "sellable"]})
    (error,) = body["errors"]
    assert "'sellable' is not valid" in error["message"]
    assert "available, committed" in error["message"]


async def test_an_item_not_stocked_at_a_location_has_no_level(shop: Shop, world: World) -> None:
    for variant in world.variants:
        missing = [
            loc
            for loc in world.locations
            if loc.shopify_location_id and world.stock(variant.sku, loc.code) is None
        ]
        if missing:
            data = await shop.gql(LEVEL, {**ids(variant, missing[0]), "names": ["available"]})
            assert data["inventoryItem"]["inventoryLevel"] is None
            return
    pytest.fail("every item is stocked everywhere")


async def test_an_items_levels_page_over_shopify_locations_only(shop: Shop, world: World) -> None:
    variant, _ = stocked_pair(world)
    data = await shop.gql(
        """query($item: ID!) { inventoryItem(id: $item) { inventoryLevels(first: 250) {
             nodes { location { id } } } } }""",
        {"item": f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}"},
    )
    got = [n["location"]["id"] for n in data["inventoryItem"]["inventoryLevels"]["nodes"]]
    expected = [
        f"gid://shopify/Location/{loc.shopify_location_id}"
        for loc in world.locations
        if loc.shopify_location_id and world.stock(variant.sku, loc.code) is not None
    ]
    assert got == expected


async def test_a_locations_levels_page_lazily_across_the_catalog(shop: Shop, world: World) -> None:
    loc = next(loc for loc in world.locations if loc.shopify_location_id and loc.type == "STORE")
    seen: list[str] = []
    after = None
    while True:
        data = await shop.gql(
            """query($loc: ID!, $after: String) { location(id: $loc) {
                 inventoryLevels(first: 50, after: $after) {
                 nodes { item { sku } } pageInfo { hasNextPage endCursor } } } }""",
            {"loc": f"gid://shopify/Location/{loc.shopify_location_id}", "after": after},
        )
        page = data["location"]["inventoryLevels"]
        seen += [n["item"]["sku"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [v.sku for v in world.variants if world.stock(v.sku, loc.code) is not None]
    assert len(seen) < len(list(world.variants))


async def test_adjusting_available_moves_on_hand_and_reports_both(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    before = await quantities(shop, variant, loc)
    change = {
        "inventoryItemId": ids(variant, loc)["item"],
        "locationId": ids(variant, loc)["loc"],
        "delta": 5,
    }
    data = await shop.gql(
        ADJUST, {"input": {"reason": "received", "name": "available", "changes": [change]}, "key": "k-1"}
    )
    payload = data["inventoryAdjustQuantities"]
    assert payload["userErrors"] == []
    changes = {c["name"]: c for c in payload["inventoryAdjustmentGroup"]["changes"]}
    assert changes["available"]["delta"] == 5
    assert changes["available"]["quantityAfterChange"] == before["available"] + 5
    assert changes["on_hand"]["delta"] == 5
    assert changes["available"]["item"]["id"] == change["inventoryItemId"]
    after = await quantities(shop, variant, loc)
    assert after["available"] == before["available"] + 5
    assert after["on_hand"] == before["on_hand"] + 5
    assert after["committed"] == before["committed"]


async def test_adjusting_damaged_raises_on_hand_but_not_available(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    before = await quantities(shop, variant, loc)
    change = {
        "inventoryItemId": ids(variant, loc)["item"],
        "locationId": ids(variant, loc)["loc"],
        "delta": 2,
    }
    await shop.gql(
        ADJUST, {"input": {"reason": "damaged", "name": "damaged", "changes": [change]}, "key": "k-2"}
    )
    after = await quantities(shop, variant, loc)
    assert after["damaged"] == before["damaged"] + 2
    assert after["on_hand"] == before["on_hand"] + 2
    assert after["available"] == before["available"]


async def test_the_same_idempotency_key_replays_without_adjusting_twice(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    before = await quantities(shop, variant, loc)
    change = {
        "inventoryItemId": ids(variant, loc)["item"],
        "locationId": ids(variant, loc)["loc"],
        "delta": -3,
    }
    variables = {"input": {"reason": "correction", "name": "available", "changes": [change]}, "key": "same"}
    first = await shop.gql(ADJUST, variables)
    second = await shop.gql(ADJUST, variables)
    assert first == second
    assert (await quantities(shop, variant, loc))["available"] == before["available"] - 3


async def test_the_same_key_with_other_arguments_is_a_parameter_mismatch(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    change = {
        "inventoryItemId": ids(variant, loc)["item"],
        "locationId": ids(variant, loc)["loc"],
        "delta": 1,
    }
    await shop.gql(
        ADJUST, {"input": {"reason": "received", "name": "available", "changes": [change]}, "key": "dup"}
    )
    other = {**change, "delta": 2}
    data = await shop.gql(
        ADJUST, {"input": {"reason": "received", "name": "available", "changes": [other]}, "key": "dup"}
    )
    payload = data["inventoryAdjustQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["IDEMPOTENCY_KEY_PARAMETER_MISMATCH"]


async def test_from_2026_04_the_inventory_mutations_require_the_idempotent_directive(
    client_for: Clients, world: World
) -> None:
    variant, loc = stocked_pair(world)
    change = {
        "inventoryItemId": ids(variant, loc)["item"],
        "locationId": ids(variant, loc)["loc"],
        "delta": 1,
    }
    variables = {"input": {"reason": "received", "name": "available", "changes": [change]}}
    old = await open_shop(client_for, "2025-01").gql(ADJUST_NO_KEY, variables)
    assert old["inventoryAdjustQuantities"]["userErrors"] == []
    body = await open_shop(client_for, "2026-04").raw(ADJUST_NO_KEY, variables)
    (error,) = body["errors"]
    assert error["message"] == "The @idempotent directive is required for this mutation but was not provided."
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["path"] == ["inventoryAdjustQuantities"]
    assert body["data"] == {"inventoryAdjustQuantities": None}


async def test_adjust_user_errors_are_atomic_and_name_each_bad_field(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    before = await quantities(shop, variant, loc)
    good = {"inventoryItemId": ids(variant, loc)["item"], "locationId": ids(variant, loc)["loc"], "delta": 4}
    bad_item = {**good, "inventoryItemId": "gid://shopify/InventoryItem/1"}
    bad_location = {**good, "locationId": "gid://shopify/Location/1"}
    data = await shop.gql(
        ADJUST,
        {
            "input": {"reason": "teleported", "name": "committed", "changes": [good, bad_item, bad_location]},
            "key": "a",
        },
    )
    errors = data["inventoryAdjustQuantities"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_QUANTITY_NAME", ["input", "name"]),
        ("INVALID_REASON", ["input", "reason"]),
        ("INVALID_INVENTORY_ITEM", ["input", "changes", "1", "inventoryItemId"]),
        ("INVALID_LOCATION", ["input", "changes", "2", "locationId"]),
    ]
    assert await quantities(shop, variant, loc) == before


async def test_set_quantities_checks_compare_quantity_and_sets_available(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    before = await quantities(shop, variant, loc)
    target = {
        "inventoryItemId": ids(variant, loc)["item"],
        "locationId": ids(variant, loc)["loc"],
        "quantity": 40,
    }
    required = await shop.gql(
        SET, {"input": {"reason": "correction", "name": "available", "quantities": [target]}}
    )
    assert required["inventorySetQuantities"]["userErrors"][0]["code"] == "COMPARE_QUANTITY_REQUIRED"
    stale = {**target, "compareQuantity": before["available"] + 1}
    data = await shop.gql(
        SET, {"input": {"reason": "correction", "name": "available", "quantities": [stale]}}
    )
    assert data["inventorySetQuantities"]["userErrors"][0]["code"] == "COMPARE_QUANTITY_STALE"
    fresh = {**target, "compareQuantity": before["available"]}
    data = await shop.gql(
        SET, {"input": {"reason": "correction", "name": "available", "quantities": [fresh]}}
    )
    changes = {c["name"]: c for c in data["inventorySetQuantities"]["inventoryAdjustmentGroup"]["changes"]}
    assert changes["available"] == {
        "name": "available",
        "delta": 40 - before["available"],
        "quantityAfterChange": 40,
    }
    after = await quantities(shop, variant, loc)
    assert after["available"] == 40
    assert after["on_hand"] == before["on_hand"] + 40 - before["available"]


async def test_set_on_hand_moves_available_by_the_difference(shop: Shop, world: World) -> None:
    variant, loc = stocked_pair(world)
    before = await quantities(shop, variant, loc)
    target = {
        "inventoryItemId": ids(variant, loc)["item"],
        "locationId": ids(variant, loc)["loc"],
        "quantity": before["on_hand"] + 7,
    }
    await shop.gql(
        SET,
        {
            "input": {
                "reason": "cycle_count_available",
                "name": "on_hand",
                "ignoreCompareQuantity": True,
                "quantities": [target],
            }
        },
    )
    after = await quantities(shop, variant, loc)
    assert after["on_hand"] == before["on_hand"] + 7
    assert after["available"] == before["available"] + 7
    negative = {**target, "quantity": -1}
    data = await shop.gql(
        SET,
        {
            "input": {
                "reason": "correction",
                "name": "on_hand",
                "ignoreCompareQuantity": True,
                "quantities": [negative],
            }
        },
    )
    assert data["inventorySetQuantities"]["userErrors"][0]["code"] == "INVALID_QUANTITY_NEGATIVE"

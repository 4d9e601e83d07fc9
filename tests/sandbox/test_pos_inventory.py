"""POS inventory: counts derived from the world, paging, and changes under Square's state rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from sandbox.world import Location, Variant, World

COUNTS = "/v2/inventory/counts/batch-retrieve"
CHANGES = "/v2/inventory/changes/batch-create"


@pytest.fixture
def pos(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("pos")
    client.headers.update({"Authorization": "Bearer sandbox-token"})
    return client


def stores(world: World) -> list[Location]:
    return [loc for loc in world.locations if loc.square_location_id]


def pairs(world: World) -> Iterator[tuple[Variant, Location]]:
    for variant in world.variants:
        for store in stores(world):
            yield variant, store


def expected(world: World, variant: Variant, store: Location) -> dict[str, int]:
    stock = world.stock(variant.sku, store.code)
    assert stock is not None
    committed = world.committed(variant.sku, store.code)
    unavailable = stock.damaged + stock.quality_control
    return {
        "IN_STOCK": stock.on_hand - committed - unavailable,
        "RESERVED_FOR_SALE": committed,
        "WASTE": unavailable,
    }


def pair_where(world: World, test: Callable[[Variant, Location], bool]) -> tuple[Variant, Location]:
    return next((v, s) for v, s in pairs(world) if test(v, s))


async def counts_of(pos: httpx.AsyncClient, variant: Variant, store: Location) -> dict[str, str]:
    body = {"catalog_object_ids": [variant.square_variation_id], "location_ids": [store.square_location_id]}
    response = await pos.post(COUNTS, json=body)
    assert response.status_code == 200
    return {c["state"]: c["quantity"] for c in response.json().get("counts", [])}


def adjustment(
    variant: Variant, store: Location, from_state: str, to_state: str, quantity: str
) -> dict[str, Any]:
    return {
        "type": "ADJUSTMENT",
        "adjustment": {
            "catalog_object_id": variant.square_variation_id,
            "location_id": store.square_location_id,
            "from_state": from_state,
            "to_state": to_state,
            "quantity": quantity,
            "occurred_at": "2026-11-20T10:00:00Z",
        },
    }


async def test_counts_split_the_worlds_stock_into_square_states(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = pair_where(world, lambda v, s: world.committed(v.sku, s.code) > 0)
    want = expected(world, variant, store)
    got = await counts_of(pos, variant, store)
    assert got["IN_STOCK"] == str(want["IN_STOCK"])
    assert got["RESERVED_FOR_SALE"] == str(want["RESERVED_FOR_SALE"])
    assert got.get("WASTE", "0") == str(want["WASTE"])


async def test_waste_is_damaged_plus_quality_control(pos: httpx.AsyncClient, world: World) -> None:
    def has_both(v: Variant, s: Location) -> bool:
        stock = world.stock(v.sku, s.code)
        return stock is not None and stock.damaged > 0 and stock.quality_control > 0

    variant, store = pair_where(world, has_both)
    assert (await counts_of(pos, variant, store))["WASTE"] == "3"


async def test_in_stock_is_reported_as_zero_and_empty_states_are_left_out(
    pos: httpx.AsyncClient, world: World
) -> None:
    def sold_out(v: Variant, s: Location) -> bool:
        return world.stock(v.sku, s.code) is not None and expected(world, v, s) == {
            "IN_STOCK": 0,
            "RESERVED_FOR_SALE": 0,
            "WASTE": 0,
        }

    variant, store = pair_where(world, sold_out)
    assert await counts_of(pos, variant, store) == {"IN_STOCK": "0"}


async def test_a_sku_the_store_does_not_carry_has_no_counts(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is None)
    assert await counts_of(pos, variant, store) == {}


async def test_a_count_has_squares_shape(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    body = {"catalog_object_ids": [variant.square_variation_id], "location_ids": [store.square_location_id]}
    count = (await pos.post(COUNTS, json=body)).json()["counts"][0]
    assert set(count) >= {"catalog_object_id", "catalog_object_type", "state", "location_id", "quantity"}
    assert count["catalog_object_type"] == "ITEM_VARIATION"
    assert count["location_id"] == store.square_location_id
    assert count["calculated_at"].endswith("Z")
    assert len(count["calculated_at"]) == 24


async def test_paging_returns_every_count_once(pos: httpx.AsyncClient, world: World) -> None:
    variants = list(world.variants)[:12]
    ids = [v.square_variation_id for v in variants]
    whole = (await pos.post(COUNTS, json={"catalog_object_ids": ids})).json()["counts"]
    paged: list[dict[str, Any]] = []
    body: dict[str, Any] = {"catalog_object_ids": ids, "limit": 7}
    while True:
        page = (await pos.post(COUNTS, json=body)).json()
        assert len(page["counts"]) <= 7
        paged += page["counts"]
        if "cursor" not in page:
            break
        body["cursor"] = page["cursor"]
    assert paged == whole
    carried = sum(1 for v in variants for s in stores(world) if world.stock(v.sku, s.code) is not None)
    assert sum(1 for c in whole if c["state"] == "IN_STOCK") == carried


async def test_counts_filter_by_state(pos: httpx.AsyncClient, world: World) -> None:
    ids = [v.square_variation_id for v in list(world.variants)[:40]]
    counts = (await pos.post(COUNTS, json={"catalog_object_ids": ids, "states": ["WASTE"]})).json()["counts"]
    assert counts
    assert {c["state"] for c in counts} == {"WASTE"}


async def test_an_unknown_state_is_an_invalid_enum_value(pos: httpx.AsyncClient) -> None:
    response = await pos.post(COUNTS, json={"states": ["ON_THE_MOON"]})
    error = response.json()["errors"][0]
    assert (response.status_code, error["code"], error["field"]) == (400, "INVALID_ENUM_VALUE", "states[0]")


async def test_more_than_a_thousand_catalog_ids_are_refused(pos: httpx.AsyncClient) -> None:
    response = await pos.post(COUNTS, json={"catalog_object_ids": [f"ID{i}" for i in range(1001)]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "ARRAY_LENGTH_TOO_LONG"


async def test_updated_after_returns_only_what_changed_since(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    assert (await pos.post(COUNTS, json={"updated_after": "2026-11-02T00:00:00Z"})).json() == {}
    change = adjustment(variant, store, "IN_STOCK", "WASTE", "1")
    assert (await pos.post(CHANGES, json={"idempotency_key": "u1", "changes": [change]})).status_code == 200
    counts = (await pos.post(COUNTS, json={"updated_after": "2026-11-02T00:00:00Z"})).json()["counts"]
    assert {(c["catalog_object_id"], c["location_id"]) for c in counts} == {
        (variant.square_variation_id, store.square_location_id)
    }


async def test_an_invalid_timestamp_is_invalid_time(pos: httpx.AsyncClient) -> None:
    response = await pos.post(COUNTS, json={"updated_after": "yesterday"})
    assert response.json()["errors"][0]["code"] == "INVALID_TIME"


async def test_one_variation_is_counted_at_the_stores_asked_for(pos: httpx.AsyncClient, world: World) -> None:
    variant = next(iter(world.variants))
    some = stores(world)[:3]
    params = {"location_ids": ",".join(s.square_location_id or "" for s in some)}
    counts = (await pos.get(f"/v2/inventory/{variant.square_variation_id}", params=params)).json()["counts"]
    assert {c["location_id"] for c in counts} <= {s.square_location_id for s in some}
    assert all(c["catalog_object_id"] == variant.square_variation_id for c in counts)
    assert (await pos.get("/v2/inventory/NOPE")).status_code == 404


async def test_an_adjustment_moves_stock_and_answers_the_new_counts(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    before = expected(world, variant, store)
    body = {"idempotency_key": "a1", "changes": [adjustment(variant, store, "IN_STOCK", "WASTE", "2")]}
    answer = (await pos.post(CHANGES, json=body)).json()
    got = {c["state"]: c["quantity"] for c in answer["counts"]}
    assert got["IN_STOCK"] == str(before["IN_STOCK"] - 2)
    assert got["WASTE"] == str(before["WASTE"] + 2)
    assert answer["changes"][0]["adjustment"]["id"]
    assert await counts_of(pos, variant, store) == got


async def test_receiving_stock_moves_it_from_none_to_in_stock(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is None)
    body = {"idempotency_key": "r1", "changes": [adjustment(variant, store, "NONE", "IN_STOCK", "5")]}
    assert (await pos.post(CHANGES, json=body)).status_code == 200
    assert await counts_of(pos, variant, store) == {"IN_STOCK": "5"}


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [
        ("IN_STOCK", "RESERVED_FOR_SALE"),
        ("IN_STOCK", "IN_STOCK"),
        ("IN_STOCK", "UNLINKED_RETURN"),
        ("SOLD", "NONE"),
    ],
)
async def test_adjustments_that_break_squares_state_rules_are_refused(
    pos: httpx.AsyncClient, world: World, from_state: str, to_state: str
) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    body = {"idempotency_key": "bad", "changes": [adjustment(variant, store, from_state, to_state, "1")]}
    response = await pos.post(CHANGES, json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_VALUE"


async def test_a_batch_is_checked_whole_before_anything_applies(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    before = await counts_of(pos, variant, store)
    good = adjustment(variant, store, "IN_STOCK", "WASTE", "1")
    bad = adjustment(variant, store, "IN_STOCK", "SOLD", "-1")
    response = await pos.post(CHANGES, json={"idempotency_key": "b1", "changes": [good, bad]})
    error = response.json()["errors"][0]
    assert (response.status_code, error["field"]) == (400, "changes[1].adjustment.quantity")
    assert await counts_of(pos, variant, store) == before


async def test_a_physical_count_sets_in_stock_and_unchanged_counts_can_be_ignored(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    count = {
        "type": "PHYSICAL_COUNT",
        "physical_count": {
            "catalog_object_id": variant.square_variation_id,
            "location_id": store.square_location_id,
            "state": "IN_STOCK",
            "quantity": "11",
            "occurred_at": "2026-11-20T10:00:00.000Z",
        },
    }
    first = (await pos.post(CHANGES, json={"idempotency_key": "p1", "changes": [count]})).json()
    assert (await counts_of(pos, variant, store))["IN_STOCK"] == "11"
    assert len(first["changes"]) == 1
    again = {"idempotency_key": "p2", "changes": [count], "ignore_unchanged_counts": True}
    assert "changes" not in (await pos.post(CHANGES, json=again)).json()


async def test_a_transfer_moves_stock_between_stores(pos: httpx.AsyncClient, world: World) -> None:
    variant = next(iter(world.variants))
    source, target = stores(world)[:2]
    before_source, before_target = (
        await counts_of(pos, variant, source),
        await counts_of(pos, variant, target),
    )
    transfer = {
        "type": "TRANSFER",
        "transfer": {
            "catalog_object_id": variant.square_variation_id,
            "from_location_id": source.square_location_id,
            "to_location_id": target.square_location_id,
            "state": "IN_STOCK",
            "quantity": "1",
            "occurred_at": "2026-11-20T10:00:00Z",
        },
    }
    assert (await pos.post(CHANGES, json={"idempotency_key": "t1", "changes": [transfer]})).status_code == 200
    after_source, after_target = await counts_of(pos, variant, source), await counts_of(pos, variant, target)
    assert int(after_source["IN_STOCK"]) == int(before_source.get("IN_STOCK", "0")) - 1
    assert int(after_target["IN_STOCK"]) == int(before_target.get("IN_STOCK", "0")) + 1


async def test_a_replayed_batch_changes_nothing_twice(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    change = adjustment(variant, store, "IN_STOCK", "WASTE", "1")
    body: dict[str, Any] = {"idempotency_key": "same", "changes": [change]}
    first = (await pos.post(CHANGES, json=body)).json()
    second = (await pos.post(CHANGES, json=body)).json()
    assert first == second
    assert (await counts_of(pos, variant, store))["WASTE"] == first["counts"][-1]["quantity"]
    change["adjustment"]["quantity"] = "2"
    reused = await pos.post(CHANGES, json=body)
    assert (reused.status_code, reused.json()["errors"][0]["code"]) == (400, "IDEMPOTENCY_KEY_REUSED")


async def test_unknown_variations_and_locations_in_changes_are_not_found(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    warehouse = next(loc for loc in world.locations if loc.type == "WAREHOUSE")
    bad_location = adjustment(variant, store, "IN_STOCK", "WASTE", "1")
    bad_location["adjustment"]["location_id"] = warehouse.code
    response = await pos.post(CHANGES, json={"idempotency_key": "n1", "changes": [bad_location]})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (
        404,
        "changes[0].adjustment.location_id",
    )
    bad_variant = adjustment(variant, store, "IN_STOCK", "WASTE", "1")
    bad_variant["adjustment"]["catalog_object_id"] = "NOPE"
    response = await pos.post(CHANGES, json={"idempotency_key": "n2", "changes": [bad_variant]})
    assert response.status_code == 404


async def test_the_change_history_lists_changes_made_at_run_time(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = pair_where(world, lambda v, s: world.stock(v.sku, s.code) is not None)
    body = {"idempotency_key": "h1", "changes": [adjustment(variant, store, "IN_STOCK", "WASTE", "1")]}
    await pos.post(CHANGES, json=body)
    query = {"catalog_object_ids": [variant.square_variation_id], "types": ["ADJUSTMENT"]}
    history = (await pos.post("/v2/inventory/changes/batch-retrieve", json=query)).json()["changes"]
    assert [(c["adjustment"]["from_state"], c["adjustment"]["to_state"]) for c in history] == [
        ("IN_STOCK", "WASTE")
    ]
    query = {"catalog_object_ids": [variant.square_variation_id], "types": ["PHYSICAL_COUNT"]}
    assert (await pos.post("/v2/inventory/changes/batch-retrieve", json=query)).json() == {}

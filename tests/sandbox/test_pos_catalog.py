"""POS locations and catalog: stores only, SKU lookups, paging and related objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.world import World


@pytest.fixture
def pos(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("pos")
    client.headers.update({"Authorization": "Bearer sandbox-token"})
    return client


def variation_search(sku_query: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"object_types": ["ITEM_VARIATION"], "query": sku_query, **extra}


async def test_the_locations_are_exactly_the_worlds_stores(pos: httpx.AsyncClient, world: World) -> None:
    locations = (await pos.get("/v2/locations")).json()["locations"]
    stores = [loc for loc in world.locations if loc.type == "STORE"]
    assert [loc["id"] for loc in locations] == [s.square_location_id for s in stores]
    first, store = locations[0], stores[0]
    assert first["name"] == store.name
    assert first["address"]["locality"] == store.address.city
    assert first["address"]["administrative_district_level_1"] == store.address.region
    assert (first["status"], first["type"], first["currency"]) == ("ACTIVE", "PHYSICAL", "USD")
    assert "reference_id" not in first


async def test_one_location_is_found_by_id_and_main_is_the_first_store(
    pos: httpx.AsyncClient, world: World
) -> None:
    store = next(loc for loc in world.locations if loc.square_location_id)
    by_id = (await pos.get(f"/v2/locations/{store.square_location_id}")).json()["location"]
    main = (await pos.get("/v2/locations/main")).json()["location"]
    assert by_id == main
    assert by_id["timezone"].startswith("America/")


async def test_an_unknown_location_is_not_found(pos: httpx.AsyncClient) -> None:
    response = await pos.get("/v2/locations/NOPE")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NOT_FOUND"


async def test_a_sku_maps_to_its_variation_with_an_exact_query(pos: httpx.AsyncClient, world: World) -> None:
    variant = next(iter(world.variants))
    body = variation_search(
        {"exact_query": {"attribute_name": "sku", "attribute_value": variant.sku.lower()}}
    )
    objects = (await pos.post("/v2/catalog/search", json=body)).json()["objects"]
    assert len(objects) == 1
    data = objects[0]["item_variation_data"]
    assert objects[0]["id"] == variant.square_variation_id
    assert objects[0]["type"] == "ITEM_VARIATION"
    assert data["sku"] == variant.sku
    assert data["upc"] == variant.gtin
    assert data["item_id"] == variant.square_item_id
    assert data["price_money"] == {"amount": variant.price_cents, "currency": "USD"}
    assert (data["pricing_type"], data["track_inventory"]) == ("FIXED_PRICING", True)


async def test_an_unknown_sku_gives_an_empty_result(pos: httpx.AsyncClient) -> None:
    body = variation_search({"exact_query": {"attribute_name": "sku", "attribute_value": "NOPE-1"}})
    response = await pos.post("/v2/catalog/search", json=body)
    assert response.status_code == 200
    assert response.json() == {}


async def test_many_skus_map_at_once_with_a_set_query(pos: httpx.AsyncClient, world: World) -> None:
    variants = list(world.variants)[:5]
    query = {"set_query": {"attribute_name": "sku", "attribute_values": [v.sku for v in variants]}}
    objects = (await pos.post("/v2/catalog/search", json=variation_search(query))).json()["objects"]
    assert {o["item_variation_data"]["sku"] for o in objects} == {v.sku for v in variants}


async def test_a_prefix_query_finds_every_size_of_a_product(pos: httpx.AsyncClient, world: World) -> None:
    product = world.products[0]
    prefix = product.variants[0].sku.rsplit("-", 1)[0] + "-"
    query = {"prefix_query": {"attribute_name": "sku", "attribute_prefix": prefix}}
    objects = (await pos.post("/v2/catalog/search", json=variation_search(query))).json()["objects"]
    assert [o["id"] for o in objects] == [v.square_variation_id for v in product.variants]


async def test_an_item_is_found_by_the_sku_of_one_of_its_variations(
    pos: httpx.AsyncClient, world: World
) -> None:
    product = world.products[1]
    body = {"query": {"exact_query": {"attribute_name": "sku", "attribute_value": product.variants[-1].sku}}}
    objects = (await pos.post("/v2/catalog/search", json=body)).json()["objects"]
    assert [o["type"] for o in objects] == ["ITEM"]
    assert objects[0]["item_data"]["name"] == product.title
    nested = [v["id"] for v in objects[0]["item_data"]["variations"]]
    assert nested == [v.square_variation_id for v in product.variants]


async def test_a_text_query_matches_words_of_the_name(pos: httpx.AsyncClient, world: World) -> None:
    product = world.products[2]
    body = {"object_types": ["ITEM"], "query": {"text_query": {"keywords": product.title.split()[:2]}}}
    names = [
        o["item_data"]["name"] for o in (await pos.post("/v2/catalog/search", json=body)).json()["objects"]
    ]
    assert product.title in names
    first_two = [w.lower() for w in product.title.split()[:2]]
    assert all(all(w in n.lower() for w in first_two) for n in names)


async def test_related_objects_carry_the_parent_items(pos: httpx.AsyncClient, world: World) -> None:
    variant = world.products[3].variants[0]
    query = {"exact_query": {"attribute_name": "sku", "attribute_value": variant.sku}}
    body = variation_search(query, include_related_objects=True)
    related = (await pos.post("/v2/catalog/search", json=body)).json()["related_objects"]
    assert [(r["type"], r["id"]) for r in related] == [("ITEM", variant.square_item_id)]


async def test_search_pages_with_a_cursor_until_it_is_gone(pos: httpx.AsyncClient, world: World) -> None:
    seen: list[str] = []
    body: dict[str, Any] = {"object_types": ["ITEM_VARIATION"], "limit": 70}
    while True:
        page = (await pos.post("/v2/catalog/search", json=body)).json()
        seen += [o["id"] for o in page["objects"]]
        if "cursor" not in page:
            break
        body["cursor"] = page["cursor"]
    assert seen == [v.square_variation_id for v in world.variants]


async def test_a_cursor_from_another_query_or_garbage_is_invalid(pos: httpx.AsyncClient) -> None:
    first = (await pos.post("/v2/catalog/search", json={"limit": 1})).json()
    other = {"object_types": ["ITEM_VARIATION"], "limit": 1, "cursor": first["cursor"]}
    for body in (other, {"cursor": "%%%not-base64"}):
        response = await pos.post("/v2/catalog/search", json=body)
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "INVALID_CURSOR"


async def test_the_catalog_list_defaults_to_items_and_pages_by_a_hundred(
    pos: httpx.AsyncClient, world: World
) -> None:
    items = (await pos.get("/v2/catalog/list")).json()
    assert {o["type"] for o in items["objects"]} == {"ITEM"}
    everything: list[dict[str, Any]] = []
    params = {"types": "ITEM,ITEM_VARIATION"}
    while True:
        page = (await pos.get("/v2/catalog/list", params=params)).json()
        assert len(page["objects"]) <= 100
        everything += page["objects"]
        if "cursor" not in page:
            break
        params["cursor"] = page["cursor"]
    assert len(everything) == len(world.products) + len(list(world.variants))


async def test_an_unknown_catalog_type_is_an_invalid_enum_value(pos: httpx.AsyncClient) -> None:
    response = await pos.get("/v2/catalog/list", params={"types": "ITEM,WIDGET"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_ENUM_VALUE"


async def test_batch_retrieve_leaves_out_unknown_ids(pos: httpx.AsyncClient, world: World) -> None:
    variant = next(iter(world.variants))
    body = {"object_ids": [variant.square_variation_id, "UNKNOWN"], "include_related_objects": True}
    page = (await pos.post("/v2/catalog/batch-retrieve", json=body)).json()
    assert [o["id"] for o in page["objects"]] == [variant.square_variation_id]
    assert [o["id"] for o in page["related_objects"]] == [variant.square_item_id]


async def test_batch_retrieve_needs_object_ids(pos: httpx.AsyncClient) -> None:
    response = await pos.post("/v2/catalog/batch-retrieve", json={})
    error = response.json()["errors"][0]
    assert (response.status_code, error["code"], error["field"]) == (
        400,
        "MISSING_REQUIRED_PARAMETER",
        "object_ids",
    )


async def test_one_catalog_object_is_retrieved_by_id(pos: httpx.AsyncClient, world: World) -> None:
    product = world.products[0]
    item_id = product.variants[0].square_item_id
    found = (await pos.get(f"/v2/catalog/object/{item_id}")).json()["object"]
    assert found["item_data"]["name"] == product.title
    assert (await pos.get("/v2/catalog/object/NOPE")).status_code == 404

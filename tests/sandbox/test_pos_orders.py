"""POS orders: creation with idempotency, updates with versions, payment and its stock effect, search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.world import Location, Variant, World


@pytest.fixture
def pos(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("pos")
    client.headers.update({"Authorization": "Bearer sandbox-token"})
    return client


def carried(world: World) -> tuple[Variant, Location]:
    stores = [loc for loc in world.locations if loc.square_location_id]
    return next((v, s) for v in world.variants for s in stores if world.stock(v.sku, s.code) is not None)


def order_body(store: Location, *lines: dict[str, Any], key: str = "k1", **order: Any) -> dict[str, Any]:
    spec = {"location_id": store.square_location_id, "line_items": list(lines), **order}
    return {"idempotency_key": key, "order": spec}


def line(variant: Variant, quantity: str = "1") -> dict[str, Any]:
    return {"catalog_object_id": variant.square_variation_id, "quantity": quantity}


async def create(pos: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await pos.post("/v2/orders", json=body)
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()["order"]
    return order


async def in_stock(pos: httpx.AsyncClient, variant: Variant, store: Location) -> int:
    body = {"catalog_object_ids": [variant.square_variation_id], "location_ids": [store.square_location_id]}
    counts = (await pos.post("/v2/inventory/counts/batch-retrieve", json=body)).json()["counts"]
    return int(next(c["quantity"] for c in counts if c["state"] == "IN_STOCK"))


def error_of(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error.get("field")


async def test_a_new_order_is_open_and_priced_from_the_catalog(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    priced = {**line(variant, "2"), "base_price_money": {"amount": 1, "currency": "USD"}, "note": "gift"}
    order = await create(pos, order_body(store, priced, reference_id="R900001"))
    item = order["line_items"][0]
    assert (order["state"], order["version"], order["reference_id"]) == ("OPEN", 1, "R900001")
    assert item["base_price_money"] == {"amount": variant.price_cents, "currency": "USD"}
    assert item["quantity"] == "2"
    assert item["total_money"]["amount"] == 2 * variant.price_cents
    assert (item["variation_name"], item["note"]) == (variant.title, "gift")
    assert order["total_money"]["amount"] == 2 * variant.price_cents
    assert order["net_amount_due_money"]["amount"] == 2 * variant.price_cents
    assert order["created_at"].endswith("Z")


async def test_an_ad_hoc_line_needs_a_name_and_a_price(pos: httpx.AsyncClient, world: World) -> None:
    _, store = carried(world)
    adhoc = {"name": "Gift wrap", "quantity": "1", "base_price_money": {"amount": 500, "currency": "USD"}}
    order = await create(pos, order_body(store, adhoc))
    assert order["total_money"]["amount"] == 500
    response = await pos.post(
        "/v2/orders", json=order_body(store, {"name": "Gift wrap", "quantity": "1"}, key="k2")
    )
    assert error_of(response) == (400, "MISSING_REQUIRED_PARAMETER", "order.line_items[0].base_price_money")


async def test_the_same_key_and_body_give_the_same_order(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    body = order_body(store, line(variant), key="same-key")
    first, second = await create(pos, body), await create(pos, body)
    assert first == second
    search = {
        "location_ids": [store.square_location_id],
        "query": {"filter": {"state_filter": {"states": ["OPEN"]}}},
    }
    open_orders = (await pos.post("/v2/orders/search", json=search)).json()["orders"]
    assert [o["id"] for o in open_orders] == [first["id"]]


async def test_the_same_key_with_another_body_is_refused(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    await create(pos, order_body(store, line(variant), key="reused"))
    response = await pos.post("/v2/orders", json=order_body(store, line(variant, "3"), key="reused"))
    assert error_of(response) == (400, "IDEMPOTENCY_KEY_REUSED", "idempotency_key")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda b: b.pop("idempotency_key"), (400, "MISSING_REQUIRED_PARAMETER", "idempotency_key")),
        (lambda b: b.update(idempotency_key="x" * 193), (400, "VALUE_TOO_LONG", "idempotency_key")),
        (lambda b: b["order"].update(location_id="NOPE"), (404, "NOT_FOUND", "order.location_id")),
        (lambda b: b["order"].update(customer_id="NOPE"), (404, "NOT_FOUND", "order.customer_id")),
        (lambda b: b["order"].update(state="COMPLETED"), (400, "INVALID_VALUE", "order.state")),
        (lambda b: b["order"].update(state="DONE"), (400, "INVALID_ENUM_VALUE", "order.state")),
        (lambda b: b["order"].update(reference_id="R" * 41), (400, "VALUE_TOO_LONG", "order.reference_id")),
        (lambda b: b["order"]["line_items"][0].update(quantity=2), (400, "EXPECTED_STRING", None)),
        (lambda b: b["order"]["line_items"][0].update(quantity="1.5"), (400, "INVALID_VALUE", None)),
        (lambda b: b["order"]["line_items"][0].update(quantity="0"), (400, "VALUE_TOO_LOW", None)),
        (lambda b: b["order"]["line_items"][0].update(catalog_object_id="NOPE"), (404, "NOT_FOUND", None)),
    ],
)
async def test_bad_orders_are_refused_with_squares_codes(
    pos: httpx.AsyncClient,
    world: World,
    mutate: Callable[[dict[str, Any]], object],
    expected: tuple[Any, ...],
) -> None:
    variant, store = carried(world)
    body = order_body(store, line(variant))
    mutate(body)
    status, code, field = error_of(await pos.post("/v2/orders", json=body))
    assert (status, code) == expected[:2]
    if expected[2] is not None:
        assert field == expected[2]


async def test_an_item_id_is_not_a_line_item(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    body = order_body(store, {"catalog_object_id": variant.square_item_id, "quantity": "1"})
    assert error_of(await pos.post("/v2/orders", json=body)) == (
        400,
        "INVALID_VALUE",
        "order.line_items[0].catalog_object_id",
    )


async def test_orders_are_retrieved_one_or_many_at_a_time(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    order = await create(pos, order_body(store, line(variant)))
    assert (await pos.get(f"/v2/orders/{order['id']}")).json()["order"] == order
    assert error_of(await pos.get("/v2/orders/NOPE"))[:2] == (404, "NOT_FOUND")
    body = {"order_ids": [order["id"], "NOPE"]}
    assert [o["id"] for o in (await pos.post("/v2/orders/batch-retrieve", json=body)).json()["orders"]] == [
        order["id"]
    ]
    elsewhere = {"order_ids": [order["id"]], "location_id": "SOMEWHERE-ELSE"}
    assert (await pos.post("/v2/orders/batch-retrieve", json=elsewhere)).json() == {}


async def test_an_update_needs_the_current_version(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    order = await create(pos, order_body(store, line(variant)))
    stale = {"order": {"version": 7, "reference_id": "R1"}}
    assert error_of(await pos.put(f"/v2/orders/{order['id']}", json=stale)) == (
        409,
        "VERSION_MISMATCH",
        "order.version",
    )
    missing = await pos.put(f"/v2/orders/{order['id']}", json={"order": {"reference_id": "R1"}})
    assert error_of(missing) == (400, "MISSING_REQUIRED_PARAMETER", "order.version")


async def test_an_update_changes_fields_lines_and_clears_what_is_asked(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = carried(world)
    order = await create(
        pos, order_body(store, {**line(variant), "uid": "first", "note": "n"}, reference_id="R1")
    )
    other = list(world.variants)[5]
    body = {
        "order": {
            "version": 1,
            "reference_id": "R2",
            "line_items": [{"uid": "first", "quantity": "3"}, line(other)],
        },
        "fields_to_clear": ["line_items[first].note"],
    }
    updated = (await pos.put(f"/v2/orders/{order['id']}", json=body)).json()["order"]
    assert (updated["version"], updated["reference_id"]) == (2, "R2")
    assert next((li["uid"], li["quantity"]) for li in updated["line_items"]) == ("first", "3")
    assert "note" not in updated["line_items"][0]
    assert updated["total_money"]["amount"] == 3 * variant.price_cents + other.price_cents
    removal = {"order": {"version": 2}, "fields_to_clear": ["line_items[first]", "reference_id"]}
    trimmed = (await pos.put(f"/v2/orders/{order['id']}", json=removal)).json()["order"]
    assert [li["catalog_object_id"] for li in trimmed["line_items"]] == [other.square_variation_id]
    assert "reference_id" not in trimmed
    bad_clear = {"order": {"version": 3}, "fields_to_clear": ["nonsense"]}
    assert error_of(await pos.put(f"/v2/orders/{order['id']}", json=bad_clear))[:2] == (400, "INVALID_VALUE")


async def test_a_canceled_order_is_closed_and_cannot_change_again(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = carried(world)
    order = await create(pos, order_body(store, line(variant)))
    canceled = (
        await pos.put(f"/v2/orders/{order['id']}", json={"order": {"version": 1, "state": "CANCELED"}})
    ).json()
    assert canceled["order"]["state"] == "CANCELED"
    assert "closed_at" in canceled["order"]
    again = await pos.put(f"/v2/orders/{order['id']}", json={"order": {"version": 2, "reference_id": "R"}})
    assert error_of(again)[:2] == (400, "BAD_REQUEST")


async def test_a_draft_becomes_open_but_never_completed_by_update(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = carried(world)
    draft = await create(pos, order_body(store, line(variant), state="DRAFT"))
    completing = {"order": {"version": 1, "state": "COMPLETED"}}
    assert error_of(await pos.put(f"/v2/orders/{draft['id']}", json=completing)) == (
        400,
        "INVALID_VALUE",
        "order.state",
    )
    opened = (
        await pos.put(f"/v2/orders/{draft['id']}", json={"order": {"version": 1, "state": "OPEN"}})
    ).json()
    assert opened["order"]["state"] == "OPEN"


async def test_paying_completes_the_sale_and_takes_the_stock(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    before = await in_stock(pos, variant, store)
    order = await create(pos, order_body(store, line(variant, "2")))
    assert await in_stock(pos, variant, store) == before
    body = {"idempotency_key": "pay-1", "order_version": 1, "payment_ids": ["PAYMENT-A"]}
    paid = (await pos.post(f"/v2/orders/{order['id']}/pay", json=body)).json()["order"]
    assert (paid["state"], paid["version"]) == ("COMPLETED", 2)
    assert paid["closed_at"] == paid["updated_at"]
    assert [(t["payment_id"], t["type"], t["amount_money"]["amount"]) for t in paid["tenders"]] == [
        ("PAYMENT-A", "CARD", 2 * variant.price_cents)
    ]
    assert paid["net_amount_due_money"]["amount"] == 0
    assert await in_stock(pos, variant, store) == before - 2
    history = {"catalog_object_ids": [variant.square_variation_id], "states": ["SOLD"]}
    sold = (await pos.post("/v2/inventory/changes/batch-retrieve", json=history)).json()["changes"]
    assert [(c["adjustment"]["quantity"], c["adjustment"]["transaction_id"]) for c in sold] == [
        ("2", order["id"])
    ]


async def test_a_till_sells_more_than_it_has_and_reports_negative_stock(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = carried(world)
    before = await in_stock(pos, variant, store)
    order = await create(pos, order_body(store, line(variant, str(before + 3))))
    await pos.post(f"/v2/orders/{order['id']}/pay", json={"idempotency_key": "pay-neg"})
    assert await in_stock(pos, variant, store) == -3


async def test_paying_again_replays_or_is_refused(pos: httpx.AsyncClient, world: World) -> None:
    variant, store = carried(world)
    before = await in_stock(pos, variant, store)
    order = await create(pos, order_body(store, line(variant)))
    url = f"/v2/orders/{order['id']}/pay"
    first = (await pos.post(url, json={"idempotency_key": "p"})).json()
    assert (await pos.post(url, json={"idempotency_key": "p"})).json() == first
    assert first["order"]["tenders"][0]["type"] == "CASH"
    assert await in_stock(pos, variant, store) == before - 1
    assert error_of(await pos.post(url, json={"idempotency_key": "q"}))[:2] == (400, "BAD_REQUEST")


async def test_paying_with_a_stale_version_is_a_version_mismatch(
    pos: httpx.AsyncClient, world: World
) -> None:
    variant, store = carried(world)
    order = await create(pos, order_body(store, line(variant)))
    body = {"idempotency_key": "v", "order_version": 9}
    assert error_of(await pos.post(f"/v2/orders/{order['id']}/pay", json=body)) == (
        409,
        "VERSION_MISMATCH",
        "order_version",
    )


async def test_seeded_store_sales_are_completed_or_canceled_orders(
    pos: httpx.AsyncClient, world: World
) -> None:
    pos_orders = [o for o in world.orders if o.in_pos]
    ids = [o.square_order_id for o in pos_orders]
    states: set[str] = set()
    for start in range(0, len(ids), 100):
        page = (
            await pos.post("/v2/orders/batch-retrieve", json={"order_ids": ids[start : start + 100]})
        ).json()
        states |= {o["state"] for o in page["orders"]}
    assert states == {"COMPLETED", "CANCELED"}
    source = next(o for o in pos_orders if o.status == "FULFILLED")
    order = (await pos.get(f"/v2/orders/{source.square_order_id}")).json()["order"]
    assert order["reference_id"] == source.number
    assert order["total_money"]["amount"] == source.total_cents
    assert order["tenders"][0]["amount_money"]["amount"] == source.total_cents
    assert [li["catalog_object_id"] for li in order["line_items"]] == [
        world.variants_by_sku[line.sku].square_variation_id for line in source.lines
    ]
    canceled = next(o for o in pos_orders if o.status == "CANCELLED")
    voided = (await pos.get(f"/v2/orders/{canceled.square_order_id}")).json()["order"]
    assert voided["state"] == "CANCELED"
    assert "tenders" not in voided


async def test_search_pages_newest_first_over_the_stores_asked_for(
    pos: httpx.AsyncClient, world: World
) -> None:
    stores = [loc.square_location_id for loc in world.locations if loc.square_location_id][:3]
    body: dict[str, Any] = {"location_ids": stores, "limit": 10}
    seen: list[dict[str, Any]] = []
    while True:
        page = (await pos.post("/v2/orders/search", json=body)).json()
        seen += page["orders"]
        if "cursor" not in page:
            break
        body["cursor"] = page["cursor"]
    codes = {loc.code for loc in world.locations if loc.square_location_id in stores}
    expected = [
        o.square_order_id or "" for o in world.orders if o.in_pos and o.lines[0].location_code in codes
    ]
    assert len(expected) > 10
    assert sorted(o["id"] for o in seen) == sorted(expected)
    created = [o["created_at"] for o in seen]
    assert created == sorted(created, reverse=True)


async def test_search_filters_by_state_customer_and_time(pos: httpx.AsyncClient, world: World) -> None:
    source = next(
        o
        for o in world.orders
        if o.in_pos
        and o.customer_id
        and o.status == "FULFILLED"
        and world.customers_by_id[o.customer_id].square_customer_id
    )
    store = world.locations_by_code[source.lines[0].location_code].square_location_id
    customer = world.customers_by_id[source.customer_id or ""].square_customer_id
    query = {
        "filter": {
            "state_filter": {"states": ["COMPLETED"]},
            "customer_filter": {"customer_ids": [customer]},
            "date_time_filter": {
                "created_at": {"start_at": "2026-01-01T00:00:00Z", "end_at": "2026-11-02T00:00:00Z"}
            },
        },
        "sort": {"sort_field": "CREATED_AT", "sort_order": "ASC"},
    }
    found = (await pos.post("/v2/orders/search", json={"location_ids": [store], "query": query})).json()[
        "orders"
    ]
    assert source.square_order_id in {o["id"] for o in found}
    assert all(o["customer_id"] == customer and o["state"] == "COMPLETED" for o in found)


async def test_search_can_return_entries_only(pos: httpx.AsyncClient, world: World) -> None:
    store = next(loc.square_location_id for loc in world.locations if loc.square_location_id)
    page = (
        await pos.post("/v2/orders/search", json={"location_ids": [store], "return_entries": True})
    ).json()
    assert "orders" not in page
    assert set(page["order_entries"][0]) == {"order_id", "version", "location_id"}


async def test_search_keeps_squares_rules(pos: httpx.AsyncClient, world: World) -> None:
    store = next(loc.square_location_id for loc in world.locations if loc.square_location_id)
    mismatched = {
        "location_ids": [store],
        "query": {"filter": {"date_time_filter": {"updated_at": {"start_at": "2026-01-01T00:00:00Z"}}}},
    }
    assert error_of(await pos.post("/v2/orders/search", json=mismatched)) == (
        400,
        "INVALID_VALUE",
        "query.sort.sort_field",
    )
    assert error_of(await pos.post("/v2/orders/search", json={}))[:2] == (400, "MISSING_REQUIRED_PARAMETER")
    too_many = {"location_ids": [store] * 11}
    assert error_of(await pos.post("/v2/orders/search", json=too_many))[:2] == (400, "ARRAY_LENGTH_TOO_LONG")
    bad_cursor = {"location_ids": [store], "cursor": "bm90LW91cnM"}
    assert error_of(await pos.post("/v2/orders/search", json=bad_cursor))[:2] == (400, "INVALID_CURSOR")

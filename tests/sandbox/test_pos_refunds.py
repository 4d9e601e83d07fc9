"""POS returns and refunds: seeded returns mapped to Square refunds, listing, and refunding a payment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.pos.order_seed import REFUND_STATUS, RETURNED_GOODS
from sandbox.world import RETURN_STATUSES, Order, Return, World


@pytest.fixture
def pos(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("pos")
    client.headers.update({"Authorization": "Bearer sandbox-token"})
    return client


def store_returns(world: World) -> list[tuple[Order, Return]]:
    return [(o, r) for o in world.orders if o.in_pos for r in o.returns]


async def all_refunds(pos: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    query: dict[str, str] = dict(params)
    while True:
        page = (await pos.get("/v2/refunds", params=query)).json()
        out += page.get("refunds", [])
        if "cursor" not in page:
            return out
        query["cursor"] = page["cursor"]


async def order_of(pos: httpx.AsyncClient, order: Order) -> dict[str, Any]:
    body: dict[str, Any] = (await pos.get(f"/v2/orders/{order.square_order_id}")).json()["order"]
    return body


def test_every_canonical_return_status_has_a_square_refund_status() -> None:
    assert set(REFUND_STATUS) == set(RETURN_STATUSES)
    assert set(REFUND_STATUS.values()) == {"PENDING", "COMPLETED", "REJECTED", "FAILED"}


async def test_seeded_refunds_cover_every_square_status(pos: httpx.AsyncClient, world: World) -> None:
    refunds = await all_refunds(pos)
    assert len(refunds) == len(store_returns(world))
    assert {r["status"] for r in refunds} == {"PENDING", "COMPLETED", "REJECTED", "FAILED"}


@pytest.mark.parametrize("status", RETURN_STATUSES)
async def test_a_store_return_shows_on_its_order_as_square_does(
    pos: httpx.AsyncClient, world: World, status: str
) -> None:
    source, ret = next((o, r) for o, r in store_returns(world) if r.status == status)
    order = await order_of(pos, source)
    [refund] = order["refunds"]
    assert refund["tender_id"] == order["tenders"][0]["payment_id"]
    legacy = {"PENDING": "PENDING", "COMPLETED": "APPROVED", "REJECTED": "REJECTED", "FAILED": "FAILED"}
    assert refund["status"] == legacy[REFUND_STATUS[status]]
    full = (await pos.get(f"/v2/refunds/{refund['id']}")).json()["refund"]
    assert (full["status"], full["order_id"]) == (REFUND_STATUS[status], order["id"])
    line = next(li for li in source.lines if li.line_no == ret.lines[0].line_no)
    value = ret.lines[0].quantity * line.unit_price_cents
    assert full["amount_money"] == {"amount": ret.refund_cents or value, "currency": "USD"}
    if status in RETURNED_GOODS:
        returned = order["returns"][0]["return_line_items"]
        assert [(r["catalog_object_id"], r["quantity"]) for r in returned] == [
            (world.variants_by_sku[line.sku].square_variation_id, str(ret.lines[0].quantity))
        ]
        assert order["net_amounts"]["total_money"]["amount"] == source.total_cents - value
    else:
        assert "returns" not in order
        assert order["net_amounts"]["total_money"]["amount"] == source.total_cents


async def test_store_credit_refunds_go_to_an_external_destination(
    pos: httpx.AsyncClient, world: World
) -> None:
    source, _ = next((o, r) for o, r in store_returns(world) if r.refund_method == "STORE_CREDIT")
    refund_id = (await order_of(pos, source))["refunds"][0]["id"]
    assert (await pos.get(f"/v2/refunds/{refund_id}")).json()["refund"]["destination_type"] == "EXTERNAL"


async def test_refunds_are_listed_by_location_and_status_newest_first(
    pos: httpx.AsyncClient, world: World
) -> None:
    source, _ = store_returns(world)[0]
    location_id = world.locations_by_code[source.lines[0].location_code].square_location_id or ""
    here = await all_refunds(pos, location_id=location_id, limit="2")
    assert here
    assert {r["location_id"] for r in here} == {location_id}
    created = [r["created_at"] for r in here]
    assert created == sorted(created, reverse=True)
    completed = await all_refunds(pos, status="COMPLETED")
    assert completed
    assert {r["status"] for r in completed} == {"COMPLETED"}


async def test_bad_list_parameters_are_refused(pos: httpx.AsyncClient) -> None:
    for params in ({"status": "LOST"}, {"sort_order": "SIDEWAYS"}, {"limit": "0"}, {"begin_time": "nope"}):
        response = await pos.get("/v2/refunds", params=params)
        assert response.status_code == 400, params
    assert (await pos.get("/v2/refunds/NOPE")).status_code == 404


async def refundable_sale(pos: httpx.AsyncClient, world: World) -> tuple[dict[str, Any], str]:
    source = next(o for o in world.orders if o.in_pos and o.status == "FULFILLED" and not o.returns)
    order = await order_of(pos, source)
    return order, order["tenders"][0]["payment_id"]


async def test_refunding_a_payment_records_a_completed_refund_on_the_order(
    pos: httpx.AsyncClient, world: World
) -> None:
    order, payment_id = await refundable_sale(pos, world)
    body = {
        "idempotency_key": "r1",
        "payment_id": payment_id,
        "amount_money": {"amount": 100, "currency": "USD"},
    }
    refund = (await pos.post("/v2/refunds", json={**body, "reason": "Changed mind"})).json()["refund"]
    assert (refund["status"], refund["order_id"], refund["payment_id"]) == (
        "COMPLETED",
        order["id"],
        payment_id,
    )
    assert refund["id"].startswith(payment_id + "_")
    after = (await pos.get(f"/v2/orders/{order['id']}")).json()["order"]
    assert [r["id"] for r in after["refunds"]] == [refund["id"]]
    assert after["version"] == order["version"] + 1
    assert (await pos.get(f"/v2/refunds/{refund['id']}")).json()["refund"] == refund


async def test_a_refund_cannot_exceed_what_is_left_on_the_payment(
    pos: httpx.AsyncClient, world: World
) -> None:
    order, payment_id = await refundable_sale(pos, world)
    total = order["total_money"]["amount"]
    first = {
        "idempotency_key": "a",
        "payment_id": payment_id,
        "amount_money": {"amount": total - 1, "currency": "USD"},
    }
    assert (await pos.post("/v2/refunds", json=first)).status_code == 200
    second = {**first, "idempotency_key": "b", "amount_money": {"amount": 2, "currency": "USD"}}
    response = await pos.post("/v2/refunds", json=second)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (400, "REFUND_AMOUNT_INVALID")


async def test_refund_requests_are_idempotent_and_checked(pos: httpx.AsyncClient, world: World) -> None:
    _, payment_id = await refundable_sale(pos, world)
    body = {
        "idempotency_key": "same",
        "payment_id": payment_id,
        "amount_money": {"amount": 50, "currency": "USD"},
    }
    first = (await pos.post("/v2/refunds", json=body)).json()
    assert (await pos.post("/v2/refunds", json=body)).json() == first
    changed = await pos.post("/v2/refunds", json={**body, "amount_money": {"amount": 60, "currency": "USD"}})
    assert changed.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    unknown = await pos.post("/v2/refunds", json={**body, "idempotency_key": "u", "payment_id": "NOPE"})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (404, "payment_id")
    euros = await pos.post(
        "/v2/refunds", json={**body, "idempotency_key": "e", "amount_money": {"amount": 5, "currency": "EUR"}}
    )
    assert euros.json()["errors"][0]["code"] == "CURRENCY_MISMATCH"


async def test_a_restock_after_a_refund_puts_sold_units_back_in_stock(
    pos: httpx.AsyncClient, world: World
) -> None:
    order, _ = await refundable_sale(pos, world)
    item = order["line_items"][0]
    query = {"catalog_object_ids": [item["catalog_object_id"]], "location_ids": [order["location_id"]]}

    async def in_stock() -> int:
        counts = (await pos.post("/v2/inventory/counts/batch-retrieve", json=query)).json()["counts"]
        return int(next(c["quantity"] for c in counts if c["state"] == "IN_STOCK"))

    before = await in_stock()
    restock = {
        "type": "ADJUSTMENT",
        "adjustment": {
            "catalog_object_id": item["catalog_object_id"],
            "location_id": order["location_id"],
            "from_state": "SOLD",
            "to_state": "IN_STOCK",
            "quantity": "1",
            "occurred_at": "2026-11-20T12:00:00Z",
        },
    }
    body = {"idempotency_key": "restock", "changes": [restock]}
    assert (await pos.post("/v2/inventory/changes/batch-create", json=body)).status_code == 200
    assert await in_stock() == before + 1

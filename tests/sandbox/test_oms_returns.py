"""OMS returns: reading and searching, creating within the returnable quantity, and the lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.settings import SandboxSettings
from sandbox.world import Order, World


@pytest.fixture
def app(world: World) -> Starlette:
    return create_app("oms", SandboxSettings(), world=world)


@pytest.fixture
async def oms(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/rest/s1/oms") as client:
        yield client


def _unreturned(world: World) -> Order:
    """A completed, shipped OMS order without returns whose first line has two or more units."""
    return next(
        o
        for o in world.orders
        if o.in_oms and o.status == "FULFILLED" and not o.returns and o.lines[0].quantity >= 2
    )


def _return_body(order: Order, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    item = {"orderItemSeqId": "00101", "returnQuantity": quantity, "returnReasonId": "RTN_DEFECTIVE_ITEM"}
    return {"orderId": order.id, "items": [item], **extra}


async def _to(oms: httpx.AsyncClient, return_id: str, *statuses: str) -> httpx.Response:
    response = None
    for status in statuses:
        response = await oms.post(f"/returns/{return_id}/status", json={"statusId": status})
        assert response.status_code == 200, response.text
    assert response is not None
    return response


async def test_a_seeded_return_reads_with_rma_items_reason_and_history(
    oms: httpx.AsyncClient, world: World
) -> None:
    order = next(o for o in world.orders if o.in_oms and o.returns and o.returns[0].status == "REFUNDED")
    seeded = order.returns[0]
    response = await oms.get(f"/returns/{seeded.id}")
    assert response.status_code == 200
    ret = response.json()
    assert ret["returnName"] == seeded.rma_number
    assert ret["orderId"] == order.id
    assert ret["statusId"] == "RETURN_COMPLETED"
    assert ret["refundAmount"] == round((seeded.refund_cents or 0) / 100, 2)
    assert ret["items"][0]["returnQuantity"] == seeded.lines[0].quantity
    assert ret["items"][0]["receivedQuantity"] == seeded.lines[0].quantity
    assert ret["items"][0]["orderItemSeqId"] == f"{100 + seeded.lines[0].line_no:05d}"
    assert [s["statusId"] for s in ret["statuses"]] == [
        "RETURN_REQUESTED",
        "RETURN_ACCEPTED",
        "RETURN_RECEIVED",
        "RETURN_INSPECTED",
        "RETURN_COMPLETED",
    ]


async def test_returns_are_listed_by_order_and_by_customer_newest_first(
    oms: httpx.AsyncClient, world: World
) -> None:
    order = next(o for o in world.orders if o.in_oms and o.returns and o.customer_id)
    by_order = (await oms.get("/returns", params={"orderId": order.id})).json()
    assert [r["returnId"] for r in by_order["returns"]] == [r.id for r in order.returns]
    by_name = (await oms.get("/returns", params={"orderId": order.number})).json()
    assert by_name["returnsCount"] == len(order.returns)
    customer = order.customer_id
    expected = {r.id for o in world.orders if o.in_oms and o.customer_id == customer for r in o.returns}
    by_customer = (await oms.get("/returns", params={"customerPartyId": customer, "pageSize": 250})).json()
    assert {r["returnId"] for r in by_customer["returns"]} == expected
    everything = await oms.get("/returns", params={"pageSize": 5})
    dates = [r["entryDate"] for r in everything.json()["returns"]]
    assert dates == sorted(dates, reverse=True)
    assert everything.headers["X-Total-Count"] == str(sum(len(o.returns) for o in world.orders if o.in_oms))


async def test_returns_of_an_unknown_order_are_an_empty_list(oms: httpx.AsyncClient) -> None:
    assert (await oms.get("/returns", params={"orderId": "NOPE"})).json() == {
        "returns": [],
        "returnsCount": 0,
    }


async def test_return_reasons_map_to_canonical_reasons(oms: httpx.AsyncClient) -> None:
    rows = (await oms.get("/return-reasons")).json()["returnReasons"]
    by_id = {r["returnReasonId"]: r["canonicalReason"] for r in rows}
    assert by_id["RTN_DEFECTIVE_ITEM"] == "DEFECTIVE"
    assert by_id["RTN_MISSHIP"] == "WRONG_ITEM"
    assert by_id["RTN_SIZE_EXCHANGE"] == "SIZE_OR_FIT"


async def test_creating_a_return_answers_a_requested_return(oms: httpx.AsyncClient, world: World) -> None:
    order = _unreturned(world)
    response = await oms.post(
        "/returns", json=_return_body(order, externalId="SR-1", returnChannel="POS_RTN_CHANNEL")
    )
    assert response.status_code == 201
    ret = response.json()
    assert ret["statusId"] == "RETURN_REQUESTED"
    assert ret["orderId"] == order.id
    assert ret["returnName"].startswith("RMA-")
    assert ret["externalId"] == "SR-1"
    assert ret["returnChannelEnumId"] == "POS_RTN_CHANNEL"
    assert ret["returnTotal"] == round(order.lines[0].unit_price_cents / 100, 2)
    assert ret["refundAmount"] is None
    assert (await oms.get(f"/returns/{ret['returnId']}")).json() == ret


async def test_a_return_may_not_exceed_the_shipped_not_yet_returned_quantity(
    oms: httpx.AsyncClient, world: World
) -> None:
    order = _unreturned(world)
    quantity = order.lines[0].quantity
    too_many = await oms.post("/returns", json=_return_body(order, quantity + 1))
    assert too_many.status_code == 409
    body = too_many.json()
    assert body["errorId"] == "RETURN_QUANTITY_EXCEEDED"
    assert body["details"] == [
        {
            "orderItemSeqId": "00101",
            "requested": quantity + 1,
            "shipped": quantity,
            "alreadyReturned": 0,
            "returnable": quantity,
        }
    ]
    assert (await oms.post("/returns", json=_return_body(order, quantity - 1))).status_code == 201
    second = await oms.post("/returns", json=_return_body(order, 2))
    assert second.status_code == 409
    assert second.json()["details"][0]["alreadyReturned"] == quantity - 1
    assert (await oms.post("/returns", json=_return_body(order, 1))).status_code == 201


async def test_a_rejected_return_frees_its_quantity_again(oms: httpx.AsyncClient, world: World) -> None:
    order = _unreturned(world)
    quantity = order.lines[0].quantity
    first = (await oms.post("/returns", json=_return_body(order, quantity))).json()
    await _to(oms, first["returnId"], "RETURN_REJECTED")
    assert (await oms.post("/returns", json=_return_body(order, quantity))).status_code == 201


async def test_unshipped_units_cannot_be_returned(oms: httpx.AsyncClient, world: World) -> None:
    order = next(o for o in world.orders if o.in_oms and o.status == "IN_PROGRESS")
    response = await oms.post("/returns", json=_return_body(order))
    assert response.status_code == 409
    assert response.json()["details"][0]["shipped"] == 0


async def test_a_return_with_a_known_external_id_is_a_conflict(oms: httpx.AsyncClient, world: World) -> None:
    order = _unreturned(world)
    first = (await oms.post("/returns", json=_return_body(order, externalId="SR-9"))).json()
    again = await oms.post("/returns", json=_return_body(order, externalId="SR-9"))
    assert again.status_code == 409
    assert again.json()["errorId"] == "RETURN_EXISTS"
    assert again.json()["details"][0]["returnId"] == first["returnId"]


@pytest.mark.parametrize(
    ("change", "error_id", "field"),
    [
        ({"orderId": "NOPE"}, "UNKNOWN_ORDER", "orderId"),
        (
            {"items": [{"orderItemSeqId": "00999", "returnQuantity": 1}]},
            "UNKNOWN_ORDER_ITEM",
            "items.0.orderItemSeqId",
        ),
        (
            {"items": [{"orderItemSeqId": "00101", "returnQuantity": 1, "returnReasonId": "BORED"}]},
            "UNKNOWN_RETURN_REASON",
            "items.0.returnReasonId",
        ),
        ({"destinationFacilityId": "NOPE"}, "UNKNOWN_FACILITY", "destinationFacilityId"),
        (
            {"items": [{"orderItemSeqId": "00101", "returnQuantity": -1}]},
            "VALIDATION_ERROR",
            "items.0.returnQuantity",
        ),
        ({"items": []}, "VALIDATION_ERROR", "items"),
        ({"returnChannel": "FAX"}, "VALIDATION_ERROR", "returnChannel"),
    ],
)
async def test_an_invalid_return_is_a_400_naming_the_field(
    oms: httpx.AsyncClient, world: World, change: dict[str, Any], error_id: str, field: str
) -> None:
    response = await oms.post("/returns", json={**_return_body(_unreturned(world)), **change})
    assert response.status_code == 400
    body = response.json()
    assert body["errorId"] == error_id
    assert body["details"][0]["field"] == field


async def test_a_return_walks_its_lifecycle_and_refunds_the_order(
    oms: httpx.AsyncClient, world: World
) -> None:
    order = _unreturned(world)
    ret = (await oms.post("/returns", json=_return_body(order, order.lines[0].quantity))).json()
    received = (await _to(oms, ret["returnId"], "RETURN_ACCEPTED", "RETURN_RECEIVED")).json()
    assert received["items"][0]["receivedQuantity"] == order.lines[0].quantity
    refunded = (await _to(oms, ret["returnId"], "RETURN_INSPECTED", "RETURN_COMPLETED")).json()
    assert refunded["refundAmount"] == refunded["returnTotal"]
    closed = (await _to(oms, ret["returnId"], "RETURN_CLOSED")).json()
    assert [s["statusId"] for s in closed["statuses"]][-1] == "RETURN_CLOSED"
    payment = (await oms.get(f"/orders/{order.id}")).json()["paymentPreferences"][0]
    assert payment["refundedAmount"] == refunded["refundAmount"]
    expected = "PAYMENT_REFUNDED" if len(order.lines) == 1 else "PAYMENT_SETTLED"
    assert payment["statusId"] == expected


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), "RETURN_RECEIVED"),
        (("RETURN_ACCEPTED",), "RETURN_COMPLETED"),
        (("RETURN_REJECTED",), "RETURN_ACCEPTED"),
    ],
)
async def test_a_return_cannot_skip_steps(
    oms: httpx.AsyncClient, world: World, path: tuple[str, ...], target: str
) -> None:
    ret = (await oms.post("/returns", json=_return_body(_unreturned(world)))).json()
    for status in path:
        await _to(oms, ret["returnId"], status)
    response = await oms.post(f"/returns/{ret['returnId']}/status", json={"statusId": target})
    assert response.status_code == 409
    assert response.json()["errorId"] == "INVALID_STATUS_TRANSITION"


async def test_an_unknown_return_is_a_404(oms: httpx.AsyncClient) -> None:
    assert (await oms.get("/returns/RET0")).json()["errorId"] == "RETURN_NOT_FOUND"
    response = await oms.post("/returns/RET0/status", json={"statusId": "RETURN_ACCEPTED"})
    assert response.status_code == 404

"""OMS shipments: reading and searching, the status ladder, store pickup, and what shipping does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.settings import SandboxSettings
from sandbox.world import World


@pytest.fixture
def app(world: World) -> Starlette:
    return create_app("oms", SandboxSettings(), world=world)


@pytest.fixture
async def oms(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/rest/s1/oms") as client:
        yield client


def _first(world: World, **wanted: Any) -> Any:
    return next(o for o in world.orders if o.in_oms and all(getattr(o, k) == v for k, v in wanted.items()))


async def _status(oms: httpx.AsyncClient, shipment_id: str, status: str, **extra: Any) -> httpx.Response:
    return await oms.post(f"/shipments/{shipment_id}/status", json={"statusId": status, **extra})


async def test_a_shipment_reads_with_carrier_tracking_items_and_history(
    oms: httpx.AsyncClient, world: World
) -> None:
    order = next(o for o in world.orders if o.in_oms and any(s.status == "DELIVERED" for s in o.shipments))
    seeded = next(s for s in order.shipments if s.status == "DELIVERED")
    response = await oms.get(f"/shipments/{seeded.id}")
    assert response.status_code == 200
    shipment = response.json()
    assert shipment["primaryOrderId"] == order.id
    assert shipment["statusId"] == "SHIPMENT_DELIVERED"
    assert shipment["originFacilityId"] == seeded.location_code
    assert shipment["carrierPartyId"] in ("UPS", "FEDEX", "USPS", "DHL")
    assert shipment["trackingIdNumber"] == seeded.tracking_number
    assert shipment["items"] == [
        {"shipmentItemSeqId": f"{n:05d}", "orderItemSeqId": f"{100 + no:05d}", "quantity": qty}
        for n, (no, qty) in enumerate(seeded.lines, start=1)
    ]
    assert [s["statusId"] for s in shipment["statuses"]] == [
        "SHIPMENT_INPUT",
        "SHIPMENT_APPROVED",
        "SHIPMENT_PACKED",
        "SHIPMENT_SHIPPED",
        "SHIPMENT_DELIVERED",
    ]
    assert shipment["lastUpdatedStamp"] == shipment["statuses"][-1]["statusDatetime"]


async def test_an_unknown_shipment_is_a_404(oms: httpx.AsyncClient) -> None:
    response = await oms.get("/shipments/SHP1")
    assert response.status_code == 404
    assert response.json()["errorId"] == "SHIPMENT_NOT_FOUND"


@pytest.mark.parametrize("fulfilment", ["SHIP", "PICKUP"])
async def test_a_partially_fulfilled_order_has_one_shipped_and_one_open_shipment(
    oms: httpx.AsyncClient, world: World, fulfilment: str
) -> None:
    seeded = _first(world, status="PARTIALLY_FULFILLED", fulfilment_type=fulfilment)
    body = (await oms.get("/shipments", params={"orderId": seeded.id})).json()
    statuses = sorted(s["statusId"] for s in body["shipments"])
    assert body["shipmentsCount"] == 2
    assert statuses[0] in ("SHIPMENT_APPROVED", "SHIPMENT_INPUT", "SHIPMENT_PACKED")
    assert statuses[1] in ("SHIPMENT_SHIPPED", "SHIPMENT_DELIVERED")
    order = (await oms.get(f"/orders/{seeded.id}")).json()
    assert order["statusId"] == "ORDER_APPROVED"
    by_name = (await oms.get("/shipments", params={"orderId": seeded.number})).json()
    assert by_name == body


async def test_shipments_are_searched_by_facility_status_and_method(
    oms: httpx.AsyncClient, world: World
) -> None:
    params = {"statusId": "SHIPMENT_PACKED", "shipmentMethodTypeId": "STOREPICKUP", "pageSize": "250"}
    body = (await oms.get("/shipments", params=params)).json()
    expected = {s.id for o in world.orders if o.in_oms for s in o.shipments if s.status == "READY_FOR_PICKUP"}
    assert {s["shipmentId"] for s in body["shipments"]} == expected
    facility = world.orders[1].lines[0].location_code
    by_facility = (await oms.get("/shipments", params={"originFacilityId": facility, "pageSize": 250})).json()
    assert by_facility["shipmentsCount"] > 0
    assert all(s["originFacilityId"] == facility for s in by_facility["shipments"])
    created = [s["createdDate"] for s in by_facility["shipments"]]
    assert created == sorted(created, reverse=True)


async def test_an_unknown_shipment_status_filter_is_a_400(oms: httpx.AsyncClient) -> None:
    response = await oms.get("/shipments", params={"statusId": "SHIPPED"})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "statusId"


async def test_shipping_the_open_shipment_completes_the_order_and_moves_stock(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, status="PARTIALLY_FULFILLED", fulfilment_type="SHIP")
    open_shipment = next(s for s in seeded.shipments if s.status == "PENDING")
    sku, facility = seeded.lines[0].sku, open_shipment.location_code
    params = {"productId": sku, "facilityId": facility}
    before = (await oms.get("/inventory", params=params)).json()["inventory"][0]
    current = (await oms.get(f"/shipments/{open_shipment.id}")).json()["statusId"]
    if current == "SHIPMENT_INPUT":
        await _status(oms, open_shipment.id, "SHIPMENT_APPROVED")
    shipped = await _status(
        oms, open_shipment.id, "SHIPMENT_SHIPPED", trackingIdNumber="1ZTEST", carrierPartyId="DHL"
    )
    assert shipped.status_code == 200
    assert shipped.json()["trackingIdNumber"] == "1ZTEST"
    assert shipped.json()["carrierPartyId"] == "DHL"
    order = (await oms.get(f"/orders/{seeded.id}")).json()
    assert order["statusId"] == "ORDER_COMPLETED"
    assert all(i["statusId"] == "ITEM_COMPLETED" for i in order["items"])
    assert order["statuses"][-1]["statusId"] == "ORDER_COMPLETED"
    after = (await oms.get("/inventory", params=params)).json()["inventory"][0]
    moved = dict(open_shipment.lines)[seeded.lines[0].line_no]
    assert after["quantityOnHandTotal"] == before["quantityOnHandTotal"] - moved
    assert after["reservedQuantity"] == before["reservedQuantity"] - moved
    assert after["availableToPromiseTotal"] == before["availableToPromiseTotal"]
    delivered = await _status(oms, open_shipment.id, "SHIPMENT_DELIVERED")
    assert delivered.json()["statusId"] == "SHIPMENT_DELIVERED"


async def test_a_store_pickup_is_packed_for_pickup_then_handed_over(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, status="IN_PROGRESS", fulfilment_type="PICKUP")
    shipment_id = seeded.shipments[0].id
    handed = await _status(oms, shipment_id, "SHIPMENT_SHIPPED")
    assert handed.status_code == 200
    delivered = await _status(oms, shipment_id, "SHIPMENT_DELIVERED")
    assert delivered.status_code == 409
    assert delivered.json()["errorId"] == "INVALID_STATUS_TRANSITION"
    assert (await oms.get(f"/orders/{seeded.id}")).json()["statusId"] == "ORDER_COMPLETED"


async def test_a_store_pickup_cannot_be_handed_over_before_it_is_ready(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, status="IN_PROGRESS", fulfilment_type="PICKUP")
    shipment_id = seeded.shipments[0].id
    assert (await _status(oms, shipment_id, "SHIPMENT_APPROVED")).status_code == 200
    early = await _status(oms, shipment_id, "SHIPMENT_SHIPPED")
    assert early.status_code == 409
    assert early.json()["details"][0]["validStatusIdsTo"] == ["SHIPMENT_PACKED", "SHIPMENT_CANCELLED"]


async def test_a_shipment_of_a_held_order_cannot_ship(oms: httpx.AsyncClient, world: World) -> None:
    seeded = _first(world, status="IN_PROGRESS", fulfilment_type="SHIP")
    await oms.post(f"/orders/{seeded.id}/status", json={"statusId": "ORDER_HOLD"})
    shipment_id = seeded.shipments[0].id
    response = await _status(oms, shipment_id, "SHIPMENT_PACKED")
    if (await oms.get(f"/shipments/{shipment_id}")).json()["statusId"] == "SHIPMENT_PACKED":
        response = await _status(oms, shipment_id, "SHIPMENT_SHIPPED")
    assert response.status_code == 409
    assert response.json()["errorId"] == "ORDER_NOT_APPROVED"


async def test_a_delivered_shipment_cannot_go_back(oms: httpx.AsyncClient, world: World) -> None:
    order = next(o for o in world.orders if o.in_oms and any(s.status == "DELIVERED" for s in o.shipments))
    shipment = next(s for s in order.shipments if s.status == "DELIVERED")
    response = await _status(oms, shipment.id, "SHIPMENT_PACKED")
    assert response.status_code == 409
    assert response.json()["details"][0]["validStatusIdsTo"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "statusId"),
        ({"statusId": 5}, "statusId"),
        ({"statusId": "SHIPMENT_SHIPPED", "carrierPartyId": "X"}, "carrierPartyId"),
    ],
)
async def test_an_invalid_shipment_status_body_is_a_400(
    oms: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    shipment_id = _first(world, status="IN_PROGRESS").shipments[0].id
    response = await oms.post(f"/shipments/{shipment_id}/status", json=body)
    assert response.status_code == 400
    assert response.json()["errorId"] == "VALIDATION_ERROR"
    assert response.json()["details"][0]["field"] == field


async def test_a_status_change_of_an_unknown_shipment_is_a_404(oms: httpx.AsyncClient) -> None:
    response = await _status(oms, "SHP0", "SHIPMENT_SHIPPED")
    assert response.status_code == 404

"""OMS orders: reading, searching and paging, creating with dedupe, and status changes."""

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


def _new_order(world: World, **overrides: Any) -> dict[str, Any]:
    wh = next(loc for loc in world.locations if loc.type == "WAREHOUSE")
    sku = world.orders[0].lines[0].sku
    body: dict[str, Any] = {
        "orderName": "R900001",
        "externalId": "6600000001",
        "salesChannelEnumId": "WEB_SALES_CHANNEL",
        "customerPartyId": "C000001",
        "shipGroups": [
            {
                "facilityId": wh.code,
                "shipmentMethodTypeId": "STANDARD",
                "carrierPartyId": "UPS",
                "postalAddress": {"address1": "1 Main St", "city": "Austin", "postalCode": "78701"},
                "items": [{"productId": sku, "quantity": 2, "unitPrice": 24.99}],
            }
        ],
    }
    body.update(overrides)
    return body


async def test_an_order_reads_with_header_items_ship_groups_history_and_payments(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, channel="ONLINE", status="FULFILLED", fulfilment_type="SHIP")
    response = await oms.get(f"/orders/{seeded.id}")
    assert response.status_code == 200
    order = response.json()
    assert order["orderId"] == seeded.id
    assert order["orderName"] == seeded.number
    assert order["externalId"] == str(seeded.shopify_order_id)
    assert order["statusId"] == "ORDER_COMPLETED"
    assert order["salesChannelEnumId"] == "WEB_SALES_CHANNEL"
    assert order["partyId"] == (seeded.customer_id or "_NA_")
    assert order["grandTotal"] == round(seeded.total_cents / 100, 2)
    assert [i["orderItemSeqId"] for i in order["items"]] == [
        f"{100 + n:05d}" for n in range(1, len(seeded.lines) + 1)
    ]
    assert [i["productId"] for i in order["items"]] == [line.sku for line in seeded.lines]
    assert all(i["statusId"] == "ITEM_COMPLETED" for i in order["items"])
    group = order["shipGroups"][0]
    assert group["shipGroupSeqId"] == "00001"
    assert group["shipmentMethodTypeId"] == "STANDARD"
    assert group["postalAddress"]["postalCode"] == seeded.shipping_address.postal_code
    assert [s["statusId"] for s in order["statuses"]] == [
        "ORDER_CREATED",
        "ORDER_APPROVED",
        "ORDER_COMPLETED",
    ]
    assert order["statuses"][0]["statusDatetime"].endswith("Z")
    assert order["paymentPreferences"][0]["statusId"] in ("PAYMENT_SETTLED", "PAYMENT_REFUNDED")


async def test_a_pickup_order_names_its_pickup_facility_and_has_no_address(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, fulfilment_type="PICKUP", status="IN_PROGRESS")
    order = (await oms.get(f"/orders/{seeded.id}")).json()
    group = order["shipGroups"][0]
    assert group["shipmentMethodTypeId"] == "STOREPICKUP"
    assert group["pickupFacilityId"] == seeded.pickup_location_code
    assert group["postalAddress"] is None
    shipments = (await oms.get(f"/orders/{seeded.id}/shipments")).json()["shipments"]
    assert [s["statusId"] for s in shipments] == ["SHIPMENT_PACKED"]


@pytest.mark.parametrize(
    ("financial", "payment"),
    [
        ("PENDING", "PAYMENT_NOT_AUTH"),
        ("AUTHORIZED", "PAYMENT_AUTHORIZED"),
        ("PAID", "PAYMENT_SETTLED"),
        ("VOIDED", "PAYMENT_CANCELLED"),
        ("REFUNDED", "PAYMENT_REFUNDED"),
    ],
)
async def test_payment_preferences_reflect_the_financial_status(
    oms: httpx.AsyncClient, world: World, financial: str, payment: str
) -> None:
    seeded = _first(world, financial_status=financial)
    order = (await oms.get(f"/orders/{seeded.id}")).json()
    assert order["paymentPreferences"][0]["statusId"] == payment


async def test_a_partially_refunded_order_stays_settled_with_a_refunded_amount(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, financial_status="PARTIALLY_REFUNDED")
    preference = (await oms.get(f"/orders/{seeded.id}")).json()["paymentPreferences"][0]
    assert preference["statusId"] == "PAYMENT_SETTLED"
    assert 0 < preference["refundedAmount"] < preference["maxAmount"]


async def test_store_orders_are_not_in_the_oms(oms: httpx.AsyncClient, world: World) -> None:
    store = next(o for o in world.orders if o.channel == "STORE")
    response = await oms.get(f"/orders/{store.id}")
    assert response.status_code == 404
    assert response.json()["errorId"] == "ORDER_NOT_FOUND"
    assert (await oms.get("/orders", params={"orderName": store.number})).json()["ordersCount"] == 0


async def test_orders_are_found_by_order_name_external_id_and_customer(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, channel="ONLINE")
    by_name = (await oms.get("/orders", params={"orderName": seeded.number})).json()
    assert [o["orderId"] for o in by_name["orders"]] == [seeded.id]
    by_external = (await oms.get("/orders", params={"externalId": str(seeded.shopify_order_id)})).json()
    assert [o["orderId"] for o in by_external["orders"]] == [seeded.id]
    customer = "C000001"
    expected = [o for o in world.orders if o.in_oms and o.customer_id == customer]
    by_customer = (await oms.get("/orders", params={"customerPartyId": customer, "pageSize": 250})).json()
    assert by_customer["ordersCount"] == len(expected)
    assert {o["orderId"] for o in by_customer["orders"]} == {o.id for o in expected}
    dates = [o["orderDate"] for o in by_customer["orders"]]
    assert dates == sorted(dates, reverse=True)


async def test_an_unknown_order_name_finds_nothing(oms: httpx.AsyncClient) -> None:
    body = (await oms.get("/orders", params={"orderName": "R000000"})).json()
    assert body == {"orders": [], "ordersCount": 0}


async def test_orders_filter_by_status_and_channel(oms: httpx.AsyncClient, world: World) -> None:
    expected = {
        o.id for o in world.orders if o.in_oms and o.status == "ON_HOLD" and o.channel == "CLIENTELING"
    }
    params = {"statusId": "ORDER_HOLD", "salesChannelEnumId": "CLIENTELING_CHANNEL", "pageSize": "250"}
    body = (await oms.get("/orders", params=params)).json()
    assert {o["orderId"] for o in body["orders"]} == expected
    assert all(o["statusId"] == "ORDER_HOLD" for o in body["orders"])
    either = (await oms.get("/orders", params={"statusId": "ORDER_HOLD,ORDER_CREATED"})).json()
    held_or_new = sum(1 for o in world.orders if o.in_oms and o.status in ("ON_HOLD", "PENDING"))
    assert either["ordersCount"] == held_or_new


async def test_orders_filter_by_order_date_and_last_update(oms: httpx.AsyncClient, world: World) -> None:
    params = {"orderDate_from": "2026-10-01T00:00:00Z", "orderDate_thru": "2026-10-02T00:00:00Z"}
    body = (await oms.get("/orders", params={**params, "pageSize": 250})).json()
    expected = {o.id for o in world.orders if o.in_oms and o.placed_at.month == 10 and o.placed_at.day == 1}
    assert {o["orderId"] for o in body["orders"]} == expected
    recent = (await oms.get("/orders", params={"lastUpdatedStamp_from": "2026-11-20T00:00:00Z"})).json()
    assert all(o["lastUpdatedStamp"] >= "2026-11-20T00:00:00" for o in recent["orders"])


async def test_orders_page_newest_first_with_moqui_paging_headers(
    oms: httpx.AsyncClient, world: World
) -> None:
    total = sum(1 for o in world.orders if o.in_oms)
    first = await oms.get("/orders", params={"pageSize": 50})
    second = await oms.get("/orders", params={"pageSize": 50, "pageIndex": 1})
    assert first.json()["ordersCount"] == total
    assert first.headers["X-Total-Count"] == str(total)
    assert first.headers["X-Page-Max-Index"] == str((total - 1) // 50)
    dates = [o["orderDate"] for o in first.json()["orders"] + second.json()["orders"]]
    assert len(dates) == 100
    assert dates == sorted(dates, reverse=True)
    ids = {o["orderId"] for o in first.json()["orders"]} & {o["orderId"] for o in second.json()["orders"]}
    assert not ids
    beyond = (await oms.get("/orders", params={"pageIndex": 10_000})).json()
    assert beyond["orders"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": "251"},
        {"pageSize": "0"},
        {"pageIndex": "-1"},
        {"pageSize": "many"},
        {"statusId": "SHIPPED"},
        {"salesChannelEnumId": "EBAY"},
        {"orderDate_from": "yesterday"},
    ],
)
async def test_invalid_list_parameters_are_a_400_naming_the_parameter(
    oms: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await oms.get("/orders", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == 400
    assert body["errorId"] == "INVALID_PARAMETER"
    assert body["details"][0]["field"] == next(iter(params))


async def test_creating_an_order_answers_201_with_a_created_order(
    oms: httpx.AsyncClient, world: World
) -> None:
    response = await oms.post("/orders", json=_new_order(world))
    assert response.status_code == 201
    order = response.json()
    assert order["orderId"].startswith("OMS")
    assert order["statusId"] == "ORDER_CREATED"
    assert order["grandTotal"] == 49.98
    assert order["items"][0]["orderItemSeqId"] == "00101"
    assert order["items"][0]["statusId"] == "ITEM_CREATED"
    assert order["emailAddress"] == world.customers_by_id["C000001"].email
    assert order["paymentPreferences"][0]["statusId"] == "PAYMENT_AUTHORIZED"
    assert [s["statusId"] for s in order["statuses"]] == ["ORDER_CREATED"]
    fetched = (await oms.get(f"/orders/{order['orderId']}")).json()
    assert fetched == order
    newest = (await oms.get("/orders", params={"pageSize": 1})).json()["orders"][0]
    assert newest["orderId"] == order["orderId"]


async def test_creating_an_order_commits_its_units_at_the_facility(
    oms: httpx.AsyncClient, world: World
) -> None:
    body = _new_order(world)
    sku, facility = body["shipGroups"][0]["items"][0]["productId"], body["shipGroups"][0]["facilityId"]
    params = {"productId": sku, "facilityId": facility}
    before = (await oms.get("/inventory", params=params)).json()["inventory"][0]
    await oms.post("/orders", json=body)
    after = (await oms.get("/inventory", params=params)).json()["inventory"][0]
    assert after["reservedQuantity"] == before["reservedQuantity"] + 2
    assert after["availableToPromiseTotal"] == before["availableToPromiseTotal"] - 2


@pytest.mark.parametrize("key", ["externalId", "orderName"])
async def test_a_retried_create_is_a_409_naming_the_existing_order(
    oms: httpx.AsyncClient, world: World, key: str
) -> None:
    first = (await oms.post("/orders", json=_new_order(world))).json()
    retry = _new_order(world, externalId="other", orderName="other")
    retry[key] = first[key]
    response = await oms.post("/orders", json=retry)
    assert response.status_code == 409
    body = response.json()
    assert body["errorId"] == "ORDER_EXISTS"
    assert body["details"][0]["orderId"] == first["orderId"]
    assert first["orderId"] in body["errors"]


async def test_creating_an_order_with_a_seeded_order_name_is_a_conflict(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, channel="CALL_CENTER")
    response = await oms.post("/orders", json=_new_order(world, orderName=seeded.number, externalId=None))
    assert response.status_code == 409
    assert response.json()["details"][0]["orderId"] == seeded.id


async def test_unknown_products_facilities_and_parties_are_all_reported(
    oms: httpx.AsyncClient, world: World
) -> None:
    body = _new_order(world, customerPartyId="C999999")
    body["shipGroups"].append(
        {
            "facilityId": "NOPE",
            "shipmentMethodTypeId": "STOREPICKUP",
            "items": [{"productId": "NOT-A-SKU", "quantity": 1, "unitPrice": 1}],
        }
    )
    response = await oms.post("/orders", json=body)
    assert response.status_code == 400
    details = response.json()["details"]
    assert {(d["errorId"], d["field"]) for d in details} == {
        ("UNKNOWN_PARTY", "customerPartyId"),
        ("UNKNOWN_FACILITY", "shipGroups.1.facilityId"),
        ("UNKNOWN_PRODUCT", "shipGroups.1.items.0.productId"),
    }
    assert (await oms.get("/orders", params={"orderName": "R900001"})).json()["ordersCount"] == 0


async def test_store_pickup_at_a_facility_without_pickup_is_refused(
    oms: httpx.AsyncClient, world: World
) -> None:
    no_pickup = next(loc for loc in world.locations if not loc.pickup_enabled)
    body = _new_order(world)
    body["shipGroups"][0].update(facilityId=no_pickup.code, shipmentMethodTypeId="STOREPICKUP")
    response = await oms.post("/orders", json=body)
    assert response.status_code == 400
    assert response.json()["errorId"] == "FACILITY_NOT_PICKUP"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b["shipGroups"][0]["items"][0].update(quantity="two"), "shipGroups.0.items.0.quantity"),
        (lambda b: b["shipGroups"][0]["items"][0].update(quantity=0), "shipGroups.0.items.0.quantity"),
        (lambda b: b["shipGroups"][0]["items"][0].update(unitPrice=1.234), "shipGroups.0.items.0.unitPrice"),
        (lambda b: b.update(shipGroups=[]), "shipGroups"),
        (lambda b: b.update(salesChannelEnumId="EBAY"), "salesChannelEnumId"),
        (lambda b: b["shipGroups"][0].pop("postalAddress"), "shipGroups.0.postalAddress"),
        (lambda b: b.update(currencyUom="dollars"), "currencyUom"),
    ],
)
async def test_an_invalid_order_body_is_a_400_naming_the_field(
    oms: httpx.AsyncClient, world: World, mutate: Any, field: str
) -> None:
    body = _new_order(world)
    mutate(body)
    response = await oms.post("/orders", json=body)
    assert response.status_code == 400
    assert field in [d["field"] for d in response.json()["details"]]


async def test_undeclared_order_fields_are_ignored_like_moqui_does(
    oms: httpx.AsyncClient, world: World
) -> None:
    response = await oms.post("/orders", json=_new_order(world, someVendorField="x", grandTotal=1))
    assert response.status_code == 201
    assert response.json()["grandTotal"] == 49.98


async def test_approving_a_created_order_approves_items_and_creates_a_shipment(
    oms: httpx.AsyncClient, world: World
) -> None:
    order_id = (await oms.post("/orders", json=_new_order(world))).json()["orderId"]
    response = await oms.post(f"/orders/{order_id}/status", json={"statusId": "ORDER_APPROVED"})
    assert response.status_code == 200
    order = response.json()
    assert order["statusId"] == "ORDER_APPROVED"
    assert order["items"][0]["statusId"] == "ITEM_APPROVED"
    assert order["statuses"][-1]["changedByUserLogin"] == "api.user"
    shipments = (await oms.get(f"/orders/{order_id}/shipments")).json()["shipments"]
    assert len(shipments) == 1
    assert shipments[0]["statusId"] == "SHIPMENT_APPROVED"
    assert shipments[0]["items"] == [{"shipmentItemSeqId": "00001", "orderItemSeqId": "00101", "quantity": 2}]
    assert shipments[0]["carrierPartyId"] == "UPS"


async def test_setting_the_current_status_again_changes_nothing(oms: httpx.AsyncClient, world: World) -> None:
    order_id = (await oms.post("/orders", json=_new_order(world))).json()["orderId"]
    again = await oms.post(f"/orders/{order_id}/status", json={"statusId": "ORDER_CREATED"})
    assert again.status_code == 200
    assert len(again.json()["statuses"]) == 1


@pytest.mark.parametrize(
    ("status", "target"),
    [("FULFILLED", "ORDER_APPROVED"), ("CANCELLED", "ORDER_APPROVED"), ("PENDING", "ORDER_COMPLETED")],
)
async def test_an_invalid_transition_is_a_409_with_the_valid_targets(
    oms: httpx.AsyncClient, world: World, status: str, target: str
) -> None:
    seeded = _first(world, status=status)
    response = await oms.post(f"/orders/{seeded.id}/status", json={"statusId": target})
    assert response.status_code == 409
    body = response.json()
    assert body["errorCode"] == 409
    assert body["errorId"] == "INVALID_STATUS_TRANSITION"
    assert body["details"][0]["statusIdTo"] == target


async def test_a_status_of_another_type_is_a_400(oms: httpx.AsyncClient, world: World) -> None:
    seeded = _first(world, status="PENDING")
    response = await oms.post(f"/orders/{seeded.id}/status", json={"statusId": "SHIPMENT_SHIPPED"})
    assert response.status_code == 400
    assert response.json()["errorId"] == "INVALID_STATUS"


async def test_holding_and_releasing_an_order_is_recorded_in_its_history(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, status="IN_PROGRESS")
    held = await oms.post(
        f"/orders/{seeded.id}/status", json={"statusId": "ORDER_HOLD", "reason": "Fraud check"}
    )
    assert held.json()["statusId"] == "ORDER_HOLD"
    assert held.json()["statuses"][-1]["changeReason"] == "Fraud check"
    released = (await oms.post(f"/orders/{seeded.id}/status", json={"statusId": "ORDER_APPROVED"})).json()
    assert [s["statusId"] for s in released["statuses"]][-3:] == [
        "ORDER_APPROVED",
        "ORDER_HOLD",
        "ORDER_APPROVED",
    ]
    assert len(released["shipments"]) == len(seeded.shipments)


async def test_cancelling_an_order_cancels_items_open_shipments_and_payment_and_frees_stock(
    oms: httpx.AsyncClient, world: World
) -> None:
    seeded = _first(world, status="IN_PROGRESS", fulfilment_type="SHIP")
    line = seeded.lines[0]
    params = {"productId": line.sku, "facilityId": line.location_code}
    before = (await oms.get("/inventory", params=params)).json()["inventory"][0]
    order = (await oms.post(f"/orders/{seeded.id}/status", json={"statusId": "ORDER_CANCELLED"})).json()
    assert order["statusId"] == "ORDER_CANCELLED"
    assert all(
        i["statusId"] == "ITEM_CANCELLED" and i["cancelQuantity"] == i["quantity"] for i in order["items"]
    )
    assert all(s["statusId"] == "SHIPMENT_CANCELLED" for s in order["shipments"])
    assert order["paymentPreferences"][0]["statusId"] == "PAYMENT_CANCELLED"
    after = (await oms.get("/inventory", params=params)).json()["inventory"][0]
    assert after["reservedQuantity"] == before["reservedQuantity"] - line.quantity
    assert after["availableToPromiseTotal"] == before["availableToPromiseTotal"] + line.quantity


async def test_order_items_are_listed_under_the_order(oms: httpx.AsyncClient, world: World) -> None:
    seeded = _first(world, status="PARTIALLY_FULFILLED")
    items = (await oms.get(f"/orders/{seeded.id}/items")).json()["items"]
    assert [i["quantity"] for i in items] == [line.quantity for line in seeded.lines]
    assert items[0]["shippedQuantity"] == 1
    assert (await oms.get("/orders/NOPE/items")).status_code == 404

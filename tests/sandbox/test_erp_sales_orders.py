"""Sales orders in the ERP: seeded statuses, deep-insert creation, ETag-guarded changes, cancellation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.world import World

SO = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
STOCK = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV"

# canonical status -> (OverallSDProcessStatus, OverallDeliveryStatus, OverallSDDocumentRejectionSts)
EXPECTED = {
    "IN_PROGRESS": ("B", "A", "A"),
    "PARTIALLY_FULFILLED": ("B", "B", "A"),
    "FULFILLED": ("C", "C", "A"),
    "CANCELLED": ("C", "", "C"),
}
CHANNELS = {"ONLINE": "10", "STORE": "20", "CLIENTELING": "30", "CALL_CENTER": "40"}


@pytest.fixture
def erp(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("erp")
    client.headers["Accept"] = "application/json"
    return client


async def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})
    return {"X-CSRF-Token": response.headers["x-csrf-token"]}


def order_body(world: World, **header: Any) -> dict[str, Any]:
    skus = sorted(world.variants_by_sku)
    return {
        "SalesOrderType": "OR",
        "SalesOrganization": "1000",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "ONETIME",
        "PurchaseOrderByCustomer": "R900001",
        "to_Item": [
            {"Material": skus[0], "RequestedQuantity": "2", "RequestedQuantityUnit": "EA"},
            {"Material": skus[1], "RequestedQuantity": "1"},
        ],
        **header,
    }


async def all_orders(erp: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every sales order, following server-driven paging."""
    out: list[dict[str, Any]] = []
    url: str | None = f"{SO}/A_SalesOrder?$expand=to_Item"
    while url:
        body = (await erp.get(url)).json()["d"]
        out.extend(body["results"])
        url = body.get("__next")
    return out


async def test_every_posted_order_shows_its_canonical_status_in_sd_terms(
    erp: httpx.AsyncClient, world: World
) -> None:
    by_number = {o["SalesOrder"]: o for o in await all_orders(erp)}
    posted = [o for o in world.orders if o.erp_sales_order]
    assert set(by_number) == {o.erp_sales_order for o in posted}
    seen = set()
    for order in posted:
        entity = by_number[order.erp_sales_order]
        status = (
            entity["OverallSDProcessStatus"],
            entity["OverallDeliveryStatus"],
            entity["OverallSDDocumentRejectionSts"],
        )
        assert status == EXPECTED[order.status], order.number
        assert entity["OverallTotalDeliveryStatus"] == entity["OverallDeliveryStatus"]
        assert entity["PurchaseOrderByCustomer"] == order.number
        assert entity["DistributionChannel"] == CHANNELS[order.channel]
        seen.add(status)
    assert seen == set(EXPECTED.values())


async def test_sold_to_is_the_business_partner_or_the_one_time_customer(
    erp: httpx.AsyncClient, world: World
) -> None:
    by_number = {o["SalesOrder"]: o["SoldToParty"] for o in await all_orders(erp)}
    parties = set()
    for order in world.orders:
        if not order.erp_sales_order:
            continue
        customer = world.customers_by_id.get(order.customer_id or "")
        expected = customer.erp_business_partner if customer and customer.erp_business_partner else "ONETIME"
        assert by_number[order.erp_sales_order] == expected
        parties.add(expected == "ONETIME")
    assert parties == {True, False}


async def test_items_carry_quantities_prices_plants_and_item_statuses(
    erp: httpx.AsyncClient, world: World
) -> None:
    order = next(o for o in world.orders if o.erp_sales_order and o.status == "PARTIALLY_FULFILLED")
    items = (await erp.get(f"{SO}/A_SalesOrder('{order.erp_sales_order}')/to_Item")).json()["d"]["results"]
    for item, line in zip(items, order.lines, strict=True):
        assert item["Material"] == line.sku
        assert item["RequestedQuantity"] == f"{line.quantity}.000"
        assert item["NetAmount"] == f"{line.quantity * line.unit_price_cents / 100:.2f}"
        assert item["ProductionPlant"] == world.locations_by_code[line.location_code].erp_plant
        partly = 0 < line.quantity_fulfilled < line.quantity
        assert item["DeliveryStatus"] == ("B" if partly else "C" if line.quantity_fulfilled else "A")
    assert {i["SDProcessStatus"] for i in items} <= {"B", "C"}


async def test_a_deep_insert_creates_an_unprocessed_order_with_items(
    erp: httpx.AsyncClient, world: World
) -> None:
    body = order_body(world, OverallSDProcessStatus="C", CustomerPurchaseOrderDate="/Date(1790000000000)/")
    body["to_Item"][0]["SDProcessStatus"] = "C"  # read-only on create: ignored, as SAP does
    response = await erp.post(f"{SO}/A_SalesOrder", json=body, headers=await csrf(erp))
    assert response.status_code == 201
    entity = response.json()["d"]
    number = entity["SalesOrder"]
    assert int(number) > 1_000_000 + len(world.orders)
    assert response.headers["location"] == f"http://sandbox{SO}/A_SalesOrder('{number}')"
    assert response.headers["etag"] == entity["__metadata"]["etag"]
    assert (entity["OverallSDProcessStatus"], entity["OverallDeliveryStatus"]) == ("A", "A")
    assert entity["CustomerPurchaseOrderDate"] == "/Date(1789948800000)/"
    skus = sorted(world.variants_by_sku)
    prices = [world.variants_by_sku[s].price_cents for s in skus[:2]]
    assert entity["TotalNetAmount"] == f"{(2 * prices[0] + prices[1]) / 100:.2f}"
    items = entity["to_Item"]["results"]
    assert [(i["SalesOrderItem"], i["Material"], i["SDProcessStatus"]) for i in items] == [
        ("10", skus[0], "A"),
        ("20", skus[1], "A"),
    ]
    again = await erp.get(response.headers["location"])
    assert again.json()["d"]["PurchaseOrderByCustomer"] == "R900001"


async def test_posting_the_same_purchase_order_twice_creates_two_orders(
    erp: httpx.AsyncClient, world: World
) -> None:
    headers = await csrf(erp)
    body = order_body(world, to_Item={"results": order_body(world)["to_Item"]})
    first = await erp.post(f"{SO}/A_SalesOrder", json=body, headers=headers)
    second = await erp.post(f"{SO}/A_SalesOrder", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    found = await erp.get(f"{SO}/A_SalesOrder", params={"$filter": "PurchaseOrderByCustomer eq 'R900001'"})
    numbers = [r["SalesOrder"] for r in found.json()["d"]["results"]]
    assert numbers == [first.json()["d"]["SalesOrder"], second.json()["d"]["SalesOrder"]]


async def test_creating_an_order_for_a_store_plant_moves_no_stock(
    erp: httpx.AsyncClient, world: World
) -> None:
    store = next(loc for loc in world.locations if loc.type == "STORE")
    sku = next(s for s in sorted(world.variants_by_sku) if world.carries(s, store.code))
    url = f"{STOCK}/A_MatlStkInAcctMod"
    params = {"$filter": f"Material eq '{sku}' and Plant eq '{store.erp_plant}'"}
    before = (await erp.get(url, params=params)).json()
    body = order_body(world, DistributionChannel="20")
    body["to_Item"] = [{"Material": sku, "RequestedQuantity": "1", "ProductionPlant": store.erp_plant}]
    created = await erp.post(f"{SO}/A_SalesOrder", json=body, headers=await csrf(erp))
    assert created.json()["d"]["to_Item"]["results"][0]["StorageLocation"] == store.erp_storage_location
    assert (await erp.get(url, params=params)).json() == before


@pytest.mark.parametrize(
    ("change", "code", "target"),
    [
        ({"to_Item": [{"Material": "NOPE-1", "RequestedQuantity": "1"}]}, "M3/305", "to_Item/0"),
        ({"SoldToParty": "999"}, "V1/302", "SoldToParty"),
        ({"DistributionChannel": "99"}, "V1/312", "DistributionChannel"),
        ({"SalesOrderType": "ZZ"}, "V1/394", "SalesOrderType"),
        ({"to_Item": [{"Material": "TEE-00001-S", "RequestedQuantity": "0"}]}, "V1/501", "to_Item/0"),
        (
            {"to_Item": [{"Material": "TEE-00001-S", "RequestedQuantity": "1", "ProductionPlant": "9999"}]},
            "M3/219",
            "to_Item/0",
        ),
        ({"to_Item": []}, "/IWBEP/CM_MGW_RT/007", "to_Item"),
        (
            {"to_Item": [{"Material": "TEE-00001-S", "RequestedQuantity": "lots"}]},
            "/IWBEP/CM_MGW_RT/007",
            "to_Item/0/RequestedQuantity",
        ),
        ({"Frobnicate": "1"}, "/IWBEP/CM_MGW_RT/007", "Frobnicate"),
        ({"SoldToParty": 1000001}, "/IWBEP/CM_MGW_RT/007", "SoldToParty"),
    ],
)
async def test_an_invalid_order_is_a_400_naming_the_culprit(
    erp: httpx.AsyncClient, world: World, change: dict[str, Any], code: str, target: str
) -> None:
    response = await erp.post(f"{SO}/A_SalesOrder", json=order_body(world, **change), headers=await csrf(erp))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert target in [d["target"] for d in error["innererror"]["errordetails"]]
    assert (await erp.get(f"{SO}/A_SalesOrder/$count")).text == str(
        sum(1 for o in world.orders if o.erp_posted)
    )


async def test_a_body_that_is_not_a_json_object_is_refused(erp: httpx.AsyncClient) -> None:
    headers = await csrf(erp)
    url = f"{SO}/A_SalesOrder"
    not_json = await erp.post(url, content=b"{nope", headers={**headers, "Content-Type": "application/json"})
    assert not_json.status_code == 400
    assert "not valid JSON" in not_json.json()["error"]["message"]["value"]
    array = await erp.post(url, json=[], headers=headers)
    assert array.status_code == 400
    xml = await erp.post(
        url, content=b"<entry/>", headers={**headers, "Content-Type": "application/atom+xml"}
    )
    assert xml.status_code == 415


async def test_a_change_needs_the_current_etag(erp: httpx.AsyncClient, world: World) -> None:
    headers = await csrf(erp)
    number = next(o.erp_sales_order for o in world.orders if o.erp_sales_order)
    url = f"{SO}/A_SalesOrder('{number}')"
    etag = (await erp.get(url)).headers["etag"]
    missing = await erp.patch(url, json={"DeliveryBlockReason": "01"}, headers=headers)
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "/IWBEP/CM_MGW_RT/194"
    changed = await erp.patch(url, json={"DeliveryBlockReason": "01"}, headers={**headers, "If-Match": etag})
    assert changed.status_code == 204
    assert changed.headers["etag"] != etag
    stale = await erp.patch(url, json={"DeliveryBlockReason": ""}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "/IWBEP/CM_MGW_RT/190"
    fresh = await erp.get(url)
    assert fresh.json()["d"]["DeliveryBlockReason"] == "01"
    assert fresh.headers["etag"] == changed.headers["etag"]
    anything = await erp.patch(url, json={"DeliveryBlockReason": ""}, headers={**headers, "If-Match": "*"})
    assert anything.status_code == 204


async def test_a_new_order_with_a_delivery_block_reads_as_on_hold(
    erp: httpx.AsyncClient, world: World
) -> None:
    created = await erp.post(
        f"{SO}/A_SalesOrder", json=order_body(world, DeliveryBlockReason="01"), headers=await csrf(erp)
    )
    entity = created.json()["d"]
    assert (entity["OverallSDProcessStatus"], entity["DeliveryBlockReason"]) == ("A", "01")


async def test_read_only_fields_may_only_repeat_their_value(erp: httpx.AsyncClient, world: World) -> None:
    headers = {**await csrf(erp), "If-Match": "*"}
    order = next(o for o in world.orders if o.erp_sales_order)
    url = f"{SO}/A_SalesOrder('{order.erp_sales_order}')"
    same = await erp.patch(
        url, json={"SalesOrderType": "OR", "PurchaseOrderByCustomer": "R-NEW"}, headers=headers
    )
    assert same.status_code == 204
    assert (await erp.get(url)).json()["d"]["PurchaseOrderByCustomer"] == "R-NEW"
    other = await erp.patch(url, json={"SalesOrderType": "ZOR"}, headers=headers)
    assert other.status_code == 400
    assert "cannot be changed" in other.json()["error"]["message"]["value"]
    unknown = await erp.patch(url, json={"Nope": 1}, headers=headers)
    assert unknown.status_code == 400


async def test_rejecting_every_item_cancels_the_order(erp: httpx.AsyncClient, world: World) -> None:
    headers = await csrf(erp)
    created = (await erp.post(f"{SO}/A_SalesOrder", json=order_body(world), headers=headers)).json()["d"]
    number = created["SalesOrder"]
    item = f"{SO}/A_SalesOrderItem(SalesOrder='{number}',SalesOrderItem='10')"
    first = await erp.patch(item, json={"SalesDocumentRjcnReason": "10"}, headers=headers)
    assert first.status_code == 204
    partly = (await erp.get(f"{SO}/A_SalesOrder('{number}')")).json()["d"]
    assert partly["OverallSDDocumentRejectionSts"] == "B"
    assert partly["TotalNetAmount"] == created["to_Item"]["results"][1]["NetAmount"]
    assert partly["__metadata"]["etag"] != created["__metadata"]["etag"]
    tunnelled = await erp.post(
        item.replace("'10'", "'20'"),
        json={"SalesDocumentRjcnReason": "10"},
        headers={**headers, "X-HTTP-Method": "MERGE"},
    )
    assert tunnelled.status_code == 204
    cancelled = (await erp.get(f"{SO}/A_SalesOrder('{number}')")).json()["d"]
    assert (cancelled["OverallSDProcessStatus"], cancelled["OverallSDDocumentRejectionSts"]) == ("C", "C")
    assert cancelled["TotalNetAmount"] == "0.00"


async def test_a_delivered_item_cannot_be_rejected_and_reasons_must_exist(
    erp: httpx.AsyncClient, world: World
) -> None:
    headers = await csrf(erp)
    order = next(o for o in world.orders if o.erp_sales_order and o.status == "FULFILLED")
    url = f"{SO}/A_SalesOrderItem(SalesOrder='{order.erp_sales_order}',SalesOrderItem='10')"
    delivered = await erp.patch(url, json={"SalesDocumentRjcnReason": "10"}, headers=headers)
    assert delivered.status_code == 400
    assert delivered.json()["error"]["code"] == "V1/766"
    unknown = await erp.patch(url, json={"SalesDocumentRjcnReason": "ZZ"}, headers=headers)
    assert unknown.status_code == 400
    assert "not defined" in unknown.json()["error"]["message"]["value"]
    assert (await erp.get(url)).json()["d"]["SalesDocumentRjcnReason"] == ""

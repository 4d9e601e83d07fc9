"""Customer returns in the ERP: seeded returns and their statuses, creating returns against sales orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.world import Order, World

RET = "/sap/opu/odata/sap/API_CUSTOMER_RETURN_SRV"
STATUS = {"APPROVED": "A", "RECEIVED": "B", "INSPECTED": "B", "REFUNDED": "C", "CLOSED": "C"}
REASONS = {
    "DAMAGED": "101",
    "DEFECTIVE": "102",
    "WRONG_ITEM": "103",
    "NOT_AS_DESCRIBED": "104",
    "SIZE_OR_FIT": "105",
    "CHANGED_MIND": "106",
    "OTHER": "107",
}


@pytest.fixture
def erp(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("erp")
    client.headers["Accept"] = "application/json"
    return client


async def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.get(f"{RET}/", headers={"X-CSRF-Token": "Fetch"})
    return {"X-CSRF-Token": response.headers["x-csrf-token"]}


def returnable(world: World) -> Order:
    """A posted, fulfilled order with nothing returned yet and at least two units on line 1."""
    return next(
        o
        for o in world.orders
        if o.erp_sales_order and o.status == "FULFILLED" and not o.returns and o.lines[0].quantity >= 2
    )


def return_body(order: Order, quantity: str = "1", **header: Any) -> dict[str, Any]:
    line = order.lines[0]
    return {
        "CustomerReturnType": "CBAR",
        "SalesOrganization": "1000",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "ONETIME",
        "PurchaseOrderByCustomer": f"RMA-{order.number}",
        "ReferenceSDDocument": order.erp_sales_order,
        "SDDocumentReason": "105",
        "to_Item": [
            {
                "Material": line.sku,
                "RequestedQuantity": quantity,
                "ReturnReason": "105",
                "ReferenceSDDocumentItem": "10",
            }
        ],
        **header,
    }


async def test_every_return_the_erp_holds_is_seeded_with_its_status(
    erp: httpx.AsyncClient, world: World
) -> None:
    response = await erp.get(f"{RET}/A_CustomerReturn", params={"$expand": "to_Item"})
    by_rma = {r["PurchaseOrderByCustomer"]: r for r in response.json()["d"]["results"]}
    held = [(o, r) for o in world.orders for r in o.returns if r.in_erp]
    assert set(by_rma) == {r.rma_number for _, r in held}
    for order, ret in held:
        entity = by_rma[ret.rma_number]
        assert entity["CustomerReturnType"] == "CBAR"
        assert entity["OverallSDProcessStatus"] == STATUS[ret.status]
        assert entity["ReferenceSDDocument"] == (order.erp_sales_order or "")
        assert entity["SDDocumentReason"] == REASONS[ret.lines[0].reason]
        [item] = entity["to_Item"]["results"]
        assert item["RequestedQuantity"] == f"{ret.lines[0].quantity}.000"
        assert item["ReturnsMaterialHasBeenReceived"] == ("" if ret.status == "APPROVED" else "X")
        assert item["RetMatlInspResultCode"] == ("" if ret.status in ("APPROVED", "RECEIVED") else "A")
    assert {e["OverallSDProcessStatus"] for e in by_rma.values()} == {"A", "B", "C"}
    assert {e["SDDocumentReason"] for e in by_rma.values()} == set(REASONS.values())


async def test_returns_are_found_by_their_sales_order(erp: httpx.AsyncClient, world: World) -> None:
    order, ret = next((o, r) for o in world.orders for r in o.returns if r.in_erp and o.erp_sales_order)
    response = await erp.get(
        f"{RET}/A_CustomerReturn", params={"$filter": f"ReferenceSDDocument eq '{order.erp_sales_order}'"}
    )
    assert [r["PurchaseOrderByCustomer"] for r in response.json()["d"]["results"]] == [ret.rma_number]


async def test_a_return_against_a_delivered_item_is_created_unprocessed(
    erp: httpx.AsyncClient, world: World
) -> None:
    order = returnable(world)
    response = await erp.post(f"{RET}/A_CustomerReturn", json=return_body(order), headers=await csrf(erp))
    assert response.status_code == 201
    entity = response.json()["d"]
    assert entity["OverallSDProcessStatus"] == "A"
    assert entity["TotalNetAmount"] == f"{order.lines[0].unit_price_cents / 100:.2f}"
    [item] = entity["to_Item"]["results"]
    assert item["ReferenceSDDocument"] == order.erp_sales_order
    assert item["ProductionPlant"] == world.locations_by_code[order.lines[0].location_code].erp_plant
    assert response.headers["location"].endswith(f"A_CustomerReturn('{entity['CustomerReturn']}')")
    by_key = await erp.get(
        f"{RET}/A_CustomerReturnItem(CustomerReturn='{entity['CustomerReturn']}',CustomerReturnItem='10')"
    )
    assert by_key.json()["d"]["Material"] == order.lines[0].sku


async def test_returns_cannot_take_more_than_was_delivered(erp: httpx.AsyncClient, world: World) -> None:
    order = returnable(world)
    headers = await csrf(erp)
    quantity = order.lines[0].quantity
    first = await erp.post(
        f"{RET}/A_CustomerReturn", json=return_body(order, str(quantity - 1)), headers=headers
    )
    assert first.status_code == 201
    again = await erp.post(f"{RET}/A_CustomerReturn", json=return_body(order, "2"), headers=headers)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "V1/042"
    last = await erp.post(f"{RET}/A_CustomerReturn", json=return_body(order, "1"), headers=headers)
    assert last.status_code == 201
    found = await erp.get(
        f"{RET}/A_CustomerReturn", params={"$filter": f"PurchaseOrderByCustomer eq 'RMA-{order.number}'"}
    )
    assert len(found.json()["d"]["results"]) == 2


@pytest.mark.parametrize(
    ("change", "item_change", "code"),
    [
        ({"CustomerReturnType": "RE"}, {}, "V1/394"),
        ({"ReferenceSDDocument": "1"}, {}, "V1/045"),
        ({"SDDocumentReason": "999"}, {}, "V1/520"),
        ({"SoldToParty": "42"}, {}, "V1/302"),
        ({}, {"Material": "NOPE-1"}, "M3/305"),
        ({}, {"ReferenceSDDocumentItem": "990"}, "V1/045"),
        ({}, {"ReturnReason": "XYZ"}, "V1/520"),
        ({}, {"RequestedQuantity": "-1"}, "V1/501"),
        ({}, {"Frobnicate": True}, "/IWBEP/CM_MGW_RT/007"),
    ],
)
async def test_an_invalid_return_is_a_400(
    erp: httpx.AsyncClient, world: World, change: dict[str, Any], item_change: dict[str, Any], code: str
) -> None:
    body = return_body(returnable(world), **change)
    body["to_Item"][0].update(item_change)
    response = await erp.post(f"{RET}/A_CustomerReturn", json=body, headers=await csrf(erp))
    assert response.status_code == 400
    assert code in {d["code"] for d in response.json()["error"]["innererror"]["errordetails"]}


async def test_the_material_must_be_that_of_the_reference_item(erp: httpx.AsyncClient, world: World) -> None:
    order = returnable(world)
    body = return_body(order)
    body["to_Item"][0]["Material"] = next(s for s in sorted(world.variants_by_sku) if s != order.lines[0].sku)
    response = await erp.post(f"{RET}/A_CustomerReturn", json=body, headers=await csrf(erp))
    assert response.status_code == 400
    assert "reference item" in response.json()["error"]["message"]["value"]

"""OMS facilities and inventory positions: the master of locations and ATP per (product, facility)."""

from __future__ import annotations

from collections.abc import AsyncIterator

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


async def test_a_facility_maps_the_erp_plant_and_shopify_and_square_locations(
    oms: httpx.AsyncClient, world: World
) -> None:
    store = next(loc for loc in world.locations if loc.type == "STORE" and loc.shopify_location_id)
    response = await oms.get(f"/facilities/{store.code}")
    assert response.status_code == 200
    facility = response.json()
    assert facility["facilityId"] == store.code
    assert facility["facilityTypeId"] == "RETAIL_STORE"
    assert facility["externalId"] == store.erp_plant
    assert facility["postalAddress"]["city"] == store.address.city
    assert facility["postalAddress"]["countryGeoId"] == "USA"
    assert {i["facilityIdenTypeId"]: i["idValue"] for i in facility["identifications"]} == {
        "SHOPIFY_LOCATION_ID": str(store.shopify_location_id),
        "SQUARE_LOCATION_ID": store.square_location_id,
    }
    assert facility["allowPickup"] == ("Y" if store.pickup_enabled else "N")
    assert facility["fulfillsOnlineOrders"] == ("Y" if store.fulfills_online else "N")


async def test_every_location_is_a_facility_of_its_type(oms: httpx.AsyncClient, world: World) -> None:
    body = (await oms.get("/facilities", params={"pageSize": 250})).json()
    assert body["facilitiesCount"] == len(world.locations)
    assert [f["facilityId"] for f in body["facilities"]] == [loc.code for loc in world.locations]
    assert {f["facilityTypeId"] for f in body["facilities"]} == {
        "RETAIL_STORE",
        "WAREHOUSE",
        "DISTRIBUTION_CENTER",
    }


async def test_facilities_filter_by_type_pickup_online_plant_and_identification(
    oms: httpx.AsyncClient, world: World
) -> None:
    pickup = (await oms.get("/facilities", params={"allowPickup": "Y", "pageSize": 250})).json()
    assert {f["facilityId"] for f in pickup["facilities"]} == {
        loc.code for loc in world.locations if loc.pickup_enabled
    }
    online = (
        await oms.get("/facilities", params={"fulfillsOnlineOrders": "Y", "facilityTypeId": "RETAIL_STORE"})
    ).json()
    expected = {loc.code for loc in world.locations if loc.fulfills_online and loc.type == "STORE"}
    assert {f["facilityId"] for f in online["facilities"]} == expected
    store = next(loc for loc in world.locations if loc.square_location_id)
    by_plant = (await oms.get("/facilities", params={"externalId": store.erp_plant})).json()
    assert [f["facilityId"] for f in by_plant["facilities"]] == [store.code]
    by_square = (await oms.get("/facilities", params={"idValue": store.square_location_id})).json()
    assert [f["facilityId"] for f in by_square["facilities"]] == [store.code]


@pytest.mark.parametrize("params", [{"allowPickup": "yes"}, {"facilityTypeId": "SHOP"}])
async def test_invalid_facility_filters_are_a_400(oms: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await oms.get("/facilities", params=params)
    assert response.status_code == 400
    assert response.json()["errorId"] == "INVALID_PARAMETER"


async def test_an_unknown_facility_is_a_404(oms: httpx.AsyncClient) -> None:
    response = await oms.get("/facilities/NOPE")
    assert response.status_code == 404
    assert response.json()["errorId"] == "FACILITY_NOT_FOUND"


async def test_a_position_follows_the_atp_formula_over_the_world(
    oms: httpx.AsyncClient, world: World
) -> None:
    line = next(o for o in world.orders if o.in_oms and o.status == "IN_PROGRESS").lines[0]
    sku, facility = line.sku, line.location_code
    position = (await oms.get("/inventory", params={"productId": sku, "facilityId": facility})).json()[
        "inventory"
    ]
    stock = world.stock(sku, facility)
    assert stock is not None
    committed = world.committed(sku, facility)
    assert committed >= line.quantity
    assert position == [
        {
            "productId": sku,
            "facilityId": facility,
            "quantityOnHandTotal": stock.on_hand,
            "availableToPromiseTotal": stock.on_hand
            - committed
            - stock.damaged
            - stock.quality_control
            - stock.safety_stock,
            "reservedQuantity": committed,
            "safetyStock": stock.safety_stock,
            "unavailableQuantity": stock.damaged + stock.quality_control,
            "incomingQuantity": stock.incoming,
        }
    ]


async def test_only_carried_pairs_have_a_position(oms: httpx.AsyncClient, world: World) -> None:
    sku = world.orders[0].lines[0].sku
    body = (await oms.get("/inventory", params={"productId": sku})).json()
    expected = [loc.code for loc in world.locations if world.carries(sku, loc.code)]
    assert [p["facilityId"] for p in body["inventory"]] == expected
    assert len(expected) < len(world.locations)
    uncarried = next(loc.code for loc in world.locations if not world.carries(sku, loc.code))
    assert (await oms.get("/inventory", params={"productId": sku, "facilityId": uncarried})).json()[
        "inventory"
    ] == []


async def test_unknown_products_and_facilities_have_no_positions(oms: httpx.AsyncClient) -> None:
    body = (await oms.get("/inventory", params={"productId": "NOPE", "facilityId": "NOPE"})).json()
    assert body == {"inventory": [], "inventoryCount": 0}


async def test_inventory_without_a_product_is_a_400(oms: httpx.AsyncClient) -> None:
    response = await oms.get("/inventory", params={"facilityId": "WH01"})
    assert response.status_code == 400
    assert response.json()["details"] == [{"field": "productId"}]


async def test_the_batch_search_answers_every_carried_pair_asked_for(
    oms: httpx.AsyncClient, world: World
) -> None:
    skus = [v.sku for v in list(world.variants)[:40]] + ["NOPE"]
    facilities = [loc.code for loc in world.locations[:8]]
    body = (await oms.post("/inventory/search", json={"productIds": skus, "facilityIds": facilities})).json()
    expected = {(s, f) for s in skus[:-1] for f in facilities if world.carries(s, f)}
    assert {(p["productId"], p["facilityId"]) for p in body["inventory"]} == expected
    assert body["inventoryCount"] == len(expected)
    everywhere = (await oms.post("/inventory/search", json={"productIds": skus[:2]})).json()
    assert {p["facilityId"] for p in everywhere["inventory"]} <= {loc.code for loc in world.locations}
    assert everywhere["inventoryCount"] == sum(
        world.carries(s, loc.code) for s in skus[:2] for loc in world.locations
    )


async def test_a_negative_atp_stays_signed_unless_the_floor_knob_is_set(
    oms: httpx.AsyncClient, world: World
) -> None:
    warehouse = next(loc.code for loc in world.locations if loc.type == "WAREHOUSE")
    sku = next(
        v.sku
        for v in world.variants
        if (s := world.stock(v.sku, warehouse))
        and s.on_hand - world.committed(v.sku, warehouse) < s.safety_stock
    )
    params = {"productId": sku, "facilityId": warehouse}
    assert (await oms.get("/inventory", params=params)).json()["inventory"][0]["availableToPromiseTotal"] < 0
    assert (await oms.patch("http://sandbox/_admin/knobs", json={"floor_atp": True})).status_code == 200
    assert (await oms.get("/inventory", params=params)).json()["inventory"][0]["availableToPromiseTotal"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"productIds": []}, "productIds"),
        ({"productIds": ["A"] * 501}, "productIds"),
        ({"productIds": "A"}, "productIds"),
        ({"productIds": ["A"], "facilityIds": []}, "facilityIds"),
        ([], "(body)"),
    ],
)
async def test_an_invalid_inventory_search_is_a_400(oms: httpx.AsyncClient, body: object, field: str) -> None:
    response = await oms.post("/inventory/search", json=body)
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == field

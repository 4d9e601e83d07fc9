"""The ERP's stock and product master: figures per plant and stock type, safety stock, descriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.settings import SandboxSettings
from sandbox.world import Location, World

STOCK = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV"
PRODUCT = "/sap/opu/odata/sap/API_PRODUCT_SRV"


@pytest.fixture(scope="module")
def erp_app(world: World) -> Starlette:
    """One app for the module: these tests only read."""
    return create_app("erp", SandboxSettings(), world=world)


@pytest.fixture
async def erp(erp_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=erp_app)
    headers = {"Accept": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as client:
        yield client


def expected_rows(world: World, sku: str) -> dict[tuple[str, str], str]:
    """(plant, stock type) -> quantity string, straight from the world's physical stock."""
    out: dict[tuple[str, str], str] = {}
    for location in world.locations:
        stock = world.stock(sku, location.code)
        if stock is None:
            continue
        unrestricted = stock.on_hand - stock.damaged - stock.quality_control
        if location.type == "STORE":
            unrestricted += world.pos_sales_not_in_erp(sku, location.code)
        out[(location.erp_plant, "01")] = f"{unrestricted}.000"
        if stock.quality_control:
            out[(location.erp_plant, "02")] = f"{stock.quality_control}.000"
        if stock.damaged:
            out[(location.erp_plant, "07")] = f"{stock.damaged}.000"
    return out


def lagging_store_stock(world: World) -> tuple[str, Location]:
    """A (sku, store) whose till sales have not reached the ERP."""
    for order in world.orders:
        if order.channel == "STORE" and not order.erp_posted and order.status != "CANCELLED":
            line = order.lines[0]
            if world.pos_sales_not_in_erp(line.sku, line.location_code):
                return line.sku, world.locations_by_code[line.location_code]
    raise AssertionError("the seeded world has no POS sales missing from the ERP")


async def test_material_stock_expands_to_one_row_per_plant_and_stock_type(
    erp: httpx.AsyncClient, world: World
) -> None:
    sku = next(s for s in sorted(world.variants_by_sku) if any(k[1] != "01" for k in expected_rows(world, s)))
    response = await erp.get(f"{STOCK}/A_MaterialStock('{sku}')", params={"$expand": "to_MatlStkInAcctMod"})
    entity = response.json()["d"]
    assert entity["Material"] == sku
    assert entity["MaterialBaseUnit"] == "EA"
    rows = entity["to_MatlStkInAcctMod"]["results"]
    assert {
        (r["Plant"], r["InventoryStockType"]): r["MatlWrhsStkQtyInMatlBaseUnit"] for r in rows
    } == expected_rows(world, sku)
    row = rows[0]
    assert row["MaterialBaseUnit"] == "EA"
    assert row["Batch"] == ""
    assert row["InventorySpecialStockType"] == ""
    plant = world.locations[0]
    assert any(
        r["Plant"] == plant.erp_plant and r["StorageLocation"] == plant.erp_storage_location for r in rows
    )


async def test_every_seeded_stock_type_occurs(erp: httpx.AsyncClient, world: World) -> None:
    skus = sorted(world.variants_by_sku)[:40]
    expression = " or ".join(f"Material eq '{s}'" for s in skus)
    rows = (await erp.get(f"{STOCK}/A_MatlStkInAcctMod", params={"$filter": expression})).json()["d"][
        "results"
    ]
    assert {r["InventoryStockType"] for r in rows} == {"01", "02", "07"}
    assert all(
        Decimal(r["MatlWrhsStkQtyInMatlBaseUnit"]) > 0 for r in rows if r["InventoryStockType"] != "01"
    )


async def test_a_store_shows_till_sales_the_erp_has_not_received(
    erp: httpx.AsyncClient, world: World
) -> None:
    sku, store = lagging_store_stock(world)
    stock = world.stock(sku, store.code)
    assert stock is not None
    response = await erp.get(
        f"{STOCK}/A_MatlStkInAcctMod",
        params={
            "$filter": f"Material eq '{sku}' and Plant eq '{store.erp_plant}' and InventoryStockType eq '01'"
        },
    )
    [row] = response.json()["d"]["results"]
    erp_units = Decimal(row["MatlWrhsStkQtyInMatlBaseUnit"])
    assert erp_units == stock.on_hand - stock.damaged - stock.quality_control + world.pos_sales_not_in_erp(
        sku, store.code
    )
    assert erp_units > stock.on_hand - stock.damaged - stock.quality_control


async def test_a_carried_sku_at_zero_keeps_its_unrestricted_row(erp: httpx.AsyncClient, world: World) -> None:
    sku, location = next(
        (sku, loc)
        for sku in sorted(world.variants_by_sku)
        for loc in world.locations
        if (s := world.stock(sku, loc.code)) is not None
        and s.on_hand == 0
        and not world.pos_sales_not_in_erp(sku, loc.code)
    )
    response = await erp.get(
        f"{STOCK}/A_MatlStkInAcctMod",
        params={"$filter": f"Material eq '{sku}' and Plant eq '{location.erp_plant}'"},
    )
    rows = response.json()["d"]["results"]
    assert [(r["InventoryStockType"], r["MatlWrhsStkQtyInMatlBaseUnit"]) for r in rows] == [("01", "0.000")]


async def test_a_stock_row_reads_by_its_full_key(erp: httpx.AsyncClient, world: World) -> None:
    sku = sorted(world.variants_by_sku)[0]
    plant = world.locations[0]
    key = (
        f"Material='{sku}',Plant='{plant.erp_plant}',StorageLocation='{plant.erp_storage_location}',Batch='',"
        "Supplier='',Customer='',WBSElementInternalID='',SDDocument='',SDDocumentItem='',"
        "InventorySpecialStockType='',InventoryStockType='01'"
    )
    response = await erp.get(f"{STOCK}/A_MatlStkInAcctMod({key})")
    assert response.status_code == 200
    assert (
        response.json()["d"]["MatlWrhsStkQtyInMatlBaseUnit"]
        == expected_rows(world, sku)[(plant.erp_plant, "01")]
    )
    other = key.replace("InventoryStockType='01'", "InventoryStockType='99'")
    missing = await erp.get(f"{STOCK}/A_MatlStkInAcctMod({other})")
    assert missing.status_code == 404


async def test_an_unknown_material_gives_an_empty_result_and_a_404_by_key(erp: httpx.AsyncClient) -> None:
    rows = await erp.get(f"{STOCK}/A_MatlStkInAcctMod", params={"$filter": "Material eq 'NOPE-1'"})
    assert rows.json() == {"d": {"results": []}}
    assert (await erp.get(f"{STOCK}/A_MaterialStock('NOPE-1')")).status_code == 404


async def test_a_product_has_master_data_and_an_english_description(
    erp: httpx.AsyncClient, world: World
) -> None:
    product = world.products[0]
    variant = product.variants[0]
    response = await erp.get(f"{PRODUCT}/A_Product('{variant.sku}')", params={"$expand": "to_Description"})
    entity = response.json()["d"]
    assert entity["ProductType"] == "FERT"
    assert entity["BaseUnit"] == "EA"
    assert entity["GrossWeight"] == f"{variant.weight_grams / 1000:.3f}"
    assert entity["ProductStandardID"] == variant.gtin
    assert entity["CrossPlantConfigurableProduct"] == product.id
    assert entity["CreationDate"].startswith("/Date(")
    [description] = entity["to_Description"]["results"]
    assert description["Language"] == "EN"
    assert product.title in description["ProductDescription"]


async def test_supply_planning_gives_safety_stock_per_plant(erp: httpx.AsyncClient, world: World) -> None:
    sku = sorted(world.variants_by_sku)[3]
    warehouse = next(loc for loc in world.locations if loc.type != "STORE" and world.stock(sku, loc.code))
    stock = world.stock(sku, warehouse.code)
    assert stock is not None
    one = await erp.get(f"{PRODUCT}/A_ProductSupplyPlanning(Product='{sku}',Plant='{warehouse.erp_plant}')")
    assert one.json()["d"]["SafetyStockQuantity"] == f"{stock.safety_stock}.000"
    rows = (
        await erp.get(f"{PRODUCT}/A_ProductSupplyPlanning", params={"$filter": f"Product eq '{sku}'"})
    ).json()["d"]
    plants = {r["Plant"]: r["SafetyStockQuantity"] for r in rows["results"]}
    assert plants == {
        loc.erp_plant: f"{s.safety_stock}.000"
        for loc in world.locations
        if (s := world.stock(sku, loc.code)) is not None
    }
    via_plant = await erp.get(
        f"{PRODUCT}/A_ProductPlant(Product='{sku}',Plant='{warehouse.erp_plant}')",
        params={"$expand": "to_ProductSupplyPlanning"},
    )
    assert (
        via_plant.json()["d"]["to_ProductSupplyPlanning"]["SafetyStockQuantity"]
        == f"{stock.safety_stock}.000"
    )


async def test_product_plants_exist_only_where_the_sku_is_carried(
    erp: httpx.AsyncClient, world: World
) -> None:
    sku = sorted(world.variants_by_sku)[0]
    store = next(loc for loc in world.locations if loc.type == "STORE" and world.stock(sku, loc.code) is None)
    response = await erp.get(f"{PRODUCT}/A_ProductPlant(Product='{sku}',Plant='{store.erp_plant}')")
    assert response.status_code == 404
    plants = (await erp.get(f"{PRODUCT}/A_Product('{sku}')/to_Plant")).json()["d"]["results"]
    assert store.erp_plant not in {p["Plant"] for p in plants}
    assert len(plants) == sum(1 for loc in world.locations if world.carries(sku, loc.code))

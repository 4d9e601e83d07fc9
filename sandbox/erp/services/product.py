"""``API_PRODUCT_SRV``: product master (one product per SKU), descriptions, plant data, safety stock.

* ``A_Product('<sku>')``: ProductType FERT, BaseUnit EA, ProductGroup (the
  product type), GrossWeight/NetWeight in KG as strings, ProductStandardID
  (the GTIN), CrossPlantConfigurableProduct (the world product id grouping
  the variants), CreationDate; ``to_Description`` and ``to_Plant``;
* ``A_ProductDescription(Product,Language)``: Language EN;
* ``A_ProductPlant(Product,Plant)``: one per plant that carries the SKU, with
  ``to_ProductSupplyPlanning``;
* ``A_ProductSupplyPlanning(Product,Plant)``: ``SafetyStockQuantity`` from the
  world's safety stock (stores hold none), MRPType PD (warehouses) or VB (stores).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sandbox.erp.catalog import BASE_UNIT, Catalog
from sandbox.erp.odata.edm import EntityType, Nav, Row, boolean, date, decimal, string
from sandbox.erp.odata.entityset import EntitySet, Navigated
from sandbox.erp.odata.filter import Hints
from sandbox.erp.odata.service import Service
from sandbox.erp.odata.values import day
from sandbox.world import Location

__all__ = ["product_service"]

PRODUCT = EntityType(
    "A_ProductType",
    "A_Product",
    ("Product",),
    (
        string("Product", 40, label="Product"),
        string("ProductType", 4, label="Product Type"),
        string("CrossPlantStatus", 2),
        date("CreationDate"),
        string("CreatedByUser", 12),
        date("LastChangeDate"),
        boolean("IsMarkedForDeletion"),
        decimal("GrossWeight", 13, 3),
        decimal("NetWeight", 13, 3),
        string("WeightUnit", 3),
        string("ProductGroup", 9, label="Product Group"),
        string("BaseUnit", 3, label="Base Unit"),
        string("Division", 2),
        string("ProductStandardID", 18, label="GTIN"),
        string("InternationalArticleNumberCat", 2),
        string("SizeOrDimensionText", 32),
        string("CrossPlantConfigurableProduct", 40),
    ),
    (Nav("to_Description", "A_ProductDescription", many=True), Nav("to_Plant", "A_ProductPlant", many=True)),
    label="Product",
)

DESCRIPTION = EntityType(
    "A_ProductDescriptionType",
    "A_ProductDescription",
    ("Product", "Language"),
    (string("Product", 40), string("Language", 2), string("ProductDescription", 40)),
    label="Product Description",
)

PLANT = EntityType(
    "A_ProductPlantType",
    "A_ProductPlant",
    ("Product", "Plant"),
    (
        string("Product", 40),
        string("Plant", 4),
        string("AvailabilityCheckType", 2),
        string("ProfitCenter", 10),
        boolean("IsMarkedForDeletion"),
    ),
    (Nav("to_ProductSupplyPlanning", "A_ProductSupplyPlanning", many=False),),
    label="Product Plant",
)

SUPPLY_PLANNING = EntityType(
    "A_ProductSupplyPlanningType",
    "A_ProductSupplyPlanning",
    ("Product", "Plant"),
    (
        string("Product", 40),
        string("Plant", 4),
        string("MRPType", 2),
        string("MRPResponsible", 3),
        string("ProcurementType", 1),
        decimal("SafetyStockQuantity", 13, 3),
        decimal("MinimumSafetyStockQuantity", 13, 3),
        decimal("PlannedDeliveryDurationInDays", 3, 0),
    ),
    label="Product Supply Planning",
)


def _wanted(hints: Hints, name: str, universe: list[str]) -> list[str]:
    values = hints.get(name)
    if values is None:
        return universe
    known = set(universe)
    return sorted(v for v in values if isinstance(v, str) and v in known)


class _Products(EntitySet):
    def __init__(self, catalog: Catalog, service: dict[str, EntitySet]) -> None:
        super().__init__(PRODUCT)
        self.catalog, self.service = catalog, service

    def _row(self, sku: str) -> Row:
        variant = self.catalog.world.variants_by_sku[sku]
        product = self.catalog.product_of[sku]
        weight = Decimal(variant.weight_grams) / 1000
        return {
            "Product": sku,
            "ProductType": "FERT",
            "CrossPlantStatus": "",
            "CreationDate": day(product.created_at),
            "CreatedByUser": "MIGRATION",
            "LastChangeDate": day(product.created_at),
            "IsMarkedForDeletion": False,
            "GrossWeight": weight,
            "NetWeight": weight * Decimal("0.9"),
            "WeightUnit": "KG",
            "ProductGroup": product.product_type.upper()[:9],
            "BaseUnit": BASE_UNIT,
            "Division": "00",
            "ProductStandardID": variant.gtin,
            "InternationalArticleNumberCat": "HE",
            "SizeOrDimensionText": variant.title[:32],
            "CrossPlantConfigurableProduct": product.id,
        }

    def get(self, key: dict[str, Any]) -> Row | None:
        return self._row(key["Product"]) if self.catalog.variant(key["Product"]) else None

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (self._row(sku) for sku in _wanted(hints, "Product", self.catalog.skus))

    def navigate(self, row: Row, nav: str) -> Navigated:
        if nav == "to_Description":
            return [_description(self.catalog, row["Product"])]
        return list(self.service["A_ProductPlant"].scan({"Product": frozenset((row["Product"],))}))


def _description(catalog: Catalog, sku: str) -> Row:
    return {"Product": sku, "Language": "EN", "ProductDescription": catalog.description(sku)}


class _Descriptions(EntitySet):
    def __init__(self, catalog: Catalog) -> None:
        super().__init__(DESCRIPTION)
        self.catalog = catalog

    def get(self, key: dict[str, Any]) -> Row | None:
        if key["Language"] != "EN" or self.catalog.variant(key["Product"]) is None:
            return None
        return _description(self.catalog, key["Product"])

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (_description(self.catalog, sku) for sku in _wanted(hints, "Product", self.catalog.skus))


class _PlantData(EntitySet):
    """A_ProductPlant and A_ProductSupplyPlanning: one row per (SKU, plant that carries it)."""

    def __init__(self, etype: EntityType, catalog: Catalog, service: dict[str, EntitySet]) -> None:
        super().__init__(etype)
        self.catalog, self.service = catalog, service

    def _row(self, sku: str, location: Location) -> Row | None:
        stock = self.catalog.world.stock(sku, location.code)
        if stock is None:
            return None
        if self.etype is PLANT:
            return {
                "Product": sku,
                "Plant": location.erp_plant,
                "AvailabilityCheckType": "02",
                "ProfitCenter": "",
                "IsMarkedForDeletion": False,
            }
        store = location.type == "STORE"
        return {
            "Product": sku,
            "Plant": location.erp_plant,
            "MRPType": "VB" if store else "PD",
            "MRPResponsible": "001",
            "ProcurementType": "F",
            "SafetyStockQuantity": Decimal(stock.safety_stock),
            "MinimumSafetyStockQuantity": Decimal(0),
            "PlannedDeliveryDurationInDays": Decimal(2 if store else 5),
        }

    def get(self, key: dict[str, Any]) -> Row | None:
        location = self.catalog.by_plant.get(key["Plant"])
        if location is None or self.catalog.variant(key["Product"]) is None:
            return None
        return self._row(key["Product"], location)

    def scan(self, hints: Hints) -> Iterator[Row]:
        plants = hints.get("Plant")
        locations = [loc for loc in self.catalog.locations if plants is None or loc.erp_plant in plants]
        for sku in _wanted(hints, "Product", self.catalog.skus):
            for location in locations:
                row = self._row(sku, location)
                if row is not None:
                    yield row

    def navigate(self, row: Row, nav: str) -> Navigated:
        return self.service["A_ProductSupplyPlanning"].get({"Product": row["Product"], "Plant": row["Plant"]})


def product_service(catalog: Catalog) -> Service:
    sets: dict[str, EntitySet] = {}
    for entity_set in (
        _Products(catalog, sets),
        _Descriptions(catalog),
        _PlantData(PLANT, catalog, sets),
        _PlantData(SUPPLY_PLANNING, catalog, sets),
    ):
        sets[entity_set.name] = entity_set
    return Service.of("API_PRODUCT_SRV", "LO-MD-PRD-2CL", sets.values())

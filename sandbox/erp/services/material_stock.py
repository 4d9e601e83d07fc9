"""``API_MATERIAL_STOCK_SRV``: stock per material, plant, storage location and stock type.

* ``A_MaterialStock('<sku>')`` (Material, MaterialBaseUnit) with
  ``to_MatlStkInAcctMod``: its rows at every plant;
* ``A_MatlStkInAcctMod``: one row per (Material, Plant, StorageLocation,
  InventoryStockType) with the quantity ``MatlWrhsStkQtyInMatlBaseUnit`` as a
  decimal string ("12.000"); Batch, Supplier, Customer, WBSElementInternalID,
  SDDocument, SDDocumentItem and InventorySpecialStockType are blank (no
  special stocks). Stock types and figures: see :mod:`sandbox.erp.catalog`.

Rows are computed on demand; filters on ``Material`` and ``Plant`` look up
directly instead of walking every (material, plant) pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sandbox.erp.catalog import BASE_UNIT, Catalog
from sandbox.erp.odata.edm import EntityType, Nav, Row, decimal, string
from sandbox.erp.odata.entityset import EntitySet, Navigated
from sandbox.erp.odata.filter import Hints
from sandbox.erp.odata.service import Service
from sandbox.world import Location

__all__ = ["material_stock_service"]

_BLANK_KEYS = (
    ("Batch", 10),
    ("Supplier", 10),
    ("Customer", 10),
    ("WBSElementInternalID", 24),
    ("SDDocument", 10),
    ("SDDocumentItem", 6),
    ("InventorySpecialStockType", 1),
)

MATERIAL_STOCK = EntityType(
    "A_MaterialStockType",
    "A_MaterialStock",
    ("Material",),
    (string("Material", 40, label="Material"), string("MaterialBaseUnit", 3, label="Base Unit")),
    (Nav("to_MatlStkInAcctMod", "A_MatlStkInAcctMod", many=True),),
    label="Material Stock",
)

STOCK_ROW = EntityType(
    "A_MatlStkInAcctModType",
    "A_MatlStkInAcctMod",
    ("Material", "Plant", "StorageLocation", *(name for name, _ in _BLANK_KEYS), "InventoryStockType"),
    (
        string("Material", 40, label="Material"),
        string("Plant", 4, label="Plant"),
        string("StorageLocation", 4, label="Storage Location"),
        *(string(name, length) for name, length in _BLANK_KEYS),
        string("InventoryStockType", 2, label="Stock Type"),
        string("MaterialBaseUnit", 3, label="Base Unit"),
        decimal("MatlWrhsStkQtyInMatlBaseUnit", 31, 14, wire_scale=3),
    ),
    (Nav("to_MaterialStock", "A_MaterialStock", many=False),),
    label="Material Stock in Account Model",
)


def _material(sku: str) -> Row:
    return {"Material": sku, "MaterialBaseUnit": BASE_UNIT}


def _skus(catalog: Catalog, hints: Hints) -> list[str]:
    wanted = hints.get("Material")
    if wanted is None:
        return catalog.skus
    return sorted(s for s in wanted if isinstance(s, str) and catalog.variant(s) is not None)


class _MaterialStocks(EntitySet):
    def __init__(self, catalog: Catalog, rows: _StockRows) -> None:
        super().__init__(MATERIAL_STOCK)
        self.catalog, self.rows = catalog, rows

    def get(self, key: dict[str, Any]) -> Row | None:
        return _material(key["Material"]) if self.catalog.variant(key["Material"]) else None

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (_material(sku) for sku in _skus(self.catalog, hints))

    def navigate(self, row: Row, nav: str) -> Navigated:
        return list(self.rows.scan({"Material": frozenset((row["Material"],))}))


class _StockRows(EntitySet):
    def __init__(self, catalog: Catalog) -> None:
        super().__init__(STOCK_ROW)
        self.catalog = catalog

    @staticmethod
    def _row(sku: str, location: Location, stock_type: str, quantity: Decimal) -> Row:
        row: Row = {
            "Material": sku,
            "Plant": location.erp_plant,
            "StorageLocation": location.erp_storage_location,
        }
        row.update((name, "") for name, _ in _BLANK_KEYS)
        row.update(
            InventoryStockType=stock_type, MaterialBaseUnit=BASE_UNIT, MatlWrhsStkQtyInMatlBaseUnit=quantity
        )
        return row

    def _rows(self, sku: str, location: Location) -> Iterator[Row]:
        for stock_type, quantity in self.catalog.stock(sku, location):
            yield self._row(sku, location, stock_type, quantity)

    def get(self, key: dict[str, Any]) -> Row | None:
        location = self.catalog.by_plant.get(key["Plant"])
        if location is None or self.catalog.variant(key["Material"]) is None:
            return None
        return next((r for r in self._rows(key["Material"], location) if r == {**r, **key}), None)

    def scan(self, hints: Hints) -> Iterator[Row]:
        plants = hints.get("Plant")
        if plants is None:
            locations = self.catalog.locations
        else:
            locations = [loc for loc in self.catalog.locations if loc.erp_plant in plants]
        for sku in _skus(self.catalog, hints):
            for location in locations:
                yield from self._rows(sku, location)

    def navigate(self, row: Row, nav: str) -> Navigated:
        return _material(row["Material"])


def material_stock_service(catalog: Catalog) -> Service:
    rows = _StockRows(catalog)
    return Service.of("API_MATERIAL_STOCK_SRV", "MM-IM-VDM-SGO", [_MaterialStocks(catalog, rows), rows])

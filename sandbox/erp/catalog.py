"""Read-only ERP views of the world: materials, plants, business partners and stock per plant.

Built once per system (indexes only; stock figures are computed on demand,
so the large world's 20,000 SKUs x 300 plants cost nothing until asked).

Stock in the ERP, per (material, plant, storage location, stock type):

* ``01`` unrestricted use = on hand - damaged - quality control, plus, at
  stores, the till sales the ERP has not received yet (so the ERP shows more
  than the store really has);
* ``02`` quality inspection = quality control;
* ``07`` blocked = damaged.

Zero rows are left out, except ``01`` for every SKU the plant carries.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.world import Customer, Location, Product, Variant, World

__all__ = ["BASE_UNIT", "Catalog", "StockFigure"]

BASE_UNIT = "EA"
StockFigure = tuple[str, Decimal]
"""(InventoryStockType, quantity in the base unit)."""


class Catalog:
    """Indexes over the world that every ERP service shares."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.skus: list[str] = sorted(world.variants_by_sku)
        self.product_of: dict[str, Product] = {v.sku: p for p in world.products for v in p.variants}
        self.locations: list[Location] = sorted(world.locations, key=lambda loc: loc.erp_plant)
        self.by_plant: dict[str, Location] = {loc.erp_plant: loc for loc in self.locations}
        partners = [c for c in world.customers if c.erp_business_partner]
        self.partners: dict[str, Customer] = {
            c.erp_business_partner: c for c in partners if c.erp_business_partner
        }
        self.partner_numbers: list[str] = sorted(self.partners)
        self.partner_by_customer_id: dict[str, str] = {c.id: bp for bp, c in self.partners.items()}

    def variant(self, sku: str) -> Variant | None:
        return self.world.variants_by_sku.get(sku)

    def default_plant(self) -> Location:
        """Where an order item without ``ProductionPlant`` is supplied from: the first distribution centre."""
        return next((loc for loc in self.locations if loc.type == "DISTRIBUTION_CENTER"), self.locations[0])

    def description(self, sku: str) -> str:
        variant = self.world.variants_by_sku[sku]
        return f"{self.product_of[sku].title} {variant.title}"[:40]

    def stock(self, sku: str, location: Location) -> list[StockFigure]:
        """The ERP's stock rows of ``sku`` at ``location`` (empty where the plant does not carry it)."""
        stock = self.world.stock(sku, location.code)
        if stock is None:
            return []
        unrestricted = stock.on_hand - stock.damaged - stock.quality_control
        if location.type == "STORE":
            unrestricted += self.world.pos_sales_not_in_erp(sku, location.code)
        figures: list[StockFigure] = [("01", Decimal(unrestricted))]
        if stock.quality_control:
            figures.append(("02", Decimal(stock.quality_control)))
        if stock.damaged:
            figures.append(("07", Decimal(stock.damaged)))
        return figures

"""Shopify's inventory quantities per (SKU, location), as an overlay of changes on the world.

The world holds the physical truth; Shopify shows it by quantity name::

    on_hand = available + committed + reserved + damaged + safety_stock + quality_control

with committed = the world's open order lines at the location, reserved = 0,
damaged / quality_control / safety_stock / incoming from the world's stock, and
available the signed remainder (never floored, never subtracted twice).
Mutations add deltas per component; ``on_hand`` is always derived. Nothing is
materialised for the 20,000 x 300 grid until a figure is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.shopify._util import stable_int
from sandbox.world import EPOCH, World

__all__ = ["ADJUSTABLE_NAMES", "COMPONENT_NAMES", "QUANTITY_NAMES", "Change", "Inventory"]

QUANTITY_NAMES = (
    "available",
    "committed",
    "reserved",
    "on_hand",
    "damaged",
    "safety_stock",
    "quality_control",
    "incoming",
)
COMPONENT_NAMES = ("available", "committed", "reserved", "damaged", "safety_stock", "quality_control")
"""The quantities that add up to on_hand."""
ADJUSTABLE_NAMES = ("available", "damaged", "incoming", "quality_control", "reserved", "safety_stock")
"""What ``inventoryAdjustQuantities`` may change (committed moves only with orders)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One quantity's change, as ``InventoryChange`` reports it."""

    name: str
    delta: int
    quantity_after_change: int
    sku: str
    location_code: str


class Inventory:
    """Quantities by name for every (SKU, location), with the changes made since start."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._deltas: dict[tuple[str, str], dict[str, int]] = {}
        self._updated: dict[tuple[str, str], datetime] = {}

    def stocked(self, sku: str, location_code: str) -> bool:
        """Whether the item has an inventory level at the location."""
        key = (sku, location_code)
        return key in self._deltas or self.world.stock(sku, location_code) is not None

    def quantities(self, sku: str, location_code: str) -> dict[str, int]:
        """Every quantity name's value (zeros where the item is not stocked)."""
        stock = self.world.stock(sku, location_code)
        if stock is None:
            base = dict.fromkeys(QUANTITY_NAMES, 0)
        else:
            committed = self.world.committed(sku, location_code)
            base = {
                "available": stock.on_hand
                - committed
                - stock.damaged
                - stock.safety_stock
                - stock.quality_control,
                "committed": committed,
                "reserved": 0,
                "damaged": stock.damaged,
                "safety_stock": stock.safety_stock,
                "quality_control": stock.quality_control,
                "incoming": stock.incoming,
            }
        for name, delta in self._deltas.get((sku, location_code), {}).items():
            base[name] = base.get(name, 0) + delta
        base["on_hand"] = sum(base[name] for name in COMPONENT_NAMES)
        return base

    def available(self, sku: str, location_code: str) -> int:
        return self.quantities(sku, location_code)["available"]

    def updated_at(self, sku: str, location_code: str) -> datetime:
        changed = self._updated.get((sku, location_code))
        if changed is not None:
            return changed
        seconds = stable_int(sku, location_code, "updated") % (72 * 3600)
        return EPOCH - timedelta(seconds=seconds)

    def adjust(self, sku: str, location_code: str, name: str, delta: int) -> list[Change]:
        """Change one component by ``delta``; on_hand follows unless the name is incoming."""
        return self.apply(sku, location_code, {name: delta})

    def apply(self, sku: str, location_code: str, deltas: dict[str, int]) -> list[Change]:
        """Change several components at once (e.g. committed +2, available -2) and report each."""
        key = (sku, location_code)
        before = self.quantities(sku, location_code)
        overlay = self._deltas.setdefault(key, {})
        for name, delta in deltas.items():
            overlay[name] = overlay.get(name, 0) + delta
        self._updated[key] = datetime.now(UTC)
        after = self.quantities(sku, location_code)
        changes = [Change(name, delta, after[name], sku, location_code) for name, delta in deltas.items()]
        on_hand_delta = after["on_hand"] - before["on_hand"]
        if on_hand_delta and "on_hand" not in deltas:
            changes.append(Change("on_hand", on_hand_delta, after["on_hand"], sku, location_code))
        return changes

"""Store stock as Square counts it: a lazy view of the world plus an overlay of changes.

Per (SKU, store) the POS reports three tracked states, derived from the
world's physical stock (``world.stock``) and its open order lines
(``world.committed``: units held for open pickup and ship-from-store orders)::

    IN_STOCK           = on_hand - committed - damaged - quality_control
    RESERVED_FOR_SALE  = committed
    WASTE              = damaged + quality_control

so a reader gets ``on_hand = IN_STOCK + RESERVED_FOR_SALE`` and
``unavailable = WASTE``. IN_STOCK is reported for every SKU the store
carries (``"0"`` when out); the others only when non-zero. A SKU the store
does not carry has no counts until a change touches it.

The POS is the truth of a store's stock: a paid order moves each line from
IN_STOCK to SOLD at its location; a restock moves SOLD (or NONE,
UNLINKED_RETURN) back to IN_STOCK. SOLD, NONE and UNLINKED_RETURN are
untracked, as in Square: they never appear as counts, only in the change
history. A till never refuses a sale, so IN_STOCK can go negative and is
reported as it is.

Nothing is materialised per (SKU, store) until asked for: counts are
computed on demand and only changed pairs live in ``_levels``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.pos.wire import compact, new_id, now, timestamp
from sandbox.world import EPOCH, Location, Variant, World

__all__ = ["TRACKED", "UNTRACKED", "WRITABLE", "Inventory", "Level", "count_json"]

TRACKED = ("IN_STOCK", "RESERVED_FOR_SALE", "WASTE")
"""The states this POS counts, in the order a page lists them."""
UNTRACKED = frozenset({"SOLD", "NONE", "UNLINKED_RETURN"})
WRITABLE = frozenset({"IN_STOCK", "WASTE", *UNTRACKED})
"""States the Inventory API may move quantities from or to (the rest are READ-ONLY in Square)."""

_SCAN_CAP = 50_000
"""Pairs examined per page at most: a sparse filter gets a short page and a cursor, never a slow one."""


@dataclass
class Level:
    """The tracked quantities of one SKU at one store."""

    in_stock: int
    reserved: int
    waste: int
    calculated_at: datetime

    def get(self, state: str) -> int:
        if state == "IN_STOCK":
            return self.in_stock
        if state == "RESERVED_FOR_SALE":
            return self.reserved
        return self.waste if state == "WASTE" else 0

    def add(self, state: str, quantity: int) -> None:
        if state == "IN_STOCK":
            self.in_stock += quantity
        elif state == "RESERVED_FOR_SALE":
            self.reserved += quantity
        elif state == "WASTE":
            self.waste += quantity


def count_json(
    variant: Variant, location: Location, state: str, quantity: int, at: datetime
) -> dict[str, Any]:
    return {
        "catalog_object_id": variant.square_variation_id,
        "catalog_object_type": "ITEM_VARIATION",
        "state": state,
        "location_id": location.square_location_id,
        "quantity": str(quantity),
        "calculated_at": timestamp(at),
        "is_estimated": False,
    }


@dataclass
class Inventory:
    """Counts per (SKU, store) and the history of changes made at run time."""

    world: World
    _levels: dict[tuple[str, str], Level] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    """Recorded changes in Square's ``InventoryChange`` shape, oldest first."""

    def level(self, variant: Variant, location: Location) -> Level | None:
        """Current quantities, or None where the store does not carry the SKU."""
        return self._levels.get((variant.sku, location.code)) or self._seeded(variant, location)

    def _seeded(self, variant: Variant, location: Location) -> Level | None:
        stock = self.world.stock(variant.sku, location.code)
        if stock is None:
            return None
        committed = self.world.committed(variant.sku, location.code)
        unavailable = stock.damaged + stock.quality_control
        digest = hashlib.blake2b(f"{self.world.seed}:{variant.sku}:{location.code}".encode(), digest_size=4)
        minutes = int.from_bytes(digest.digest(), "big") % (7 * 24 * 60)
        return Level(
            stock.on_hand - committed - unavailable,
            committed,
            unavailable,
            EPOCH - timedelta(minutes=minutes),
        )

    def _touch(self, variant: Variant, location: Location) -> Level:
        key = (variant.sku, location.code)
        level = self._levels.get(key) or self._seeded(variant, location) or Level(0, 0, 0, EPOCH)
        self._levels[key] = level
        return level

    def counts(
        self, variant: Variant, location: Location, states: frozenset[str] | None = None
    ) -> list[dict[str, Any]]:
        level = self.level(variant, location)
        if level is None:
            return []
        return [
            count_json(variant, location, state, level.get(state), level.calculated_at)
            for state in TRACKED
            if (states is None or state in states) and (state == "IN_STOCK" or level.get(state) != 0)
        ]

    # ------------------------------------------------------------ paging

    def page(
        self,
        variants: Sequence[Variant],
        locations: Sequence[Location],
        start: int,
        limit: int,
        states: frozenset[str] | None,
        updated_after: datetime | None,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Counts from position ``start`` (pair index * 3 + state slot), and the next position."""
        n_loc = len(locations)
        if n_loc == 0 or not variants:
            return [], None
        first_pair, first_slot = divmod(start, len(TRACKED))
        if updated_after is not None and updated_after >= EPOCH:
            # Every seeded count was calculated before EPOCH: only changed pairs can qualify.
            pairs: Sequence[int] = self._changed_pairs(variants, locations, first_pair)
        else:
            pairs = range(first_pair, len(variants) * n_loc)
        out: list[dict[str, Any]] = []
        for scanned, pair in enumerate(pairs):
            if scanned >= _SCAN_CAP:
                return out, pair * len(TRACKED)
            variant, location = variants[pair // n_loc], locations[pair % n_loc]
            level = self.level(variant, location)
            if level is None or (updated_after is not None and level.calculated_at <= updated_after):
                continue
            for slot in range(first_slot if pair == first_pair else 0, len(TRACKED)):
                state = TRACKED[slot]
                quantity = level.get(state)
                if (states is not None and state not in states) or (quantity == 0 and state != "IN_STOCK"):
                    continue
                if len(out) == limit:
                    return out, pair * len(TRACKED) + slot
                out.append(count_json(variant, location, state, quantity, level.calculated_at))
        return out, None

    def _changed_pairs(
        self, variants: Sequence[Variant], locations: Sequence[Location], first: int
    ) -> list[int]:
        var_pos = {v.sku: i for i, v in enumerate(variants)}
        loc_pos = {loc.code: i for i, loc in enumerate(locations)}
        pairs = [
            var_pos[sku] * len(locations) + loc_pos[code]
            for sku, code in self._levels
            if sku in var_pos and code in loc_pos
        ]
        return sorted(p for p in pairs if p >= first)

    # ------------------------------------------------------------ changes

    def adjust(
        self,
        variant: Variant,
        location: Location,
        from_state: str,
        to_state: str,
        quantity: int,
        occurred_at: datetime,
        **extra: str | None,
    ) -> dict[str, Any]:
        """Move ``quantity`` between states; records and returns the ADJUSTMENT."""
        level = self._touch(variant, location)
        level.add(from_state, -quantity)
        level.add(to_state, quantity)
        level.calculated_at = now()
        body = {"from_state": from_state, "to_state": to_state, "location_id": location.square_location_id}
        return self._record("ADJUSTMENT", "adjustment", variant, quantity, occurred_at, {**body, **extra})

    def physical_count(
        self,
        variant: Variant,
        location: Location,
        state: str,
        quantity: int,
        occurred_at: datetime,
        *,
        ignore_unchanged: bool = False,
        **extra: str | None,
    ) -> dict[str, Any] | None:
        """Set a state's quantity; None when ``ignore_unchanged`` is asked and nothing changes."""
        level = self._touch(variant, location)
        if ignore_unchanged and level.get(state) == quantity:
            return None
        level.add(state, quantity - level.get(state))
        level.calculated_at = now()
        body = {"state": state, "location_id": location.square_location_id}
        return self._record(
            "PHYSICAL_COUNT", "physical_count", variant, quantity, occurred_at, {**body, **extra}
        )

    def transfer(
        self,
        variant: Variant,
        source: Location,
        target: Location,
        state: str,
        quantity: int,
        occurred_at: datetime,
        **extra: str | None,
    ) -> dict[str, Any]:
        for location, sign in ((source, -1), (target, 1)):
            level = self._touch(variant, location)
            level.add(state, sign * quantity)
            level.calculated_at = now()
        body = {
            "state": state,
            "from_location_id": source.square_location_id,
            "to_location_id": target.square_location_id,
        }
        return self._record("TRANSFER", "transfer", variant, quantity, occurred_at, {**body, **extra})

    def _record(
        self,
        kind: str,
        key: str,
        variant: Variant,
        quantity: int,
        occurred_at: datetime,
        body: dict[str, Any],
    ) -> dict[str, Any]:
        created = now()
        detail = compact(
            {
                "id": new_id(26),
                **body,
                "catalog_object_id": variant.square_variation_id,
                "catalog_object_type": "ITEM_VARIATION",
                "quantity": str(quantity),
                "occurred_at": timestamp(occurred_at),
                "created_at": timestamp(created),
                "source": {"product": "EXTERNAL_API", "name": "Retail Sandbox"},
            }
        )
        change = {"type": kind, key: detail}
        self.changes.append(change)
        return change

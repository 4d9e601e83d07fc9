"""Inventory positions per (productId, facilityId): on hand, ATP, reserved, and atomic soft reservations.

The world's stock is the seeded physical truth; the OMS keeps only an overlay
of changes (units shipped leave ``on hand``; orders created, cancelled or
shipped move ``committed``), so nothing is materialised per pair up front::

    quantityOnHandTotal     = on_hand (+ overlay)
    reservedQuantity        = committed to open order items (+ overlay) + units held by soft reservations
    unavailableQuantity     = damaged + quality_control
    availableToPromiseTotal = on_hand - reservedQuantity - unavailableQuantity - safetyStock

ATP is signed (it goes negative when promises exceed stock, as OFBiz's does);
the ``floor_atp`` knob floors it at 0 on the wire only. Only pairs the world
carries have a position. :meth:`Inventory.reserve` checks and holds every
line in one synchronous step (no await), so concurrent requests never
over-reserve.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.oms.errors import OmsError
from sandbox.oms.reservations import Reservation, ReservationBook
from sandbox.world import Stock, World

__all__ = ["Inventory", "Position"]

_STOCK_CACHE_SIZE = 500_000


@dataclass(frozen=True)
class Position:
    product_id: str
    facility_id: str
    on_hand: int
    reserved: int
    safety_stock: int
    unavailable: int
    incoming: int

    @property
    def atp(self) -> int:
        return self.on_hand - self.reserved - self.unavailable - self.safety_stock

    def as_json(self, floor_atp: bool) -> dict[str, Any]:
        return {
            "productId": self.product_id,
            "facilityId": self.facility_id,
            "quantityOnHandTotal": self.on_hand,
            "availableToPromiseTotal": max(0, self.atp) if floor_atp else self.atp,
            "reservedQuantity": self.reserved,
            "safetyStock": self.safety_stock,
            "unavailableQuantity": self.unavailable,
            "incomingQuantity": self.incoming,
        }


class Inventory:
    """Positions computed per requested pair from the world plus this OMS's overlay."""

    def __init__(self, world: World, reservations: ReservationBook) -> None:
        self._world = world
        self.reservations = reservations
        self._on_hand: Counter[tuple[str, str]] = Counter()
        self._committed: Counter[tuple[str, str]] = Counter()
        self._stock: dict[tuple[str, str], Stock | None] = {}

    def _world_stock(self, product_id: str, facility_id: str) -> Stock | None:
        """The world's (immutable) stock of a pair, memoised in a bounded cache."""
        key = (product_id, facility_id)
        try:
            return self._stock[key]
        except KeyError:
            if len(self._stock) >= _STOCK_CACHE_SIZE:
                self._stock.clear()
            found = self._stock[key] = self._world.stock(product_id, facility_id)
            return found

    def position(self, product_id: str, facility_id: str) -> Position | None:
        """The position of a carried pair; None for an unknown product or facility or a pair not carried."""
        if facility_id not in self._world.locations_by_code:
            return None
        stock = self._world_stock(product_id, facility_id)
        if stock is None:
            return None
        key = (product_id, facility_id)
        committed = self._world.committed(product_id, facility_id) + self._committed[key]
        return Position(
            product_id=product_id,
            facility_id=facility_id,
            on_hand=stock.on_hand + self._on_hand[key],
            reserved=committed + self.reservations.held(product_id, facility_id),
            safety_stock=stock.safety_stock,
            unavailable=stock.damaged + stock.quality_control,
            incoming=stock.incoming,
        )

    def positions(self, product_ids: Iterable[str], facility_ids: Iterable[str]) -> list[Position]:
        facilities = list(facility_ids)
        out = []
        for product_id in product_ids:
            for facility_id in facilities:
                found = self.position(product_id, facility_id)
                if found is not None:
                    out.append(found)
        return out

    def move(
        self,
        committed: Counter[tuple[str, str]],
        old_committed: Counter[tuple[str, str]],
        shipped: Counter[tuple[str, str]],
    ) -> None:
        """Apply an order's change: its commitments go from ``old_committed`` to ``committed`` and
        ``shipped`` units leave the facility."""
        for key in committed.keys() | old_committed.keys():
            self._committed[key] += committed[key] - old_committed[key]
        for key, qty in shipped.items():
            self._on_hand[key] -= qty

    def reserve(
        self, facility_id: str, items: dict[str, int], ttl_s: int, external_id: str | None
    ) -> tuple[Reservation, bool]:
        """Hold every item or none; answers (reservation, created). Keep this free of awaits."""
        if external_id:
            existing = self.reservations.by_external_id(external_id)
            if existing is not None:
                return existing, False
        short: list[dict[str, Any]] = []
        for product_id, quantity in items.items():
            found = self.position(product_id, facility_id)
            available = found.atp if found else 0
            if quantity > available:
                short.append(
                    {
                        "productId": product_id,
                        "facilityId": facility_id,
                        "requested": quantity,
                        "available": max(0, available),
                    }
                )
        if short:
            names = ", ".join(str(s["productId"]) for s in short)
            raise OmsError(
                409,
                "INSUFFICIENT_INVENTORY",
                f"Not enough inventory at [{facility_id}] for [{names}].",
                short,
            )
        return self.reservations.add(facility_id, items, ttl_s, external_id), True

"""The OMS's mutable state: its books over one world, rebuilt from the seed on reset.

Everything that reads the time goes through :meth:`OmsState.now`, which calls
``state.clock``; tests replace ``clock`` to move time (reservation expiry).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sandbox.oms.inventory import Inventory
from sandbox.oms.knobs import OmsKnobs
from sandbox.oms.orders import OrderBook
from sandbox.oms.reservations import ReservationBook
from sandbox.oms.returns import ReturnBook
from sandbox.runtime import Runtime

__all__ = ["OmsState"]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class OmsState:
    """Orders, returns, inventory and reservations of one OMS."""

    orders: OrderBook
    returns: ReturnBook
    inventory: Inventory
    reservations: ReservationBook

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.world = runtime.world
        self.clock: Callable[[], datetime] = _wall_clock
        self.reset()

    @property
    def knobs(self) -> OmsKnobs:
        knobs = self.runtime.knobs
        assert isinstance(knobs, OmsKnobs)
        return knobs

    def now(self) -> datetime:
        return self.clock()

    def _order_exists(self, key: str) -> bool:
        return self.orders.find_id(key) is not None

    def reset(self) -> None:
        """Back to the seeded state: every order, return and reservation made at run time is gone."""
        self.reservations = ReservationBook(self.now, self._order_exists)
        self.inventory = Inventory(self.world, self.reservations)
        self.orders = OrderBook(self.world, self.inventory, self.now)
        self.returns = ReturnBook(self.world, self.orders, self.now)

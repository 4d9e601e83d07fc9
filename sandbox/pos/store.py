"""Everything the POS knows: read-only indexes over the world plus the mutable state on top.

The catalog and the store directory never change; inventory overlays,
orders, refunds, customers, loyalty accounts and idempotency records are
rebuilt from the world by :meth:`PosStore.reset`. Handlers reach the parts
through the store at call time, so a reset is seen by every route at once.
"""

from __future__ import annotations

from sandbox.pos.catalog import Catalog
from sandbox.pos.customers import CustomerBook
from sandbox.pos.idempotency import IdempotencyKeys
from sandbox.pos.inventory import Inventory
from sandbox.pos.locations import Stores
from sandbox.pos.loyalty import Loyalty
from sandbox.pos.order_book import OrderBook
from sandbox.world import World

__all__ = ["PosStore"]


class PosStore:
    """The POS's state for one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.stores = Stores(world)
        self.catalog = Catalog(world)
        self.reset()

    def reset(self) -> None:
        """Back to the seeded state."""
        self.inventory = Inventory(self.world)
        self.orders = OrderBook(self.world)
        self.customers = CustomerBook.seeded(self.world)
        self.loyalty = Loyalty(self.world, self.stores)
        self.keys = IdempotencyKeys()

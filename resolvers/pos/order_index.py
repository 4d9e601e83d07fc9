"""Our order number -> Square order id, learnt by scanning the stores' orders.

Square's ``SearchOrders`` has no filter on ``reference_id`` (where our number
``R1xxxxx`` lives), and ``BatchRetrieveOrders`` takes Square ids. So the
connector keeps this index: the first lookup of an unknown number scans the
stores' orders once (``POST /v2/orders/search``, ten locations a request, 1000
orders a page, sorted by ``updated_at``); later misses rescan only what
changed since the newest ``updated_at`` seen, less an overlap for clock skew
and orders written while the last scan ran, and at most every
``order_index_refresh`` seconds, so a burst of numbers the POS does not hold
(online orders) costs one small rescan, not one per number. Orders the
connector creates or reads are learnt on the way.

The index lives in process; losing it costs one scan. If Square holds two
orders with one number (a till can type any reference), the most recently
updated wins.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from resolvers.pos.mapping import utc
from resolvers.pos.wire_orders import SquareOrder

__all__ = ["OrderIndex"]


class OrderIndex:
    """Number -> Square order id, with the high-water mark and timing of the last scan."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._ids: dict[str, tuple[str, datetime]] = {}
        self._watermark: datetime | None = None
        self._scanned_at: float | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, number: str) -> str | None:
        """The Square order id for ``number``, if learnt."""
        found = self._ids.get(number)
        return found[0] if found else None

    def learn(self, orders: Iterable[SquareOrder]) -> None:
        """Remember the number of every order that has one (the most recently updated wins)."""
        for order in orders:
            updated = utc(order.updated_at) or utc(order.created_at)
            assert updated is not None
            if order.reference_id:
                known = self._ids.get(order.reference_id)
                if known is None or known[0] == order.id or known[1] <= updated:
                    self._ids[order.reference_id] = (order.id, updated)

    def forget(self, number: str) -> None:
        self._ids.pop(number, None)

    def due(self, every: float) -> bool:
        """Whether a scan may run now (never scanned, or the last one is ``every`` seconds old)."""
        return self._scanned_at is None or self._clock() - self._scanned_at >= every

    def scan_from(self, overlap: float) -> datetime | None:
        """Where the next scan starts (``updated_at``); None for a full scan."""
        if self._watermark is None:
            return None
        return self._watermark - timedelta(seconds=overlap)

    def scanned(self, orders: Iterable[SquareOrder]) -> None:
        """Record a finished scan: learn its orders and move the high-water mark."""
        listed = list(orders)
        self.learn(listed)
        for order in listed:
            updated = utc(order.updated_at) or utc(order.created_at)
            if updated is not None and (self._watermark is None or updated > self._watermark):
                self._watermark = updated
        self._scanned_at = self._clock()

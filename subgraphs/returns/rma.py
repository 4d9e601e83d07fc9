"""RMA numbers: ``RMA-<order digits>-<nn>``, unique per order and fixed for one request's retries.

The form is the one the systems already use (``RMA-100015-01`` belongs to
``R100015``): the OMS finds a return's order from it and Shopify's connector
checks it with its ``rma_pattern``. ``nn`` counts the order's returns: the
lowest number (from 01) that no system holds yet and no other request has
claimed.

Two records in the idempotency store make it unique and deterministic:

* the **claim** ``authorizeReturn:rma:<RMA>``, taken with ``start`` (atomic across
  every process sharing the store): two requests never get one number;
* the **assignment** ``authorizeReturn:assigned:<client>:<key>:<fingerprint>``,
  holding the RMA a request got: its retry (same client, key and input) reads
  it back and uses the same number, so the systems' dedupe by RMA number
  turns a repeated create into a no-op.

Both live as long as idempotency keys (``orders.idempotency_ttl_s``).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from storage import IdempotencyStore, StartStatus

__all__ = ["RmaAllocator", "rma_number"]

_ORDER_DIGITS = re.compile(r"^[A-Za-z]*(\d+)$")
MAX_RETURNS_PER_ORDER = 99


def rma_number(order_number: str, n: int) -> str | None:
    """``rma_number("R100015", 2)`` -> ``RMA-100015-02``; None for an order number without digits."""
    found = _ORDER_DIGITS.match(order_number)
    return f"RMA-{found.group(1)}-{n:02d}" if found else None


class RmaAllocator:
    """Gives each (client, key, input) one RMA number of an order, and the same one on every retry."""

    def __init__(self, store: IdempotencyStore, *, ttl: float) -> None:
        self._store = store
        self._ttl = ttl

    @staticmethod
    def _assignment(request: str, fingerprint: str) -> str:
        return f"authorizeReturn:assigned:{request}:{fingerprint}"

    async def assigned(self, request: str, fingerprint: str) -> str | None:
        """The RMA number an earlier try of this request got, if any."""
        record = await self._store.get(self._assignment(request, fingerprint))
        if record is None or record.result is None:
            return None
        return record.result.decode()

    async def allocate(
        self, request: str, fingerprint: str, order_number: str, taken: Collection[str]
    ) -> str:
        """This request's RMA number: the one it was given before, else a fresh one for ``order_number``,
        none of ``taken`` (the systems' RMAs), recorded as its assignment. Raises ``LookupError`` when
        the order has no number left."""
        earlier = await self.assigned(request, fingerprint)
        if earlier is not None:
            return earlier
        owner = f"{request}:{fingerprint}"
        for n in range(1, MAX_RETURNS_PER_ORDER + 1):
            rma = rma_number(order_number, n)
            if rma is None:
                raise LookupError(f"order number {order_number!r} has no digits to name an RMA with")
            if rma in taken:
                continue
            claim = await self._store.start(f"authorizeReturn:rma:{rma}", owner, self._ttl)
            if claim.status is StartStatus.STARTED or claim.fingerprint == owner:
                await self._remember(request, fingerprint, rma)
                return rma
        raise LookupError(f"order {order_number} has no RMA number left")

    async def _remember(self, request: str, fingerprint: str, rma: str) -> None:
        key = self._assignment(request, fingerprint)
        started = await self._store.start(key, fingerprint, self._ttl)
        if started.status is StartStatus.STARTED:
            await self._store.complete(key, rma.encode(), self._ttl)

"""Returns in the POS: the refunds and returned goods of the stores' sales, as ReturnRecords.

- ``returns_for_orders``: the orders by our number, as ``orders_by_numbers``
  reads them (the same cached batch-retrieve), each order's refunds and
  ``returns`` entries mapped by :func:`~resolvers.pos.mapping_returns.return_records`.
- ``returns_by_rma``: Square keeps no RMA numbers: always None (the ERP and
  the OMS find returns by RMA).
- ``order_numbers_of_refunds``: refund id -> our order number, through
  ``GET /v2/refunds/{id}`` (its ``order_id``; operation ``refund``, cached like
  orders) and the order's ``reference_id``: how a return known only to the till
  (named ``POS-<refund id>``) is found again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from urllib.parse import quote

from resolvers.domain import ReturnRecord
from resolvers.errors import UpstreamNotFound
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.pos.api import SquareApi, model_codec
from resolvers.pos.mapping_returns import return_records
from resolvers.pos.orders import PosOrders
from resolvers.pos.wire import Wire

__all__ = ["PosReturns"]


class _Refund(Wire):
    id: str
    order_id: str | None = None


class _RefundAnswer(Wire):
    refund: _Refund


_REFUND = model_codec(_RefundAnswer)


class PosReturns:
    """The ReturnSource side of the POS connector (see the module docstring)."""

    def __init__(self, kit: ConnectorKit, api: SquareApi, orders: PosOrders) -> None:
        self._kit = kit
        self._api = api
        self._orders = orders

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        found = await self._orders.square_orders(order_numbers)
        numbers = list(found)
        records = await self._orders.records([found[n] for n in numbers])
        by_number = {
            number: list(return_records(found[number][0], record))
            for number, record in zip(numbers, records, strict=True)
        }
        return [by_number.get(number, []) for number in order_numbers]

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]:
        return [None for _ in rma_numbers]

    async def _order_id(self, refund_id: str) -> str | None:
        if not refund_id.strip():  # no refund has a blank id: nothing to ask Square
            return None

        async def fetch(http: UpstreamHttp) -> _RefundAnswer:
            return await self._api.get(http, f"/refunds/{quote(refund_id, safe='')}", _RefundAnswer)

        try:
            result = await self._kit.read("pos", "refund", fetch, cache_key=refund_id, codec=_REFUND)
        except UpstreamNotFound:
            return None
        return result.value.refund.order_id

    async def order_numbers_of_refunds(self, refund_ids: Sequence[str]) -> list[str | None]:
        """Each refund's order as our number; None for a refund (or order) Square does not know."""
        order_ids = await asyncio.gather(*(self._order_id(rid) for rid in refund_ids))
        orders = await self._orders.batch_retrieve([oid for oid in order_ids if oid])
        return [
            (got[0].reference_id or None) if oid and (got := orders.get(oid)) is not None else None
            for oid in order_ids
        ]

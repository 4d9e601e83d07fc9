"""Returns (``/returns``) by order and by RMA number, their creation, and the OMS's return reasons.

Reads. ``GET /returns`` filters by one ``orderId`` per call (the OMS accepts
the order number there too), so :meth:`OmsReturns.returns_for_orders` makes
one call per distinct order, ``settings.concurrency`` at a time, cached for
seconds. The OMS has no lookup by RMA number (``returnName``, or our
``externalId``): :meth:`returns_by_rma` reads the order's returns instead,
the order number being part of every RMA number (``RMA-<order number
without its R>-<n>``: the OMS names its returns that way and the world's
RMA numbers follow it); an RMA number of another form is answered None.

Reasons. ``GET /return-reasons`` maps each OMS reason id to our
ReturnReason (``canonicalReason``): read once an hour (served stale for a
day), it turns OMS ids into our reasons on reads and ours into the first
OMS id listed for them on creates.

Create. Our RMA number travels as ``externalId``; the OMS refuses a second
return with it (409 ``RETURN_EXISTS`` naming the existing returnId), which
the connector answers with the existing return: a retry never makes a
second one, so the kit may retry the create.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Sequence

from resolvers.domain import ReturnDraft, ReturnRecord
from resolvers.kit.upstream import UpstreamHttp
from resolvers.oms import mapping, wire
from resolvers.oms.bodies import return_body
from resolvers.oms.context import OmsContext
from resolvers.oms.exchange import error_for, existing_id, parse
from resolvers.oms.orders import OmsOrders

__all__ = ["OmsReturns", "order_number_of_rma"]

_RETURN_PAGE = wire.model_codec(wire.ReturnPage)
_REASONS = wire.model_codec(wire.ReturnReasons)
_RMA = re.compile(r"^RMA-(\d+)-[0-9A-Za-z]+$")


def order_number_of_rma(rma_number: str) -> str | None:
    """``RMA-1000123-07`` -> ``R1000123``; None for an RMA number of another form."""
    found = _RMA.match(rma_number)
    return f"R{found.group(1)}" if found else None


class OmsReturns:
    """The :class:`~resolvers.ports.ReturnSource` and :class:`~resolvers.ports.ReturnSink` of the OMS."""

    def __init__(self, ctx: OmsContext, orders: OmsOrders) -> None:
        self._ctx = ctx
        self._orders = orders

    async def return_reasons(self) -> dict[str, str]:
        """OMS returnReasonId -> our ReturnReason (ids the OMS maps to none are left out)."""
        ctx = self._ctx

        async def fetch(http: UpstreamHttp) -> wire.ReturnReasons:
            return await ctx.oms.call(http, "GET", "/return-reasons", wire.ReturnReasons)

        result = await ctx.read("return_reasons", fetch, cache_key="all", codec=_REASONS)
        return {r.returnReasonId: r.canonicalReason for r in result.value.returnReasons if r.canonicalReason}

    async def _for_order(self, number: str) -> list[wire.Return]:
        ctx = self._ctx
        size = ctx.settings.page_size

        async def fetch(http: UpstreamHttp) -> wire.ReturnPage:
            returns: list[wire.Return] = []
            for index in itertools.count():
                params: dict[str, str | int] = {"orderId": number, "pageIndex": index, "pageSize": size}
                page = await ctx.oms.call(http, "GET", "/returns", wire.ReturnPage, params=params)
                returns.extend(page.returns)
                if len(page.returns) < size or len(returns) >= page.returnsCount:
                    return wire.ReturnPage(returns=returns, returnsCount=page.returnsCount)
            raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends

        result = await ctx.read("returns_for_order", fetch, cache_key=number, codec=_RETURN_PAGE)
        return result.value.returns

    async def _by_orders(self, numbers: Sequence[str]) -> tuple[dict[str, list[wire.Return]], dict[str, str]]:
        unique = list(dict.fromkeys(numbers))
        reasons, found = await asyncio.gather(self.return_reasons(), self._ctx.each(unique, self._for_order))
        return dict(zip(unique, found, strict=True)), reasons

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        if not order_numbers:
            return []
        by_order, reasons = await self._by_orders(order_numbers)
        return [
            [mapping.return_(r, order_number=number, reasons=reasons) for r in by_order[number]]
            for number in order_numbers
        ]

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]:
        orders = {rma: order_number_of_rma(rma) for rma in rma_numbers}
        numbers = [number for number in orders.values() if number is not None]
        if not numbers:
            return [None for _ in rma_numbers]
        by_order, reasons = await self._by_orders(numbers)
        out: list[ReturnRecord | None] = []
        for rma in rma_numbers:
            number = orders[rma]
            candidates = by_order.get(number, []) if number else []
            found = next((r for r in candidates if rma in (r.externalId, r.returnName)), None)
            record = None if found is None else mapping.return_(found, order_number=number, reasons=reasons)
            out.append(record)
        return out

    async def _by_id(self, return_id: str) -> wire.Return:
        ctx = self._ctx

        async def fetch(http: UpstreamHttp) -> wire.Return:
            return await ctx.oms.call(http, "GET", f"/returns/{return_id}", wire.Return)

        return (await ctx.read("return", fetch)).value

    async def create_return(self, draft: ReturnDraft) -> ReturnRecord:
        ctx = self._ctx
        order, reasons = await asyncio.gather(self._orders.head(draft.order_number), self.return_reasons())
        head = order[0]
        line_nos = {item.orderItemSeqId: n for n, item in enumerate(head.items, 1)} if head else None
        seq_ids = {n: seq for seq, n in (line_nos or {}).items()}
        reason_ids: dict[str, str] = {}
        for reason_id, ours in reasons.items():
            reason_ids.setdefault(ours, reason_id)
        body = return_body(
            draft,
            order_id=head.orderId if head else draft.order_number,
            seq_ids=seq_ids,
            reason_ids=reason_ids,
        )

        async def send(http: UpstreamHttp) -> wire.Return | str:
            response = await ctx.oms.send(http, "POST", "/returns", json=body)
            existing = existing_id(http, response, "RETURN_EXISTS", "returnId")
            if existing is not None:
                return existing
            if not response.ok:
                raise error_for(http, response)
            return parse(http, response, wire.Return)

        # Idempotent by externalId (our RMA number): a repeat is RETURN_EXISTS, answered with that return.
        created = await ctx.write("create_return", send, idempotent=True)
        ret = created if isinstance(created, wire.Return) else await self._by_id(created)
        await ctx.forget("returns_for_order", draft.order_number)
        if head is not None:
            await self._orders.forget(head.orderId, draft.order_number)
        return mapping.return_(ret, order_number=draft.order_number, reasons=reasons, line_nos=line_nos)

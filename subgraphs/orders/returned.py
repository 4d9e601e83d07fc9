"""Units returned per order line, for orders whose systems do not count them on the order.

The POS (``order.returns``) and Shopify (``currentQuantity``) say on the order
how many units came back; the OMS and the ERP keep returns as documents of
their own. For an order only they hold, a line's ``quantityReturned`` is
counted from the order's returns there: every system's copies grouped per
return (:func:`~subgraphs.domain.grouping.group_copies`), merged
(:func:`~subgraphs.domain.orders.merge_return`), and the units of those that
went ahead (APPROVED or later: not REQUESTED, DECLINED or CANCELLED, as the POS
counts returned goods) summed per line.

One batch per request and system (``orders.returned``, a keyed loader over
``returns_for_orders``), asked only when a client selects ``quantityReturned``
of such an order. A system that fails is left out when the other answered;
when both fail the field fails with the first one's code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiodataloader import DataLoader

from resolvers.domain import ReturnRecord
from resolvers.errors import ConnectorError
from resolvers.loaders import keyed_loader
from resolvers.ports import ReturnSource
from subgraphs.common.app import RequestContext
from subgraphs.domain.enums import ReturnStatus
from subgraphs.domain.grouping import group_copies
from subgraphs.domain.orders import merge_return

__all__ = ["COUNTED", "returned_units", "units_back"]

COUNTED = frozenset(
    {
        ReturnStatus.APPROVED,
        ReturnStatus.RECEIVED,
        ReturnStatus.INSPECTED,
        ReturnStatus.REFUNDED,
        ReturnStatus.CLOSED,
    }
)
"""Return states whose units count as returned (the return went ahead)."""


def units_back(copies: Sequence[ReturnRecord]) -> dict[int, int]:
    """Line number -> units returned, over every return that ``copies`` (all systems' copies) make up."""
    units: dict[int, int] = {}
    for group in group_copies(copies):
        view = merge_return(group)
        if view.status in COUNTED:
            for line in view.lines:
                units[line.line_no] = units.get(line.line_no, 0) + line.quantity
    return units


def _loader(sources: Sequence[ReturnSource]) -> DataLoader[str, dict[int, int]]:
    async def batch(numbers: Sequence[str]) -> list[dict[int, int]]:
        answers = await asyncio.gather(
            *(s.returns_for_orders(numbers) for s in sources), return_exceptions=True
        )
        for answer in answers:
            if isinstance(answer, BaseException) and not isinstance(answer, ConnectorError):
                raise answer
        found = [answer for answer in answers if not isinstance(answer, BaseException)]
        if not found:
            raise next(a for a in answers if isinstance(a, BaseException))
        return [units_back([r for answer in found for r in answer[i]]) for i in range(len(numbers))]

    return keyed_loader(batch)


async def returned_units(ctx: RequestContext, number: str) -> dict[int, int]:
    """Line number -> units returned of order ``number``, from its returns in the OMS and the ERP."""
    systems = ctx.systems
    loader = ctx.loader("orders.returned", lambda: _loader([systems.oms, systems.erp]))
    return await loader.load(number)

"""Reading orders and returns across the systems, batched per GraphQL request.

Per-request loaders (``info.context.loader``), each one call per system per
event-loop tick for every key the request asks:

* ``returns.orders``: order number -> every system's record of it (OMS, ERP,
  POS, Shopify ``orders_by_numbers``);
* ``returns.by_order``: order number -> its returns, merged: the OMS's, the
  ERP's, Shopify's and the POS's (a store sale's refunds) ``returns_for_orders`` copies grouped
  (:func:`~subgraphs.domain.grouping.group_copies`) and merged
  (:func:`~subgraphs.domain.orders.merge_return`), oldest first; a line whose
  copies carry no SKU gets its order line's. Shopify, whose returns reads are
  metered by query cost, is not asked about orders this request already knows
  are not online orders (a customer's orders, read with their channel).

A system that fails is left out when another answered (the connectors already
serve stale figures where they may); only when every system fails does the
field fail, with the first system's error code.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from aiodataloader import DataLoader

from resolvers.domain import OrderRecord, ReturnRecord, System
from resolvers.errors import ConnectorError
from resolvers.loaders import keyed_loader
from resolvers.ports import OrderSource, ReturnSource
from subgraphs.common.app import RequestContext
from subgraphs.common.systems import Systems
from subgraphs.domain.grouping import group_copies
from subgraphs.domain.orders import merge_order, merge_return
from subgraphs.domain.views import OrderView, ReturnView

__all__ = [
    "CUSTOMER_ORDER_SCAN",
    "customer_returns",
    "gather",
    "order_sources",
    "order_view",
    "return_by_rma",
    "return_sources",
    "returns_of",
    "with_skus",
]

T = TypeVar("T")
CUSTOMER_ORDER_SCAN = 50
"""Orders read per system for a customer's returns: their newest 50 (returns follow orders closely)."""
_OMS_RMA = re.compile(r"^RMA-(\d+)-[0-9A-Za-z]+$")
_POS_NAME = "POS-"
"""A return only the till knows: ``POS-<Square refund id>`` (see :mod:`subgraphs.domain.grouping`)."""


def order_sources(systems: Systems) -> list[OrderSource]:
    return [systems.oms, systems.erp, systems.pos, systems.shopify]


def return_sources(systems: Systems) -> list[ReturnSource]:
    return [systems.oms, systems.erp, systems.shopify, systems.pos]


async def gather(
    calls: Sequence[Awaitable[T]], *, tolerate: Callable[[int], bool] = lambda _: True
) -> list[T | None]:
    """Every call's answer, concurrently; None for a failed call that ``tolerate(index)`` lets pass.

    Raises the first intolerable :class:`ConnectorError`, or the first one when every call
    failed; any other exception is a bug and raised as it is.
    """
    found = await asyncio.gather(*calls, return_exceptions=True)
    errors = [(i, e) for i, e in enumerate(found) if isinstance(e, BaseException)]
    for _, error in errors:
        if not isinstance(error, ConnectorError):
            raise error
    fatal = [e for i, e in errors if not tolerate(i)]
    if fatal or (errors and len(errors) == len(found)):
        raise (fatal or [e for _, e in errors])[0]
    return [None if isinstance(value, BaseException) else value for value in found]


def _records_loader(systems: Systems) -> DataLoader[str, list[OrderRecord]]:
    async def batch(numbers: Sequence[str]) -> list[list[OrderRecord]]:
        sources = order_sources(systems)
        answers = await gather([source.orders_by_numbers(numbers) for source in sources])
        out: list[list[OrderRecord]] = [[] for _ in numbers]
        for found in answers:
            for i, record in enumerate(found or ()):
                if record is not None:
                    out[i].append(record)
        return out

    return keyed_loader(batch)


async def order_view(ctx: RequestContext, number: str) -> OrderView | None:
    """The order merged from every system that holds it; None when none does."""
    loader = ctx.loader("returns.orders", lambda: _records_loader(ctx.systems))
    records = await loader.load(number)
    return merge_order(records) if records else None


def with_skus(view: ReturnView, skus: Mapping[int, str]) -> ReturnView:
    """``view`` with each line lacking a SKU given its order line's (from ``skus``: line no -> SKU)."""
    if all(line.sku for line in view.lines):
        return view
    lines = tuple(dataclasses.replace(ln, sku=ln.sku or skus.get(ln.line_no)) for ln in view.lines)
    return dataclasses.replace(view, lines=lines)


async def _with_skus(ctx: RequestContext, view: ReturnView) -> ReturnView:
    if all(line.sku for line in view.lines) or not view.order_number:
        return view
    order = await order_view(ctx, view.order_number)
    return with_skus(view, {line.line_no: line.sku for line in order.lines} if order else {})


def _not_online(ctx: RequestContext) -> set[str]:
    """Order numbers this request knows are not online orders (so Shopify holds none of their returns)."""
    return ctx.loader("returns.not_online", set)


def _not_store(ctx: RequestContext) -> set[str]:
    """Order numbers this request knows are not store sales (so the tills hold none of their refunds;
    asking the POS for a number it does not hold costs a rescan of its orders)."""
    return ctx.loader("returns.not_store", set)


_SKIPPED: dict[System, Callable[[RequestContext], set[str]]] = {"SHOPIFY": _not_online, "POS": _not_store}


def _worth_asking(ctx: RequestContext, system: System, numbers: Sequence[str]) -> Sequence[str]:
    """``numbers`` less those this request knows ``system`` cannot hold."""
    skipped = _SKIPPED.get(system)
    if skipped is None:
        return numbers
    known = skipped(ctx)
    return [number for number in numbers if number not in known]


async def _returns_in(source: ReturnSource, numbers: Sequence[str]) -> dict[str, list[ReturnRecord]]:
    found = await source.returns_for_orders(numbers) if numbers else []
    return dict(zip(numbers, found, strict=True))


def _returns_loader(ctx: RequestContext) -> DataLoader[str, list[ReturnView]]:
    async def batch(numbers: Sequence[str]) -> list[list[ReturnView]]:
        asked = [
            (source, _worth_asking(ctx, source.system, numbers)) for source in return_sources(ctx.systems)
        ]
        answers = await gather([_returns_in(source, wanted) for source, wanted in asked])
        out: list[list[ReturnView]] = []
        for number in numbers:
            copies = [r for found in answers if found is not None for r in found.get(number, ())]
            views = [merge_return(group) for group in group_copies(copies)]
            out.append(list(await asyncio.gather(*(_with_skus(ctx, view) for view in views))))
        return out

    return keyed_loader(batch)


async def returns_of(ctx: RequestContext, number: str) -> list[ReturnView]:
    """The order's returns, oldest first (empty for an unknown order)."""
    return await ctx.loader("returns.by_order", lambda: _returns_loader(ctx)).load(number)


def _order_of_rma(systems: Systems, rma: str) -> str | None:
    number = systems.settings.shopify.order_number_of_rma(rma)
    if number is None and (found := _OMS_RMA.match(rma)):
        number = f"{systems.settings.shopify.order_prefix}{found.group(1)}"
    return number


async def return_by_rma(ctx: RequestContext, rma: str) -> ReturnView | None:
    """The return with RMA number ``rma``, through its order's returns (the order is named in the
    RMA number; ``POS-<refund id>``, a return only the till knows, through the refund's order;
    an RMA of another form is looked up in the ERP, which searches by RMA). A return Shopify
    alone knows (``SHOPIFY-<id>``, see :mod:`~subgraphs.domain.grouping`) is listed with its
    order but not found here."""
    number = _order_of_rma(ctx.systems, rma)
    if number is None and rma.startswith(_POS_NAME):
        pos = ctx.loader(
            "returns.pos_refunds", lambda: keyed_loader(ctx.systems.pos.order_numbers_of_refunds)
        )
        number = await pos.load(rma.removeprefix(_POS_NAME))
    elif number is None:
        erp = ctx.loader("returns.erp_by_rma", lambda: keyed_loader(ctx.systems.erp.returns_by_rma))
        record = await erp.load(rma)
        number = record.order_number if record is not None else None
    if number is None:
        return None
    return next((view for view in await returns_of(ctx, number) if view.rma_number == rma), None)


async def _orders_of(systems: Systems, customer_id: str) -> dict[str, set[str | None]]:
    """The customer's order numbers, each with the channels its records carry (a POS record without
    one: STORE, as the order merge reads it)."""
    sources: list[OrderSource] = [systems.oms, systems.erp, systems.pos]  # Shopify's are all in the OMS
    answers = await gather([s.orders_for_customer(customer_id, CUSTOMER_ORDER_SCAN) for s in sources])
    channels: dict[str, set[str | None]] = {}
    for found in answers:
        for record in found or ():
            channel = record.channel or ("STORE" if record.system == "POS" else None)
            channels.setdefault(record.number, set()).add(channel)
    return channels


def _customer_orders_loader(systems: Systems) -> DataLoader[str, dict[str, set[str | None]]]:
    async def batch(customer_ids: Sequence[str]) -> list[dict[str, set[str | None]]]:
        return list(await asyncio.gather(*(_orders_of(systems, c) for c in customer_ids)))

    return keyed_loader(batch)


async def customer_returns(ctx: RequestContext, customer_id: str, first: int) -> list[ReturnView]:
    """The customer's returns, newest first, at most ``first``: their orders (the newest
    :data:`CUSTOMER_ORDER_SCAN` of each system), then those orders' returns; every customer
    of a request at once (``returns.customer_orders``), so their returns are one batch.

    The orders come from the OMS (every order but store sales), the POS (store sales) and the
    ERP (every posted order); not from Shopify, whose online orders the OMS holds too and
    whose customer look-up is a metered scan (seconds, cold).
    """
    if first <= 0:
        return []
    orders = ctx.loader("returns.customer_orders", lambda: _customer_orders_loader(ctx.systems))
    channels = await orders.load(customer_id)
    _not_online(ctx).update(n for n, seen in channels.items() if seen - {None} and "ONLINE" not in seen)
    _not_store(ctx).update(n for n, seen in channels.items() if None not in seen and "STORE" not in seen)
    loader = ctx.loader("returns.by_order", lambda: _returns_loader(ctx))
    views = [view for found in await loader.load_many(list(channels)) for view in found]
    views.sort(key=lambda view: (view.created_at, view.rma_number or ""), reverse=True)
    return views[:first]

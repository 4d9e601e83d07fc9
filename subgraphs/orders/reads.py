"""Reading orders: every system's record by number, merged into one view, per request and batched.

Every system that may hold an order is asked, each through one per-request
dataloader over its ``orders_by_numbers``, so one GraphQL request costs one
call per system for all the orders it touches (the connectors split a batch
where their system needs it): the OMS, the POS and the ERP first, then
Shopify (the online store) for the orders they say are ONLINE or do not hold
at all; a store, clienteling or call-centre order is never in Shopify, and
Shopify's metered reads are the dearest of all (about 125 cost points an
order, out of a bucket of 1000 restored at 50 a second). Records are merged by
:func:`subgraphs.domain.orders.merge_order`; an order held by only some
systems (a store sale that never touched Shopify, an online order the ERP does
not have yet) merges from those. A system that fails is left out of the merge
when another system holds the order; when none answered with it, the first
system's error is raised (its ``code`` reaches the client). Likewise a record
whose status no domain table knows (``UnknownStatus``) is left out, and
logged as an error, when other systems hold the order; else it is raised.

Our own facts come in too, from one more per-request loader: the outbox's
posting state (POSTED with when and which sales order, FAILED with why) and
the gateway's events (ORDER_ACCEPTED, STOCK_RESERVED, POSTED_TO_ERP,
ERP_POSTING_FAILED), merged into the timeline by
:func:`subgraphs.domain.timeline.merge_timeline`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from aiodataloader import DataLoader

from resolvers.domain import OrderEventRecord, OrderRecord, System
from resolvers.errors import ConnectorError
from resolvers.kit.memo import IdentityMemo
from resolvers.ports import OrderSource
from subgraphs.common.app import RequestContext
from subgraphs.common.systems import Systems
from subgraphs.domain.enums import PostingStatus
from subgraphs.domain.errors import UnknownStatus
from subgraphs.domain.orders import OrderView, merge_order
from subgraphs.domain.timeline import merge_timeline
from subgraphs.orders.journal import gateway_events
from subgraphs.orders.numbers import is_ours
from subgraphs.orders.posting import PostingState, posting_states

__all__ = ["OrderDetail", "load_orders", "order_sources", "prime_records"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Failed:
    """A system's failure for a key (a DataLoader rejects keys whose value *is* an exception)."""

    error: ConnectorError


Found = OrderRecord | _Failed | None
_FIRST: tuple[System, ...] = ("OMS", "POS", "ERP")
"""Asked first; Shopify then only for the orders that may be online ones (its reads cost most)."""


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """One merged order and its whole timeline (every system's events and ours)."""

    view: OrderView
    timeline: tuple[OrderEventRecord, ...]


@dataclass(frozen=True, slots=True)
class _Ours:
    posting: PostingState | None
    events: tuple[OrderEventRecord, ...]


_NOT_OURS = _Ours(None, ())
"""An order we did not accept: no posting of ours, no journal."""


def order_sources(systems: Systems) -> dict[System, OrderSource]:
    """The systems that may hold an order, in the merge's precedence order."""
    return {"OMS": systems.oms, "SHOPIFY": systems.shopify, "POS": systems.pos, "ERP": systems.erp}


def _record_loader(ctx: RequestContext, system: System) -> DataLoader[str, Found]:
    source = order_sources(ctx.systems)[system]

    async def batch(numbers: list[str]) -> list[Found]:
        try:
            return list(await source.orders_by_numbers(numbers))
        except ConnectorError as error:
            return [_Failed(error)] * len(numbers)

    return ctx.loader(f"orders.records.{system}", lambda: DataLoader(batch))


def _ours_loader(ctx: RequestContext) -> DataLoader[str, _Ours]:
    systems = ctx.systems

    async def batch(numbers: list[str]) -> list[_Ours]:
        ours = [number for number in numbers if is_ours(number)]  # the legacy estate's have neither
        postings, events = await asyncio.gather(
            posting_states(systems, ours), gateway_events(systems.storage.idempotency, ours)
        )
        found = {number: _Ours(p, e) for number, p, e in zip(ours, postings, events, strict=True)}
        return [found.get(number, _NOT_OURS) for number in numbers]

    return ctx.loader("orders.ours", lambda: DataLoader(batch))


def prime_records(
    ctx: RequestContext, records: Sequence[OrderRecord], *, absent_from: Sequence[System] = ()
) -> None:
    """Give this request's loaders records already at hand (a customer's orders, a listing's, the
    ones just created), and tell them ``absent_from`` systems hold none of those orders: that saves
    calls. The POS (the tills) holds store sales alone, so an order these records place in another
    channel is not asked of it (the connector would rescan the till's orders to look for it)."""
    for record in records:
        _record_loader(ctx, record.system).prime(record.number, record)
        for system in absent_from:
            _record_loader(ctx, system).prime(record.number, None)
    channels: dict[str, set[str | None]] = {}
    for record in records:
        channels.setdefault(record.number, set()).add("STORE" if record.system == "POS" else record.channel)
    pos = _record_loader(ctx, "POS")
    for number, seen in channels.items():
        if None not in seen and "STORE" not in seen:
            pos.prime(number, None)


def _our_events(ours: _Ours) -> tuple[OrderEventRecord, ...]:
    posting = ours.posting
    if posting is None or posting.at is None:
        return ours.events
    if posting.status is PostingStatus.POSTED:
        extra = OrderEventRecord(posting.at, "GATEWAY", "POSTED_TO_ERP", f"Sales order {posting.detail}")
    else:
        extra = OrderEventRecord(posting.at, "GATEWAY", "ERP_POSTING_FAILED", posting.detail)
    return (*ours.events, extra)


_MERGED: IdentityMemo[OrderView] = IdentityMemo()
"""Views merged from the very same records (the connectors hand out the same record for an
unchanged cached answer), so an order read again from warm caches is not merged again."""


def _merged(records: list[OrderRecord], posting: PostingStatus | None) -> OrderView:
    return _MERGED.get(tuple(records), posting, lambda: merge_order(records, posting=posting))


def _merge(number: str, found: Sequence[Found], ours: _Ours) -> OrderDetail | None:
    records = [item for item in found if isinstance(item, OrderRecord) and item.number == number]
    if not records:
        failed = next((item for item in found if isinstance(item, _Failed)), None)
        if failed is not None:
            raise failed.error
        return None
    posting = ours.posting.status if ours.posting else None
    while True:
        try:
            view = _merged(records, posting)
            break
        except UnknownStatus as error:
            rest = [record for record in records if record.system != error.system]
            if not rest or len(rest) == len(records):
                raise
            _log.error("order %s: %s; merged without the %s record", number, error, error.system)
            records = rest
    return OrderDetail(view, tuple(merge_timeline(view.timeline, _our_events(ours))))


def _maybe_online(found: Sequence[Found]) -> bool:
    """Whether Shopify (the online store) may hold the order: it is ONLINE, or no one says otherwise."""
    records = [item for item in found if isinstance(item, OrderRecord)]
    channels = {record.channel for record in records if record.channel}
    if any(record.system == "POS" for record in records):
        channels.add("STORE")
    return not channels or "ONLINE" in channels


async def load_orders(ctx: RequestContext, numbers: Sequence[str]) -> list[OrderDetail | None]:
    """The merged orders in the order of ``numbers``; None where no system holds one."""
    if not numbers:
        return []
    wanted = list(numbers)
    first, ours = await asyncio.gather(
        asyncio.gather(*(_record_loader(ctx, system).load_many(wanted) for system in _FIRST)),
        _ours_loader(ctx).load_many(wanted),
    )
    found: list[list[Found]] = [[system_found[i] for system_found in first] for i in range(len(wanted))]
    online = [i for i, items in enumerate(found) if _maybe_online(items)]
    shopify = await _record_loader(ctx, "SHOPIFY").load_many([wanted[i] for i in online])
    for i, record in zip(online, shopify, strict=True):
        found[i].insert(1, record)
    return [_merge(number, found[i], ours[i]) for i, number in enumerate(wanted)]

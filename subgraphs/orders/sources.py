"""Order listings, newest first, over the two systems that list orders: the OMS and the POS.

Neither connector offers a listing, so these are small adapters over the
connectors' public parts (their settings, the kit, the location directory,
their wire models): the OMS holds every order it fulfils (ONLINE,
CLIENTELING, CALL_CENTER, and any we accepted), listed by ``GET /orders``
newest first (``orderDate_thru`` to start below a cursor); the POS holds the
store sales, listed by Square's ``SearchOrders`` sorted by ``created_at``
descending, ten stores a query (Square's limit): one listing per ten stores,
merged with the others by :mod:`subgraphs.orders.streams`. A listing answers :class:`Position` s (when,
which number); the orders themselves are merged by number like any other
(:mod:`subgraphs.orders.reads`), but what a listing already read of an order
(the OMS's order with its items and status history, Square's whole order) is
handed over as that system's record (:meth:`Listing.records`), so it is not
read again: an OMS order then costs its shipments call alone, if it has any.
Listing pages are cached like the orders they list (``orders_listing``: 2 s
fresh, stale if the system fails; our own order writes drop the OMS's pages).

Both systems break ties of one instant by their own ids, not by our numbers,
so a page that stops inside an instant drops that instant's rows (unless the
system had no more), and the next page starts at it again: every order is
listed once, in (time, number) order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from resolvers.domain import OrderRecord, System
from resolvers.kit.upstream import UpstreamHttp
from resolvers.oms import wire as oms_wire
from resolvers.oms.bodies import CHANNEL_ENUMS
from resolvers.oms.exchange import OmsHttp
from resolvers.pos.api import model_codec, with_cursor
from resolvers.pos.wire_orders import OrdersAnswer, SquareOrder
from subgraphs.common.systems import Systems
from subgraphs.domain.enums import Channel, OrderStatus
from subgraphs.domain.status import listed_words

__all__ = ["Listing", "OmsListing", "PosListing", "Position", "listings"]

_OMS_PAGE_SIZE = 250
_STORES_PER_SEARCH = 10
_OMS_PAGE = oms_wire.model_codec(oms_wire.OrderPage)
_POS_PAGE = model_codec(OrdersAnswer)


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """Where an order sits in the newest-first listing: by placement time, then number."""

    at: datetime
    number: str


@dataclass(frozen=True, slots=True)
class Slice:
    positions: list[Position]
    """Below the cursor, newest first."""
    exhausted: bool
    """True when the system has nothing below the last position."""


class Listing(Protocol):
    async def below(self, before: Position | None, want: int) -> Slice:
        """At least ``want`` positions below ``before`` (newest first), or all that are left."""
        ...

    async def records(self, numbers: Sequence[str]) -> list[OrderRecord]:
        """This system's records of those of ``numbers`` it listed, from what the listing read."""
        ...


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _settle(rows: list[Position], before: Position | None, exhausted: bool) -> Slice:
    """Rows below ``before``, sorted; without the last instant's rows unless the system is exhausted."""
    below = sorted({p for p in rows if before is None or p < before}, reverse=True)
    if not exhausted and below:
        last = below[-1].at
        whole = [p for p in below if p.at != last]
        if whole:
            return Slice(whole, False)
    return Slice(below, exhausted)


class OmsListing:
    """The OMS's orders (``GET /orders``), optionally of one channel."""

    def __init__(self, systems: Systems, channel: Channel | None, words: frozenset[str] | None) -> None:
        self._kit = systems.kit
        self._oms = systems.oms
        self._http = OmsHttp(systems.oms.settings)
        self._channel = CHANNEL_ENUMS.get(str(channel)) if channel is not None else None
        self._words = words
        self._listed: dict[str, oms_wire.Order] = {}

    async def records(self, numbers: Sequence[str]) -> list[OrderRecord]:
        heads = [head for number in numbers if (head := self._listed.get(number)) is not None]
        return await self._oms.records_of(heads) if heads else []

    async def below(self, before: Position | None, want: int) -> Slice:
        size = min(_OMS_PAGE_SIZE, max(want + 1, 20))
        params: dict[str, str | int] = {"pageSize": size}
        if self._channel:
            params["salesChannelEnumId"] = self._channel
        if self._words is not None:
            params["statusId"] = ",".join(sorted(self._words))
        if before is not None:  # orderDate_thru excludes: a second later keeps the cursor's instant
            params["orderDate_thru"] = (before.at + timedelta(seconds=1)).isoformat()
        rows: list[Position] = []
        for index in range(50):
            query = {**params, "pageIndex": index}

            async def fetch(http: UpstreamHttp, query: dict[str, str | int] = query) -> oms_wire.OrderPage:
                return await self._http.call(http, "GET", "/orders", oms_wire.OrderPage, params=query)

            read = await self._kit.read("oms", "orders_listing", fetch, cache_key=query, codec=_OMS_PAGE)
            page = read.value
            rows += [Position(_aware(o.orderDate), o.orderName) for o in page.orders if o.orderName]
            self._listed.update((o.orderName, o) for o in page.orders if o.orderName)
            exhausted = len(page.orders) < size
            settled = _settle(rows, before, exhausted)
            if exhausted or len(settled.positions) >= want:
                return settled
        return _settle(rows, before, False)


class PosListing:
    """The sales of up to ten stores in the POS (one Square ``SearchOrders`` query)."""

    def __init__(self, systems: Systems, stores: Sequence[str], words: frozenset[str] | None) -> None:
        self._systems = systems
        self._stores = list(stores)
        self._words = words
        self._listed: dict[str, SquareOrder] = {}

    async def records(self, numbers: Sequence[str]) -> list[OrderRecord]:
        orders = [(order, False) for number in numbers if (order := self._listed.get(number)) is not None]
        return await self._systems.pos.orders.records(orders) if orders else []

    async def below(self, before: Position | None, want: int) -> Slice:
        pos = self._systems.pos
        query: dict[str, Any] = {"sort": {"sort_field": "CREATED_AT", "sort_order": "DESC"}}
        where: dict[str, Any] = {}
        if before is not None:  # end_at excludes: a millisecond later keeps the cursor's instant
            end = (before.at + timedelta(milliseconds=1)).astimezone(UTC).isoformat()
            where["date_time_filter"] = {"created_at": {"end_at": end}}
        if self._words is not None:
            where["state_filter"] = {"states": sorted(self._words)}
        if where:
            query["filter"] = where
        body = {"location_ids": self._stores, "query": query, "limit": min(1000, max(want + 1, 20))}
        orders: list[SquareOrder] = []
        cursor: str | None = None
        while True:
            asked = with_cursor(body, cursor)

            async def fetch(http: UpstreamHttp, asked: dict[str, Any] = asked) -> OrdersAnswer:
                return await pos.api.post(http, "/orders/search", asked, OrdersAnswer)

            kit = self._systems.kit
            page = (await kit.read("pos", "orders_listing", fetch, cache_key=asked, codec=_POS_PAGE)).value
            orders += page.orders
            cursor = page.cursor
            rows = [Position(_aware(o.created_at), o.reference_id) for o in orders if o.reference_id]
            settled = _settle(rows, before, cursor is None)
            if cursor is None or len(settled.positions) >= want:
                pos.orders.index.learn(orders)  # the connector finds these by number without a scan
                self._listed.update((o.reference_id, o) for o in orders if o.reference_id)
                return settled


async def listings(systems: Systems, channel: Channel | None, status: OrderStatus | None) -> list[Listing]:
    """The listings for ``channel`` (None: every channel): the OMS's, and the POS's per ten stores;
    each asks its system only for the order words an order of ``status`` can carry there
    (:func:`subgraphs.domain.status.listed_words`), when that narrows it."""
    found: list[Listing] = [OmsListing(systems, channel, _words("OMS", status))]
    if channel is None or channel is Channel.STORE:
        stores = sorted(set((await systems.pos.directory.map()).system_ids("POS").values()))
        words = _words("POS", status)
        for start in range(0, len(stores), _STORES_PER_SEARCH):
            found.append(PosListing(systems, stores[start : start + _STORES_PER_SEARCH], words))
    return found


def _words(system: System, status: OrderStatus | None) -> frozenset[str] | None:
    return listed_words(system, status) if status is not None else None

"""Orders in the POS: by our number, by customer, and creating one idempotently.

- ``orders_by_numbers``: number -> Square id through the :class:`OrderIndex`
  (a scan of the stores' orders on a miss), then ``POST /v2/orders/batch-retrieve``
  (100 ids a request; operation ``orders_by_ids``, cached a few seconds).
  Orders the miss's scan just read are used as read, without a second request.
- ``orders_for_customer``: our id -> the customer's Square ids
  (:class:`~resolvers.pos.customers.PosCustomers`), then ``POST /v2/orders/search``
  with ``customer_filter``, newest first, ``limit = first``, one request per ten
  stores (Square's bound), merged (operation ``orders_for_customer``).
- ``create_order``: ``POST /v2/orders`` at the draft's store (its pickup store,
  else its first line's location) with ``idempotency_key = draft.idempotency_key``
  and ``reference_id = draft.number``. Square replays the first answer for a
  repeated key and body, so the kit may retry it after a timeout
  (``idempotent=True``) without creating a second order. The body is built
  deterministically from the draft, so a retry sends the same fingerprint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from resolvers.directory import LocationDirectory
from resolvers.domain import OrderDraft, OrderRecord
from resolvers.errors import UpstreamRejected, UpstreamRequestInvalid
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.pos.api import SquareApi, model_codec, with_cursor
from resolvers.pos.catalog import CatalogIds
from resolvers.pos.customers import PosCustomers
from resolvers.pos.mapping import minor_units
from resolvers.pos.mapping_orders import line_uid, order_record
from resolvers.pos.order_index import OrderIndex
from resolvers.pos.settings import PosSettings
from resolvers.pos.wire import SquareCustomer
from resolvers.pos.wire_orders import OrderAnswer, OrdersAnswer, SquareOrder

__all__ = ["PosOrders"]

_LOCATIONS_PER_SEARCH = 10
_IDS_PER_RETRIEVE = 100
_PAGE = 1000
_ORDERS = model_codec(OrdersAnswer)


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PosOrders:
    """The order ports of the POS connector (see the module docstring)."""

    def __init__(
        self,
        kit: ConnectorKit,
        api: SquareApi,
        settings: PosSettings,
        *,
        directory: LocationDirectory,
        catalog: CatalogIds,
        customers: PosCustomers,
    ) -> None:
        self._kit = kit
        self._api = api
        self._settings = settings
        self._directory = directory
        self._catalog = catalog
        self._customers = customers
        self.index = OrderIndex()
        self._scan_lock = asyncio.Lock()

    # ------------------------------------------------------------ reads

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        found = await self.square_orders(numbers)
        records = await self.records(list(found.values()))
        by_number = dict(zip(found, records, strict=True))
        return [by_number.get(number) for number in numbers]

    async def square_orders(self, numbers: Sequence[str]) -> dict[str, tuple[SquareOrder, bool]]:
        """Our number -> (the Square order, whether it is a stale copy), for the numbers Square holds."""
        wanted = list(dict.fromkeys(numbers))
        just_read: dict[str, SquareOrder] = {}
        if any(self.index.get(number) is None for number in wanted):
            just_read = await self._rescan(set(wanted))
        ids = {n: sid for n in wanted if n not in just_read and (sid := self.index.get(n)) is not None}
        found: dict[str, tuple[SquareOrder, bool]] = {n: (order, False) for n, order in just_read.items()}
        fetched = await self.batch_retrieve(list(ids.values()))
        for number, square_id in ids.items():
            got = fetched.get(square_id)
            if got is not None and got[0].reference_id == number:
                found[number] = got
            else:  # gone, or renumbered at the till: the next miss rescans
                self.index.forget(number)
        return found

    async def orders_for_customer(self, customer_id: str, first: int) -> list[OrderRecord]:
        if first <= 0:
            return []
        profiles = await self._customers.profiles(customer_id)
        if not profiles:
            return []
        square_ids = [profile.id for profile in profiles][:_LOCATIONS_PER_SEARCH]
        body = {
            "query": {
                "filter": {"customer_filter": {"customer_ids": square_ids}},
                "sort": {"sort_field": "CREATED_AT", "sort_order": "DESC"},
            },
            "limit": min(first, _PAGE),
        }
        chunks = await self._store_chunks()
        answers = await asyncio.gather(
            *(self._search("orders_for_customer", {"location_ids": c, **body}, first) for c in chunks)
        )
        merged = [order for answer in answers for order in answer[0]]
        merged.sort(key=lambda order: (order.created_at, order.id), reverse=True)
        stale = any(answer[1] for answer in answers)
        newest = merged[:first]
        self.index.learn(newest)
        return await self.records([(order, stale) for order in newest], profiles)

    # ------------------------------------------------------------ write

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        body = await self._create_body(draft)
        profiles = await self._customers.profiles(draft.customer_id) if draft.customer_id else []
        if profiles:
            body["order"]["customer_id"] = profiles[0].id

        async def send(http: UpstreamHttp) -> OrderAnswer:
            return await self._api.post(http, "/orders", body, OrderAnswer)

        result = await self._kit.write("pos", "create_order", send, idempotent=True)
        order = result.value.order
        self.index.learn([order])
        return (await self.records([(order, False)], profiles))[0]

    async def _create_body(self, draft: OrderDraft) -> dict[str, Any]:
        store = draft.pickup_location_id if draft.fulfilment_type == "PICKUP" else None
        store = store or (draft.lines[0].location_id if draft.lines else None)
        square_location = (await self._directory.map()).system_id("POS", store) if store else None
        if square_location is None:
            raise UpstreamRequestInvalid(
                f"order {draft.number}: location {store!r} is not a POS store",
                system="pos",
                operation="create_order",
            )
        variations = await self._catalog.variation_ids([line.sku for line in draft.lines])
        unknown = sorted({line.sku for line in draft.lines if line.sku not in variations})
        if unknown:
            raise UpstreamRejected(
                f"order {draft.number}: SKUs not in the POS catalog: {', '.join(unknown)}",
                system="pos",
                operation="create_order",
            )
        lines = [
            {
                "uid": line_uid(line.line_no),
                "catalog_object_id": variations[line.sku],
                "quantity": str(line.quantity),
                "base_price_money": {
                    "amount": minor_units(line.unit_price),
                    "currency": line.unit_price.currency,
                },
            }
            for line in sorted(draft.lines, key=lambda line: line.line_no)
        ]
        order: dict[str, Any] = {
            "location_id": square_location,
            "reference_id": draft.number,
            "source": {"name": self._settings.source_name},
            "line_items": lines,
        }
        return {"idempotency_key": draft.idempotency_key, "order": order}

    # ------------------------------------------------------------ exchanges

    async def _store_chunks(self) -> list[list[str]]:
        stores = sorted(set((await self._directory.map()).system_ids("POS").values()))
        return _chunks(stores, _LOCATIONS_PER_SEARCH)

    async def _search(
        self, operation: str, body: dict[str, Any], want: int | None
    ) -> tuple[list[SquareOrder], bool]:
        """Pages of ``SearchOrders`` until ``want`` orders (None: all); cached if ``operation`` is."""

        async def fetch(http: UpstreamHttp) -> OrdersAnswer:
            orders: list[SquareOrder] = []
            cursor: str | None = None
            while True:
                page = await self._api.post(http, "/orders/search", with_cursor(body, cursor), OrdersAnswer)
                orders.extend(page.orders)
                cursor = page.cursor
                if not cursor or (want is not None and len(orders) >= want):
                    return OrdersAnswer(orders=orders)

        result = await self._kit.read("pos", operation, fetch, cache_key=body, codec=_ORDERS)
        return result.value.orders, result.stale

    async def _rescan(self, wanted: set[str]) -> dict[str, SquareOrder]:
        """Scan the orders changed since the last scan (all, the first time); the wanted ones read."""
        async with self._scan_lock:
            if not self.index.due(self._settings.order_index_refresh):
                return {}
            since = self.index.scan_from(self._settings.order_index_overlap)
            query: dict[str, Any] = {"sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"}}
            if since is not None:
                query["filter"] = {"date_time_filter": {"updated_at": {"start_at": _rfc3339(since)}}}
            chunks = await self._store_chunks()
            answers = await asyncio.gather(
                *(
                    self._search("orders_search", {"location_ids": c, "query": query, "limit": _PAGE}, None)
                    for c in chunks
                )
            )
            orders = [order for answer in answers for order in answer[0]]
            self.index.scanned(orders)
        return {
            o.reference_id: o
            for o in orders
            if o.reference_id in wanted and self.index.get(o.reference_id) == o.id
        }

    async def batch_retrieve(self, square_ids: list[str]) -> dict[str, tuple[SquareOrder, bool]]:
        async def one(chunk: list[str]) -> tuple[list[SquareOrder], bool]:
            async def fetch(http: UpstreamHttp) -> OrdersAnswer:
                return await self._api.post(
                    http, "/orders/batch-retrieve", {"order_ids": chunk}, OrdersAnswer
                )

            result = await self._kit.read(
                "pos", "orders_by_ids", fetch, cache_key=sorted(chunk), codec=_ORDERS
            )
            return result.value.orders, result.stale

        answers = await asyncio.gather(*(one(c) for c in _chunks(sorted(set(square_ids)), _IDS_PER_RETRIEVE)))
        return {order.id: (order, stale) for orders, stale in answers for order in orders}

    async def records(
        self, orders: list[tuple[SquareOrder, bool]], known: Iterable[SquareCustomer] = ()
    ) -> list[OrderRecord]:
        """Canonical records, with SKUs, our location ids and our customer ids resolved in batches."""
        profiles = {profile.id: profile for profile in known}
        variation_ids = {
            line.catalog_object_id
            for order, _ in orders
            for line in order.line_items
            if line.catalog_object_id
        }
        unknown = {order.customer_id for order, _ in orders if order.customer_id} - set(profiles)
        skus, found, location_map = await asyncio.gather(
            self._catalog.skus(variation_ids),
            self._customers.by_square_ids(unknown),
            self._directory.map(),
        )
        profiles.update(found)
        square_locations = {order.location_id for order, _ in orders} | {
            f.location_id for order, _ in orders for f in order.fulfillments if f.location_id
        }
        locations = {
            sq: our for sq in square_locations if (our := location_map.location_id("POS", sq)) is not None
        }
        return [
            order_record(
                order,
                skus=skus,
                locations=locations,
                customer=profiles.get(order.customer_id or ""),
                stale=stale,
            )
            for order, stale in orders
        ]

"""Orders and shipments: reads by number and by customer, creation, status changes.

Reads. ``GET /orders`` filters by **one** ``orderName`` per call (no list
filter), so :meth:`OmsOrders.orders_by_numbers` makes one call per distinct
number, ``settings.concurrency`` at a time, each cached for seconds. The
listing embeds items, ship groups, the status history and payment
preferences, but only a summary of shipments (id, status); their carrier,
tracking, lines and times come from ``GET /orders/{id}/shipments``, asked
only for orders that have shipments. :meth:`orders_for_customer` is one
listing by ``customerPartyId`` (newest first, as the OMS sorts), paged up to
``first``, plus the shipments call per order that has any.

Writes, and why each is safe to retry (the kit retries timeouts and 5xx-free
transport failures of writes marked idempotent):

- ``create_order``: ``orderName`` is our order number and the OMS refuses a
  second order with it (409 ``ORDER_EXISTS`` naming the existing orderId);
  the connector answers that refusal with the existing order, so a retry
  after a timeout that landed, the kit's or the caller's, still leaves one order.
  (An existing order with other lines is not ours: that is an ``UpstreamConflict``.)
- ``set_order_status`` / ``set_shipment_status``: setting the status an
  entity already has is a no-op that succeeds (OFBiz's changeOrderStatus);
  an invalid change is a 409 ``INVALID_STATUS_TRANSITION`` -> ``UpstreamConflict``.

After each write the cached answers it changed are dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from resolvers.domain import OrderDraft, OrderRecord, ShipmentRecord
from resolvers.errors import UpstreamConflict
from resolvers.kit.memo import IdentityMemo
from resolvers.kit.upstream import UpstreamHttp
from resolvers.oms import mapping, wire
from resolvers.oms.bodies import order_body
from resolvers.oms.context import OmsContext
from resolvers.oms.exchange import error_for, existing_id, parse
from resolvers.oms.settings import SYSTEM

__all__ = ["OmsOrders"]

_ORDER_PAGE = wire.model_codec(wire.OrderPage)
_SHIPMENTS = wire.model_codec(wire.ShipmentList)
_NO_SHIPMENTS: tuple[wire.Shipment, ...] = ()


def _same_lines(head: wire.Order, draft: OrderDraft) -> bool:
    """Whether an order found under the draft's number is the draft's (a landed earlier attempt)."""
    theirs = sorted((item.productId, item.quantity) for item in head.items)
    return theirs == sorted((line.sku, line.quantity) for line in draft.lines)


class OmsOrders:
    """The :class:`~resolvers.ports.OrderSource` and :class:`~resolvers.ports.OrderSink` of the OMS."""

    def __init__(self, ctx: OmsContext) -> None:
        self._ctx = ctx
        self._mapped: IdentityMemo[OrderRecord] = IdentityMemo()

    # ------------------------------------------------------------ reads

    async def head(self, number: str) -> tuple[wire.Order | None, bool]:
        """The order named ``number`` as the listing shows it (None if the OMS has none), and if stale."""
        ctx = self._ctx

        async def fetch(http: UpstreamHttp) -> wire.OrderPage:
            params: dict[str, str | int] = {"orderName": number, "pageSize": 1}
            return await ctx.oms.call(http, "GET", "/orders", wire.OrderPage, params=params)

        result = await ctx.read("orders_by_number", fetch, cache_key=number, codec=_ORDER_PAGE)
        found = next((o for o in result.value.orders if o.orderName == number), None)
        if found is not None:
            ctx.remember_order(found.orderId, found.orderName)
        return found, result.stale

    async def _shipments(self, head: wire.Order) -> tuple[Sequence[wire.Shipment], bool]:
        if not head.shipments:
            return _NO_SHIPMENTS, False
        ctx = self._ctx
        order_id = head.orderId

        async def fetch(http: UpstreamHttp) -> wire.ShipmentList:
            return await ctx.oms.call(http, "GET", f"/orders/{order_id}/shipments", wire.ShipmentList)

        result = await ctx.read("order_shipments", fetch, cache_key=order_id, codec=_SHIPMENTS)
        return result.value.shipments, result.stale

    async def record(self, head: wire.Order, *, stale: bool = False) -> OrderRecord:
        """The canonical order, its shipments read (only when it has any)."""
        self._ctx.remember_order(head.orderId, head.orderName)
        shipments, shipments_stale = await self._shipments(head)
        stale = stale or shipments_stale
        # mapped once per answer: the cache hands out the same head and shipments while unchanged
        return self._mapped.get((head, shipments), stale, lambda: mapping.order(head, shipments, stale=stale))

    async def _by_number(self, number: str) -> OrderRecord | None:
        head, stale = await self.head(number)
        return None if head is None else await self.record(head, stale=stale)

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        unique = list(dict.fromkeys(numbers))
        found = dict(zip(unique, await self._ctx.each(unique, self._by_number), strict=True))
        return [found[number] for number in numbers]

    async def orders_for_customer(self, customer_id: str, first: int) -> list[OrderRecord]:
        if first <= 0:
            return []
        ctx = self._ctx
        size = min(first, ctx.settings.page_size)

        async def fetch(http: UpstreamHttp) -> wire.OrderPage:
            orders: list[wire.Order] = []
            for index in itertools.count():
                params: dict[str, str | int] = {
                    "customerPartyId": customer_id,
                    "pageIndex": index,
                    "pageSize": size,
                }
                page = await ctx.oms.call(http, "GET", "/orders", wire.OrderPage, params=params)
                orders.extend(page.orders)
                if len(page.orders) < size or len(orders) >= min(first, page.ordersCount):
                    return wire.OrderPage(orders=orders[:first], ordersCount=page.ordersCount)
            raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends

        key = {"customer": customer_id, "first": first}
        result = await ctx.read("orders_for_customer", fetch, cache_key=key, codec=_ORDER_PAGE)
        heads = result.value.orders
        return await ctx.each(heads, lambda head: self.record(head, stale=result.stale))

    async def _by_id(self, order_id: str) -> wire.Order:
        ctx = self._ctx

        async def fetch(http: UpstreamHttp) -> wire.Order:
            return await ctx.oms.call(http, "GET", f"/orders/{order_id}", wire.Order)

        return (await ctx.read("order", fetch)).value

    async def order_id(self, number_or_id: str) -> str:
        """The orderId for an order number (looked up once, then memoised) or an orderId."""
        known = self._ctx.order_ids.get(number_or_id)
        if known is not None:
            return known
        if self._ctx.order_names.get(number_or_id) is not None:
            return number_or_id
        head, _ = await self.head(number_or_id)
        return head.orderId if head is not None else number_or_id

    async def forget(self, order_id: str, number: str | None = None) -> None:
        """Drop the cached reads of one order (after a write of ours changed it), and the cached
        pages of the orders listing (``orders_listing``: ``GET /orders`` pages, read by the orders
        subgraph's listing), which show it."""
        name = number or self._ctx.order_names.get(order_id)
        if name:
            await self._ctx.forget("orders_by_number", name)
        await self._ctx.forget("order_shipments", order_id)
        await self._ctx.forget_all("orders_listing")

    # ------------------------------------------------------------ writes

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        ctx = self._ctx
        body = order_body(draft)

        async def send(http: UpstreamHttp) -> wire.Order | str:
            response = await ctx.oms.send(http, "POST", "/orders", json=body)
            existing = existing_id(http, response, "ORDER_EXISTS", "orderId")
            if existing is not None:
                return existing
            if not response.ok:
                raise error_for(http, response)
            return parse(http, response, wire.Order)

        # Idempotent by orderName: a repeat is ORDER_EXISTS, answered with the order already made.
        created = await ctx.write("create_order", send, idempotent=True)
        head = created if isinstance(created, wire.Order) else await self._by_id(created)
        if not isinstance(created, wire.Order) and not _same_lines(head, draft):
            raise UpstreamConflict(
                f"order number {draft.number} is taken by {head.orderId}, an order with other lines",
                system=SYSTEM,
                operation="create_order",
                status=409,
                upstream_code="ORDER_EXISTS",
            )
        await self.forget(head.orderId, draft.number)
        return await self.record(head)

    async def set_order_status(
        self, number_or_id: str, status_id: str, *, reason: str | None = None
    ) -> OrderRecord:
        ctx = self._ctx
        order_id = await self.order_id(number_or_id)
        body = {"statusId": status_id} | ({"reason": reason} if reason else {})

        async def send(http: UpstreamHttp) -> wire.Order:
            return await ctx.oms.call(http, "POST", f"/orders/{order_id}/status", wire.Order, json=body)

        # Idempotent: setting the status the order already has changes nothing.
        head = await ctx.write("set_order_status", send, idempotent=True)
        await self.forget(head.orderId, head.orderName)
        return await self.record(head)

    async def set_shipment_status(
        self,
        shipment_id: str,
        status_id: str,
        *,
        tracking_number: str | None = None,
        carrier: str | None = None,
    ) -> ShipmentRecord:
        """Move a shipment (``SHIPMENT_PACKED``, ``SHIPMENT_SHIPPED``, ...); ``carrier``: an OMS party id."""
        ctx = self._ctx
        body: dict[str, str] = {"statusId": status_id}
        if tracking_number is not None:
            body["trackingIdNumber"] = tracking_number
        if carrier is not None:
            body["carrierPartyId"] = carrier

        async def send(http: UpstreamHttp) -> wire.Shipment:
            path = f"/shipments/{shipment_id}/status"
            return await ctx.oms.call(http, "POST", path, wire.Shipment, json=body)

        # Idempotent: the same status again changes nothing (tracking and carrier are set again).
        shipment = await ctx.write("set_shipment_status", send, idempotent=True)
        if shipment.primaryOrderId:
            await self.forget(shipment.primaryOrderId)
        return mapping.shipment(shipment)

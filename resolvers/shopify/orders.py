"""Orders over Shopify: by our number, by customer, and created with ``@idempotent``.

- ``orders_by_numbers``: ``orders(query: "name:\\"R100001\\" OR name:\\"R100002\\"")``
  (our number is the order's ``name``), cached per number
  (``orders_by_number``); up to 8 orders per request at the default page sizes
  (123 points each: lines, fulfillments and their lines), more in concurrent requests;
- ``orders_for_customer``: the names of ``customer_id:<Shopify id>`` (the
  caller's, e.g. from the customer's ``externalRefs``, else through the id
  index; none when the caller knows Shopify lacks the customer) OR
  ``tag:"customer:C000001"`` (orders we created for a customer Shopify does
  not know), newest first, cached per (customer, first), then those orders
  through ``orders_by_numbers``: the names cost 1
  point an order where whole orders are priced at 123 (an order's price is
  for every line and fulfillment it may have; a customer's ten, 1232 points,
  would not even fit the bucket of 1000), and each order is read once for
  every view of it;
- ``create_order``: ``orderCreate`` with ``@idempotent(key: draft.idempotency_key)``
  and ``name`` = our number, through ``kit.write(idempotent=True)``: a retry
  after a timeout that landed replays Shopify's first result instead of
  creating a second order (the variables are built once, so every retry sends
  the same parameters, as the key requires). Our channel, customer id and
  pickup location travel in tags (:func:`~resolvers.shopify.mapping_orders.order_input`);
  the order is ``PAID`` when the draft carries a payment reference (the
  gateway took the payment), the customer associated when Shopify knows them.
  Afterwards the order's cache entry is evicted (it may hold "absent").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from resolvers.directory import LocationDirectory, LocationMap
from resolvers.domain import OrderDraft, OrderRecord, System
from resolvers.errors import UpstreamBadResponse
from resolvers.kit.call import ConnectorKit
from resolvers.kit.memo import IdentityMemo
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.batches import read_batches
from resolvers.shopify.cost import largest_batch, requested_cost
from resolvers.shopify.documents import CREATE_ORDER, ORDER_NAMES, ORDERS
from resolvers.shopify.exchange import ShopifyGraphQL, parse
from resolvers.shopify.ids import IdIndex
from resolvers.shopify.mapping import metafield_value
from resolvers.shopify.mapping_orders import order_input, to_order
from resolvers.shopify.search import any_of, gid, quoted
from resolvers.shopify.settings import SYSTEM, ShopifySettings
from resolvers.shopify.wire_orders import OrderNode

__all__ = ["ShopifyOrders"]

_SHOPIFY_ID = re.compile(r"[0-9]{1,20}")
"""A Shopify numeric id as a caller may pass it (anything else never reaches a search)."""

_MAX_PAGE = 250
_INVENTORY = {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"}


class ShopifyOrders:
    """:class:`~resolvers.ports.OrderSource` and :class:`~resolvers.ports.OrderSink` (module docstring)."""

    system: System = "SHOPIFY"

    def __init__(
        self,
        kit: ConnectorKit,
        graphql: ShopifyGraphQL,
        settings: ShopifySettings,
        directory: LocationDirectory,
        customers: IdIndex,
    ) -> None:
        self._kit = kit
        self._graphql = graphql
        self._directory = directory
        self._customers = customers
        self._mapped: IdentityMemo[OrderRecord] = IdentityMemo()
        self._sizes = {"lines": settings.order_lines, "fulfillments": settings.order_fulfillments}
        self.most = largest_batch(
            lambda n: requested_cost(ORDERS, {"n": n, **self._sizes}), settings.max_query_cost, _MAX_PAGE
        )
        """Orders one request can carry under the cost limit."""

    def _variables(self, query: str, n: int) -> dict[str, Any]:
        return {"q": query, "n": n, "reverse": False, **self._sizes}

    def _record(
        self, raw: Any, locations: LocationMap, operation: str, *, stale: bool = False
    ) -> OrderRecord:
        """Our record of a Shopify order, mapped once per answer (the cache hands out the same ``raw``
        again while its entry is unchanged; a new directory map maps it again)."""

        def location_of(shopify_id: str) -> str | None:
            return locations.location_id("SHOPIFY", shopify_id)

        def mapped() -> OrderRecord:
            node = parse(OrderNode, raw, operation=operation)
            if (customer := node.customer) is not None:
                self._customers.learn(metafield_value(customer.metafield), customer.legacyResourceId)
            return to_order(node, location_of, stale=stale)

        return self._mapped.get((raw, locations), stale, mapped)

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        async def fetch(http: UpstreamHttp, missing: list[str]) -> dict[str, Any]:
            variables = self._variables(any_of("name", missing, operation="orders_by_number"), len(missing))
            wanted = set(missing)
            return {
                raw["name"]: raw
                for raw in _nodes(await self._graphql.query(http, ORDERS, variables))
                if raw.get("name") in wanted
            }

        batch = await read_batches(
            self._kit,
            "orders_by_number",
            numbers,
            most=self.most,
            fetch=fetch,
            cost=lambda n: requested_cost(ORDERS, self._variables("", n)),
            refunded=True,
        )
        locations = await self._directory.map()
        found = {
            number: self._record(raw, locations, "orders_by_number", stale=number in batch.stale_keys)
            for number, raw in batch.values.items()
        }
        return [found.get(number) for number in numbers]

    async def orders_for_customer(
        self, customer_id: str, first: int, *, shopify_id: str | None = None, look_up: bool = True
    ) -> list[OrderRecord]:
        """``shopify_id``: Shopify's id of the customer when the caller knows it; without one, the id
        index's, unless not ``look_up`` (the caller knows Shopify does not hold the customer)."""
        if first <= 0:
            return []
        terms = [f"tag:{quoted('customer:' + customer_id, operation='orders_for_customer')}"]
        if shopify_id is not None and not _SHOPIFY_ID.fullmatch(shopify_id):
            shopify_id, look_up = None, True
        if shopify_id is None and look_up:
            shopify_id = (await self._customers.resolve([customer_id])).get(customer_id)
        if shopify_id is not None:
            terms.insert(0, f"customer_id:{shopify_id}")
        variables = {"q": " OR ".join(terms), "n": min(first, _MAX_PAGE)}

        async def fetch(http: UpstreamHttp) -> list[str]:
            nodes = _nodes(await self._graphql.query(http, ORDER_NAMES, variables))
            return [name for node in nodes if isinstance(name := node.get("name"), str)]

        result = await self._kit.read(
            SYSTEM,
            "orders_for_customer",
            fetch,
            cache_key=variables,
            cost=requested_cost(ORDER_NAMES, variables),
        )
        names = list(dict.fromkeys(result.value))
        return [record for record in await self.orders_by_numbers(names) if record is not None]

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        customer_gid: str | None = None
        if draft.customer_id:
            shopify_id = (await self._customers.resolve([draft.customer_id])).get(draft.customer_id)
            customer_gid = gid("Customer", shopify_id) if shopify_id else None
        variables = {
            "order": order_input(draft, customer_gid),
            "options": _INVENTORY,
            "key": draft.idempotency_key,
            **self._sizes,
        }

        async def send(http: UpstreamHttp) -> Any:
            payload = await self._graphql.mutate(http, CREATE_ORDER, variables, field="orderCreate")
            order = payload.get("order")
            if not isinstance(order, dict):
                raise UpstreamBadResponse(
                    "orderCreate answered no order", system=SYSTEM, operation="create_order"
                )
            parse(OrderNode, order, operation="create_order")
            return order

        result = await self._kit.write(
            SYSTEM, "create_order", send, idempotent=True, cost=requested_cost(CREATE_ORDER, variables)
        )
        await self.invalidate_order(draft.number)
        return self._record(result.value, await self._directory.map(), "create_order")

    async def invalidate_order(self, number: str) -> int:
        """Evict the cached order ``number`` (a webhook said it changed); how many entries went."""
        cache = self._kit.cache
        if cache is None:
            return 0
        return await cache.invalidate_keys([self._kit.cache_key(SYSTEM, "orders_by_number", number)])


def _nodes(data: dict[str, Any]) -> list[dict[str, Any]]:
    orders = data.get("orders")
    nodes = orders.get("nodes") if isinstance(orders, dict) else None
    return [node for node in nodes or [] if isinstance(node, dict)]

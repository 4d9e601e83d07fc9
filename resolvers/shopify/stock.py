"""Stock per (SKU, location) from Shopify's inventory quantities by name, cached per pair.

One request asks ``inventoryItems(query: "sku:A OR sku:B ...", first: n)`` and,
for each item, one aliased ``inventoryLevel(locationId:)`` per location with
its ``quantities(names: [available, committed, reserved, on_hand, damaged,
safety_stock, quality_control, incoming])`` (:func:`~resolvers.shopify.documents.stock_document`).

**Cost, and why 50 SKUs x 30 locations is three calls.** The calculated cost
is 2 + n x (1 + 2 x locations): an inventory level is an object (1) whose
``quantities`` is a list of objects (1), so every (SKU, location) pair costs
2 points whatever the query's shape (a level read through the
``inventoryLevels`` connection costs the same plus 2 per item). Only our
locations Shopify has are asked (24 of the sandbox's 30), so 50 x 24 pairs
cost 2,452 points at least, past the 1,000-point single-query limit: the
fewest requests that fit are 3, of 17, 17 and 16 SKUs (835 / 835 / 786
points), sent concurrently and paced by the shared bucket. With few enough
locations for one SKU and many SKUs, it is one call (e.g. 50 SKUs x 9
locations = 952 points). Locations are split too only when one SKU at every
location would not fit (more than 498 locations).

Each part is one ``kit.read_many(SYSTEM, "stock", keys, ...)`` with keys
``(sku, location_id)`` (a JSON list in the cache key), so a webhook evicts
exactly one SKU's figures (:meth:`ShopifyStock.invalidate_stock`), and an
outage serves each pair's last figure marked stale. A pair Shopify has no
level for (the location does not stock the item) is left out of the answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from resolvers.directory import LocationDirectory
from resolvers.domain import StockLevel, System
from resolvers.kit.call import ConnectorKit
from resolvers.kit.parts import split
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.cost import largest_batch, requested_cost
from resolvers.shopify.documents import INVENTORY_ITEM_SKU, stock_document
from resolvers.shopify.exchange import ShopifyGraphQL, parse
from resolvers.shopify.mapping import from_epoch, to_stock_level
from resolvers.shopify.search import any_of, gid
from resolvers.shopify.settings import SYSTEM, ShopifySettings
from resolvers.shopify.wire import InventoryLevel

__all__ = ["ShopifyStock", "StockPair"]

StockPair = tuple[str, str]
"""(sku, our location id): one cache entry."""
_MAX_ITEMS = 250
T = TypeVar("T")
U = TypeVar("U")


def _stock_cost(locations: int) -> Callable[[int], int]:
    """The requested cost of a stock request for n SKUs at ``locations`` locations."""
    document = stock_document(locations)
    return lambda n: requested_cost(document, {"n": n})


class ShopifyStock:
    """:class:`~resolvers.ports.StockSource` over the Admin API (module docstring)."""

    system: System = "SHOPIFY"

    def __init__(
        self,
        kit: ConnectorKit,
        graphql: ShopifyGraphQL,
        settings: ShopifySettings,
        directory: LocationDirectory,
    ) -> None:
        self._kit = kit
        self._graphql = graphql
        self._settings = settings
        self._directory = directory
        self._item_skus: dict[int, str] = {}

    def plan(self, skus: int, locations: int) -> list[tuple[int, int]]:
        """The (SKUs, locations) of each request a question of that size takes (the fewest that fit)."""
        return [(len(a), len(b)) for a, b in self._layout(list(range(skus)), list(range(locations)))]

    def _layout(self, skus: list[T], locations: list[U]) -> list[tuple[list[T], list[U]]]:
        """Split SKUs x locations into the fewest requests under the cost limit (module docstring)."""
        limit = self._settings.max_query_cost
        out: list[tuple[list[T], list[U]]] = []
        for part in split(locations, max(1, (limit - 3) // 2)):
            most = largest_batch(_stock_cost(len(part)), limit, _MAX_ITEMS)
            out += [(chunk, part) for chunk in split(skus, max(1, most))]
        return out

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        mapping = await self._directory.map()
        shopify_ids = {
            loc: found
            for loc in dict.fromkeys(location_ids)
            if (found := mapping.system_id("SHOPIFY", loc)) is not None
        }
        wanted = list(dict.fromkeys(skus))
        if not wanted or not shopify_ids:
            return []

        async def fetch(http: UpstreamHttp, missing: list[StockPair]) -> dict[StockPair, Any]:
            return await self._fetch(http, missing, shopify_ids)

        calls = await asyncio.gather(
            *(
                self._kit.read_many(
                    SYSTEM,
                    "stock",
                    [(sku, loc) for sku in chunk for loc in part],
                    fetch,
                    cost=requested_cost(stock_document(len(part)), {"n": len(chunk)}),
                )
                for chunk, part in self._layout(wanted, list(shopify_ids))
            )
        )
        now = time.time()
        levels: dict[StockPair, StockLevel] = {}
        for call in calls:
            for (sku, loc), quantities in call.values.items():
                when = from_epoch(call.stored_at.get((sku, loc), now))
                stale = (sku, loc) in call.stale_keys
                levels[(sku, loc)] = to_stock_level(sku, loc, quantities, as_of=when, stale=stale)
        return [levels[(sku, loc)] for sku in wanted for loc in shopify_ids if (sku, loc) in levels]

    async def _fetch(
        self, http: UpstreamHttp, missing: list[StockPair], shopify_ids: dict[str, str]
    ) -> dict[StockPair, Any]:
        skus = list(dict.fromkeys(sku for sku, _ in missing))
        locations = list(dict.fromkeys(loc for _, loc in missing))
        variables: dict[str, Any] = {"q": any_of("sku", skus, operation="stock"), "n": len(skus)}
        variables.update({f"l{i}": gid("Location", shopify_ids[loc]) for i, loc in enumerate(locations)})
        data = await self._graphql.query(http, stock_document(len(locations)), variables)
        items = data.get("inventoryItems")
        nodes = items.get("nodes") if isinstance(items, dict) else None
        out: dict[StockPair, Any] = {}
        for node in nodes if isinstance(nodes, list) else []:
            sku = node.get("sku") if isinstance(node, dict) else None
            if not isinstance(sku, str):
                continue
            item_id = str(node.get("legacyResourceId", ""))
            if item_id.isdigit():
                self._item_skus[int(item_id)] = sku
            for i, loc in enumerate(locations):
                raw = node.get(f"l{i}")
                if raw is not None:
                    out[(sku, loc)] = parse(InventoryLevel, raw, operation="stock").by_name()
        return out

    async def invalidate_stock(self, skus: Sequence[str], location_ids: Sequence[str] | None = None) -> int:
        """Evict the cached figures of ``skus`` at ``location_ids`` (every location Shopify has if None)."""
        cache = self._kit.cache
        if cache is None or not skus:
            return 0
        if location_ids is None:
            location_ids = list((await self._directory.map()).system_ids("SHOPIFY"))
        keys = [self._kit.cache_key(SYSTEM, "stock", [sku, loc]) for sku in skus for loc in location_ids]
        return await cache.invalidate_keys(keys)

    async def sku_for_inventory_item(self, inventory_item_id: int) -> str | None:
        """The SKU of a Shopify inventory item (learned from stock reads, else one cached lookup)."""
        known = self._item_skus.get(inventory_item_id)
        if known is not None:
            return known
        variables = {"id": gid("InventoryItem", inventory_item_id)}

        async def fetch(http: UpstreamHttp) -> str | None:
            data = await self._graphql.query(http, INVENTORY_ITEM_SKU, variables)
            item = data.get("inventoryItem")
            sku = item.get("sku") if isinstance(item, dict) else None
            return sku if isinstance(sku, str) and sku else None

        result = await self._kit.read(
            SYSTEM,
            "inventory_item_sku",
            fetch,
            cache_key=inventory_item_id,
            cost=requested_cost(INVENTORY_ITEM_SKU, variables),
        )
        if result.value is not None:
            self._item_skus[inventory_item_id] = result.value
        return result.value

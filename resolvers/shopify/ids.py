"""Our product and customer ids -> Shopify's, where Shopify's search cannot find a record by ours.

Our ids live in metafields (``custom.product_id``, ``custom.customer_id``), and
the Admin API's ``products`` / ``customers`` search has no term for a
metafield. So an :class:`IdIndex` maps ours to Shopify's numeric ids from two
sources:

- every record the connector reads anyway carries its metafield and is
  :meth:`IdIndex.learn`-ed (a listing, a variant's product, an order's customer);
- an id not learned yet triggers a *scan*: the resource's connection 250 at a
  time selecting only ``legacyResourceId`` and the metafield (2 points per
  record: 502 per page), from the first page until every id asked is found
  (or to the end). Each page is one paced ``kit.read`` cached under its
  cursor (``product_index`` / ``customer_index``: 15 minutes fresh, a day stale),
  so a page is paid once per TTL (a later scan walks the cached pages first)
  and concurrent lookups share one scan (lock).

An id still unknown after a scan is not in Shopify: it is not scanned for
again for a minute (nor is any id after a scan that read to the end), and a
record created since is found once the pages expire. For a very large store
(5,000 customers = 20 pages = 10,000 points, 200 s of a standard bucket) a
deployment should rather keep Shopify's id in our master data.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import Any

from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.cost import requested_cost
from resolvers.shopify.exchange import ShopifyGraphQL, parse
from resolvers.shopify.mapping import metafield_value
from resolvers.shopify.settings import SYSTEM
from resolvers.shopify.wire import IndexPage

__all__ = ["IdIndex"]

_MAX_PAGES = 10_000
_RESCAN_AFTER = 60.0
"""An id a scan did not find is not scanned for again before this many seconds."""


class IdIndex:
    """Our id -> Shopify's numeric id for one resource (module docstring)."""

    def __init__(
        self,
        kit: ConnectorKit,
        graphql: ShopifyGraphQL,
        *,
        operation: str,
        document: str,
        root: str,
        page: int,
    ) -> None:
        self._kit = kit
        self._graphql = graphql
        self._operation = operation
        self._document = document
        self._root = root
        self._page = page
        self._known: dict[str, str] = {}
        self._missed: dict[str, float] = {}
        self._complete_at = -math.inf
        """When a scan last read every page (an id it did not find is not in Shopify)."""
        self._lock = asyncio.Lock()

    def learn(self, our_id: str | None, shopify_id: str) -> None:
        """Remember a pair seen in an answer (a record without our id teaches nothing)."""
        if our_id:
            self._known[our_id] = shopify_id

    def known(self, our_id: str) -> str | None:
        return self._known.get(our_id)

    def settled(self, our_id: str) -> bool:
        """Whether :meth:`resolve` answers for ``our_id`` without a scan (known, or missed lately)."""
        return not self._unknown([our_id])

    async def resolve(self, ids: Sequence[str]) -> dict[str, str]:
        """Shopify's ids of those of ``ids`` Shopify holds (scanning if one was never seen)."""
        if self._unknown(ids):
            async with self._lock:
                unknown = self._unknown(ids)
                if unknown:
                    await self._scan(unknown)
                    now = time.monotonic()
                    self._missed.update((our_id, now) for our_id in unknown if our_id not in self._known)
        return {our_id: self._known[our_id] for our_id in ids if our_id in self._known}

    def _unknown(self, ids: Sequence[str]) -> list[str]:
        """Ids neither known nor missed by a scan in the last ``_RESCAN_AFTER`` seconds."""
        since = time.monotonic() - _RESCAN_AFTER
        if self._complete_at >= since:
            return []
        return [i for i in ids if i not in self._known and self._missed.get(i, -math.inf) < since]

    async def _scan(self, wanted: Sequence[str]) -> None:
        """Pages from the first until every ``wanted`` id is known, or to the end."""
        after: str | None = None
        for _ in range(_MAX_PAGES):
            variables = {"n": self._page, "after": after}
            page = await self._read_page(variables)
            for node in page.nodes:
                self.learn(metafield_value(node.metafield), node.legacyResourceId)
            if all(our_id in self._known for our_id in wanted):
                return
            if not page.pageInfo.hasNextPage or not page.pageInfo.endCursor:
                self._complete_at = time.monotonic()
                return
            after = page.pageInfo.endCursor

    async def _read_page(self, variables: dict[str, Any]) -> IndexPage:
        async def fetch(http: UpstreamHttp) -> Any:
            data = await self._graphql.query(http, self._document, variables)
            raw = data.get(self._root)
            parse(IndexPage, raw, operation=self._operation)
            return raw

        result = await self._kit.read(
            SYSTEM,
            self._operation,
            fetch,
            cache_key=variables,
            cost=requested_cost(self._document, variables),
        )
        return parse(IndexPage, result.value, operation=self._operation)

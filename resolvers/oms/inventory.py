"""The location master (``GET /facilities``) and stock positions (``POST /inventory/search``).

Locations: the OMS is the master of locations; every facility carries the
ERP plant (``externalId``) and the Square and Shopify location ids
(``identifications``), which :class:`~resolvers.directory.LocationDirectory`
indexes both ways. One call with the largest page (250) is the usual case;
larger estates are paged (``pageIndex``) inside the same operation. Cached
for minutes and served stale for a day when the OMS is down.

Stock: one ``POST /inventory/search`` answers up to 500 SKUs at up to 500
facilities, every carried pair (pairs not carried are left out, as the port
asks); beyond that the SKUs (and facilities) are split into concurrent
calls. Cached for seconds, keyed by the sorted SKUs and facilities, and
served stale (``stale=True``, ``as_of`` = when it was read) on an outage.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime

from resolvers.domain import Location, StockLevel
from resolvers.kit.upstream import UpstreamHttp
from resolvers.oms import mapping, wire
from resolvers.oms.context import OmsContext

__all__ = ["OmsInventory"]

_FACILITIES = wire.model_codec(wire.FacilityPage)
_POSITIONS = wire.model_codec(wire.InventoryAnswer)


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


class OmsInventory:
    """Locations and stock figures of the OMS."""

    def __init__(self, ctx: OmsContext) -> None:
        self._ctx = ctx

    async def locations(self) -> list[Location]:
        ctx = self._ctx
        size = ctx.settings.page_size

        async def fetch(http: UpstreamHttp) -> wire.FacilityPage:
            facilities: list[wire.Facility] = []
            for index in itertools.count():
                page = await ctx.oms.call(
                    http,
                    "GET",
                    "/facilities",
                    wire.FacilityPage,
                    params={"pageIndex": index, "pageSize": size},
                )
                facilities.extend(page.facilities)
                if len(page.facilities) < size or len(facilities) >= page.facilitiesCount:
                    return wire.FacilityPage(facilities=facilities, facilitiesCount=page.facilitiesCount)
            raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends

        result = await ctx.read("locations", fetch, cache_key="all", codec=_FACILITIES)
        return [mapping.location(facility) for facility in result.value.facilities]

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        wanted_skus = list(dict.fromkeys(skus))
        wanted_locations = list(dict.fromkeys(location_ids))
        if not wanted_skus or not wanted_locations:
            return []
        size = self._ctx.settings.search_batch
        batches = [
            (sku_chunk, location_chunk)
            for sku_chunk in _chunks(wanted_skus, size)
            for location_chunk in _chunks(wanted_locations, size)
        ]
        answers = await asyncio.gather(*(self._search(s, loc) for s, loc in batches))
        return [level for levels in answers for level in levels]

    async def _search(self, skus: list[str], facilities: list[str]) -> list[StockLevel]:
        ctx = self._ctx
        body = {"productIds": skus, "facilityIds": facilities}

        async def fetch(http: UpstreamHttp) -> wire.InventoryAnswer:
            return await ctx.oms.call(http, "POST", "/inventory/search", wire.InventoryAnswer, json=body)

        key = {"skus": sorted(skus), "facilities": sorted(facilities)}
        result = await ctx.read("stock", fetch, cache_key=key, codec=_POSITIONS)
        read_at = result.stored_at
        as_of = datetime.fromtimestamp(read_at, UTC) if read_at is not None else datetime.now(UTC)
        return [
            mapping.stock_level(position, as_of=as_of, stale=result.stale)
            for position in result.value.inventory
        ]

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
The levels mapped from a cached answer are kept with it (the last
``_MAPPED_KEPT`` answers): a warm read hands out the same immutable levels
instead of mapping every position again.
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
_MAPPED_KEPT = 64


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


class OmsInventory:
    """Locations and stock figures of the OMS."""

    def __init__(self, ctx: OmsContext) -> None:
        self._ctx = ctx
        # id(decoded answer) -> (that answer, (stored_at, stale), its levels); the answer is held so
        # its id cannot be reused while the entry lives.
        self._mapped: dict[int, tuple[wire.InventoryAnswer, tuple[float | None, bool], list[StockLevel]]] = {}

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
        read_at, answer = result.stored_at, result.value
        kept = self._mapped.get(id(answer))
        if kept is not None and kept[0] is answer and kept[1] == (read_at, result.stale):
            return kept[2]
        as_of = datetime.fromtimestamp(read_at, UTC) if read_at is not None else datetime.now(UTC)
        stale = result.stale
        levels = [mapping.stock_level(position, as_of=as_of, stale=stale) for position in answer.inventory]
        if read_at is not None:  # only answers the cache keeps come back as the same object
            if len(self._mapped) >= _MAPPED_KEPT:
                del self._mapped[next(iter(self._mapped))]
            self._mapped[id(answer)] = (answer, (read_at, result.stale), levels)
        return levels

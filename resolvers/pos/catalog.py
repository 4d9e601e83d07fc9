"""SKU <-> Square variation id: master data, resolved in batches and kept for long.

Square counts stock and rings up lines by ``ITEM_VARIATION`` id; we speak
SKUs. :class:`CatalogIds` keeps both directions in process for
``settings.catalog_ttl`` seconds (SKUs the catalog does not know for
``catalog_miss_ttl``), so a warm stock read sends only the inventory request.
What it does not know it asks for in as few requests as Square allows, each
also cached by the kit (shared across instances, stale-if-error):

- by SKU: ``POST /v2/catalog/search`` with ``set_query {attribute_name: "sku"}``
  (up to 250 values a request; operation ``catalog_by_skus``);
- by id: ``POST /v2/catalog/batch-retrieve`` (up to 1000 ids; operation ``catalog_by_ids``).

SKUs match case-insensitively, as in Square's catalog search.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.pos.api import SquareApi, model_codec, with_cursor
from resolvers.pos.settings import PosSettings
from resolvers.pos.wire import CatalogAnswer, CatalogObject

__all__ = ["CatalogIds"]

_SKUS_PER_SEARCH = 250  # set_query.attribute_values
_IDS_PER_RETRIEVE = 1000  # batch-retrieve object_ids
_VARIATION = "ITEM_VARIATION"
_CODEC = model_codec(CatalogAnswer)


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


class CatalogIds:
    """Two-way SKU / variation id lookups with an in-process memo (see the module docstring)."""

    def __init__(
        self,
        kit: ConnectorKit,
        api: SquareApi,
        settings: PosSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kit = kit
        self._api = api
        self._settings = settings
        self._clock = clock
        self._by_sku: dict[str, tuple[str | None, float]] = {}
        """lower-cased SKU -> (variation id or None if unknown, expiry)."""
        self._by_id: dict[str, tuple[str | None, float]] = {}
        """variation id -> (SKU or None if not a variation, expiry)."""

    def _known(self, memo: dict[str, tuple[str | None, float]], key: str) -> tuple[str | None] | None:
        found = memo.get(key)
        if found is None or found[1] <= self._clock():
            return None
        return (found[0],)

    def _remember(self, objects: Iterable[CatalogObject]) -> None:
        expiry = self._clock() + self._settings.catalog_ttl
        for obj in objects:
            data = obj.item_variation_data
            if obj.type != _VARIATION or obj.is_deleted or data is None or not data.sku:
                continue
            self._by_sku[data.sku.lower()] = (obj.id, expiry)
            self._by_id[obj.id] = (data.sku, expiry)

    async def variation_ids(self, skus: Sequence[str]) -> dict[str, str]:
        """SKU -> variation id for the SKUs the catalog has (as asked, not case-folded)."""
        wanted = list(dict.fromkeys(skus))
        missing = [sku for sku in wanted if self._known(self._by_sku, sku.lower()) is None]
        if missing:
            await asyncio.gather(*(self._search(chunk) for chunk in _chunks(missing, _SKUS_PER_SEARCH)))
            miss_expiry = self._clock() + self._settings.catalog_miss_ttl
            for sku in missing:
                self._by_sku.setdefault(sku.lower(), (None, miss_expiry))
        out: dict[str, str] = {}
        for sku in wanted:
            known = self._known(self._by_sku, sku.lower())
            if known is not None and known[0] is not None:
                out[sku] = known[0]
        return out

    async def skus(self, variation_ids: Iterable[str]) -> dict[str, str]:
        """Variation id -> SKU for the ids that are catalog variations with a SKU."""
        wanted = list(dict.fromkeys(variation_ids))
        missing = [vid for vid in wanted if self._known(self._by_id, vid) is None]
        if missing:
            await asyncio.gather(*(self._retrieve(chunk) for chunk in _chunks(missing, _IDS_PER_RETRIEVE)))
            miss_expiry = self._clock() + self._settings.catalog_miss_ttl
            for vid in missing:
                self._by_id.setdefault(vid, (None, miss_expiry))
        out: dict[str, str] = {}
        for vid in wanted:
            known = self._known(self._by_id, vid)
            if known is not None and known[0] is not None:
                out[vid] = known[0]
        return out

    async def _search(self, skus: list[str]) -> None:
        body: dict[str, Any] = {
            "object_types": [_VARIATION],
            "query": {"set_query": {"attribute_name": "sku", "attribute_values": skus}},
            "limit": 1000,
        }

        async def fetch(http: UpstreamHttp) -> CatalogAnswer:
            objects: list[CatalogObject] = []
            cursor: str | None = None
            while True:  # 250 SKUs never fill a 1000-object page; follow a cursor only if one comes
                page = await self._api.post(http, "/catalog/search", with_cursor(body, cursor), CatalogAnswer)
                objects.extend(page.objects)
                cursor = page.cursor
                if not cursor:
                    return CatalogAnswer(objects=objects)

        key = sorted(sku.lower() for sku in skus)
        result = await self._kit.read("pos", "catalog_by_skus", fetch, cache_key=key, codec=_CODEC)
        self._remember(result.value.objects)

    async def _retrieve(self, variation_ids: list[str]) -> None:
        async def fetch(http: UpstreamHttp) -> CatalogAnswer:
            body = {"object_ids": variation_ids, "include_related_objects": False}
            return await self._api.post(http, "/catalog/batch-retrieve", body, CatalogAnswer)

        key = sorted(variation_ids)
        result = await self._kit.read("pos", "catalog_by_ids", fetch, cache_key=key, codec=_CODEC)
        self._remember(result.value.objects)

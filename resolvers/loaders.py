"""Per-request batching: aiodataloader loaders over the ports' batch methods.

A GraphQL request resolves many fields in one event-loop tick (every
``Variant.availability`` of a list, every ``Order.customer``); a
:class:`~aiodataloader.DataLoader` gathers their keys and calls the port's
batch method once. Loaders cache per key, so they live for **one request**:
a subgraph builds them in its context getter, never at start-up.

- :func:`keyed_loader`: keys -> ``fetch(keys)`` answering in key order (the ports' ``*_by_*`` methods);
- :func:`stock_loader`: (sku, location id) pairs -> one :meth:`StockSource.stock` call over the
  union of SKUs and locations of the tick, each pair answered with its level or None;
- :func:`sku_stock_loader`: the same call, keyed by (sku, location ids): one key (and one future)
  per SKU instead of one per pair, for fields that want a SKU's figures at many locations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from aiodataloader import DataLoader

from resolvers.domain import StockLevel
from resolvers.ports import StockSource

__all__ = ["SkuStockKey", "StockKey", "keyed_loader", "sku_stock_loader", "stock_loader"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

StockKey = tuple[str, str]
"""(sku, location id)."""

SkuStockKey = tuple[str, tuple[str, ...]]
"""(sku, location ids)."""


def keyed_loader(
    fetch: Callable[[Sequence[K]], Awaitable[list[V]]], *, max_batch_size: int | None = None
) -> DataLoader[K, V]:
    """A loader whose batch is one ``fetch(keys)`` (answers in key order, one per key)."""

    async def batch(keys: list[K]) -> list[V]:
        values = await fetch(keys)
        if len(values) != len(keys):
            raise RuntimeError(f"batch answered {len(values)} values for {len(keys)} keys")
        return values

    return DataLoader(batch, max_batch_size=max_batch_size)


def stock_loader(source: StockSource) -> DataLoader[StockKey, StockLevel | None]:
    """(sku, location id) -> that system's level (None where it holds none), one call per tick."""

    async def batch(keys: list[StockKey]) -> list[StockLevel | None]:
        skus = list(dict.fromkeys(sku for sku, _ in keys))
        locations = list(dict.fromkeys(location for _, location in keys))
        levels = await source.stock(skus, locations)
        by_pair = {(level.sku, level.location_id): level for level in levels}
        return [by_pair.get(key) for key in keys]

    return DataLoader(batch)


def sku_stock_loader(source: StockSource) -> DataLoader[SkuStockKey, list[StockLevel]]:
    """(sku, location ids) -> that system's levels of the SKU at those locations, one call per tick."""

    async def batch(keys: list[SkuStockKey]) -> list[list[StockLevel]]:
        skus = list(dict.fromkeys(sku for sku, _ in keys))
        locations = list(dict.fromkeys(location for _, wanted in keys for location in wanted))
        by_sku: dict[str, list[StockLevel]] = {}
        for level in await source.stock(skus, locations):
            by_sku.setdefault(level.sku, []).append(level)
        sets: dict[tuple[str, ...], frozenset[str]] = {}
        answers = []
        for sku, wanted in keys:
            within = sets.get(wanted)
            if within is None:
                within = sets[wanted] = frozenset(wanted)
            answers.append([level for level in by_sku.get(sku, ()) if level.location_id in within])
        return answers

    return DataLoader(batch)

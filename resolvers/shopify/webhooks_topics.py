"""What each Shopify webhook topic evicts: the :class:`WebhookTarget` port and the topic handlers.

A handler gets one verified, not-yet-seen :class:`WebhookDelivery` and evicts
the cache entries the change makes wrong; it never asks Shopify for the new
figures (the next read does, so the endpoint answers well inside Shopify's
5 s). The only lookup on the path is the inventory item -> SKU one, which the
connector caches.

=================================  ==========================================================
topic                              eviction
=================================  ==========================================================
``inventory_levels/update``        ``sku_for_inventory_item(inventory_item_id)`` then
(also ``/connect``,                ``invalidate_stock([sku], [our location id])``; all
``/disconnect``)                   locations when there is no directory, it does not know
                                   the Shopify location, or it cannot load its map
``products/create``, ``/update``   ``invalidate_variants(skus of payload.variants)``
``orders/*``                       ``invalidate_order(payload.name without "#")``
``returns/*``                      ``invalidate_order(order number)`` from the return's name
                                   (``R100001-R1`` / ``#1001-R1`` -> ``R100001`` / ``1001``)
=================================  ==========================================================

``invalidate_variants`` and ``invalidate_order`` are optional on the target: a
target without one simply has no handler for those topics (they are
acknowledged and ignored). Payloads are read with lenient pydantic models
(``extra="ignore"``: Shopify adds fields); a payload that lacks what its topic
needs raises :class:`pydantic.ValidationError` (the endpoint answers 400).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from resolvers.directory import LocationDirectory
from resolvers.errors import ConnectorError

__all__ = [
    "OrderInvalidation",
    "TopicHandler",
    "VariantInvalidation",
    "WebhookDelivery",
    "WebhookTarget",
    "invalidation_handlers",
    "order_number_of_return",
]

_log = logging.getLogger(__name__)


@runtime_checkable
class WebhookTarget(Protocol):
    """What a webhook needs from the Shopify connector: find a SKU, evict its stock."""

    async def sku_for_inventory_item(self, inventory_item_id: int) -> str | None:
        """The SKU of a Shopify inventory item (cached by the connector); None if unknown."""
        ...

    async def invalidate_stock(self, skus: Sequence[str], location_ids: Sequence[str] | None = None) -> int:
        """Evict cached stock of ``skus`` at our ``location_ids`` (all locations if None); how many."""
        ...


@runtime_checkable
class VariantInvalidation(Protocol):
    """Optional: a target that caches catalog data evicts variants by SKU."""

    async def invalidate_variants(self, skus: Sequence[str]) -> object:
        """Evict cached variants (and their products); may return how many entries went."""
        ...


@runtime_checkable
class OrderInvalidation(Protocol):
    """Optional: a target that caches orders evicts one by our order number."""

    async def invalidate_order(self, number: str) -> object:
        """Evict the cached order ``number`` (and what hangs off it); may return how many entries went."""
        ...


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One verified delivery as a handler sees it."""

    topic: str
    webhook_id: str | None
    payload: dict[str, Any]
    shop_domain: str | None = None
    api_version: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


TopicHandler = Callable[[WebhookDelivery], Awaitable[int | None]]
"""Evicts what one delivery makes stale; returns how many cache entries went (None if unknown)."""


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")  # answers FROM Shopify: it adds fields over time


class _InventoryLevel(_Wire):
    inventory_item_id: int
    location_id: int | None = None


class _ProductVariant(_Wire):
    sku: str | None = None


class _Product(_Wire):
    variants: list[_ProductVariant] = Field(default_factory=list)


class _Named(_Wire):
    name: str | None = None


def _count(evicted: object) -> int | None:
    return evicted if isinstance(evicted, int) and not isinstance(evicted, bool) else None


def order_number_of_return(name: str) -> str | None:
    """Our order number from a return's name: ``R100001-R2`` -> ``R100001``, ``#1001-R1`` -> ``1001``."""
    head, sep, tail = name.rpartition("-R")
    if not sep or not head or not tail.isdigit():
        return None
    return head.lstrip("#") or None


class _Handlers:
    """The default handlers over one target (and an optional location directory)."""

    def __init__(self, target: WebhookTarget, directory: LocationDirectory | None) -> None:
        self.target = target
        self.directory = directory

    async def _our_location(self, shopify_location_id: int | None) -> str | None:
        if shopify_location_id is None or self.directory is None:
            return None
        try:
            locations = await self.directory.map()
        except ConnectorError:
            _log.warning("location directory unavailable; evicting stock at every location", exc_info=True)
            return None
        return locations.location_id("SHOPIFY", str(shopify_location_id))

    async def inventory_level(self, delivery: WebhookDelivery) -> int | None:
        level = _InventoryLevel.model_validate(delivery.payload)
        sku = await self.target.sku_for_inventory_item(level.inventory_item_id)
        if sku is None:
            _log.info("inventory item %s has no known SKU; nothing to evict", level.inventory_item_id)
            return 0
        location = await self._our_location(level.location_id)
        return await self.target.invalidate_stock([sku], [location] if location is not None else None)

    async def product(self, delivery: WebhookDelivery) -> int | None:
        assert isinstance(self.target, VariantInvalidation)
        product = _Product.model_validate(delivery.payload)
        skus = list(dict.fromkeys(v.sku for v in product.variants if v.sku))
        if not skus:
            return 0
        return _count(await self.target.invalidate_variants(skus))

    async def order(self, delivery: WebhookDelivery) -> int | None:
        assert isinstance(self.target, OrderInvalidation)
        name = _Named.model_validate(delivery.payload).name
        number = name.lstrip("#") if name else None
        if not number:
            _log.info("%s payload carries no order name; nothing to evict", delivery.topic)
            return 0
        return _count(await self.target.invalidate_order(number))

    async def return_(self, delivery: WebhookDelivery) -> int | None:
        assert isinstance(self.target, OrderInvalidation)
        name = _Named.model_validate(delivery.payload).name
        number = order_number_of_return(name) if name else None
        if number is None:
            _log.info("%s payload has no order number in its name %r; nothing to evict", delivery.topic, name)
            return 0
        return _count(await self.target.invalidate_order(number))


def invalidation_handlers(
    target: WebhookTarget, directory: LocationDirectory | None = None
) -> dict[str, TopicHandler]:
    """Topic -> handler for ``target`` (``orders/*`` matches every ``orders/...`` topic)."""
    handlers = _Handlers(target, directory)
    table: dict[str, TopicHandler] = {
        "inventory_levels/update": handlers.inventory_level,
        "inventory_levels/connect": handlers.inventory_level,
        "inventory_levels/disconnect": handlers.inventory_level,
    }
    if isinstance(target, VariantInvalidation):
        table["products/create"] = handlers.product
        table["products/update"] = handlers.product
    if isinstance(target, OrderInvalidation):
        table["orders/*"] = handlers.order
        table["returns/*"] = handlers.return_
    return table

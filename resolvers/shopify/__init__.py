"""The Shopify connector: the Admin GraphQL API of the online store, through the resilience kit.

Ports (:mod:`resolvers.ports`): CatalogSource, StockSource, OrderSource,
OrderSink, CustomerSource, ReturnSource, ReturnSink, all on
:class:`ShopifyConnector` (``ShopifyConnector(kit, settings, directory)``).

**Endpoint.** Every exchange is ``POST /admin/api/{version}/graphql.json``
with ``X-Shopify-Access-Token`` (:mod:`~resolvers.shopify.exchange`), one
``kit.read`` / ``kit.write`` per request under a stable operation name
(``stock``, ``variants``, ``products``, ``products_page``, ``product_variants``,
``product_index``, ``customer_index``, ``customers_by_id``,
``customers_by_email``, ``inventory_item_sku``, ``orders_by_number``,
``orders_for_customer``, ``returns_for_order``, ``return_context``,
``create_order``, ``create_return``). GraphQL errors, ``THROTTLED``,
``MAX_COST_EXCEEDED`` and mutation ``userErrors`` become the kit's errors.

**Pacing.** Shopify meters calculated query cost in a leaky bucket per store
(1000 points, 50/s restored on the standard plan). Each request takes its
requested cost (estimated with Shopify's rules, :mod:`~resolvers.shopify.cost`)
from the kit's shared bucket for ``shopify`` (``storage.TokenBuckets``: Redis
shared by every gateway instance), and each answer's ``throttleStatus`` resets
that bucket to what Shopify reports, less what our requests still in flight
will take and a small latency reserve; what they owe beyond zero is kept in a
per-process bucket that may go negative (:mod:`~resolvers.shopify.bucket`),
and at most ``max_in_flight`` requests are in flight. ``ShopifySettings.default_policy()``'s
rate mirrors the store's bucket.

**Batching.** Batch methods take all keys and send as few requests as the
1000-point single-query limit allows (split into balanced parts, sent
concurrently; orders and returns, whose price Shopify mostly refunds on
answer, in parts sized to what the bucket holds, :mod:`resolvers.kit.parts`):
variants 100 SKUs per request, orders 8, returns 4, customers and products
by id 142 / 71, stock 2 points per (SKU, location): 50 SKUs at
the sandbox's 24 Shopify locations are 3 requests, 50 x 9 is one
(:mod:`~resolvers.shopify.stock` explains why it cannot be fewer).

**Caching.** Per key where a batch reads (``kit.read_many``: stock per
(SKU, location), variants per SKU, products / customers per our id, orders and
returns per number), so webhooks evict exactly what changed
(``invalidate_stock``, ``invalidate_variants``, ``invalidate_order``); stock 3 s
fresh, master data minutes, every read served stale on outages
(``ShopifySettings.default_policy``).

**Retries.** Reads are retried on timeouts, 5xx-unavailable and THROTTLED
(after the throttle's own wait). The two writes, ``orderCreate`` and
``returnCreate``, carry ``@idempotent(key: draft.idempotency_key)`` and are sent
with ``idempotent=True``: Shopify replays the first result for the same key
and parameters, so a retry after a timeout that landed creates nothing twice.
``MAX_COST_EXCEEDED``, validation errors and ``userErrors`` are never retried.

**Our keys in Shopify.** SKU = variant ``sku``; order number = order ``name``;
product id = product metafield ``custom.product_id``; customer id = customer
metafield ``custom.customer_id`` (both found through an id index, as search
cannot filter on metafields: :mod:`~resolvers.shopify.ids`); location = the
numeric Shopify id in the location directory; RMA number = in the return
lines' notes (:mod:`~resolvers.shopify.returns`).
"""

from __future__ import annotations

from resolvers.shopify.client import ShopifyConnector, ShopifyLoaders
from resolvers.shopify.settings import ShopifySettings

__all__ = ["ShopifyConnector", "ShopifyLoaders", "ShopifySettings"]

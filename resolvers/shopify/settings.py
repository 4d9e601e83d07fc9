"""Settings of the Shopify connector (Admin GraphQL API) and its default call policy.

:class:`ShopifySettings` is built once at start-up (a field of the process's
settings; nothing here reads the environment). The defaults talk to the local
sandbox, ``http://127.0.0.1:4104`` (``sandbox.settings.DEFAULT_PORTS``), API
version ``2025-01``, with an access token the sandbox accepts when it was
started without one.

:meth:`ShopifySettings.default_policy` is the :class:`~resolvers.policy.SystemPolicy`
to register under ``"shopify"``. Its ``rate`` mirrors the store's leaky bucket
in *cost points* (``bucket_size`` points, restoring ``restore_rate`` per second:
1000 / 50 on the standard plan), because every call is paced by its calculated
query cost (:mod:`resolvers.shopify.cost`) and the bucket is corrected from
each answer's ``throttleStatus``. One bucket per store: every operation shares it.

======================  =======  ========  ===============================================================
operation               ttl (s)  stale (s) why
======================  =======  ========  ===============================================================
stock                   3        600       figures move with every sale; webhooks evict per SKU
variants / products     300      86400     master data (price, title, barcode)
product_variants        300      86400     the variants of products with more than one page of them
products_page           300      86400     a listing page, keyed by (first, after, query)
product_index           900      86400     our product id -> Shopify id (metafield scan)
customer_index          900      86400     our customer id -> Shopify id (metafield scan)
customers_by_id/_email  120      3600      profiles
inventory_item_sku      86400    604800    an inventory item's SKU never changes
orders_by_number        10       3600      webhooks evict by number; stale on outages
orders_for_customer     10       600       the names of a customer's orders (the orders: orders_by_number)
returns_for_order       10       3600
returns_presence        10       3600      whether an order has a return (webhooks evict with the order)
create_order/_return    -        -         writes, idempotent via ``@idempotent(key:)``: retried
======================  =======  ========  ===============================================================
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from resolvers.policy import (
    BreakerPolicy,
    CachePolicy,
    OperationPolicy,
    RatePolicy,
    RetryPolicy,
    SystemPolicy,
)

__all__ = ["SYSTEM", "ShopifySettings"]

SYSTEM = "shopify"
"""The system's name in policies, cache keys, pacing buckets and spans."""


class ShopifySettings(BaseModel):
    """Where the store is, how to authenticate, and how big the connector's requests are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = "http://127.0.0.1:4104"
    """Scheme, host and port of the store (``https://{shop}.myshopify.com`` in production)."""
    api_version: str = Field("2025-01", pattern=r"^(?:\d{4}-(?:01|04|07|10)|unstable)$")
    access_token: SecretStr = SecretStr("shpat_retail_gateway")
    """The Admin API access token (``X-Shopify-Access-Token``)."""
    currency: str = "USD"
    """The shop's currency: variant prices carry no currency of their own."""
    bucket_size: float = Field(1000.0, gt=0)
    """The store's leaky bucket in cost points (standard plan: 1000)."""
    restore_rate: float = Field(50.0, gt=0)
    """Points restored per second (standard plan: 50; Plus: 500)."""
    max_query_cost: int = Field(1000, ge=10)
    """The single-query cost limit (MAX_COST_EXCEEDED above it): batches are split to stay below."""
    max_pacing_wait: float = Field(30.0, ge=0)
    """Longest a call waits for cost points before failing with UPSTREAM_RATE_LIMITED.

    Generous on purpose: on a standard plan an empty bucket refills 1000 points in
    20 s, and one cold stock question for 50 SKUs at 24 locations asks 2,452."""
    latency_jitter: float = Field(0.1, ge=0)
    """Seconds of restore kept in reserve by pacing (5 points at 50/s): requests our pacing
    spaced out can reach Shopify closer together than they left (latency varies), and would
    find its bucket short by that much (:mod:`resolvers.shopify.exchange`)."""
    max_in_flight: int = Field(10, ge=1)
    """Requests in flight at once from this process (pacing decides the rate; this bounds
    what other instances cannot see when they report the shared bucket)."""
    variants_per_product: int = Field(10, ge=1, le=250)
    """Variants read with each product; a product with more gets one follow-up variants query."""
    order_lines: int = Field(10, ge=1, le=250)
    """Line items (and fulfillment lines) read per order."""
    order_fulfillments: int = Field(3, ge=1, le=50)
    """Fulfillments read per order."""
    order_returns: int = Field(5, ge=1, le=50)
    """Returns read per order (``returns_for_orders``)."""
    index_page_size: int = Field(250, ge=1, le=250)
    """Page size of the metafield scans that map our product / customer ids to Shopify's."""
    rma_pattern: str = r"^RMA-(\d+)-\d+$"
    """Our RMA numbers embed their order's number: group 1 is the order number's digits."""
    order_prefix: str = "R"
    """Prefix of our order numbers (``R`` + the digits of an RMA's group 1)."""

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/admin/api/{self.api_version}/graphql.json"

    def headers(self) -> dict[str, str]:
        return {"X-Shopify-Access-Token": self.access_token.get_secret_value()}

    def order_number_of_rma(self, rma_number: str) -> str | None:
        """Our order number inside ``rma_number`` (None when it does not follow :attr:`rma_pattern`)."""
        match = re.match(self.rma_pattern, rma_number)
        return f"{self.order_prefix}{match.group(1)}" if match else None

    def default_policy(self) -> SystemPolicy:
        """Timeouts, caching, pacing, retries and breaking per operation (module docstring)."""
        master = CachePolicy(ttl=300.0, stale_ttl=86_400.0)
        index = CachePolicy(ttl=900.0, stale_ttl=86_400.0)
        people = CachePolicy(ttl=120.0, stale_ttl=3_600.0)
        live = CachePolicy(ttl=10.0, stale_ttl=3_600.0)
        return SystemPolicy(
            timeout=10.0,
            cache=CachePolicy(),
            rate=RatePolicy(rate=self.restore_rate, burst=self.bucket_size, max_wait=self.max_pacing_wait),
            retry=RetryPolicy(attempts=3, base_delay=0.1, max_delay=2.0, max_retry_after=20.0),
            breaker=BreakerPolicy(window_size=20, min_calls=10, failure_rate=0.5, open_seconds=20.0),
            operations={
                "stock": OperationPolicy(timeout=5.0, cache=CachePolicy(ttl=3.0, stale_ttl=600.0)),
                "variants": OperationPolicy(cache=master),
                "products": OperationPolicy(cache=master),
                "products_page": OperationPolicy(cache=master),
                "product_variants": OperationPolicy(cache=master),
                "product_index": OperationPolicy(cache=index),
                "customer_index": OperationPolicy(cache=index),
                "customers_by_id": OperationPolicy(cache=people),
                "customers_by_email": OperationPolicy(cache=people),
                "inventory_item_sku": OperationPolicy(cache=CachePolicy(ttl=86_400.0, stale_ttl=604_800.0)),
                "orders_by_number": OperationPolicy(cache=live),
                "orders_for_customer": OperationPolicy(cache=CachePolicy(ttl=10.0, stale_ttl=600.0)),
                "returns_for_order": OperationPolicy(cache=live),
                "returns_presence": OperationPolicy(cache=live),
                "create_order": OperationPolicy(timeout=15.0),
                "create_return": OperationPolicy(timeout=15.0),
            },
        )

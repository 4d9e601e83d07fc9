"""``ShopifyConnector``: every port Shopify serves, over one store, plus the invalidation webhooks call.

The connector composes one part per concern, all sharing the kit, the one
GraphQL exchange (:class:`~resolvers.shopify.exchange.ShopifyGraphQL`: its
``throttled`` counter tells how often pacing failed to keep us under the
bucket) and the id indexes (our product / customer ids -> Shopify's):

=========================  ======================================  ==========================
part                       ports                                   module
=========================  ======================================  ==========================
:class:`ShopifyCatalog`    CatalogSource                           ``resolvers.shopify.catalog``
:class:`ShopifyStock`      StockSource                             ``resolvers.shopify.stock``
:class:`ShopifyOrders`     OrderSource, OrderSink                  ``resolvers.shopify.orders``
:class:`ShopifyCustomers`  CustomerSource                          ``resolvers.shopify.customers``
:class:`ShopifyReturns`    ReturnSource, ReturnSink                ``resolvers.shopify.returns``
=========================  ======================================  ==========================

:meth:`ShopifyConnector.loaders` gives the per-request DataLoaders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiodataloader import DataLoader

from resolvers.directory import LocationDirectory
from resolvers.domain import (
    CustomerRecord,
    OrderDraft,
    OrderRecord,
    Page,
    Product,
    ReturnDraft,
    ReturnRecord,
    StockLevel,
    System,
    Variant,
)
from resolvers.kit.call import ConnectorKit
from resolvers.loaders import StockKey, keyed_loader, stock_loader
from resolvers.shopify.catalog import ShopifyCatalog
from resolvers.shopify.customers import ShopifyCustomers
from resolvers.shopify.documents import CUSTOMER_INDEX, PRODUCT_INDEX
from resolvers.shopify.exchange import ShopifyGraphQL
from resolvers.shopify.ids import IdIndex
from resolvers.shopify.orders import ShopifyOrders
from resolvers.shopify.returns import ShopifyReturns
from resolvers.shopify.settings import SYSTEM, ShopifySettings
from resolvers.shopify.stock import ShopifyStock

__all__ = ["ShopifyConnector", "ShopifyLoaders"]


@dataclass(frozen=True)
class ShopifyLoaders:
    """Per-request loaders: build them for each GraphQL request, never share them across requests."""

    stock: DataLoader[StockKey, StockLevel | None]
    variants: DataLoader[str, Variant | None]
    """By SKU."""
    products: DataLoader[str, Product | None]
    """By our product id."""
    orders: DataLoader[str, OrderRecord | None]
    """By our order number."""
    customers: DataLoader[str, CustomerRecord | None]
    """By our customer id."""


class ShopifyConnector:
    """The Shopify connector (see :mod:`resolvers.shopify`)."""

    system: System = "SHOPIFY"

    def __init__(self, kit: ConnectorKit, settings: ShopifySettings, directory: LocationDirectory) -> None:
        self.kit = kit
        self.settings = settings
        self.directory = directory
        self.graphql = ShopifyGraphQL(settings)
        page = settings.index_page_size
        self.product_index = IdIndex(
            kit, self.graphql, operation="product_index", document=PRODUCT_INDEX, root="products", page=page
        )
        self.customer_index = IdIndex(
            kit,
            self.graphql,
            operation="customer_index",
            document=CUSTOMER_INDEX,
            root="customers",
            page=page,
        )
        self.catalog = ShopifyCatalog(kit, self.graphql, settings, self.product_index)
        self.stock_part = ShopifyStock(kit, self.graphql, settings, directory)
        self.orders = ShopifyOrders(kit, self.graphql, settings, directory, self.customer_index)
        self.customers = ShopifyCustomers(kit, self.graphql, settings, self.customer_index)
        self.returns = ShopifyReturns(kit, self.graphql, settings)

    # ------------------------------------------------------------ CatalogSource

    async def products(self, first: int, after: str | None, query: str | None) -> Page[Product]:
        return await self.catalog.products(first, after, query)

    async def products_by_ids(self, ids: Sequence[str]) -> list[Product | None]:
        return await self.catalog.products_by_ids(ids)

    async def variants_by_skus(self, skus: Sequence[str]) -> list[Variant | None]:
        return await self.catalog.variants_by_skus(skus)

    # ------------------------------------------------------------ StockSource

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        return await self.stock_part.stock(skus, location_ids)

    def stock_plan(self, skus: int, locations: int) -> list[tuple[int, int]]:
        """(SKUs, locations) of each request a stock question of that size takes (see ``stock``)."""
        return self.stock_part.plan(skus, locations)

    # ------------------------------------------------------------ OrderSource / OrderSink

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        return await self.orders.orders_by_numbers(numbers)

    async def orders_for_customer(
        self, customer_id: str, first: int, *, shopify_id: str | None = None, look_up: bool = True
    ) -> list[OrderRecord]:
        """``shopify_id``: Shopify's id of the customer, when known (no index look-up then); not
        ``look_up``: the caller knows Shopify does not hold the customer (no look-up either)."""
        return await self.orders.orders_for_customer(
            customer_id, first, shopify_id=shopify_id, look_up=look_up
        )

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        record = await self.orders.create_order(draft)
        await self.invalidate_stock([line.sku for line in draft.lines])
        return record

    # ------------------------------------------------------------ CustomerSource

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        return await self.customers.customers_by_ids(customer_ids)

    async def customers_by_email(self, email: str) -> list[CustomerRecord]:
        return await self.customers.customers_by_email(email)

    def finds_customer_directly(self, customer_id: str) -> bool:
        """Whether ``customers_by_ids([customer_id])`` needs no scan of the customer id index (a
        customer not learned yet costs one: 502 points a page; an e-mail search costs ~72)."""
        return self.customer_index.settled(customer_id)

    # ------------------------------------------------------------ ReturnSource / ReturnSink

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]:
        return await self.returns.returns_by_rma(rma_numbers)

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        return await self.returns.returns_for_orders(order_numbers)

    async def create_return(self, draft: ReturnDraft) -> ReturnRecord:
        return await self.returns.create_return(draft)

    # ------------------------------------------------------------ invalidation (webhooks)

    async def invalidate_stock(self, skus: Sequence[str], location_ids: Sequence[str] | None = None) -> int:
        """Evict cached stock of ``skus`` at our ``location_ids`` (every Shopify location if None)."""
        return await self.stock_part.invalidate_stock(skus, location_ids)

    async def sku_for_inventory_item(self, inventory_item_id: int) -> str | None:
        """The SKU of a Shopify inventory item (cached); None if Shopify does not know it."""
        return await self.stock_part.sku_for_inventory_item(inventory_item_id)

    async def invalidate_variants(self, skus: Sequence[str]) -> int:
        """Evict cached variants of ``skus``, their products (where known) and every product page."""
        cache = self.kit.cache
        if cache is None or not skus:
            return 0
        keys = [self.kit.cache_key(SYSTEM, "variants", sku) for sku in skus]
        products = {self.catalog.product_of_sku[sku] for sku in skus if sku in self.catalog.product_of_sku}
        keys += [self.kit.cache_key(SYSTEM, "products", product_id) for product_id in products]
        evicted = await cache.invalidate_keys(keys)
        evicted += await cache.invalidate_operation(SYSTEM, "products_page")
        return evicted

    async def invalidate_order(self, number: str) -> int:
        """Evict the cached order ``number`` and its returns."""
        cache = self.kit.cache
        if cache is None:
            return 0
        return await cache.invalidate_keys(
            [
                self.kit.cache_key(SYSTEM, "orders_by_number", number),
                self.kit.cache_key(SYSTEM, "returns_for_order", number),
                self.kit.cache_key(SYSTEM, "returns_presence", number),
            ]
        )

    # ------------------------------------------------------------ loaders

    def loaders(self) -> ShopifyLoaders:
        """Fresh per-request loaders over the batch methods."""
        return ShopifyLoaders(
            stock=stock_loader(self),
            variants=keyed_loader(self.variants_by_skus),
            products=keyed_loader(self.products_by_ids),
            orders=keyed_loader(self.orders_by_numbers),
            customers=keyed_loader(self.customers_by_ids),
        )

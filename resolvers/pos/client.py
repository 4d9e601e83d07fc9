"""The POS connector: Square API v2 behind the StockSource, OrderSource, OrderSink and CustomerSource ports.

:class:`PosConnector` composes the parts (:mod:`~resolvers.pos.catalog`,
:mod:`~resolvers.pos.orders`, :mod:`~resolvers.pos.customers`) and serves stock
itself: one ``POST /v2/inventory/counts/batch-retrieve`` for every SKU x store
asked (operation ``stock``), with the SKUs' variation ids from the catalog
memo and our location ids translated through the :class:`LocationDirectory`
(only stores have a Square location; other locations are left out, and a call
that names no store sends nothing). ``limit`` is Square's maximum, 1000
counts; the cursor is followed only when the answer really is paged (50 SKUs
at 25 stores is about 1,150 counts, so two pages: Square allows no more).

Every exchange goes through the kit under system ``"pos"``; records carry
system ``"POS"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiodataloader import DataLoader

from resolvers.directory import LocationDirectory
from resolvers.domain import CustomerRecord, OrderDraft, OrderRecord, ReturnRecord, StockLevel, System
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.loaders import StockKey, keyed_loader, stock_loader
from resolvers.pos.api import SquareApi, model_codec, with_cursor
from resolvers.pos.catalog import CatalogIds
from resolvers.pos.customers import PosCustomers
from resolvers.pos.mapping import STOCK_STATES, stock_levels
from resolvers.pos.orders import PosOrders
from resolvers.pos.returns import PosReturns
from resolvers.pos.settings import PosSettings
from resolvers.pos.wire import CountsAnswer, InventoryCount

__all__ = ["PosConnector", "PosLoaders"]

_COUNTS_PAGE = 1000  # Square's maximum ``limit`` for inventory counts
_COUNTS = model_codec(CountsAnswer)


@dataclass(frozen=True, slots=True)
class PosLoaders:
    """Per-request loaders over the connector's batch methods (build one per GraphQL request)."""

    stock: DataLoader[StockKey, StockLevel | None]
    orders: DataLoader[str, OrderRecord | None]
    """By our order number."""
    customers: DataLoader[str, CustomerRecord | None]
    """By our customer id."""


class PosConnector:
    """Square (the stores' POS) as StockSource, OrderSource, OrderSink, ReturnSource and CustomerSource."""

    system: System = "POS"

    def __init__(self, kit: ConnectorKit, settings: PosSettings, directory: LocationDirectory) -> None:
        self.kit = kit
        self.settings = settings
        self.directory = directory
        self.api = SquareApi(settings)
        self.catalog = CatalogIds(kit, self.api, settings)
        self.customers = PosCustomers(kit, self.api)
        self.orders = PosOrders(
            kit, self.api, settings, directory=directory, catalog=self.catalog, customers=self.customers
        )
        self.returns = PosReturns(kit, self.api, self.orders)

    # ------------------------------------------------------------ StockSource

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        location_map = await self.directory.map()
        stores = {
            square: our
            for our in dict.fromkeys(location_ids)
            if (square := location_map.system_id("POS", our)) is not None
        }
        if not stores or not skus:
            return []
        variations = await self.catalog.variation_ids(skus)
        if not variations:
            return []
        body = {
            "catalog_object_ids": sorted(set(variations.values())),
            "location_ids": sorted(stores),
            "states": list(STOCK_STATES),
            "limit": _COUNTS_PAGE,
        }

        async def fetch(http: UpstreamHttp) -> CountsAnswer:
            counts: list[InventoryCount] = []
            cursor: str | None = None
            while True:
                page = await self.api.post(
                    http, "/inventory/counts/batch-retrieve", with_cursor(body, cursor), CountsAnswer
                )
                counts.extend(page.counts)
                cursor = page.cursor
                if not cursor:
                    return CountsAnswer(counts=counts)

        result = await self.kit.read("pos", "stock", fetch, cache_key=body, codec=_COUNTS)
        read_at = result.stored_at if result.stored_at is not None else datetime.now(UTC).timestamp()
        return stock_levels(
            result.value.counts,
            {variation: sku for sku, variation in variations.items()},
            stores,
            as_of=datetime.fromtimestamp(read_at, UTC),
            stale=result.stale,
        )

    # ------------------------------------------------------------ OrderSource / OrderSink

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        """Orders by our number (Square ``reference_id``); None where the POS has none."""
        return await self.orders.orders_by_numbers(numbers)

    async def orders_for_customer(self, customer_id: str, first: int) -> list[OrderRecord]:
        """The customer's store orders, newest first, at most ``first``."""
        return await self.orders.orders_for_customer(customer_id, first)

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        """Create the order at the draft's store; a retry with the same draft replays, never duplicates."""
        return await self.orders.create_order(draft)

    # ------------------------------------------------------------ ReturnSource

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        """Each store sale's refunds and returned goods as returns (no RMA numbers: Square keeps none)."""
        return await self.returns.returns_for_orders(order_numbers)

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]:
        """Always None: Square keeps no RMA numbers."""
        return await self.returns.returns_by_rma(rma_numbers)

    async def order_numbers_of_refunds(self, refund_ids: Sequence[str]) -> list[str | None]:
        """Each refund's order as our number (None where Square knows neither)."""
        return await self.returns.order_numbers_of_refunds(refund_ids)

    # ------------------------------------------------------------ CustomerSource

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        """Square profiles by our id (their ``reference_id``), with loyalty."""
        return await self.customers.customers_by_ids(customer_ids)

    async def customers_by_email(self, email: str) -> list[CustomerRecord]:
        """Every Square profile with this e-mail (case-insensitive), with loyalty."""
        return await self.customers.customers_by_email(email)

    # ------------------------------------------------------------ per request

    def loaders(self) -> PosLoaders:
        """Fresh loaders for one request (they cache per key: never share them between requests)."""
        return PosLoaders(
            stock=stock_loader(self),
            orders=keyed_loader(self.orders_by_numbers),
            customers=keyed_loader(self.customers_by_ids),
        )

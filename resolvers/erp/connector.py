"""``ErpConnector``: the ERP's stock, orders, customers and returns behind the ports, through the kit.

Every exchange is one ``kit.read`` / ``kit.write`` with a stable operation
name (the policy key and the span name ``erp <operation>``):

=======================  ===========================================  ==========================
operation                what                                         cached (default policy)
=======================  ===========================================  ==========================
``stock``                StockSource.stock                            3 s, stale for 15 min
``orders_by_number``     OrderSource.orders_by_numbers                10 s, stale for 10 min
``orders_for_customer``  OrderSource.orders_for_customer              10 s, stale for 10 min
``customers_by_id``      CustomerSource.customers_by_ids              5 min, stale for a day
``customers_by_email``   CustomerSource.customers_by_email            5 min, stale for a day
``returns_by_rma``       ReturnSource.returns_by_rma                  10 s, stale for 10 min
``returns_for_orders``   ReturnSource.returns_for_orders              10 s, stale for 10 min
``order_lookup``,        the fresh look-ups before a create           no
``return_lookup``,
``order_version``
``csrf_token``           the token fetch before the first write       no
``create_order``,        OrderSink / ReturnSink / the delivery block  writes: never
``create_return``,
``update_order``
=======================  ===========================================  ==========================

Cache keys are the sorted keys of a batch, so the same question from another
request (or instance) hits. Records served from the cache because the ERP
failed carry ``stale=True`` (stock: ``as_of`` is when the figure was read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from resolvers.directory import LocationDirectory
from resolvers.domain import (
    CustomerRecord,
    OrderDraft,
    OrderRecord,
    ReturnDraft,
    ReturnRecord,
    StockLevel,
    System,
)
from resolvers.erp import queries
from resolvers.erp.csrf import CsrfSession
from resolvers.erp.mapping import customer_record, order_record, return_record, stock_levels
from resolvers.erp.odata import OData
from resolvers.erp.settings import ErpSettings
from resolvers.erp.wire import BusinessPartner, ReturnWithOrder, SalesOrder, StockRow, codec_for
from resolvers.erp.writes import ErpVersion, ErpWrites
from resolvers.kit.call import ConnectorKit
from resolvers.kit.memo import IdentityMemo
from resolvers.kit.upstream import UpstreamHttp
from resolvers.loaders import StockKey, keyed_loader, stock_loader

if TYPE_CHECKING:
    from aiodataloader import DataLoader

__all__ = ["ErpConnector", "ErpLoaders"]

SYSTEM = "erp"
_STOCK = codec_for(list[StockRow])
_ORDERS = codec_for(list[SalesOrder])
_PARTNERS = codec_for(list[BusinessPartner])
_RETURNS = codec_for(list[ReturnWithOrder])


@dataclass(frozen=True, slots=True)
class ErpLoaders:
    """Per-request loaders over the connector's batch methods (build them per request, never share)."""

    stock: DataLoader[StockKey, StockLevel | None]
    orders: DataLoader[str, OrderRecord | None]
    """By our order number."""
    customers: DataLoader[str, CustomerRecord | None]
    """By our customer id."""
    returns_by_rma: DataLoader[str, ReturnRecord | None]
    returns_for_orders: DataLoader[str, list[ReturnRecord]]
    """By our order number: that order's returns."""


class ErpConnector:
    """SAP S/4HANA's OData V2 APIs as StockSource, OrderSource/Sink, CustomerSource, ReturnSource/Sink."""

    system: System = "ERP"

    def __init__(self, kit: ConnectorKit, settings: ErpSettings, directory: LocationDirectory) -> None:
        self.kit = kit
        self.settings = settings
        self.directory = directory
        self._odata = OData(settings)
        self._csrf = CsrfSession(kit, self._odata)
        self._writes = ErpWrites(kit, self._odata, self._csrf, directory)
        self._channels = {code: channel for channel, code in settings.channel_codes.items()}
        self._reasons = {code: reason for reason, code in settings.return_reason_codes.items()}
        self._mapped: IdentityMemo[OrderRecord] = IdentityMemo()

    def loaders(self) -> ErpLoaders:
        return ErpLoaders(
            stock=stock_loader(self),
            orders=keyed_loader(self.orders_by_numbers),
            customers=keyed_loader(self.customers_by_ids),
            returns_by_rma=keyed_loader(self.returns_by_rma),
            returns_for_orders=keyed_loader(self.returns_for_orders),
        )

    async def _plant_locations(self) -> dict[str, str]:
        """ERP plant -> our location id."""
        return {plant: location for location, plant in (await self.directory.map()).system_ids("ERP").items()}

    # ------------------------------------------------------------ stock

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        """The ERP's figures for ``skus`` at ``location_ids`` (locations without a plant are left out)."""
        locations = await self.directory.map()
        plant_locations: dict[str, list[str]] = {}
        for location_id in dict.fromkeys(location_ids):
            plant = locations.system_id("ERP", location_id)
            if plant:
                plant_locations.setdefault(plant, []).append(location_id)
        materials, plants = sorted(set(skus)), sorted(plant_locations)
        if not materials or not plants:
            return []

        async def fetch(http: UpstreamHttp) -> list[StockRow]:
            return await queries.stock_rows(self._odata, http, materials, plants)

        call = await self.kit.read(
            SYSTEM, "stock", fetch, cache_key={"materials": materials, "plants": plants}, codec=_STOCK
        )
        read_at = datetime.fromtimestamp(call.stored_at, UTC) if call.stored_at else datetime.now(UTC)
        return stock_levels(call.value, plant_locations, as_of=read_at, stale=call.stale)

    # ------------------------------------------------------------ orders

    def _order(
        self,
        order: SalesOrder,
        plants: dict[str, str],
        *,
        customer_id: str | None = None,
        stale: bool = False,
    ) -> OrderRecord:
        return order_record(
            order, plant_locations=plants, channels=self._channels, customer_id=customer_id, stale=stale
        )

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        """Sales orders by our order number (PurchaseOrderByCustomer), in order; None where there is none."""
        wanted = sorted(set(numbers))
        if not wanted:
            return [None] * len(numbers)

        async def fetch(http: UpstreamHttp) -> list[SalesOrder]:
            return await queries.find_orders(self._odata, http, wanted)

        call = await self.kit.read(SYSTEM, "orders_by_number", fetch, cache_key=wanted, codec=_ORDERS)
        first: dict[str, SalesOrder] = {}
        for order in call.value:  # oldest first: a duplicate posting never hides the original
            first.setdefault(order.PurchaseOrderByCustomer, order)
        locations = await self.directory.map()
        plants = await self._plant_locations()

        def record(order: SalesOrder) -> OrderRecord:
            # mapped once per answer: the cache hands out the same orders while its entry is unchanged
            return self._mapped.get(
                (order, locations), call.stale, lambda: self._order(order, plants, stale=call.stale)
            )

        return [record(first[number]) if number in first else None for number in numbers]

    async def orders_for_customer(self, customer_id: str, first: int) -> list[OrderRecord]:
        """The customer's sales orders (SoldToParty = their business partner), newest first."""
        if first <= 0:
            return []
        [customer] = await self.customers_by_ids([customer_id])
        if customer is None:
            return []
        partner = customer.system_id

        async def fetch(http: UpstreamHttp) -> list[SalesOrder]:
            return await queries.orders_of_partner(self._odata, http, partner, first)

        call = await self.kit.read(
            SYSTEM, "orders_for_customer", fetch, cache_key=[partner, first], codec=_ORDERS
        )
        plants = await self._plant_locations()
        return [self._order(o, plants, customer_id=customer_id, stale=call.stale) for o in call.value]

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        """Post ``draft`` as a sales order; a retry of the same draft returns the first one (``writes``)."""
        sold_to = self.settings.one_time_customer
        if draft.customer_id:
            [customer] = await self.customers_by_ids([draft.customer_id])
            if customer is not None:
                sold_to = customer.system_id
        order = await self._writes.create_order(draft, sold_to)
        return self._order(order, await self._plant_locations(), customer_id=draft.customer_id)

    async def sales_order_version(self, number: str) -> ErpVersion | None:
        """The current key and ETag of our order ``number``'s sales order (None if the ERP has none)."""
        return await self._writes.sales_order_version(number)

    async def set_delivery_block(
        self, number: str, reason: str, *, version: ErpVersion | None = None
    ) -> ErpVersion:
        """Set (or with ``""`` lift) the order's delivery block, guarded by ``If-Match``.

        ``version``: the version the caller's decision was based on (a 412 then means someone
        changed the order since: ``UpstreamConflict``); None reads the current one first.
        """
        return await self._writes.set_delivery_block(number, reason, version=version)

    # ------------------------------------------------------------ customers

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        """Business partners by our customer id (BusinessPartnerIDByExtSystem), in order."""
        wanted = sorted(set(customer_ids))
        if not wanted:
            return [None] * len(customer_ids)

        async def fetch(http: UpstreamHttp) -> list[BusinessPartner]:
            return await queries.partners_by_ids(self._odata, http, wanted)

        call = await self.kit.read(SYSTEM, "customers_by_id", fetch, cache_key=wanted, codec=_PARTNERS)
        by_id = {p.BusinessPartnerIDByExtSystem: customer_record(p) for p in call.value}
        return [by_id.get(customer_id) for customer_id in customer_ids]

    async def customers_by_email(self, email: str) -> list[CustomerRecord]:
        """Business partners with this email on an address (case-insensitive)."""
        key = email.strip().casefold()
        if not key:
            return []

        async def fetch(http: UpstreamHttp) -> list[BusinessPartner]:
            return await queries.partners_by_email(self._odata, http, key)

        call = await self.kit.read(SYSTEM, "customers_by_email", fetch, cache_key=key, codec=_PARTNERS)
        return [customer_record(p) for p in call.value]

    # ------------------------------------------------------------ returns

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]:
        """Customer returns by RMA number (their PurchaseOrderByCustomer), in order."""
        wanted = sorted(set(rma_numbers))
        if not wanted:
            return [None] * len(rma_numbers)

        async def fetch(http: UpstreamHttp) -> list[ReturnWithOrder]:
            return await queries.returns_by_rma(self._odata, http, wanted)

        call = await self.kit.read(SYSTEM, "returns_by_rma", fetch, cache_key=wanted, codec=_RETURNS)
        first: dict[str, ReturnRecord] = {}
        for found in call.value:
            first.setdefault(found.ret.PurchaseOrderByCustomer, return_record(found, reasons=self._reasons))
        return [first.get(rma) for rma in rma_numbers]

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        """Each order's customer returns (those referencing its sales order), in ``order_numbers`` order."""
        wanted = sorted(set(order_numbers))
        if not wanted:
            return [[] for _ in order_numbers]

        async def fetch(http: UpstreamHttp) -> list[ReturnWithOrder]:
            return await queries.returns_for_orders(self._odata, http, wanted)

        call = await self.kit.read(SYSTEM, "returns_for_orders", fetch, cache_key=wanted, codec=_RETURNS)
        by_order: dict[str, list[ReturnRecord]] = {}
        for found in call.value:
            if found.order_number:
                by_order.setdefault(found.order_number, []).append(
                    return_record(found, reasons=self._reasons)
                )
        return [list(by_order.get(number, [])) for number in order_numbers]

    async def create_return(self, draft: ReturnDraft) -> ReturnRecord:
        """Post ``draft`` as a customer return against the order's sales order; a retry returns the first."""
        return return_record(await self._writes.create_return(draft), reasons=self._reasons)

"""The OMS connector: one object implementing every port the OMS serves, over its parts.

:class:`OmsConnector` is what the subgraphs are handed (typed by the ports
in :mod:`resolvers.ports`); it delegates to one part per concept, all sharing
one :class:`~resolvers.oms.context.OmsContext` (kit, settings, memos):

=====================  ==========================================  ====================================
part                   ports                                       module
=====================  ==========================================  ====================================
OmsInventory           LocationSource, StockSource                 :mod:`resolvers.oms.inventory`
OmsReservations        ReservationPort                             :mod:`resolvers.oms.reservations`
OmsOrders              OrderSource, OrderSink (+ status changes)   :mod:`resolvers.oms.orders`
OmsReturns             ReturnSource, ReturnSink (+ reasons)        :mod:`resolvers.oms.returns`
=====================  ==========================================  ====================================

:meth:`OmsConnector.loaders` builds the per-request DataLoaders over the
batch methods (one per GraphQL request, never shared).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiodataloader import DataLoader

from resolvers.domain import (
    Location,
    OrderDraft,
    OrderRecord,
    Reservation,
    ReservationLine,
    ReturnDraft,
    ReturnRecord,
    ShipmentRecord,
    StockLevel,
    System,
)
from resolvers.kit.call import ConnectorKit
from resolvers.loaders import StockKey, keyed_loader, stock_loader
from resolvers.oms import wire
from resolvers.oms.context import OmsContext
from resolvers.oms.inventory import OmsInventory
from resolvers.oms.orders import OmsOrders
from resolvers.oms.reservations import OmsReservations
from resolvers.oms.returns import OmsReturns
from resolvers.oms.settings import OmsSettings

__all__ = ["OmsConnector", "OmsLoaders"]


@dataclass(frozen=True, slots=True)
class OmsLoaders:
    """Per-request loaders over the OMS's batch methods."""

    stock: DataLoader[StockKey, StockLevel | None]
    """(sku, location id) -> the OMS's level; one ``POST /inventory/search`` per tick."""
    orders: DataLoader[str, OrderRecord | None]
    """Order number -> the OMS's order."""
    returns_for_orders: DataLoader[str, list[ReturnRecord]]
    """Order number -> its returns in the OMS."""
    returns_by_rma: DataLoader[str, ReturnRecord | None]
    """RMA number -> the OMS's return."""


class OmsConnector:
    """Locations, stock, reservations, orders, shipments and returns of the OMS (see the package docs)."""

    system: System = "OMS"

    def __init__(self, kit: ConnectorKit, settings: OmsSettings | None = None) -> None:
        self.settings = settings or OmsSettings()
        self._ctx = OmsContext(kit, self.settings)
        self._inventory = OmsInventory(self._ctx)
        self._reservations = OmsReservations(self._ctx)
        self._orders = OmsOrders(self._ctx)
        self._returns = OmsReturns(self._ctx, self._orders)

    # ------------------------------------------------------------ LocationSource, StockSource

    async def locations(self) -> list[Location]:
        """Every facility (``locations``: ``GET /facilities``, paged, cached for minutes)."""
        return await self._inventory.locations()

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        """Positions of every carried pair (``stock``: one ``POST /inventory/search`` per 500 x 500)."""
        return await self._inventory.stock(skus, location_ids)

    # ------------------------------------------------------------ ReservationPort

    async def reserve(
        self, lines: Sequence[ReservationLine], *, ttl_seconds: int, reference: str
    ) -> Reservation:
        """Hold every line or none (``reserve``); raises ``InsufficientStock`` naming the short SKUs."""
        return await self._reservations.reserve(lines, ttl_seconds=ttl_seconds, reference=reference)

    async def confirm(self, reservation_id: str, *, order_id: str | None = None) -> Reservation:
        """Commit the hold to ``order_id`` (default: its reference) (``confirm_reservation``)."""
        return await self._reservations.confirm(reservation_id, order_id=order_id)

    async def release(self, reservation_id: str) -> None:
        """Give the units back (``release_reservation``); releasing twice is harmless."""
        await self._reservations.release(reservation_id)

    # ------------------------------------------------------------ OrderSource, OrderSink

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        """By order number (``orders_by_number`` per number, ``order_shipments`` per order with any)."""
        return await self._orders.orders_by_numbers(numbers)

    async def orders_for_customer(self, customer_id: str, first: int) -> list[OrderRecord]:
        """The customer's orders, newest first (``orders_for_customer``, then ``order_shipments``)."""
        return await self._orders.orders_for_customer(customer_id, first)

    async def records_of(self, heads: Sequence[wire.Order]) -> list[OrderRecord]:
        """Canonical records of orders as a ``GET /orders`` listing showed them (``order_shipments``
        per order with any, ``settings.concurrency`` at a time): no second read of the orders."""
        return await self._ctx.each(list(heads), self._orders.record)

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        """``create_order``: ``POST /orders`` named by our number; a retry answers the same order."""
        return await self._orders.create_order(draft)

    async def set_order_status(
        self, number_or_id: str, status_id: str, *, reason: str | None = None
    ) -> OrderRecord:
        """``set_order_status`` (ORDER_APPROVED, ORDER_HOLD, ...); an invalid change is UpstreamConflict."""
        return await self._orders.set_order_status(number_or_id, status_id, reason=reason)

    async def set_shipment_status(
        self,
        shipment_id: str,
        status_id: str,
        *,
        tracking_number: str | None = None,
        carrier: str | None = None,
    ) -> ShipmentRecord:
        """``set_shipment_status`` (SHIPMENT_PACKED, SHIPMENT_SHIPPED, ...); invalid -> UpstreamConflict."""
        return await self._orders.set_shipment_status(
            shipment_id, status_id, tracking_number=tracking_number, carrier=carrier
        )

    # ------------------------------------------------------------ ReturnSource, ReturnSink

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]:
        """By RMA number, through the order named in it (``returns_for_order`` per order)."""
        return await self._returns.returns_by_rma(rma_numbers)

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        """Each order's returns (``returns_for_order`` per order, ``return_reasons`` hourly)."""
        return await self._returns.returns_for_orders(order_numbers)

    async def create_return(self, draft: ReturnDraft) -> ReturnRecord:
        """``create_return``: ``POST /returns``, our RMA number as externalId; a retry answers the same."""
        return await self._returns.create_return(draft)

    async def return_reasons(self) -> dict[str, str]:
        """OMS returnReasonId -> our ReturnReason (``return_reasons``, cached for an hour)."""
        return await self._returns.return_reasons()

    # ------------------------------------------------------------ loaders

    def loaders(self) -> OmsLoaders:
        """Fresh per-request loaders (build them per GraphQL request, in the context getter)."""
        return OmsLoaders(
            stock=stock_loader(self),
            orders=keyed_loader(self.orders_by_numbers),
            returns_for_orders=keyed_loader(self.returns_for_orders),
            returns_by_rma=keyed_loader(self.returns_by_rma),
        )

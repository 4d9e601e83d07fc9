"""The small typed interfaces (ports) the subgraphs depend on, instead of on any HTTP client.

Each system's connector implements the ports it can serve; a subgraph is
handed connectors typed by these Protocols, so tests and other systems of
record can stand in. Every batch method takes *all* the keys one GraphQL
request needs and costs as few upstream calls as the system allows (one
OData ``$filter`` with ``or``, one Square batch-retrieve, one Shopify query
with aliases); per-request :class:`aiodataloader.DataLoader` s
(:mod:`resolvers.loaders`) gather the keys of one event-loop tick into one
such call.

===================  =====================================  =========================
port                 what                                   systems
===================  =====================================  =========================
LocationSource       the location master (ids in every      OMS (facilities)
                     system: ``Location.refs``)
CatalogSource        products and variants with prices      Shopify
StockSource          stock figures per (SKU, location)      ERP, OMS, POS, Shopify
ReservationPort      atomic soft reservations of stock      OMS
OrderSource          orders by number, by customer          ERP, OMS, POS, Shopify
OrderSink            create an order (idempotent)           ERP, OMS, POS, Shopify
CustomerSource       customers by our id, by email          ERP, POS, Shopify
ReturnSource         returns by RMA number, by order        ERP, OMS, Shopify
ReturnSink           create a return (idempotent)           ERP, OMS, Shopify
===================  =====================================  =========================

Reads raise :class:`~resolvers.errors.ConnectorError` when the system cannot
answer and no stale value may stand in; records read from cache because the
system failed carry ``stale=True`` where the record has the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from resolvers.domain import (
    CustomerRecord,
    Location,
    OrderDraft,
    OrderRecord,
    Page,
    Product,
    Reservation,
    ReservationLine,
    ReturnDraft,
    ReturnRecord,
    StockLevel,
    System,
    Variant,
)

__all__ = [
    "CatalogSource",
    "CustomerSource",
    "LocationSource",
    "OrderSink",
    "OrderSource",
    "ReservationPort",
    "ReturnSink",
    "ReturnSource",
    "StockSource",
]


@runtime_checkable
class LocationSource(Protocol):
    async def locations(self) -> list[Location]:
        """Every location (stores, warehouses, distribution centres)."""
        ...


@runtime_checkable
class CatalogSource(Protocol):
    async def products(self, first: int, after: str | None, query: str | None) -> Page[Product]:
        """A page of products; ``query`` matches title, brand or SKU."""
        ...

    async def products_by_ids(self, ids: Sequence[str]) -> list[Product | None]:
        """Products in the order of ``ids``; None for an unknown id."""
        ...

    async def variants_by_skus(self, skus: Sequence[str]) -> list[Variant | None]:
        """Variants in the order of ``skus``; None for an unknown SKU."""
        ...


@runtime_checkable
class StockSource(Protocol):
    system: System

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        """This system's figures for every pair it knows of ``skus`` x ``location_ids``, in one call
        where the system allows. Pairs the system does not hold are left out."""
        ...


@runtime_checkable
class ReservationPort(Protocol):
    async def reserve(
        self, lines: Sequence[ReservationLine], *, ttl_seconds: int, reference: str
    ) -> Reservation:
        """Hold every line at once or none: raises ``InsufficientStock`` naming the short SKUs."""
        ...

    async def confirm(self, reservation_id: str) -> Reservation: ...

    async def release(self, reservation_id: str) -> None: ...


@runtime_checkable
class OrderSource(Protocol):
    system: System

    async def orders_by_numbers(self, numbers: Sequence[str]) -> list[OrderRecord | None]:
        """Orders in the order of ``numbers``; None where this system does not hold one."""
        ...

    async def orders_for_customer(self, customer_id: str, first: int) -> list[OrderRecord]:
        """The customer's orders in this system, newest first, at most ``first``."""
        ...


@runtime_checkable
class OrderSink(Protocol):
    system: System

    async def create_order(self, draft: OrderDraft) -> OrderRecord:
        """Create the order; a retry of the same draft never creates a second one."""
        ...


@runtime_checkable
class CustomerSource(Protocol):
    system: System

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        """By our customer id (C0xxxxx), in order; None where this system does not know them."""
        ...

    async def customers_by_email(self, email: str) -> list[CustomerRecord]:
        """Every record with this email (case-insensitive)."""
        ...


@runtime_checkable
class ReturnSource(Protocol):
    system: System

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]: ...

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        """Each order's returns in this system, in the order of ``order_numbers``."""
        ...


@runtime_checkable
class ReturnSink(Protocol):
    system: System

    async def create_return(self, draft: ReturnDraft) -> ReturnRecord:
        """Create the return; a retry of the same draft never creates a second one."""
        ...

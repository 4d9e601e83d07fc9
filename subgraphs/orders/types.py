"""The orders subgraph's GraphQL types: Order (its entity), lines, shipments, and Customer.orders.

``Order @key(id)`` is owned here (id = the order number, the key across
systems); the returns subgraph adds ``Order.returns``. Entities of other
subgraphs appear as stubs holding only their key (``Variant {sku}``,
``Location {id}``: ``resolvable: false``); ``Customer @key(id)`` is the
customers subgraph's, to which this one adds ``orders(first)``. Every Order
is built from one merged view (:mod:`subgraphs.orders.reads`), so its fields
cost nothing more than the batched reads of the request.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import strawberry
import strawberry.federation as fed
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from resolvers.domain import OrderRecord
from resolvers.errors import ConnectorError
from subgraphs.common.app import RequestContext
from subgraphs.common.errors import BadUserInput
from subgraphs.common.keys import can_name_a_record
from subgraphs.common.types import Channel, ExternalRef, Money, OrderEvent
from subgraphs.domain.enums import FinancialStatus as DomainFinancialStatus
from subgraphs.domain.enums import OrderStatus as DomainOrderStatus
from subgraphs.domain.enums import PostingStatus as DomainPostingStatus
from subgraphs.domain.enums import ShipmentStatus as DomainShipmentStatus
from subgraphs.domain.views import ShipmentView
from subgraphs.orders.reads import OrderDetail, load_orders, order_sources, prime_records
from subgraphs.orders.returned import returned_units

__all__ = [
    "Customer",
    "FinancialStatus",
    "Location",
    "Order",
    "OrderLine",
    "OrderStatus",
    "PostingStatus",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "Variant",
]

_log = logging.getLogger(__name__)
Info = strawberry.Info[RequestContext, None]
MAX_CUSTOMER_ORDERS = 100

OrderStatus = strawberry.enum(
    DomainOrderStatus,
    name="OrderStatus",
    description="One status across Shopify, OMS, WMS and ERP, normalised.",
)
FinancialStatus = strawberry.enum(DomainFinancialStatus, name="FinancialStatus")
PostingStatus = strawberry.enum(
    DomainPostingStatus,
    name="PostingStatus",
    description="Whether the order has reached the ERP, the financial system of record.",
)
ShipmentStatus = strawberry.enum(DomainShipmentStatus, name="ShipmentStatus")


@fed.type(directives=[Key(fields=FieldSet("sku"), resolvable=False)])
class Variant:
    sku: strawberry.ID


@fed.type(directives=[Key(fields=FieldSet("id"), resolvable=False)])
class Location:
    id: strawberry.ID


def _location(location_id: str | None) -> Location | None:
    return Location(id=strawberry.ID(location_id)) if location_id else None


def _line_id(number: str, line_no: int) -> strawberry.ID:
    return strawberry.ID(f"{number}-{line_no}")


async def _quantity_returned(root: OrderLine, info: Info) -> int:
    if root.returned is not None:
        return root.returned
    return (await returned_units(info.context, root.number)).get(root.line_no, 0)


@strawberry.type
class OrderLine:
    id: strawberry.ID
    variant: Variant
    quantity: int
    quantity_fulfilled: int
    quantity_returned: int = strawberry.field(
        resolver=_quantity_returned,
        description="Units returned: as the POS or Shopify count them on the order, else the units of "
        "the order's returns that went ahead (approved or later).",
    )
    unit_price: Money
    fulfilment_location: Location | None
    number: strawberry.Private[str]
    line_no: strawberry.Private[int]
    returned: strawberry.Private[int | None]
    """The units a system counts on the order; None: count the order's returns."""


@strawberry.type
class ShipmentLine:
    order_line_id: strawberry.ID
    quantity: int


@strawberry.type
class Shipment:
    id: strawberry.ID
    status: ShipmentStatus  # type: ignore[valid-type]
    location: Location | None
    carrier: str | None
    tracking_number: str | None
    lines: list[ShipmentLine]
    updated_at: datetime

    @classmethod
    def of(cls, number: str, shipment: ShipmentView) -> Shipment:
        return cls(
            id=strawberry.ID(shipment.id),
            status=shipment.status,
            location=_location(shipment.location_id),
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            lines=[ShipmentLine(order_line_id=_line_id(number, no), quantity=q) for no, q in shipment.lines],
            updated_at=shipment.updated_at,
        )


@fed.type(keys=["id"])
class Order:
    id: strawberry.ID
    number: str
    channel: Channel  # type: ignore[valid-type]
    placed_at: datetime
    customer: Customer | None
    status: OrderStatus  # type: ignore[valid-type]
    financial_status: FinancialStatus  # type: ignore[valid-type]
    erp_posting: PostingStatus  # type: ignore[valid-type]
    lines: list[OrderLine]
    total: Money
    shipments: list[Shipment]
    timeline: list[OrderEvent] = strawberry.field(
        description="Oldest first: every state change seen in any system."
    )
    external_refs: list[ExternalRef]

    @classmethod
    def of(cls, detail: OrderDetail) -> Order:
        view = detail.view
        number = view.number
        return cls(
            id=strawberry.ID(number),
            number=number,
            channel=view.channel,
            placed_at=view.placed_at,
            customer=Customer(id=strawberry.ID(view.customer_id)) if view.customer_id else None,
            status=view.status,
            financial_status=view.financial_status,
            erp_posting=view.erp_posting,
            lines=[
                OrderLine(
                    id=_line_id(number, line.line_no),
                    variant=Variant(sku=strawberry.ID(line.sku)),
                    quantity=line.quantity,
                    quantity_fulfilled=line.quantity_fulfilled,
                    unit_price=Money.of(line.unit_price),
                    fulfilment_location=_location(line.location_id),
                    number=number,
                    line_no=line.line_no,
                    returned=line.quantity_returned if line.returned_tracked else None,
                )
                for line in view.lines
            ],
            total=Money.of(view.total),
            shipments=[Shipment.of(number, shipment) for shipment in view.shipments],
            timeline=[OrderEvent.of(event) for event in detail.timeline],
            external_refs=[ExternalRef.of(ref) for ref in view.external_refs],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Order | None:
        if not can_name_a_record(str(id)):
            return None
        [found] = await load_orders(info.context, [str(id)])
        return cls.of(found) if found is not None else None


@fed.type(keys=["id"])
class Customer:
    id: strawberry.ID
    external_refs: list[ExternalRef] = fed.field(external=True, default_factory=list)
    refs_given: strawberry.Private[bool] = False
    """Whether the representation carried ``externalRefs`` (the gateway passes them for ``orders``)."""

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, externalRefs: object = None) -> Customer:
        """``externalRefs``: the customers subgraph's (``orders`` requires them); malformed: ignored."""
        given = externalRefs is not None
        return cls(id=id, external_refs=ExternalRef.list_of(externalRefs), refs_given=given)

    @fed.field(description="Newest first.", requires=["externalRefs { system id }"])
    async def orders(self, info: Info, first: int | None = 20) -> list[Order]:
        first = 20 if first is None else first
        if not 0 <= first <= MAX_CUSTOMER_ORDERS:
            raise BadUserInput(f"first must be between 0 and {MAX_CUSTOMER_ORDERS}", argument="first")
        customer_id = str(self.id)
        if first == 0 or not can_name_a_record(customer_id):
            return []
        systems = info.context.systems
        sources = list(order_sources(systems).values())
        # The customers subgraph's refs name Shopify's id, or tell that Shopify does not hold the
        # customer: either spares this process a scan of Shopify's customers for the id.
        shopify_id = next((ref.id for ref in self.external_refs if ref.system == "SHOPIFY"), None)
        answers = await asyncio.gather(
            *(
                systems.shopify.orders_for_customer(
                    customer_id, first, shopify_id=shopify_id, look_up=not self.refs_given
                )
                if source is systems.shopify
                else source.orders_for_customer(customer_id, first)
                for source in sources
            ),
            return_exceptions=True,
        )
        records: list[OrderRecord] = []
        failures: list[ConnectorError] = []
        for source, answer in zip(sources, answers, strict=True):
            if isinstance(answer, ConnectorError):
                _log.warning("%s could not list the orders of %s: %s", source.system, customer_id, answer)
                failures.append(answer)
            elif isinstance(answer, BaseException):
                raise answer
            else:
                records.extend(answer)
        if failures and len(failures) == len(sources):
            raise failures[0]
        prime_records(info.context, records)
        numbers = list(dict.fromkeys(record.number for record in records))
        details = [d for d in await load_orders(info.context, numbers) if d is not None]
        details.sort(key=lambda d: (d.view.placed_at, d.view.number), reverse=True)
        return [Order.of(detail) for detail in details[:first]]

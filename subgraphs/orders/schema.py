"""The orders subgraph's schema: Order reads, the newest-first listing, and ``submitOrder``.

Query ``order(id)`` / ``orderByNumber(number)`` (the id is the number),
``orders(first, after, status, channel)`` (:mod:`subgraphs.orders.listing`);
Mutation ``submitOrder(input, idempotencyKey)`` (:mod:`subgraphs.orders.mutation`);
the types in :mod:`subgraphs.orders.types` (Order, Customer.orders, stubs).
"""

from __future__ import annotations

import strawberry

from subgraphs.common.app import RequestContext
from subgraphs.common.federation import FederatedSchema
from subgraphs.common.types import Channel, PageInfo
from subgraphs.domain.enums import Channel as DomainChannel
from subgraphs.domain.enums import OrderStatus as DomainOrderStatus
from subgraphs.orders.listing import encode_cursor, list_orders
from subgraphs.orders.mutation import SubmitOrderPayload, submit_order
from subgraphs.orders.types import Customer, Location, Order, OrderStatus, Variant

__all__ = ["Mutation", "OrderConnection", "OrderEdge", "Query", "schema"]

Info = strawberry.Info[RequestContext, None]


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo


@strawberry.type
class Query:
    @strawberry.field
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        return await Order.resolve_reference(info, id)

    @strawberry.field
    async def order_by_number(self, info: Info, number: str) -> Order | None:
        return await Order.resolve_reference(info, strawberry.ID(number))

    @strawberry.field(description="Newest first. first is at most 100.")
    async def orders(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = strawberry.UNSET,
        status: OrderStatus | None = strawberry.UNSET,  # type: ignore[valid-type]
        channel: Channel | None = strawberry.UNSET,  # type: ignore[valid-type]
    ) -> OrderConnection:
        page = await list_orders(
            info.context,
            20 if first is None else first,
            after or None,
            DomainOrderStatus(status) if status else None,
            DomainChannel(channel) if channel else None,
        )
        edges = [
            OrderEdge(cursor=encode_cursor(position), node=Order.of(detail))
            for position, detail in page.items
        ]
        return OrderConnection(
            edges=edges, page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)
        )


@strawberry.type
class Mutation:
    submit_order: SubmitOrderPayload = strawberry.mutation(
        resolver=submit_order,
        description="Accept an order: validate, price, reserve stock, hand it to the OMS and queue its "
        "posting to the ERP. The same idempotencyKey with the same input returns the first result "
        "(replayed: true); with a different input it is a userError IDEMPOTENCY_KEY_REUSED.",
    )


schema = FederatedSchema(
    query=Query,
    mutation=Mutation,
    types=[Order, Customer, Variant, Location],
    federation_version="2.9",
)

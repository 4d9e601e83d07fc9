"""The returns subgraph's GraphQL types: Return, ReturnLine, and the returns of Order and Customer.

``Return`` (key ``id`` = its RMA number) is owned here; ``Order`` and
``Customer`` are the orders and customers subgraphs' entities, to which this
one adds ``returns`` (their ``resolve_reference`` just keeps the key);
``Variant`` is a stub of the catalog's. Every value comes from
:mod:`subgraphs.returns.reads` (merged across the OMS, ERP and Shopify).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import strawberry
import strawberry.federation as fed
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from subgraphs.common.app import RequestContext
from subgraphs.common.errors import BadUserInput
from subgraphs.common.keys import can_name_a_record
from subgraphs.common.types import ExternalRef, Money, OrderEvent
from subgraphs.domain.enums import ReturnStatus as DomainReturnStatus
from subgraphs.domain.views import ReturnView
from subgraphs.returns import reads

__all__ = [
    "MAX_PAGE",
    "Customer",
    "Order",
    "RefundMethod",
    "Return",
    "ReturnLine",
    "ReturnReason",
    "ReturnStatus",
    "Variant",
]

Info = strawberry.Info[RequestContext, None]
MAX_PAGE = 100
ReturnStatus = strawberry.enum(DomainReturnStatus, name="ReturnStatus")


@strawberry.enum
class ReturnReason(StrEnum):
    DAMAGED = "DAMAGED"
    DEFECTIVE = "DEFECTIVE"
    WRONG_ITEM = "WRONG_ITEM"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    SIZE_OR_FIT = "SIZE_OR_FIT"
    CHANGED_MIND = "CHANGED_MIND"
    OTHER = "OTHER"

    @classmethod
    def read(cls, raw: str | None) -> ReturnReason:
        """Our reason as a record carries it; a system's own code we do not know is OTHER."""
        try:
            return cls((raw or "").strip().upper())
        except ValueError:
            return cls.OTHER


@strawberry.enum
class RefundMethod(StrEnum):
    ORIGINAL_PAYMENT = "ORIGINAL_PAYMENT"
    STORE_CREDIT = "STORE_CREDIT"

    @classmethod
    def read(cls, raw: str | None) -> RefundMethod:
        """The record's refund method; unknown or unsaid is ORIGINAL_PAYMENT (the contract's default)."""
        try:
            return cls((raw or "").strip().upper())
        except ValueError:
            return cls.ORIGINAL_PAYMENT


@fed.type(directives=[Key(fields=FieldSet("sku"), resolvable=False)])
class Variant:
    sku: strawberry.ID


@strawberry.type
class ReturnLine:
    order_line_id: strawberry.ID
    variant: Variant
    quantity: int
    reason: ReturnReason


@fed.type(keys=["id"], description="A return authorisation (RMA), merged across the OMS, ERP and Shopify.")
class Return:
    id: strawberry.ID
    rma_number: str
    order: Order
    status: ReturnStatus  # type: ignore[valid-type]
    lines: list[ReturnLine]
    refund_method: RefundMethod
    refund: Money | None
    created_at: datetime
    timeline: list[OrderEvent] = strawberry.field(description="Oldest first, merged from every system.")
    external_refs: list[ExternalRef]

    @classmethod
    def of(cls, view: ReturnView) -> Return:
        rma = view.rma_number or ""
        number = view.order_number or ""
        return cls(
            id=strawberry.ID(rma),
            rma_number=rma,
            order=Order(id=strawberry.ID(number)),
            status=view.status,
            lines=[
                ReturnLine(
                    order_line_id=strawberry.ID(f"{number}-{line.line_no}"),
                    variant=Variant(sku=strawberry.ID(line.sku or "")),
                    quantity=line.quantity,
                    reason=ReturnReason.read(line.reason),
                )
                for line in view.lines
            ],
            refund_method=RefundMethod.read(view.refund_method),
            refund=Money.of(view.refund) if view.refund else None,
            created_at=view.created_at,
            timeline=[OrderEvent.of(event) for event in view.timeline],
            external_refs=[ExternalRef.of(ref) for ref in view.external_refs],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Return | None:
        found = await reads.return_by_rma(info.context, str(id))
        return cls.of(found) if found else None


async def _order_returns(root: Order, info: Info) -> list[Return]:
    if not can_name_a_record(str(root.id)):
        return []
    return [Return.of(view) for view in await reads.returns_of(info.context, str(root.id))]


async def _customer_returns(root: Customer, info: Info, first: int | None = 20) -> list[Return]:
    first = 20 if first is None else first
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}", argument="first")
    if not can_name_a_record(str(root.id)):
        return []
    found = await reads.customer_returns(info.context, str(root.id), first)
    return [Return.of(view) for view in found]


@fed.type(keys=["id"])
class Order:
    id: strawberry.ID
    returns: list[Return] = strawberry.field(resolver=_order_returns, description="Oldest first.")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Order:
        return cls(id=id)


@fed.type(keys=["id"])
class Customer:
    id: strawberry.ID
    returns: list[Return] = strawberry.field(resolver=_customer_returns, description="Newest first.")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Customer:
        return cls(id=id)

"""GraphQL value types more than one subgraph returns: ``@shareable``, resolved identically everywhere.

``DateTime`` and ``Decimal`` are Strawberry's built-in scalars (ISO 8601 with
offset; decimal string), named as the contract names them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
import strawberry.federation as fed

from resolvers import domain
from subgraphs.domain.enums import Channel as DomainChannel

__all__ = ["Address", "Channel", "ExternalRef", "Money", "OrderEvent", "PageInfo", "UserError"]

Channel = strawberry.enum(DomainChannel, name="Channel")


@fed.type(shareable=True)
class Money:
    amount: Decimal
    currency_code: str = strawberry.field(description="ISO 4217, e.g. USD.")

    @classmethod
    def of(cls, money: domain.Money) -> Money:
        return cls(amount=money.amount, currency_code=money.currency)


@fed.type(shareable=True)
class Address:
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country_code: str

    @classmethod
    def of(cls, address: domain.Address) -> Address:
        return cls(
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            region=address.region,
            postal_code=address.postal_code,
            country_code=address.country_code,
        )


@fed.type(shareable=True, description="Where a record lives in a system of record.")
class ExternalRef:
    system: str = strawberry.field(description="ERP, OMS, POS or SHOPIFY.")
    id: str

    @classmethod
    def of(cls, ref: domain.ExternalRef) -> ExternalRef:
        return cls(system=ref.system, id=ref.id)

    @classmethod
    def list_of(cls, raw: object) -> list[ExternalRef]:
        """The well-formed ``{system, id}`` objects of an entity representation's ``externalRefs``."""
        if not isinstance(raw, list):
            return []
        return [
            cls(system=item["system"], id=item["id"])
            for item in raw
            if isinstance(item, dict)
            and isinstance(item.get("system"), str)
            and isinstance(item.get("id"), str)
        ]


@fed.type(shareable=True)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@fed.type(shareable=True, description="A problem with the request that the caller can fix.")
class UserError:
    code: str = strawberry.field(description="Stable machine-readable code, e.g. OUT_OF_STOCK.")
    field: list[str] | None = strawberry.field(description="Path to the input field at fault.")
    message: str


@fed.type(shareable=True)
class OrderEvent:
    at: datetime
    system: str = strawberry.field(description="ERP, OMS, POS, SHOPIFY or GATEWAY.")
    type: str = strawberry.field(description="A short code such as ORDER_ACCEPTED, POSTED_TO_ERP, SHIPPED.")
    message: str | None

    @classmethod
    def of(cls, event: domain.OrderEventRecord) -> OrderEvent:
        return cls(at=event.at, system=event.system, type=event.type, message=event.message)

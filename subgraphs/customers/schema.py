"""The customers subgraph's types: ``Customer``, the entity orders and returns extend, and its look-ups.

A customer's profile is merged from what Shopify, the POS and the ERP know
of the same customer id (:func:`subgraphs.domain.profile.merge_customer`:
contact details from Shopify first, loyalty from the POS, every system's id
in ``externalRefs``). The three are asked in parallel, batched per request
(:class:`~subgraphs.customers.lookup.CustomerLookup`): ``_entities`` with
twenty customers is one ``customers_by_ids`` call per system (one request to
the ERP and to Shopify; the POS connector searches Square once per id inside
that call, as Square cannot or its filters). A customer any one system knows
exists; one system down or slow leaves the others to answer.
"""

from __future__ import annotations

import strawberry
import strawberry.federation as fed

from subgraphs.common.app import RequestContext
from subgraphs.common.errors import BadUserInput
from subgraphs.common.federation import FederatedSchema
from subgraphs.common.types import Address, ExternalRef
from subgraphs.customers.lookup import CustomerLookup, normalise_email, valid_customer_id
from subgraphs.domain.profile import CustomerProfile

__all__ = ["Customer", "Loyalty", "Query", "schema"]

Info = strawberry.Info[RequestContext, None]


@strawberry.type(description="Loyalty standing in the store programme (kept by the POS).")
class Loyalty:
    tier: str = strawberry.field(description="The highest reward tier the points balance reaches, or MEMBER.")
    points: int = strawberry.field(description="The points balance.")


@fed.type(keys=["id"], description="A customer, merged from what Shopify, the POS and the ERP know of them.")
class Customer:
    id: strawberry.ID = strawberry.field(description="Our customer id (C0xxxxx), the key in every system.")
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    addresses: list[Address] = strawberry.field(description="Every system's addresses, each once.")
    loyalty: Loyalty | None = strawberry.field(description="Loyalty standing, from the POS.")
    external_refs: list[ExternalRef] = strawberry.field(
        description="Every system that knows the customer, with its own id for them."
    )

    @classmethod
    def of(cls, customer_id: str, profile: CustomerProfile) -> Customer:
        return cls(
            id=strawberry.ID(profile.id or customer_id),
            email=profile.email,
            phone=profile.phone,
            first_name=profile.first_name,
            last_name=profile.last_name,
            addresses=[Address.of(address) for address in profile.addresses],
            loyalty=Loyalty(tier=profile.loyalty.tier, points=profile.loyalty.points)
            if profile.loyalty
            else None,
            external_refs=[ExternalRef.of(ref) for ref in profile.external_refs],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Customer | None:
        try:
            customer_id = valid_customer_id(str(id))
        except BadUserInput:  # a reference to no one (another subgraph's bad data): nobody, not a fault
            return None
        profile = await _lookup(info).by_id(customer_id)
        return cls.of(customer_id, profile) if profile else None


def _lookup(info: Info) -> CustomerLookup:
    systems = info.context.systems
    return info.context.loader(
        "customers.lookup", lambda: CustomerLookup([systems.shopify, systems.pos, systems.erp])
    )


@strawberry.type
class Query:
    @strawberry.field(description="A customer by our id; null when no system knows them.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        customer_id = valid_customer_id(str(id))
        profile = await _lookup(info).by_id(customer_id)
        return Customer.of(customer_id, profile) if profile else None

    @strawberry.field(
        description="The customer with this e-mail address (case-insensitive, blanks trimmed); null when "
        "none. Where duplicate profiles carry different customer ids, the one Shopify holds wins, else "
        "the one most systems agree on, else the lowest."
    )
    async def customer_by_email(self, info: Info, email: str) -> Customer | None:
        address = normalise_email(email)
        profile = await _lookup(info).by_email(address)
        return Customer.of(profile.id or "", profile) if profile else None


schema = FederatedSchema(query=Query, types=[Customer], federation_version="2.9")

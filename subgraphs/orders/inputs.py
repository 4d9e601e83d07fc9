"""``submitOrder``'s input types, as the contract spells them, and their plain-value form.

Optional fields default to ``UNSET`` (no default in the SDL, as in the
contract); :func:`to_request` turns the input into a
:class:`~subgraphs.orders.validation.SubmitRequest` (absent = None) and
:func:`canonical` into the JSON whose hash is the idempotency fingerprint
(equal inputs, however written, give equal JSON).
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

import strawberry

from resolvers.domain import Address
from resolvers.domain import FulfilmentType as DomainFulfilmentType
from subgraphs.common.types import Channel
from subgraphs.orders.validation import LineRequest, SubmitRequest

__all__ = [
    "AddressInput",
    "FulfilmentInput",
    "FulfilmentType",
    "OrderLineInput",
    "SubmitOrderInput",
    "canonical",
    "to_request",
]


@strawberry.enum
class FulfilmentType(Enum):
    SHIP = "SHIP"
    PICKUP = "PICKUP"


def _given(value: Any) -> Any:
    return None if value is strawberry.UNSET else value


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = strawberry.UNSET
    city: str
    region: str | None = strawberry.UNSET
    postal_code: str
    country_code: str

    def to_address(self) -> Address:
        return Address(
            line1=self.line1,
            line2=_given(self.line2),
            city=self.city,
            region=_given(self.region),
            postal_code=self.postal_code,
            country_code=self.country_code,
        )


@strawberry.input
class OrderLineInput:
    sku: strawberry.ID
    quantity: int


@strawberry.input
class FulfilmentInput:
    type: FulfilmentType
    shipping_address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Required for SHIP."
    )
    pickup_location_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Required for PICKUP: a store with pickup enabled."
    )


@strawberry.input
class SubmitOrderInput:
    channel: Channel  # type: ignore[valid-type]
    customer_id: strawberry.ID | None = strawberry.UNSET
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Required when customerId is absent (guest checkout)."
    )
    lines: list[OrderLineInput]
    fulfilment: FulfilmentInput
    payment_reference: str = strawberry.field(
        description="Reference of a payment authorisation taken by the channel."
    )


def to_request(given: SubmitOrderInput) -> SubmitRequest:
    """The input as plain values (absent optional fields are None)."""
    fulfilment = given.fulfilment
    address: AddressInput | None = _given(fulfilment.shipping_address)
    pickup = _given(fulfilment.pickup_location_id)
    customer = _given(given.customer_id)
    kind: DomainFulfilmentType = "PICKUP" if fulfilment.type is FulfilmentType.PICKUP else "SHIP"
    return SubmitRequest(
        channel=given.channel,
        lines=tuple(LineRequest(str(line.sku), line.quantity) for line in given.lines),
        fulfilment_type=kind,
        payment_reference=given.payment_reference,
        customer_id=str(customer) if customer is not None else None,
        email=_given(given.email),
        shipping_address=address.to_address() if address is not None else None,
        pickup_location_id=str(pickup) if pickup is not None else None,
    )


def canonical(request: SubmitRequest) -> dict[str, Any]:
    """The request as canonical JSON values (what the idempotency fingerprint hashes)."""
    return dataclasses.asdict(request)

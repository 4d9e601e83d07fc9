"""The OMS's wire payloads the connector reads (OFBiz/HotWax field names), as pydantic models.

Every model ignores fields it does not declare (``extra="ignore"``): these
are answers FROM the OMS, and real systems add fields between releases; a
missing or mistyped declared field is a bad answer (``UpstreamBadResponse``).
Amounts are JSON numbers on the wire and :class:`~decimal.Decimal` here;
timestamps are ISO-8601 with ``Z`` and aware datetimes here.

The models are also what the connector caches (:func:`model_codec`): a
cached answer is the validated model as JSON, so a cache hit needs no
second validation of a foreign payload.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from resolvers.kit.cache import Codec

__all__ = [
    "ErrorEnvelope",
    "Facility",
    "FacilityPage",
    "Identification",
    "InventoryAnswer",
    "OmsReservation",
    "Order",
    "OrderItem",
    "OrderPage",
    "PaymentPreference",
    "Position",
    "PostalAddress",
    "ReservationItem",
    "Return",
    "ReturnItem",
    "ReturnPage",
    "ReturnReason",
    "ReturnReasons",
    "ShipGroup",
    "Shipment",
    "ShipmentItem",
    "ShipmentList",
    "ShipmentRef",
    "StatusRow",
    "model_codec",
]

M = TypeVar("M", bound=BaseModel)


class _Wire(BaseModel):
    # Answers from the OMS: ignore undeclared fields (real systems add fields), never forbid them.
    model_config = ConfigDict(extra="ignore", frozen=True)


def model_codec(model: type[M]) -> Codec[M]:
    """Cache a validated answer as its JSON and read it back without the upstream's quirks."""
    return Codec(encode=lambda value: value.model_dump_json().encode(), decode=model.model_validate_json)


# ---------------------------------------------------------------- errors


class ErrorEnvelope(_Wire):
    """``{"errorCode": 409, "errors": "...", "errorId": "SHOUTY_CODE", "details": [...]}``."""

    errorCode: int | None = None
    errors: str | list[Any] | None = None
    errorId: str | None = None
    details: list[Any] = Field(default_factory=list)

    @property
    def message(self) -> str | None:
        if isinstance(self.errors, list):
            return "; ".join(str(e) for e in self.errors) or None
        return self.errors


# ---------------------------------------------------------------- master data and inventory


class PostalAddress(_Wire):
    toName: str | None = None
    address1: str
    address2: str | None = None
    city: str
    stateProvinceGeoId: str | None = None
    postalCode: str
    countryGeoId: str


class Identification(_Wire):
    facilityIdenTypeId: str
    idValue: str


class Facility(_Wire):
    facilityId: str
    facilityName: str
    facilityTypeId: str
    externalId: str | None = None
    postalAddress: PostalAddress | None = None
    identifications: list[Identification] = Field(default_factory=list)
    allowPickup: str = "N"
    fulfillsOnlineOrders: str = "N"


class FacilityPage(_Wire):
    facilities: list[Facility]
    facilitiesCount: int


class Position(_Wire):
    productId: str
    facilityId: str
    quantityOnHandTotal: int
    availableToPromiseTotal: int
    reservedQuantity: int = 0
    safetyStock: int = 0
    unavailableQuantity: int = 0
    incomingQuantity: int = 0


class InventoryAnswer(_Wire):
    inventory: list[Position]


class ReservationItem(_Wire):
    productId: str
    quantity: int


class OmsReservation(_Wire):
    reservationId: str
    externalId: str | None = None
    facilityId: str
    statusId: str
    orderId: str | None = None
    items: list[ReservationItem]
    expiresAt: datetime | None = None


# ---------------------------------------------------------------- orders and shipments


class StatusRow(_Wire):
    statusId: str
    statusDatetime: datetime
    changedByUserLogin: str | None = None
    changeReason: str | None = None


class OrderItem(_Wire):
    orderItemSeqId: str
    shipGroupSeqId: str
    productId: str
    quantity: int
    cancelQuantity: int = 0
    shippedQuantity: int | None = None
    unitPrice: Decimal
    statusId: str


class ShipGroup(_Wire):
    shipGroupSeqId: str
    facilityId: str
    shipmentMethodTypeId: str
    carrierPartyId: str | None = None
    postalAddress: PostalAddress | None = None
    pickupFacilityId: str | None = None


class ShipmentRef(_Wire):
    shipmentId: str
    statusId: str


class PaymentPreference(_Wire):
    statusId: str
    maxAmount: Decimal | None = None
    refundedAmount: Decimal | None = None


class Order(_Wire):
    orderId: str
    orderName: str | None = None
    externalId: str | None = None
    salesChannelEnumId: str | None = None
    statusId: str
    orderDate: datetime
    partyId: str | None = None
    emailAddress: str | None = None
    currencyUom: str
    grandTotal: Decimal | None = None
    lastUpdatedStamp: datetime | None = None
    items: list[OrderItem]
    shipGroups: list[ShipGroup] = Field(default_factory=list)
    shipments: list[ShipmentRef] = Field(default_factory=list)
    statuses: list[StatusRow] = Field(default_factory=list)
    paymentPreferences: list[PaymentPreference] = Field(default_factory=list)


class OrderPage(_Wire):
    orders: list[Order]
    ordersCount: int


class ShipmentItem(_Wire):
    orderItemSeqId: str
    quantity: int


class Shipment(_Wire):
    shipmentId: str
    primaryOrderId: str | None = None
    statusId: str
    originFacilityId: str | None = None
    shipmentMethodTypeId: str | None = None
    carrierPartyId: str | None = None
    trackingIdNumber: str | None = None
    items: list[ShipmentItem] = Field(default_factory=list)
    lastUpdatedStamp: datetime


class ShipmentList(_Wire):
    shipments: list[Shipment]


# ---------------------------------------------------------------- returns


class ReturnItem(_Wire):
    orderItemSeqId: str
    productId: str | None = None
    returnQuantity: int
    returnReasonId: str
    returnTypeId: str | None = None


class Return(_Wire):
    returnId: str
    returnName: str | None = None
    externalId: str | None = None
    statusId: str
    orderId: str | None = None
    returnChannelEnumId: str | None = None
    destinationFacilityId: str | None = None
    currencyUomId: str = "USD"
    refundAmount: Decimal | None = None
    entryDate: datetime
    lastUpdatedStamp: datetime | None = None
    items: list[ReturnItem]
    statuses: list[StatusRow] = Field(default_factory=list)


class ReturnPage(_Wire):
    returns: list[Return]
    returnsCount: int


class ReturnReason(_Wire):
    returnReasonId: str
    description: str | None = None
    canonicalReason: str | None = None


class ReturnReasons(_Wire):
    returnReasons: list[ReturnReason]

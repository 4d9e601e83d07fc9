"""Request bodies of the OMS REST API, validated at the edge.

Like Moqui services, the OMS ignores parameters it does not declare
(``extra="ignore"``) but checks the declared ones: types, required fields,
enumerations and ranges. A failure becomes a 400 ``VALIDATION_ERROR`` whose
details name each field (``shipGroups.0.items.1.quantity``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

__all__ = [
    "ConfirmReservation",
    "CreateOrder",
    "CreateReservation",
    "CreateReturn",
    "InventorySearch",
    "OrderItemIn",
    "PaymentPreferenceIn",
    "PostalAddressIn",
    "ReservationItemIn",
    "ReturnItemIn",
    "ShipGroupIn",
    "ShipmentStatusChange",
    "StatusChange",
]

SalesChannel = Literal["WEB_SALES_CHANNEL", "POS_SALES_CHANNEL", "CLIENTELING_CHANNEL", "PHONE_SALES_CHANNEL"]
_Id = Field(min_length=1, max_length=60)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PostalAddressIn(_Body):
    toName: str | None = None
    address1: str = Field(min_length=1)
    address2: str | None = None
    city: str = Field(min_length=1)
    stateProvinceGeoId: str | None = None
    postalCode: str = Field(min_length=1)
    countryGeoId: str = Field("USA", min_length=2, max_length=3)


class OrderItemIn(_Body):
    productId: str = _Id
    quantity: int = Field(gt=0, le=10_000)
    unitPrice: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    itemDescription: str | None = None
    externalId: str | None = None


class ShipGroupIn(_Body):
    facilityId: str = _Id
    shipmentMethodTypeId: Literal["STANDARD", "STOREPICKUP"] = "STANDARD"
    carrierPartyId: str = "_NA_"
    postalAddress: PostalAddressIn | None = None
    items: list[OrderItemIn] = Field(min_length=1, max_length=250)


class PaymentPreferenceIn(_Body):
    paymentMethodTypeId: str = Field("CREDIT_CARD", min_length=1)
    statusId: Literal["PAYMENT_NOT_AUTH", "PAYMENT_AUTHORIZED", "PAYMENT_SETTLED"] = "PAYMENT_AUTHORIZED"
    maxAmount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    manualRefNum: str | None = None


class CreateOrder(_Body):
    orderName: str | None = Field(None, min_length=1, max_length=60)
    externalId: str | None = Field(None, min_length=1, max_length=60)
    salesChannelEnumId: SalesChannel = "WEB_SALES_CHANNEL"
    orderDate: datetime | None = None
    currencyUom: str = Field("USD", pattern=r"^[A-Z]{3}$")
    customerPartyId: str = Field("_NA_", min_length=1)
    emailAddress: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")
    shipGroups: list[ShipGroupIn] = Field(min_length=1, max_length=20)
    paymentPreferences: list[PaymentPreferenceIn] | None = None


class StatusChange(_Body):
    statusId: str = _Id
    reason: str | None = Field(None, max_length=255)


class ShipmentStatusChange(StatusChange):
    trackingIdNumber: str | None = Field(None, min_length=1, max_length=60)
    carrierPartyId: Literal["UPS", "FEDEX", "USPS", "DHL", "_NA_"] | None = None


class ReturnItemIn(_Body):
    orderItemSeqId: str = _Id
    returnQuantity: int = Field(gt=0, le=10_000)
    returnReasonId: str = Field("RTN_NOT_WANT", min_length=1)
    returnTypeId: Literal["RTN_REFUND", "RTN_CREDIT"] = "RTN_REFUND"


class CreateReturn(_Body):
    orderId: str = _Id
    items: list[ReturnItemIn] = Field(min_length=1, max_length=250)
    returnChannel: Literal["ECOM_RTN_CHANNEL", "POS_RTN_CHANNEL", "CSR_RTN_CHANNEL"] = Field(
        "ECOM_RTN_CHANNEL", validation_alias=AliasChoices("returnChannel", "returnChannelEnumId")
    )
    destinationFacilityId: str | None = Field(None, min_length=1)
    externalId: str | None = Field(None, min_length=1, max_length=60)


class InventorySearch(_Body):
    productIds: list[str] = Field(min_length=1, max_length=500)
    facilityIds: list[str] | None = Field(None, min_length=1, max_length=500)


class ReservationItemIn(_Body):
    productId: str = _Id
    quantity: int = Field(gt=0, le=10_000)


class CreateReservation(_Body):
    facilityId: str = _Id
    items: list[ReservationItemIn] = Field(min_length=1, max_length=500)
    expiresInSeconds: int | None = Field(None, ge=1)
    externalId: str | None = Field(None, min_length=1, max_length=120)


class ConfirmReservation(_Body):
    orderId: str = _Id

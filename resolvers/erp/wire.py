"""The ERP's OData V2 JSON as pydantic models: what the connector reads from SAP, and nothing more.

OData V2 as SAP writes it: a collection is ``{"d": {"results": [...],
"__next"?}}``, an entity ``{"d": {...}}``; an expanded to-many navigation is
``{"results": [...]}`` (:data:`Results` unwraps it; an unexpanded one is
``{"__deferred": ...}`` and reads as empty); dates are ``/Date(ms)/`` or
``/Date(ms+0000)/`` (:data:`ODataDateTime`, aware UTC); decimals are strings
(``Decimal``); ``__metadata.etag`` carries the entity's version.

Every model ignores fields it does not name (``extra="ignore"``): answers
come *from* SAP, whose API versions add fields, and a new field must not
break the gateway. Models are frozen and serialise back to JSON (by alias)
so the kit's cache can hold them (:func:`codec_for`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

from resolvers.kit.cache import Codec

__all__ = [
    "BusinessPartner",
    "BusinessPartnerAddress",
    "Collection",
    "CustomerReturn",
    "CustomerReturnItem",
    "EmailAddress",
    "EmailRef",
    "Entity",
    "ErrorEnvelope",
    "MaterialStock",
    "Metadata",
    "ODataDateTime",
    "PartnerAddressRef",
    "PhoneNumber",
    "Results",
    "ReturnWithOrder",
    "SalesOrder",
    "SalesOrderItem",
    "SalesOrderItemKey",
    "SalesOrderKey",
    "StockRow",
    "codec_for",
    "parse_odata_date",
]

T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{4}))?\)/$")


def parse_odata_date(value: Any) -> Any:
    """``/Date(ms)/`` or ``/Date(ms+hhmm)/`` -> aware UTC datetime; anything else is left to pydantic."""
    if isinstance(value, str):
        match = _DATE.match(value)
        if match:
            millis, sign, offset = match.groups()
            moment = _EPOCH + timedelta(milliseconds=int(millis))
            if offset:
                minutes = int(offset[:2]) * 60 + int(offset[2:])
                moment -= timedelta(minutes=minutes if sign == "+" else -minutes)
            return moment
    return value


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _results(value: Any) -> Any:
    if isinstance(value, dict):
        if "results" in value:
            return value["results"]
        if "__deferred" in value:
            return []  # not expanded: the connector asks for what it reads, so this is "not read"
    return value


ODataDateTime = Annotated[datetime, BeforeValidator(parse_odata_date), AfterValidator(_utc)]
"""``Edm.DateTime`` / ``Edm.DateTimeOffset``: ``/Date(ms)/`` on the wire (ISO 8601 once cached)."""
Results = Annotated[list[T], BeforeValidator(_results)]
"""An expanded to-many navigation: ``{"results": [...]}`` on the wire, a plain list once cached."""


class _Wire(BaseModel):
    # Answers FROM the ERP: SAP adds fields between releases, so unknown ones are ignored.
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Metadata(_Wire):
    uri: str = ""
    type: str = ""
    etag: str | None = None


class _Versioned(_Wire):
    metadata: Metadata | None = Field(None, alias="__metadata")

    @property
    def etag(self) -> str | None:
        return self.metadata.etag if self.metadata else None


# ---------------------------------------------------------------- API_MATERIAL_STOCK_SRV


class StockRow(_Wire):
    """``A_MatlStkInAcctMod``: one (material, plant, storage location, stock type) quantity."""

    Material: str
    Plant: str
    StorageLocation: str = ""
    InventoryStockType: str
    MatlWrhsStkQtyInMatlBaseUnit: Decimal


class MaterialStock(_Wire):
    """``A_MaterialStock`` with its rows at every plant (``to_MatlStkInAcctMod``)."""

    Material: str
    to_MatlStkInAcctMod: Results[StockRow] = Field(default_factory=list)


# ---------------------------------------------------------------- API_SALES_ORDER_SRV


class SalesOrderItem(_Wire):
    SalesOrderItem: str
    Material: str
    RequestedQuantity: Decimal
    RequestedQuantityUnit: str = ""
    NetAmount: Decimal = Decimal(0)
    TransactionCurrency: str = ""
    ProductionPlant: str = ""
    SalesDocumentRjcnReason: str = ""
    SDProcessStatus: str = ""
    DeliveryStatus: str = ""


class SalesOrderItemKey(_Wire):
    SalesOrderItem: str


class SalesOrderKey(_Versioned):
    """The header fields that identify a sales order (``$select`` of lookups)."""

    SalesOrder: str
    PurchaseOrderByCustomer: str = ""
    DeliveryBlockReason: str = ""
    to_Item: Results[SalesOrderItemKey] = Field(default_factory=list)


class SalesOrder(_Versioned):
    SalesOrder: str
    PurchaseOrderByCustomer: str = ""
    SalesOrderType: str = ""
    SalesOrganization: str = ""
    DistributionChannel: str = ""
    OrganizationDivision: str = ""
    SoldToParty: str = ""
    ExternalDocumentID: str = ""
    CreationDate: ODataDateTime
    SalesOrderDate: ODataDateTime | None = None
    CustomerPurchaseOrderDate: ODataDateTime | None = None
    LastChangeDateTime: ODataDateTime | None = None
    TotalNetAmount: Decimal = Decimal(0)
    TransactionCurrency: str = ""
    HeaderBillingBlockReason: str = ""
    DeliveryBlockReason: str = ""
    OverallSDProcessStatus: str = ""
    OverallDeliveryStatus: str = ""
    OverallSDDocumentRejectionSts: str = ""
    to_Item: Results[SalesOrderItem] = Field(default_factory=list)


# ---------------------------------------------------------------- API_CUSTOMER_RETURN_SRV


class CustomerReturnItem(_Wire):
    CustomerReturnItem: str
    Material: str
    RequestedQuantity: Decimal
    NetAmount: Decimal = Decimal(0)
    ProductionPlant: str = ""
    ReturnReason: str = ""
    ReferenceSDDocument: str = ""
    ReferenceSDDocumentItem: str = ""
    ReturnsMaterialHasBeenReceived: str = ""
    RetMatlInspResultCode: str = ""


class CustomerReturn(_Versioned):
    CustomerReturn: str
    PurchaseOrderByCustomer: str = ""
    ReferenceSDDocument: str = ""
    SDDocumentReason: str = ""
    CreationDate: ODataDateTime
    LastChangeDateTime: ODataDateTime | None = None
    TotalNetAmount: Decimal = Decimal(0)
    TransactionCurrency: str = ""
    OverallSDProcessStatus: str = ""
    to_Item: Results[CustomerReturnItem] = Field(default_factory=list)


class ReturnWithOrder(_Wire):
    """A customer return and our order number (its reference sales order's PurchaseOrderByCustomer)."""

    ret: CustomerReturn
    order_number: str | None = None
    order_items: list[str] = Field(default_factory=list)
    """The reference sales order's item numbers (to tell which order line a return item is)."""


# ---------------------------------------------------------------- API_BUSINESS_PARTNER


class EmailAddress(_Wire):
    EmailAddress: str = ""
    IsDefaultEmailAddress: bool = False


class PhoneNumber(_Wire):
    PhoneNumber: str = ""
    InternationalPhoneNumber: str = ""
    IsDefaultPhoneNumber: bool = False


class BusinessPartnerAddress(_Wire):
    AddressID: str
    StreetName: str = ""
    HouseNumber: str = ""
    HouseNumberSupplementText: str = ""
    CityName: str = ""
    PostalCode: str = ""
    Region: str = ""
    Country: str = ""
    to_EmailAddress: Results[EmailAddress] = Field(default_factory=list)
    to_PhoneNumber: Results[PhoneNumber] = Field(default_factory=list)


class BusinessPartner(_Wire):
    BusinessPartner: str
    BusinessPartnerIDByExtSystem: str = ""
    FirstName: str = ""
    LastName: str = ""
    CreationDate: ODataDateTime | None = None
    to_BusinessPartnerAddress: Results[BusinessPartnerAddress] = Field(default_factory=list)


class EmailRef(_Wire):
    """``A_AddressEmailAddress`` as the email lookup reads it."""

    AddressID: str
    EmailAddress: str = ""


class PartnerAddressRef(_Wire):
    """``A_BusinessPartnerAddress`` as the email lookup reads it: whose address this is."""

    BusinessPartner: str
    AddressID: str


# ---------------------------------------------------------------- envelopes


class _Page(_Wire):
    results: list[dict[str, Any]]
    next: str | None = Field(None, alias="__next")


class Collection(_Wire):
    """``{"d": {"results": [...], "__next"?}}``; rows are validated as their own model."""

    d: _Page


class Entity(_Wire):
    """``{"d": {...}}``."""

    d: dict[str, Any]


class _ErrorMessage(_Wire):
    value: str = ""


class _ErrorBody(_Wire):
    code: str = ""
    message: _ErrorMessage = _ErrorMessage()


class ErrorEnvelope(_Wire):
    """SAP Gateway's error answer: ``{"error": {"code": "V1/302", "message": {"value": "..."}}}``."""

    error: _ErrorBody


def codec_for(kind: Any) -> Codec[Any]:
    """A cache codec for ``kind`` (e.g. ``list[StockRow]``): JSON by alias, validated on the way back."""
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    return Codec(encode=lambda value: adapter.dump_json(value, by_alias=True), decode=adapter.validate_json)

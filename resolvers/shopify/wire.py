"""Admin GraphQL payloads the connector reads: the response envelope, catalog, inventory and customers.

Field names are Shopify's own (camelCase, as selected in the documents of
:mod:`resolvers.shopify.documents`); only what the connector uses is
declared. Every model ignores the rest (``extra="ignore"``): answers come
FROM Shopify, which adds fields in every API version, and that must never
break a read. Orders and returns are in :mod:`resolvers.shopify.wire_orders`.

On the wire: ids are GIDs (``gid://shopify/Product/8000000001``) and
``legacyResourceId`` the number as a string; money is a decimal string;
times are ISO 8601 in UTC (parsed into aware datetimes).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CostExtension",
    "CustomerNode",
    "Envelope",
    "ErrorItem",
    "IndexNode",
    "IndexPage",
    "InventoryLevel",
    "MailingAddress",
    "Metafield",
    "PageInfo",
    "ProductNode",
    "ProductRef",
    "ThrottleStatus",
    "UserError",
    "VariantNode",
    "Wire",
]


class Wire(BaseModel):
    """Base of every payload model: unknown fields are ignored (answers FROM Shopify grow over time)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# ---------------------------------------------------------------- envelope


class ThrottleStatus(Wire):
    maximumAvailable: float
    currentlyAvailable: float
    restoreRate: float


class CostExtension(Wire):
    requestedQueryCost: int | None = None
    actualQueryCost: int | None = None
    throttleStatus: ThrottleStatus | None = None


class Extensions(Wire):
    cost: CostExtension | None = None


class ErrorItem(Wire):
    """One entry of a GraphQL ``errors`` array (top-level or at a field's ``path``)."""

    message: str = ""
    path: list[str | int] | None = None
    extensions: dict[str, Any] = Field(default_factory=dict)

    @property
    def code(self) -> str | None:
        code = self.extensions.get("code")
        return str(code) if code is not None else None


class Envelope(Wire):
    """A GraphQL answer: ``data`` and/or ``errors``, with the query cost in ``extensions``."""

    data: dict[str, Any] | None = None
    errors: list[ErrorItem] | None = None
    extensions: Extensions | None = None


class UserError(Wire):
    """One of a mutation payload's ``userErrors``."""

    field: list[str] | None = None
    message: str = ""
    code: str | None = None


class PageInfo(Wire):
    hasNextPage: bool = False
    endCursor: str | None = None


class Metafield(Wire):
    value: str


# ---------------------------------------------------------------- catalog


class ProductRef(Wire):
    """A variant's product: enough to name it and find our product id."""

    legacyResourceId: str
    title: str
    vendor: str | None = None
    metafield: Metafield | None = None
    """``custom.product_id``: our product id."""


class VariantNode(Wire):
    legacyResourceId: str
    sku: str | None = None
    barcode: str | None = None
    title: str
    price: Decimal
    product: ProductRef | None = None


class _Variants(Wire):
    nodes: list[VariantNode] = Field(default_factory=list)
    pageInfo: PageInfo = PageInfo()


class ProductNode(Wire):
    legacyResourceId: str
    title: str
    description: str | None = None
    vendor: str | None = None
    metafield: Metafield | None = None
    variants: _Variants = _Variants()


class IndexNode(Wire):
    """One row of a metafield scan: Shopify's id and our id (None where the metafield is unset)."""

    legacyResourceId: str
    metafield: Metafield | None = None


class IndexPage(Wire):
    nodes: list[IndexNode] = Field(default_factory=list)
    pageInfo: PageInfo = PageInfo()


# ---------------------------------------------------------------- inventory


class _Quantity(Wire):
    name: str
    quantity: int


class InventoryLevel(Wire):
    """One inventory item at one location: its quantities by name."""

    quantities: list[_Quantity] = Field(default_factory=list)

    def by_name(self) -> dict[str, int]:
        return {q.name: q.quantity for q in self.quantities}


# ---------------------------------------------------------------- customers


class MailingAddress(Wire):
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    provinceCode: str | None = None
    zip: str | None = None
    countryCodeV2: str | None = None


class CustomerNode(Wire):
    legacyResourceId: str
    email: str | None = None
    phone: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None
    metafield: Metafield | None = None
    """``custom.customer_id``: our customer id."""
    addresses: list[MailingAddress] = Field(default_factory=list)

"""Square API v2 payloads the POS connector reads: catalog, inventory, orders, customers, loyalty, errors.

Only the fields the connector uses are declared. Every model ignores the
rest (``extra="ignore"``): answers come FROM Square, and Square adds fields
in new API versions without notice, which must not break a read. Square
leaves unset fields and empty arrays out of its answers, so lists default to
empty and scalars to None.

Conventions on the wire (see ``sandbox/pos/wire.py``): money is
``{"amount": <int, smallest unit>, "currency": "USD"}``; quantities are
decimal strings (``"5"``); timestamps are RFC 3339 (parsed here into aware
datetimes); paged answers carry an opaque ``cursor``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "CatalogAnswer",
    "CatalogObject",
    "CountsAnswer",
    "CustomerAnswer",
    "CustomersAnswer",
    "DecimalString",
    "ErrorEnvelope",
    "InventoryCount",
    "ItemVariationData",
    "LoyaltyAccount",
    "LoyaltyAccountsAnswer",
    "LoyaltyProgram",
    "ProgramAnswer",
    "RewardTier",
    "SquareAddress",
    "SquareCustomer",
    "SquareError",
    "SquareMoney",
    "Wire",
]


def _decimal_string(text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal string: {text!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite quantity: {text!r}")
    return text


DecimalString = Annotated[str, AfterValidator(_decimal_string)]
"""Square's quantities: a decimal number as a string (``"5"``, ``"1.5"``), checked on the way in."""


class Wire(BaseModel):
    """Base of every payload read from Square: unknown fields ignored (Square adds fields over time)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class SquareMoney(Wire):
    amount: int
    """In the currency's smallest unit (cents)."""
    currency: str


class SquareError(Wire):
    category: str | None = None
    code: str | None = None
    detail: str | None = None
    field: str | None = None


class ErrorEnvelope(Wire):
    """``{"errors": [{"category", "code", "detail", "field"}]}``, Square's answer to every failure."""

    errors: list[SquareError] = Field(default_factory=list)


# ---------------------------------------------------------------- catalog


class ItemVariationData(Wire):
    item_id: str | None = None
    name: str | None = None
    sku: str | None = None
    upc: str | None = None
    price_money: SquareMoney | None = None


class CatalogObject(Wire):
    type: str
    id: str
    is_deleted: bool = False
    item_variation_data: ItemVariationData | None = None


class CatalogAnswer(Wire):
    """``SearchCatalogObjects`` and ``BatchRetrieveCatalogObjects``."""

    objects: list[CatalogObject] = Field(default_factory=list)
    cursor: str | None = None


# ---------------------------------------------------------------- inventory


class InventoryCount(Wire):
    catalog_object_id: str
    state: str
    location_id: str
    quantity: DecimalString
    calculated_at: datetime | None = None


class CountsAnswer(Wire):
    """``BatchRetrieveInventoryCounts``."""

    counts: list[InventoryCount] = Field(default_factory=list)
    cursor: str | None = None


# ---------------------------------------------------------------- customers and loyalty


class SquareAddress(Wire):
    address_line_1: str | None = None
    address_line_2: str | None = None
    locality: str | None = None
    administrative_district_level_1: str | None = None
    postal_code: str | None = None
    country: str | None = None


class SquareCustomer(Wire):
    id: str
    reference_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email_address: str | None = None
    phone_number: str | None = None
    address: SquareAddress | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CustomersAnswer(Wire):
    """``SearchCustomers``."""

    customers: list[SquareCustomer] = Field(default_factory=list)
    cursor: str | None = None


class CustomerAnswer(Wire):
    """``RetrieveCustomer``."""

    customer: SquareCustomer


class LoyaltyAccount(Wire):
    id: str
    program_id: str | None = None
    customer_id: str | None = None
    balance: int = 0
    lifetime_points: int = 0


class LoyaltyAccountsAnswer(Wire):
    """``SearchLoyaltyAccounts``."""

    loyalty_accounts: list[LoyaltyAccount] = Field(default_factory=list)
    cursor: str | None = None


class RewardTier(Wire):
    id: str | None = None
    points: int
    """Points a reward of this tier costs."""
    name: str


class LoyaltyProgram(Wire):
    id: str
    status: str | None = None
    reward_tiers: list[RewardTier] = Field(default_factory=list)


class ProgramAnswer(Wire):
    """``RetrieveLoyaltyProgram`` (``main``)."""

    program: LoyaltyProgram

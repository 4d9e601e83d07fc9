"""Resolvers of Customer and MailingAddress."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.shopify._util import PROVINCES, money
from sandbox.shopify.context import Info
from sandbox.shopify.gids import gid
from sandbox.shopify.paging import Connection, PageArgs, paginate
from sandbox.shopify.records import CustomerRecord, OrderRecord
from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS, resolves
from sandbox.world import Address

__all__ = ["mailing_address"]

TYPE_RESOLVERS[CustomerRecord] = "Customer"


def mailing_address(
    address: Address,
    number: int,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
    model: str = "CustomerAddress",
) -> dict[str, Any]:
    """A ``MailingAddress`` as a dict of its GraphQL fields."""
    name = " ".join(part for part in (first_name, last_name) if part) or None
    return {
        "id": f"gid://shopify/MailingAddress/{number}?model_name={model}",
        "address1": address.line1,
        "address2": address.line2,
        "city": address.city,
        "company": None,
        "country": "United States" if address.country_code == "US" else address.country_code,
        "countryCodeV2": address.country_code,
        "firstName": first_name,
        "lastName": last_name,
        "name": name,
        "phone": phone,
        "province": PROVINCES.get(address.region or "", address.region),
        "provinceCode": address.region,
        "zip": address.postal_code,
    }


def _addresses(c: CustomerRecord) -> list[dict[str, Any]]:
    return [
        mailing_address(address, c.address_base + k, c.first_name, c.last_name, c.phone)
        for k, address in enumerate(c.addresses)
    ]


@resolves("Customer", "id")
def _id(c: CustomerRecord, info: Info) -> str:
    return gid("Customer", c.id)


@resolves("Customer", "legacyResourceId")
def _legacy(c: CustomerRecord, info: Info) -> str:
    return str(c.id)


@resolves("Customer", "state")
def _state(c: CustomerRecord, info: Info) -> str:
    return "ENABLED"


@resolves("Customer", "verifiedEmail")
def _verified(c: CustomerRecord, info: Info) -> bool:
    return c.email is not None


@resolves("Customer", "addresses")
def _customer_addresses(c: CustomerRecord, info: Info, first: int | None = None) -> list[dict[str, Any]]:
    out = _addresses(c)
    return out[:first] if first is not None else out


@resolves("Customer", "defaultAddress")
def _default_address(c: CustomerRecord, info: Info) -> dict[str, Any] | None:
    out = _addresses(c)
    return out[0] if out else None


@resolves("Customer", "numberOfOrders")
def _number_of_orders(c: CustomerRecord, info: Info) -> str:
    return str(len(c.orders))


@resolves("Customer", "amountSpent")
def _amount_spent(c: CustomerRecord, info: Info) -> dict[str, Any]:
    cents = sum(o.current_total_cents for o in c.orders if o.cancelled_at is None)
    return {"amount": money(cents), "currencyCode": "USD"}


@resolves("Customer", "orders")
def _orders(c: CustomerRecord, info: Info, **args: Any) -> Connection[OrderRecord]:
    return paginate(c.orders, lambda o: (o.id,), PageArgs.from_args(args))


@resolves("Customer", "metafield")
def _metafield(
    c: CustomerRecord, info: Info, key: str, namespace: str | None = None
) -> dict[str, Any] | None:
    if c.world is None or (namespace or "custom", key) != ("custom", "customer_id"):
        return None
    return {
        "id": gid("Metafield", 27_000_000_000 + c.world.index),
        "namespace": "custom",
        "key": "customer_id",
        "value": c.world.id,
        "type": "single_line_text_field",
        "createdAt": c.created_at,
        "updatedAt": c.created_at + timedelta(minutes=5),
    }

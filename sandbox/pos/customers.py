"""Square customer profiles: seeded from the world's customers that have a ``square_customer_id``.

``reference_id`` is the retailer's own customer number (``C000123``): how
profiles are linked across systems. Seeded profiles with loyalty points were
created by Square Loyalty (``creation_source`` LOYALTY), the rest in the
Square directory (DIRECTORY); profiles created through the API are
THIRD_PARTY.

Matching (``SearchCustomers``): ``email_address.exact`` is case-insensitive,
``phone_number.exact`` compares digits (a 10-digit number is taken as +1),
``reference_id.exact`` is case-sensitive; ``fuzzy`` matches when every token
of the query occurs in the field, ignoring case. Time ranges include
``start_at`` and exclude ``end_at``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.pos.wire import address_json, compact, timestamp
from sandbox.world import World

__all__ = ["CustomerBook", "PosCustomer", "TextMatch", "normalise_phone"]

_TOKEN = re.compile(r"[a-z0-9]+")


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return "1" + digits if len(digits) == 10 else digits


@dataclass(frozen=True)
class TextMatch:
    """An exact or fuzzy string filter."""

    exact: str | None = None
    fuzzy: str | None = None

    def matches(self, value: str | None, *, phone: bool = False, case_sensitive: bool = False) -> bool:
        if value is None:
            return False
        if self.exact is not None:
            if phone:
                return normalise_phone(self.exact) == normalise_phone(value)
            return self.exact == value if case_sensitive else self.exact.lower() == value.lower()
        tokens = _TOKEN.findall((self.fuzzy or "").lower())
        haystack = value.lower()
        return all(token in haystack for token in tokens)


@dataclass
class PosCustomer:
    id: str
    created_at: datetime
    updated_at: datetime
    creation_source: str
    given_name: str | None = None
    family_name: str | None = None
    company_name: str | None = None
    nickname: str | None = None
    email_address: str | None = None
    phone_number: str | None = None
    reference_id: str | None = None
    note: str | None = None
    birthday: str | None = None
    address: dict[str, Any] | None = None
    email_unsubscribed: bool = False
    version: int = 0

    def sort_key(self) -> tuple[str, ...]:
        """Square's DEFAULT order: by name, then email and phone."""
        parts = (self.given_name, self.family_name, self.company_name, self.email_address, self.phone_number)
        return (*((p or "").lower() for p in parts), self.id)

    def as_json(self) -> dict[str, Any]:
        return compact(
            {
                "id": self.id,
                "created_at": timestamp(self.created_at),
                "updated_at": timestamp(self.updated_at),
                "given_name": self.given_name,
                "family_name": self.family_name,
                "nickname": self.nickname,
                "company_name": self.company_name,
                "email_address": self.email_address,
                "address": self.address,
                "phone_number": self.phone_number,
                "birthday": self.birthday,
                "reference_id": self.reference_id,
                "note": self.note,
                "preferences": {"email_unsubscribed": self.email_unsubscribed},
                "creation_source": self.creation_source,
                "version": self.version,
            }
        )


@dataclass
class CustomerBook:
    """Every profile the POS holds, in creation order, with an id index."""

    customers: list[PosCustomer] = field(default_factory=list)
    by_id: dict[str, PosCustomer] = field(default_factory=dict)

    @classmethod
    def seeded(cls, world: World) -> CustomerBook:
        book = cls()
        for c in world.customers:
            if c.square_customer_id is None:
                continue
            book.add(
                PosCustomer(
                    id=c.square_customer_id,
                    created_at=c.created_at,
                    updated_at=c.created_at + timedelta(days=c.index % 29, minutes=c.index % 600),
                    creation_source="LOYALTY" if c.loyalty_lifetime_points > 0 else "DIRECTORY",
                    given_name=c.first_name,
                    family_name=c.last_name,
                    email_address=c.email,
                    phone_number=c.phone,
                    reference_id=c.id,
                    address=address_json(c.addresses[0]) if c.addresses else None,
                    email_unsubscribed=c.index % 7 == 0,
                    version=c.index % 3,
                )
            )
        return book

    def add(self, customer: PosCustomer) -> None:
        self.customers.append(customer)
        self.by_id[customer.id] = customer

    def ordered(self, sort_field: str, descending: bool) -> list[PosCustomer]:
        if sort_field == "CREATED_AT":
            return sorted(self.customers, key=_by_creation, reverse=descending)
        return sorted(self.customers, key=PosCustomer.sort_key, reverse=descending)


def _by_creation(customer: PosCustomer) -> tuple[datetime, str]:
    return (customer.created_at, customer.id)

"""Small shared helpers: stable hashes, money and timestamp formatting."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

__all__ = ["PROVINCES", "iso", "money", "money_bag", "slug", "stable_int"]

PROVINCES = {
    "NY": "New York",
    "IL": "Illinois",
    "TX": "Texas",
    "WA": "Washington",
    "CO": "Colorado",
    "MA": "Massachusetts",
    "GA": "Georgia",
    "OR": "Oregon",
    "FL": "Florida",
    "AZ": "Arizona",
}
"""US state names by code (the world's addresses are all in these states)."""


def stable_int(*parts: object) -> int:
    """A deterministic non-negative integer from ``parts`` (Python's ``hash`` is salted per process)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def iso(moment: datetime) -> str:
    """Shopify's DateTime: ISO 8601 in UTC with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(cents: int) -> str:
    """A decimal string: 6899 -> '68.99', -5 -> '-0.05'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def money_bag(cents: int, currency: str = "USD") -> dict[str, Any]:
    amount = {"amount": money(cents), "currencyCode": currency}
    return {"shopMoney": amount, "presentmentMoney": amount}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

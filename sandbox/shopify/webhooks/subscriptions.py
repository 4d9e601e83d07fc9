"""Webhook subscriptions: which topic goes to which URL, in which API version."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["TOPICS", "Subscription", "topic_enum", "topic_name"]

TOPICS: dict[str, str] = {
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_CANCELLED": "orders/cancelled",
    "RETURNS_REQUEST": "returns/request",
    "RETURNS_APPROVE": "returns/approve",
    "RETURNS_DECLINE": "returns/decline",
    "RETURNS_CLOSE": "returns/close",
    "RETURNS_REOPEN": "returns/reopen",
    "RETURNS_CANCEL": "returns/cancel",
}
"""GraphQL enum value -> the topic name in X-Shopify-Topic."""

_BY_NAME = {name: enum for enum, name in TOPICS.items()}


def topic_name(enum: str) -> str:
    return TOPICS[enum]


def topic_enum(name: str) -> str:
    return _BY_NAME[name]


@dataclass(slots=True, eq=False)
class Subscription:
    id: int
    topic: str
    """The enum value, e.g. ORDERS_CREATE."""
    callback_url: str
    api_version: str
    created_at: datetime
    updated_at: datetime
    format: str = "JSON"
    include_fields: list[str] = field(default_factory=list)

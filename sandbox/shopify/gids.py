"""Shopify global ids (GIDs): ``gid://shopify/Product/8000000001``.

Some carry a query string (``gid://shopify/InventoryLevel/70000001?inventory_item_id=46000000001``).
A string that is not a GID at all is a client error (:class:`InvalidGid`); a
well-formed GID of another resource type simply finds nothing.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

__all__ = ["InvalidGid", "gid", "level_gid", "parse_any", "parse_gid", "parse_level_gid"]

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/([0-9]+)(?:\?(.*))?$")


class InvalidGid(ValueError):
    """The value is not a Shopify global id."""

    def __init__(self, value: str) -> None:
        super().__init__(f"Invalid global id '{value}'")
        self.value = value


def gid(resource: str, number: int | str) -> str:
    return f"gid://shopify/{resource}/{number}"


def level_gid(location_id: int, inventory_item_id: int) -> str:
    return f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={inventory_item_id}"


def parse_any(value: str) -> tuple[str, int, dict[str, str]]:
    """(resource, number, query parameters) of a GID; raises :class:`InvalidGid`."""
    match = _GID.match(value)
    if match is None:
        raise InvalidGid(value)
    resource, number, query = match.groups()
    return resource, int(number), dict(parse_qsl(query or ""))


def parse_gid(value: str, resource: str) -> int | None:
    """The number of a GID of ``resource``; None for a GID of another resource."""
    kind, number, _ = parse_any(value)
    return number if kind == resource else None


def parse_level_gid(value: str) -> tuple[int, int] | None:
    """(location id, inventory item id) of an InventoryLevel GID; None if it is not one."""
    kind, number, params = parse_any(value)
    item = params.get("inventory_item_id", "")
    if kind != "InventoryLevel" or not item.isdigit():
        return None
    return number, int(item)

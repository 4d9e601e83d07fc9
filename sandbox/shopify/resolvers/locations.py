"""Resolvers of Location: the world's locations that fulfil online orders or offer pickup."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.shopify._util import PROVINCES, stable_int
from sandbox.shopify.context import Info, context_of
from sandbox.shopify.gids import gid, parse_gid
from sandbox.shopify.paging import Connection, PageArgs, paginate_indexed
from sandbox.shopify.records import InventoryLevelRef
from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS, resolves
from sandbox.shopify.resolvers.catalog import variant_level
from sandbox.world import EPOCH, Address, Location

__all__ = ["location_address"]

TYPE_RESOLVERS[Location] = "Location"


_PICKUP_TIMES = ("ONE_HOUR", "TWO_HOURS", "FOUR_HOURS", "TWENTY_FOUR_HOURS")


def location_address(address: Address) -> dict[str, Any]:
    lines = [address.line1, address.line2, f"{address.city} {address.region or ''} {address.postal_code}"]
    return {
        "address1": address.line1,
        "address2": address.line2,
        "city": address.city,
        "country": "United States" if address.country_code == "US" else address.country_code,
        "countryCode": address.country_code,
        "formatted": [line.replace("  ", " ") for line in lines if line],
        "province": PROVINCES.get(address.region or "", address.region),
        "provinceCode": address.region,
        "zip": address.postal_code,
    }


@resolves("Location", "id")
def _id(loc: Location, info: Info) -> str:
    return gid("Location", loc.shopify_location_id or 0)


@resolves("Location", "legacyResourceId")
def _legacy(loc: Location, info: Info) -> str:
    return str(loc.shopify_location_id)


@resolves("Location", "isActive", "hasActiveInventory")
def _active(loc: Location, info: Info) -> bool:
    return True


@resolves("Location", "isPrimary")
def _primary(loc: Location, info: Info) -> bool:
    return context_of(info).state.locations[0] is loc


@resolves("Location", "fulfillsOnlineOrders", "shipsInventory")
def _online(loc: Location, info: Info) -> bool:
    return loc.fulfills_online


@resolves("Location", "localPickupSettingsV2")
def _pickup(loc: Location, info: Info) -> dict[str, str] | None:
    if not loc.pickup_enabled:
        return None
    return {
        "pickupTime": _PICKUP_TIMES[stable_int("pickup", loc.code) % len(_PICKUP_TIMES)],
        "instructions": f"Collect your order at the service desk of {loc.name}; bring your order number.",
    }


@resolves("Location", "address")
def _address(loc: Location, info: Info) -> dict[str, Any]:
    return location_address(loc.address)


@resolves("Location", "inventoryLevels")
def _levels(loc: Location, info: Info, **args: Any) -> Connection[InventoryLevelRef]:
    variants = context_of(info).state.variants
    return paginate_indexed(
        len(variants), lambda i: variant_level(info, variants[i], loc), PageArgs.from_args(args)
    )


@resolves("Location", "inventoryLevel")
def _level(loc: Location, info: Info, inventoryItemId: str) -> InventoryLevelRef | None:
    number = parse_gid(inventoryItemId, "InventoryItem")
    variant = context_of(info).state.items_by_id.get(number) if number is not None else None
    return variant_level(info, variant, loc) if variant is not None else None


@resolves("Location", "metafield")
def _metafield(loc: Location, info: Info, key: str, namespace: str | None = None) -> dict[str, Any] | None:
    if (namespace or "custom", key) != ("custom", "facility_id"):
        return None
    moment = EPOCH - timedelta(days=500)
    return {
        "id": gid("Metafield", 25_000_000_000 + loc.index),
        "namespace": "custom",
        "key": "facility_id",
        "value": loc.code,
        "type": "single_line_text_field",
        "createdAt": moment,
        "updatedAt": moment,
    }


@resolves("Location", "createdAt", "updatedAt")
def _times(loc: Location, info: Info) -> datetime:
    return EPOCH - timedelta(days=500 - loc.index)

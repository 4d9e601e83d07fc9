"""Facilities: the world's locations as the OMS, the master of locations, shows them.

Connectors map every system's location ids through these records:
``facilityId`` is the OMS id (the world location code), ``externalId`` the
ERP plant, and ``identifications`` carry the Shopify and Square location ids.
"""

from __future__ import annotations

from typing import Any

from sandbox.oms._wire import postal_address
from sandbox.oms.canonical import FACILITY_TYPE_IDS
from sandbox.world import Location

__all__ = ["facility_json", "facility_matches"]


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def facility_json(location: Location) -> dict[str, Any]:
    identifications = []
    if location.shopify_location_id is not None:
        identifications.append(
            {"facilityIdenTypeId": "SHOPIFY_LOCATION_ID", "idValue": str(location.shopify_location_id)}
        )
    if location.square_location_id is not None:
        identifications.append(
            {"facilityIdenTypeId": "SQUARE_LOCATION_ID", "idValue": location.square_location_id}
        )
    return {
        "facilityId": location.code,
        "facilityName": location.name,
        "facilityTypeId": FACILITY_TYPE_IDS[location.type],
        "externalId": location.erp_plant,
        "erpStorageLocation": location.erp_storage_location,
        "postalAddress": postal_address(location.address, location.name),
        "identifications": identifications,
        "allowPickup": _yn(location.pickup_enabled),
        "fulfillsOnlineOrders": _yn(location.fulfills_online),
    }


def facility_matches(
    location: Location,
    type_ids: set[str] | None,
    allow_pickup: str | None,
    fulfills_online: str | None,
    external_id: str | None,
    id_value: str | None,
) -> bool:
    """Whether ``location`` passes the list filters (each None = any); ``id_value`` matches any
    identification (a Shopify or Square location id)."""
    ids = {str(location.shopify_location_id), location.square_location_id}
    return (
        (type_ids is None or FACILITY_TYPE_IDS[location.type] in type_ids)
        and (allow_pickup is None or _yn(location.pickup_enabled) == allow_pickup)
        and (fulfills_online is None or _yn(location.fulfills_online) == fulfills_online)
        and (external_id is None or location.erp_plant == external_id)
        and (id_value is None or id_value in ids)
    )

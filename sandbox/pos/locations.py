"""Square locations: the retailer's stores (only stores exist in the POS).

Square locations carry no reference field, so connectors map a Square
location id to the OMS facility through the OMS's own records.

    GET /v2/locations            -> {"locations": [...]}
    GET /v2/locations/{id}       -> {"location": {...}}   (``main`` is the first store)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.endpoint import ok, path_param
from sandbox.pos.errors import not_found
from sandbox.pos.wire import CURRENCY, address_json, compact, timestamp
from sandbox.world import EPOCH, Location, World, stable_id

__all__ = ["BUSINESS_NAME", "Stores", "location_routes"]

BUSINESS_NAME = "Northwind Outfitters"
_TIMEZONES = {
    "NY": "America/New_York",
    "MA": "America/New_York",
    "GA": "America/New_York",
    "FL": "America/New_York",
    "IL": "America/Chicago",
    "TX": "America/Chicago",
    "CO": "America/Denver",
    "AZ": "America/Phoenix",
    "WA": "America/Los_Angeles",
    "OR": "America/Los_Angeles",
}


class Stores:
    """The world's stores, indexed by Square location id and by OMS facility code."""

    def __init__(self, world: World) -> None:
        self.merchant_id = stable_id("square-merchant", world.seed, length=13)
        self.all: tuple[Location, ...] = tuple(loc for loc in world.locations if loc.square_location_id)
        self.by_id: dict[str, Location] = {loc.square_location_id or "": loc for loc in self.all}
        self.position = {loc.square_location_id or "": i for i, loc in enumerate(self.all)}

    def get(self, location_id: str) -> Location | None:
        if location_id == "main" and self.all:
            return self.all[0]
        return self.by_id.get(location_id)

    def location_json(self, location: Location) -> dict[str, Any]:
        return compact(
            {
                "id": location.square_location_id,
                "name": location.name,
                "address": address_json(location.address),
                "timezone": _TIMEZONES.get(location.address.region or "", "America/New_York"),
                "capabilities": ["CREDIT_CARD_PROCESSING", "AUTOMATIC_TRANSFERS"],
                "status": "ACTIVE",
                "created_at": timestamp(EPOCH - timedelta(days=900 - location.index)),
                "merchant_id": self.merchant_id,
                "country": location.address.country_code,
                "language_code": "en-US",
                "currency": CURRENCY,
                "business_name": BUSINESS_NAME,
                "type": "PHYSICAL",
                "mcc": "5651",
            }
        )


def location_routes(stores: Stores) -> list[Route]:
    async def list_locations(_: Request) -> Response:
        return ok({"locations": [stores.location_json(loc) for loc in stores.all]})

    async def retrieve_location(request: Request) -> Response:
        location_id = path_param(request, "location_id")
        location = stores.get(location_id)
        if location is None:
            raise not_found("Location", location_id)
        return ok({"location": stores.location_json(location)})

    return [
        Route("/v2/locations", list_locations, methods=["GET"]),
        Route("/v2/locations/{location_id}", retrieve_location, methods=["GET"]),
    ]

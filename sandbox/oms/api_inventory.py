"""Inventory and soft-reservation endpoints (under ``/rest/s1/oms``)::

    GET    /inventory                     ?productId=SKU (required) &facilityId=F[,G]
                                          -> {"inventory": [position...], "inventoryCount": N}
    POST   /inventory/search              {productIds: [<=500], facilityIds?: [...]} -> same shape
    POST   /reservations                  {facilityId, items: [{productId, quantity}], expiresInSeconds?,
                                          externalId?} -> 201 reservation (200 with the existing one for a
                                          known externalId; 409 INSUFFICIENT_INVENTORY listing every short
                                          product)
    GET    /reservations/{reservationId}  reservation (status evaluated against the clock)
    DELETE /reservations/{reservationId}  release -> reservation in RESERVATION_RELEASED
    POST   /reservations/{reservationId}/confirm  {orderId} -> reservation in RESERVATION_CONFIRMED

A position: productId, facilityId, quantityOnHandTotal, availableToPromiseTotal, reservedQuantity,
safetyStock, unavailableQuantity, incomingQuantity. Only carried pairs appear; unknown ids give no rows.
"""

from __future__ import annotations

from collections import Counter

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.app import json_response
from sandbox.oms._wire import list_param
from sandbox.oms.endpoint import read_body, route
from sandbox.oms.errors import OmsError
from sandbox.oms.inventory import Position
from sandbox.oms.models import ConfirmReservation, CreateReservation, InventorySearch
from sandbox.oms.state import OmsState

__all__ = ["inventory_routes"]


def inventory_routes(state: OmsState, token: str | None) -> list[Route]:
    all_facilities = [loc.code for loc in state.world.locations]

    def positions_response(found: list[Position]) -> Response:
        floor = state.knobs.floor_atp
        return json_response({"inventory": [p.as_json(floor) for p in found], "inventoryCount": len(found)})

    async def get_inventory(request: Request) -> Response:
        params = request.query_params
        product_id = params.get("productId")
        if not product_id:
            raise OmsError(400, "VALIDATION_ERROR", "[productId] is required.", [{"field": "productId"}])
        facilities = list_param(params, "facilityId")
        wanted = all_facilities if facilities is None else sorted(facilities)
        return positions_response(state.inventory.positions(product_id.split(","), wanted))

    async def search_inventory(request: Request) -> Response:
        body = await read_body(request, InventorySearch)
        facilities = all_facilities if body.facilityIds is None else list(dict.fromkeys(body.facilityIds))
        return positions_response(state.inventory.positions(dict.fromkeys(body.productIds), facilities))

    async def create_reservation(request: Request) -> Response:
        body = await read_body(request, CreateReservation)
        knobs = state.knobs
        ttl = body.expiresInSeconds or knobs.reservation_ttl_s
        if ttl > knobs.max_reservation_ttl_s:
            raise OmsError(
                400,
                "VALIDATION_ERROR",
                f"[expiresInSeconds] must be at most {knobs.max_reservation_ttl_s}.",
                [{"field": "expiresInSeconds", "max": knobs.max_reservation_ttl_s}],
            )
        if body.facilityId not in state.world.locations_by_code:
            raise OmsError(
                400, "UNKNOWN_FACILITY", f"Facility [{body.facilityId}] not found.", [{"field": "facilityId"}]
            )
        unknown = [
            {"field": f"items.{i}.productId", "value": item.productId}
            for i, item in enumerate(body.items)
            if item.productId not in state.world.variants_by_sku
        ]
        if unknown:
            names = ", ".join(u["value"] for u in unknown)
            raise OmsError(400, "UNKNOWN_PRODUCT", f"Products [{names}] not found.", unknown)
        wanted: Counter[str] = Counter()
        for item in body.items:
            wanted[item.productId] += item.quantity
        # One synchronous critical section: check every line and hold them all, or none.
        reservation, created = state.inventory.reserve(body.facilityId, dict(wanted), ttl, body.externalId)
        return json_response(reservation.as_json(), 201 if created else 200)

    async def get_reservation(request: Request) -> Response:
        return json_response(state.reservations.get(request.path_params["reservationId"]).as_json())

    async def release_reservation(request: Request) -> Response:
        return json_response(state.reservations.release(request.path_params["reservationId"]).as_json())

    async def confirm_reservation(request: Request) -> Response:
        reservation_id = request.path_params["reservationId"]
        state.reservations.get(reservation_id)
        body = await read_body(request, ConfirmReservation)
        return json_response(state.reservations.confirm(reservation_id, body.orderId).as_json())

    return [
        route("/inventory", get_inventory, "GET", token),
        route("/inventory/search", search_inventory, "POST", token),
        route("/reservations", create_reservation, "POST", token),
        route("/reservations/{reservationId}", get_reservation, "GET", token),
        route("/reservations/{reservationId}", release_reservation, "DELETE", token),
        route("/reservations/{reservationId}/confirm", confirm_reservation, "POST", token),
    ]

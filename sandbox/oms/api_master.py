"""Master-data endpoints (under ``/rest/s1/oms``)::

GET /facilities               ?facilityTypeId= &allowPickup=Y|N &fulfillsOnlineOrders=Y|N &externalId=
                              &idValue= &pageIndex= &pageSize= -> {"facilities": [...], "facilitiesCount": N}
GET /facilities/{facilityId}  facility
GET /statuses                 ?statusTypeId=ORDER_STATUS|ORDER_ITEM_STATUS|SHIPMENT_STATUS|ORDER_RETURN_STTS|
                              PAYMENT_PREF_STATUS -> {"statusItems": [...], "statusValidChanges": [...]}
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.app import json_response
from sandbox.oms._wire import list_param, page_of, page_params
from sandbox.oms.canonical import FACILITY_TYPE_IDS
from sandbox.oms.endpoint import route
from sandbox.oms.errors import OmsError
from sandbox.oms.facilities import facility_json, facility_matches
from sandbox.oms.state import OmsState
from sandbox.oms.statuses import STATUS_TYPES, statuses_json

__all__ = ["master_routes"]


def _flag(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in ("Y", "N"):
        raise OmsError(400, "INVALID_PARAMETER", f"[{name}] must be Y or N.", [{"field": name}])
    return value


def master_routes(state: OmsState, token: str | None) -> list[Route]:
    async def list_facilities(request: Request) -> Response:
        params = request.query_params
        page = page_params(params)
        types = list_param(params, "facilityTypeId", list(FACILITY_TYPE_IDS.values()))
        pickup, online = _flag(request, "allowPickup"), _flag(request, "fulfillsOnlineOrders")
        found = [
            loc
            for loc in state.world.locations
            if facility_matches(loc, types, pickup, online, params.get("externalId"), params.get("idValue"))
        ]
        rows = page_of(found, page, facility_json)
        return json_response(
            {"facilities": rows, "facilitiesCount": len(found)}, headers=page.headers(len(found))
        )

    async def get_facility(request: Request) -> Response:
        facility_id = request.path_params["facilityId"]
        location = state.world.locations_by_code.get(facility_id)
        if location is None:
            raise OmsError.not_found("Facility", facility_id)
        return json_response(facility_json(location))

    async def get_statuses(request: Request) -> Response:
        type_id = request.query_params.get("statusTypeId")
        if type_id is not None and type_id not in STATUS_TYPES:
            raise OmsError(
                400,
                "INVALID_PARAMETER",
                f"Unknown statusTypeId [{type_id}].",
                [{"field": "statusTypeId", "valid": list(STATUS_TYPES)}],
            )
        return json_response(statuses_json(type_id))

    return [
        route("/facilities", list_facilities, "GET", token),
        route("/facilities/{facilityId}", get_facility, "GET", token),
        route("/statuses", get_statuses, "GET", token),
    ]

"""Order and shipment endpoints (under ``/rest/s1/oms``)::

GET  /orders                      ?orderName= &externalId= &customerPartyId= &statusId=
                                  &salesChannelEnumId= &orderDate_from= &orderDate_thru=
                                  &lastUpdatedStamp_from= &pageIndex= &pageSize=
                                  -> {"orders": [...], "ordersCount": N}, newest first
POST /orders                      CreateOrder -> 201 order (409 ORDER_EXISTS on a known externalId/orderName)
GET  /orders/{orderId}            order: header, items, shipGroups, shipments, statuses, paymentPreferences
POST /orders/{orderId}/status     {statusId, reason?} -> order (409 INVALID_STATUS_TRANSITION)
GET  /orders/{orderId}/items      {"items": [...]}
GET  /orders/{orderId}/shipments  {"shipments": [...]}
GET  /shipments                   ?orderId= &originFacilityId= &statusId= &shipmentMethodTypeId=
                                  &pageIndex= &pageSize=
GET  /shipments/{shipmentId}      shipment
POST /shipments/{shipmentId}/status  {statusId, trackingIdNumber?, carrierPartyId?} -> shipment
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.app import json_response
from sandbox.oms._wire import list_param, page_of, page_params, parse_datetime
from sandbox.oms.canonical import CHANNEL_ENUM_IDS
from sandbox.oms.endpoint import API_USER, read_body, route
from sandbox.oms.intake import create_order
from sandbox.oms.models import CreateOrder, ShipmentStatusChange, StatusChange
from sandbox.oms.orders import OrderQuery, ShipmentQuery
from sandbox.oms.state import OmsState
from sandbox.oms.statuses import STATUS_ITEMS
from sandbox.oms.views import order_json, shipment_json

__all__ = ["order_routes"]

_ORDER_STATUSES = [i.status_id for i in STATUS_ITEMS if i.status_type_id == "ORDER_STATUS"]
_SHIPMENT_STATUSES = [i.status_id for i in STATUS_ITEMS if i.status_type_id == "SHIPMENT_STATUS"]


def order_routes(state: OmsState, token: str | None) -> list[Route]:
    async def list_orders(request: Request) -> Response:
        params = request.query_params
        page = page_params(params)
        dates = {
            name: parse_datetime(params[name], name) if params.get(name) else None
            for name in ("orderDate_from", "orderDate_thru", "lastUpdatedStamp_from")
        }
        query = OrderQuery(
            order_name=params.get("orderName"),
            external_id=params.get("externalId"),
            party_id=params.get("customerPartyId"),
            status_ids=list_param(params, "statusId", _ORDER_STATUSES),
            channel_ids=list_param(params, "salesChannelEnumId", list(CHANNEL_ENUM_IDS.values())),
            date_from=dates["orderDate_from"],
            date_thru=dates["orderDate_thru"],
            updated_from=dates["lastUpdatedStamp_from"],
        )
        ids = state.orders.search(query)
        orders = page_of(ids, page, lambda order_id: order_json(state.orders.get(order_id)))
        return json_response({"orders": orders, "ordersCount": len(ids)}, headers=page.headers(len(ids)))

    async def post_order(request: Request) -> Response:
        body = await read_body(request, CreateOrder)
        record = create_order(body, state.orders, state.world, state.now(), API_USER)
        return json_response(order_json(record), 201)

    async def get_order(request: Request) -> Response:
        return json_response(order_json(state.orders.get(request.path_params["orderId"])))

    async def order_status(request: Request) -> Response:
        order_id = request.path_params["orderId"]
        state.orders.get(order_id)  # 404 before 400: the order must exist
        body = await read_body(request, StatusChange)
        record = state.orders.change_status(order_id, body.statusId, API_USER, body.reason)
        return json_response(order_json(record))

    async def order_items(request: Request) -> Response:
        return json_response({"items": order_json(state.orders.get(request.path_params["orderId"]))["items"]})

    async def order_shipments(request: Request) -> Response:
        record = state.orders.get(request.path_params["orderId"])
        return json_response({"shipments": [shipment_json(s) for s in record.shipments]})

    async def list_shipments(request: Request) -> Response:
        params = request.query_params
        page = page_params(params)
        methods = list_param(params, "shipmentMethodTypeId", ["STANDARD", "STOREPICKUP"])
        query = ShipmentQuery(
            order_id=params.get("orderId"),
            facility_ids=list_param(params, "originFacilityId"),
            status_ids=list_param(params, "statusId", _SHIPMENT_STATUSES),
            method=next(iter(methods)) if methods and len(methods) == 1 else None,
        )
        found = state.orders.search_shipments(query)
        rows = page_of(found, page, lambda shipment_id: shipment_json(state.orders.shipment(shipment_id)[1]))
        return json_response(
            {"shipments": rows, "shipmentsCount": len(found)}, headers=page.headers(len(found))
        )

    async def get_shipment(request: Request) -> Response:
        return json_response(shipment_json(state.orders.shipment(request.path_params["shipmentId"])[1]))

    async def shipment_status(request: Request) -> Response:
        shipment_id = request.path_params["shipmentId"]
        state.orders.shipment(shipment_id)
        body = await read_body(request, ShipmentStatusChange)
        shipment = state.orders.change_shipment_status(
            shipment_id, body.statusId, API_USER, body.trackingIdNumber, body.carrierPartyId
        )
        return json_response(shipment_json(shipment))

    return [
        route("/orders", list_orders, "GET", token),
        route("/orders", post_order, "POST", token),
        route("/orders/{orderId}", get_order, "GET", token),
        route("/orders/{orderId}/status", order_status, "POST", token),
        route("/orders/{orderId}/items", order_items, "GET", token),
        route("/orders/{orderId}/shipments", order_shipments, "GET", token),
        route("/shipments", list_shipments, "GET", token),
        route("/shipments/{shipmentId}", get_shipment, "GET", token),
        route("/shipments/{shipmentId}/status", shipment_status, "POST", token),
    ]

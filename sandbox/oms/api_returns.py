"""Return endpoints (under ``/rest/s1/oms``)::

GET  /returns                 ?orderId= &customerPartyId= &statusId= &pageIndex= &pageSize=
                              -> {"returns": [...], "returnsCount": N}, newest first
POST /returns                 CreateReturn -> 201 return in RETURN_REQUESTED
                              (409 RETURN_QUANTITY_EXCEEDED, 409 RETURN_EXISTS on a known externalId)
GET  /returns/{returnId}      return: header, items, statuses, returnTotal, refundAmount
POST /returns/{returnId}/status  {statusId, reason?} -> return (409 INVALID_STATUS_TRANSITION)
GET  /return-reasons          {"returnReasons": [{returnReasonId, description, canonicalReason}]}
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.app import json_response
from sandbox.oms._wire import list_param, page_of, page_params
from sandbox.oms.canonical import RETURN_REASONS
from sandbox.oms.endpoint import API_USER, read_body, route
from sandbox.oms.models import CreateReturn, StatusChange
from sandbox.oms.state import OmsState
from sandbox.oms.statuses import STATUS_ITEMS
from sandbox.oms.views import return_json

__all__ = ["return_routes"]

_RETURN_STATUSES = [i.status_id for i in STATUS_ITEMS if i.status_type_id == "ORDER_RETURN_STTS"]


def return_routes(state: OmsState, token: str | None) -> list[Route]:
    async def list_returns(request: Request) -> Response:
        params = request.query_params
        page = page_params(params)
        order_key = params.get("orderId")
        order_id = state.orders.find_id(order_key) if order_key is not None else None
        if order_key is not None and order_id is None:
            found = []
        else:
            found = state.returns.search(
                order_id, params.get("customerPartyId"), list_param(params, "statusId", _RETURN_STATUSES)
            )
        rows = page_of(found, page, return_json)
        return json_response({"returns": rows, "returnsCount": len(found)}, headers=page.headers(len(found)))

    async def post_return(request: Request) -> Response:
        body = await read_body(request, CreateReturn)
        return json_response(return_json(state.returns.create(body, API_USER)), 201)

    async def get_return(request: Request) -> Response:
        return json_response(return_json(state.returns.get(request.path_params["returnId"])))

    async def return_status(request: Request) -> Response:
        return_id = request.path_params["returnId"]
        state.returns.get(return_id)
        body = await read_body(request, StatusChange)
        return json_response(
            return_json(state.returns.change_status(return_id, body.statusId, API_USER, body.reason))
        )

    async def reasons(_: Request) -> Response:
        rows = [
            {"returnReasonId": reason_id, "description": description, "canonicalReason": canonical}
            for reason_id, (canonical, description) in RETURN_REASONS.items()
        ]
        return json_response({"returnReasons": rows})

    return [
        route("/returns", list_returns, "GET", token),
        route("/returns", post_return, "POST", token),
        route("/returns/{returnId}", get_return, "GET", token),
        route("/returns/{returnId}/status", return_status, "POST", token),
        route("/return-reasons", reasons, "GET", token),
    ]

"""Shopify's own admin endpoints (outside the fault knobs, like ``/_admin``)::

GET    /_admin/shopify/webhooks    subscriptions and the delivery log (?topic=orders/create&state=failed)
DELETE /_admin/shopify/webhooks    empty the delivery log
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.app import json_response
from sandbox.shopify._util import iso
from sandbox.shopify.gids import gid
from sandbox.shopify.state import ShopState
from sandbox.shopify.webhooks.delivery import WebhookDispatcher
from sandbox.shopify.webhooks.subscriptions import topic_name

__all__ = ["admin_routes"]


def admin_routes(state: Callable[[], ShopState], dispatcher: WebhookDispatcher) -> list[BaseRoute]:
    async def webhooks(request: Request) -> Response:
        topic, wanted = request.query_params.get("topic"), request.query_params.get("state")
        deliveries = [
            d.as_json()
            for d in dispatcher.deliveries
            if (topic is None or d.topic == topic) and (wanted is None or d.state == wanted)
        ]
        subscriptions = [
            {
                "id": gid("WebhookSubscription", s.id),
                "topic": topic_name(s.topic),
                "callback_url": s.callback_url,
                "api_version": s.api_version,
                "created_at": iso(s.created_at),
            }
            for s in state().subscriptions.values()
        ]
        return json_response({"subscriptions": subscriptions, "deliveries": deliveries})

    async def clear(_: Request) -> Response:
        dispatcher.clear()
        return json_response({"deliveries": []})

    return [
        Route("/_admin/shopify/webhooks", webhooks, methods=["GET"]),
        Route("/_admin/shopify/webhooks", clear, methods=["DELETE"]),
    ]

"""The Shopify sandbox system: Admin GraphQL API, cost throttling and webhook delivery.

Plugs into :func:`sandbox.app.build_app` as ``sandbox.shopify.system:ShopifySystem``.
Errors outside GraphQL use Shopify's REST-style envelope ``{"errors": "..."}``;
server-side failures (5xx) use the GraphQL shape with ``extensions.code`` as
Shopify's Admin GraphQL API does.
"""

from __future__ import annotations

import contextlib
import math
import random
import uuid

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.app import Failure, json_response
from sandbox.runtime import Runtime
from sandbox.settings import SandboxSettings
from sandbox.shopify.admin import admin_routes
from sandbox.shopify.documents import DocumentCache
from sandbox.shopify.endpoint import GraphQLEndpoint
from sandbox.shopify.knobs import ShopifyKnobs
from sandbox.shopify.schema import build_schema
from sandbox.shopify.service import GraphQLService
from sandbox.shopify.state import ShopState
from sandbox.shopify.webhooks.delivery import WebhookDispatcher
from sandbox.shopify.webhooks.subscriptions import topic_enum

__all__ = ["ShopifySystem"]

_RATE_LIMITED = (
    "Exceeded the request rate for the api client. Reduce request rates to resume uninterrupted service."
)


class ShopifySystem:
    name = "shopify"
    knobs_model: type[ShopifyKnobs] = ShopifyKnobs

    def __init__(self, runtime: Runtime, settings: SandboxSettings) -> None:
        self.runtime, self.settings = runtime, settings
        self.schema = build_schema()
        self.documents = DocumentCache(self.schema)
        self.webhooks = WebhookDispatcher(
            secret=settings.shopify_webhook_secret,
            shop_domain=settings.shopify_shop_domain,
            knobs=self._knobs,
            rng=random.Random(settings.seed),
        )
        self.state = self._new_state()
        self.service = self._new_service()

    def _knobs(self) -> ShopifyKnobs:
        knobs = self.runtime.knobs
        assert isinstance(knobs, ShopifyKnobs)
        return knobs

    def _new_state(self) -> ShopState:
        state = ShopState(
            self.runtime.world,
            webhook_url=self.settings.shopify_webhook_url,
            api_version=self.settings.shopify_api_version,
        )
        state.publish = self._publish
        return state

    def _new_service(self) -> GraphQLService:
        return GraphQLService(
            self.schema,
            self.documents,
            self.state,
            self._knobs,
            shop_domain=self.settings.shopify_shop_domain,
        )

    def _publish(self, topic: str, payload: dict[str, object], subject: str | None) -> None:
        enum = topic_enum(topic)
        subscriptions = [s for s in self.state.subscriptions.values() if s.topic == enum]
        if subscriptions:
            self.webhooks.publish(topic, payload, subject, subscriptions)

    # ------------------------------------------------------------ System protocol

    def routes(self) -> list[BaseRoute]:
        endpoint = GraphQLEndpoint(lambda: self.service, self.render_error, self.settings.access_token)
        return [
            Route("/admin/api/{version}/graphql.json", endpoint.handle, methods=["POST"]),
            *admin_routes(lambda: self.state, self.webhooks),
        ]

    def render_error(self, failure: Failure) -> Response:
        headers = {"X-Request-Id": str(uuid.uuid4())}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(failure.retry_after)))
        if failure.status >= 500:
            body: object = {
                "errors": [
                    {
                        "message": f"{failure.message} Request ID: {headers['X-Request-Id']}",
                        "extensions": {"code": failure.code, "requestId": headers["X-Request-Id"]},
                    }
                ]
            }
        elif failure.status == 429:
            body = {"errors": _RATE_LIMITED}
        else:
            body = {"errors": failure.message}
        return json_response(body, failure.status, headers)

    def reset(self) -> None:
        self.state = self._new_state()
        self.service = self._new_service()
        self.webhooks.clear()

    def lifespan(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self.webhooks.running()

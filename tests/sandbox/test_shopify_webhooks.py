"""Webhooks over real HTTP: subscriptions, HMAC signatures, retries, duplicates and the delivery log."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.world import World
from tests._servers import free_port, serving
from tests.sandbox._shopify import BIG_BUCKET, Shop

Apps = Callable[..., Starlette]
SECRET = "sandbox-webhook-secret"
CREATE = """mutation($sku: String!) {
  orderCreate(order: {lineItems: [{sku: $sku, quantity: 1}], email: "hook@example.com"}) {
  order { id name } userErrors { code } } }"""


class Receiver:
    """A tiny webhook consumer that verifies signatures and can fail its first calls."""

    def __init__(self, fail_first: int = 0, status: int = 500) -> None:
        self.fail_first, self.status = fail_first, status
        self.calls: list[tuple[dict[str, str], bytes, bool]] = []
        self.app = Starlette(routes=[Route("/hooks", self.endpoint, methods=["POST"])])

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
        verified = hmac.compare_digest(expected, request.headers.get("x-shopify-hmac-sha256", ""))
        self.calls.append((dict(request.headers), body, verified))
        if len(self.calls) <= self.fail_first:
            return Response(status_code=self.status)
        return Response(status_code=200 if verified else 401)

    def topics(self) -> list[str]:
        return [headers["x-shopify-topic"] for headers, _, _ in self.calls]

    def payloads(self, topic: str) -> list[dict[str, Any]]:
        return [orjson.loads(body) for headers, body, _ in self.calls if headers["x-shopify-topic"] == topic]


async def wait_for(predicate: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for webhook deliveries")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def running(
    make_app: Apps, receiver: Receiver | None, **knobs: Any
) -> AsyncIterator[tuple[Shop, httpx.AsyncClient]]:
    """The receiver and a sandbox (default subscription to it when given) served over real HTTP."""
    knobs = {**BIG_BUCKET, "webhook_retry_base_s": 0.01, **knobs}
    async with serving(receiver.app if receiver else Starlette()) as hooks_base:
        url = f"{hooks_base}/hooks" if receiver else None
        app = make_app("shopify", shopify_webhook_url=url, knobs=knobs)
        async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
            yield Shop(client), client


async def test_a_default_subscription_receives_signed_order_and_inventory_webhooks(
    make_app: Apps, world: World
) -> None:
    receiver = Receiver()
    async with running(make_app, receiver) as (shop, _):
        data = await shop.gql(CREATE, {"sku": world.products[0].variants[0].sku})
        order = data["orderCreate"]["order"]
        await wait_for(lambda: {"orders/create", "inventory_levels/update"} <= set(receiver.topics()))
    headers, body, verified = next(
        call for call in receiver.calls if call[0]["x-shopify-topic"] == "orders/create"
    )
    assert verified
    assert headers["x-shopify-shop-domain"] == "retail-sandbox.myshopify.com"
    assert headers["x-shopify-api-version"] == "2025-01"
    assert headers["x-shopify-webhook-id"]
    assert headers["x-shopify-event-id"]
    assert headers["x-shopify-triggered-at"].endswith("Z")
    payload = orjson.loads(body)
    assert payload["admin_graphql_api_id"] == order["id"]
    assert payload["name"] == order["name"]
    assert payload["email"] == "hook@example.com"
    assert payload["financial_status"] == "pending"
    assert payload["fulfillment_status"] is None
    assert payload["line_items"][0]["sku"] == world.products[0].variants[0].sku
    (level,) = receiver.payloads("inventory_levels/update")
    assert set(level) == {
        "inventory_item_id",
        "location_id",
        "available",
        "updated_at",
        "admin_graphql_api_id",
    }
    assert level["inventory_item_id"] == world.products[0].variants[0].shopify_inventory_item_id


async def test_a_failing_receiver_gets_retries_with_the_same_webhook_id(make_app: Apps, world: World) -> None:
    receiver = Receiver(fail_first=2)
    async with running(make_app, receiver) as (shop, client):
        await shop.gql(
            """mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) {
                 userErrors { code } } }""",
            {
                "input": {
                    "reason": "received",
                    "name": "available",
                    "changes": [
                        {
                            "delta": 3,
                            "inventoryItemId": f"gid://shopify/InventoryItem/{world.products[0].variants[0].shopify_inventory_item_id}",
                            "locationId": "gid://shopify/Location/70000001",
                        }
                    ],
                }
            },
        )
        await wait_for(lambda: len(receiver.calls) == 3)
        log = (
            await client.get("/_admin/shopify/webhooks", params={"topic": "inventory_levels/update"})
        ).json()
    ids = {headers["x-shopify-webhook-id"] for headers, _, _ in receiver.calls}
    assert len(ids) == 1
    (delivery,) = log["deliveries"]
    assert delivery["state"] == "delivered"
    assert [a["status"] for a in delivery["attempts"]] == [500, 500, 200]
    assert delivery["webhook_id"] in ids


async def test_a_receiver_that_never_succeeds_is_given_up_after_the_max_attempts(
    make_app: Apps, world: World
) -> None:
    receiver = Receiver(fail_first=100, status=503)
    async with running(make_app, receiver, webhook_max_attempts=3) as (shop, client):
        await shop.gql(CREATE, {"sku": world.products[0].variants[0].sku})
        await wait_for(lambda: len(receiver.calls) >= 6)
        await asyncio.sleep(0.1)
        log = (await client.get("/_admin/shopify/webhooks", params={"state": "failed"})).json()
    assert {d["topic"] for d in log["deliveries"]} == {"orders/create", "inventory_levels/update"}
    assert all([a["status"] for a in d["attempts"]] == [503, 503, 503] for d in log["deliveries"])


async def test_connection_errors_are_retried_and_logged(make_app: Apps, world: World) -> None:
    dead = f"http://127.0.0.1:{free_port()}/hooks"
    knobs = {**BIG_BUCKET, "webhook_retry_base_s": 0.01, "webhook_max_attempts": 2}
    app = make_app("shopify", shopify_webhook_url=dead, knobs=knobs)
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
        await Shop(client).gql(CREATE, {"sku": world.products[0].variants[0].sku})

        async def failed() -> list[dict[str, Any]]:
            deliveries: list[dict[str, Any]] = (await client.get("/_admin/shopify/webhooks")).json()[
                "deliveries"
            ]
            return [d for d in deliveries if d["state"] == "failed"]

        for _ in range(300):
            if len(await failed()) == 2:
                break
            await asyncio.sleep(0.01)
        deliveries = await failed()
    assert len(deliveries) == 2
    assert all(
        len(d["attempts"]) == 2 and d["attempts"][0]["error"].startswith("Connect") for d in deliveries
    )


async def test_the_duplicate_rate_resends_a_delivered_webhook_with_the_same_id(
    make_app: Apps, world: World
) -> None:
    receiver = Receiver()
    async with running(make_app, receiver, webhook_duplicate_rate=1.0) as (shop, _):
        await shop.gql(CREATE, {"sku": world.products[0].variants[0].sku})
        await wait_for(lambda: receiver.topics().count("orders/create") == 2)
    first, second = [call for call in receiver.calls if call[0]["x-shopify-topic"] == "orders/create"]
    assert first[0]["x-shopify-webhook-id"] == second[0]["x-shopify-webhook-id"]
    assert first[1] == second[1]


async def test_events_published_before_the_lifespan_starts_go_out_when_it_does(
    make_app: Apps, world: World
) -> None:
    receiver = Receiver()
    async with serving(receiver.app) as hooks_base:
        app = make_app("shopify", shopify_webhook_url=f"{hooks_base}/hooks", knobs=BIG_BUCKET)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as offline:
            await Shop(offline).gql(CREATE, {"sku": world.products[0].variants[0].sku})
            log = (await offline.get("/_admin/shopify/webhooks")).json()
            assert {d["state"] for d in log["deliveries"]} == {"pending"}
        assert receiver.calls == []
        async with serving(app):
            await wait_for(lambda: "orders/create" in receiver.topics())


async def test_a_subscription_created_through_graphql_gets_only_its_topic(
    make_app: Apps, world: World
) -> None:
    receiver = Receiver()
    async with serving(receiver.app) as hooks_base:
        app = make_app("shopify", knobs={**BIG_BUCKET, "webhook_retry_base_s": 0.01})
        async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
            shop = Shop(client, version="2025-04")
            created = await shop.gql(
                """mutation($url: URL!) { webhookSubscriptionCreate(topic: ORDERS_CANCELLED,
                     webhookSubscription: {callbackUrl: $url, format: JSON}) {
                     webhookSubscription { id topic format callbackUrl apiVersion { handle }
                       endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } }
                     userErrors { field message } } }""",
                {"url": f"{hooks_base}/hooks"},
            )
            sub = created["webhookSubscriptionCreate"]["webhookSubscription"]
            assert sub["topic"] == "ORDERS_CANCELLED"
            assert sub["apiVersion"] == {"handle": "2025-04"}
            assert sub["endpoint"] == {
                "__typename": "WebhookHttpEndpoint",
                "callbackUrl": f"{hooks_base}/hooks",
            }
            listed = await shop.gql(
                "{ webhookSubscriptions(first: 10, topics: [ORDERS_CANCELLED]) { nodes { id } } }"
            )
            assert listed["webhookSubscriptions"]["nodes"] == [{"id": sub["id"]}]
            order = (await shop.gql(CREATE, {"sku": world.products[0].variants[0].sku}))["orderCreate"][
                "order"
            ]
            await shop.gql(
                """mutation($id: ID!) {
                     orderCancel(orderId: $id, reason: CUSTOMER, restock: true) { job { id } } }""",
                {"id": order["id"]},
            )
            await wait_for(lambda: len(receiver.calls) == 1)
            await asyncio.sleep(0.05)
    assert receiver.topics() == ["orders/cancelled"]
    headers, body, _ = receiver.calls[0]
    assert headers["x-shopify-api-version"] == "2025-04"
    payload = orjson.loads(body)
    assert payload["cancelled_at"] is not None
    assert payload["cancel_reason"] == "customer"


async def test_return_mutations_emit_their_topics(make_app: Apps, world: World) -> None:
    receiver = Receiver()
    source = next(o for o in world.orders if o.in_shopify and o.status == "FULFILLED" and not o.returns)
    async with running(make_app, receiver) as (shop, _):
        data = await shop.gql(
            """query($id: ID!) { order(id: $id) { fulfillments(first: 3) { status
                 fulfillmentLineItems(first: 5) { nodes { id } } } } }""",
            {"id": f"gid://shopify/Order/{source.shopify_order_id}"},
        )
        fulfilled = [f for f in data["order"]["fulfillments"] if f["status"] == "SUCCESS"]
        line_id = fulfilled[0]["fulfillmentLineItems"]["nodes"][0]["id"]
        request = await shop.gql(
            """mutation($input: ReturnRequestInput!) { returnRequest(input: $input) { return { id } } }""",
            {
                "input": {
                    "orderId": f"gid://shopify/Order/{source.shopify_order_id}",
                    "returnLineItems": [
                        {"fulfillmentLineItemId": line_id, "quantity": 1, "returnReason": "COLOR"}
                    ],
                }
            },
        )
        return_id = request["returnRequest"]["return"]["id"]
        for mutation in (
            "returnApproveRequest(input: {id: $id})",
            "returnClose(id: $id)",
            "returnReopen(id: $id)",
            "returnCancel(id: $id)",
        ):
            await shop.gql(
                f"mutation($id: ID!) {{ {mutation} {{ userErrors {{ code }} }} }}", {"id": return_id}
            )
        await wait_for(lambda: len(receiver.calls) == 5)
    assert receiver.topics() == [
        "returns/request",
        "returns/approve",
        "returns/close",
        "returns/reopen",
        "returns/cancel",
    ]
    last = receiver.payloads("returns/cancel")[0]
    assert last["admin_graphql_api_id"] == return_id
    assert last["status"] == "canceled"


@pytest.mark.parametrize(
    ("url", "message"),
    [("", "Address can't be blank"), ("ftp://example.com/x", "Address is invalid")],
)
async def test_webhook_subscription_create_validates_the_address(
    client_for: Callable[..., httpx.AsyncClient], url: str, message: str
) -> None:
    shop = Shop(client_for("shopify"))
    data = await shop.gql(
        """mutation($url: URL) {
             webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: {callbackUrl: $url}) {
             webhookSubscription { id } userErrors { field message } } }""",
        {"url": url},
    )
    assert data["webhookSubscriptionCreate"] == {
        "webhookSubscription": None,
        "userErrors": [{"field": ["webhookSubscription", "callbackUrl"], "message": message}],
    }


async def test_duplicate_subscriptions_are_refused_and_deleting_one_works(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    shop = Shop(client_for("shopify"))
    create = """mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE,
      webhookSubscription: {callbackUrl: "https://hooks.example.com/a"}) {
      webhookSubscription { id } userErrors { message } } }"""
    first = await shop.gql(create)
    second = await shop.gql(create)
    assert second["webhookSubscriptionCreate"]["userErrors"] == [
        {"message": "Address for this topic has already been taken"}
    ]
    sub_id = first["webhookSubscriptionCreate"]["webhookSubscription"]["id"]
    delete = """mutation($id: ID!) {
      webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }"""
    deleted = await shop.gql(delete, {"id": sub_id})
    assert deleted["webhookSubscriptionDelete"] == {"deletedWebhookSubscriptionId": sub_id, "userErrors": []}
    again = await shop.gql(delete, {"id": sub_id})
    assert again["webhookSubscriptionDelete"]["userErrors"] == [
        {"message": "Webhook subscription does not exist"}
    ]

"""The Shopify webhook endpoint over real HTTP, fed by the Shopify sandbox or by signed requests of our own.

The endpoint (``webhook_routes`` in a Starlette app) is served with uvicorn;
the sandbox delivers to it after real mutations. ``Recorder`` stands in for
the connector (a :class:`WebhookTarget` that records what it was told to
evict); the end-to-end test at the bottom uses the real ``ShopifyConnector``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette

from resolvers.policy import CachePolicy, ConnectorPolicies, OperationPolicy
from resolvers.shopify import ShopifyConnector, ShopifySettings
from resolvers.shopify.webhooks import WebhookTarget, order_number_of_return, verify_hmac, webhook_routes
from sandbox.world import Variant, World
from storage import IdempotencyStore, StartResult, StorageUnavailable
from storage.memory import MemoryIdempotencyStore
from storage.sqlite import SqliteIdempotencyStore
from tests._servers import serving
from tests.resolvers.connectors.conftest import LiveKitFactory, RunningSystem, RunSystem
from tests.resolvers.connectors.test_shopify_support import directory_of
from tests.sandbox._shopify import BIG_BUCKET, Shop

SECRET = "sandbox-webhook-secret"
ADJUST = """mutation($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) { userErrors { field message } } }"""
CREATE = """mutation($sku: String!) {
  orderCreate(order: {lineItems: [{sku: $sku, quantity: 1}], email: "hook@example.com"}) {
  order { id name } userErrors { code } } }"""


class Recorder:
    """A fake connector: knows the world's inventory items, records evictions, can fail or stall."""

    def __init__(self, world: World, *, fail: int = 0, stall_s: float = 0.0) -> None:
        self.skus = {v.shopify_inventory_item_id: v.sku for v in world.variants}
        self.fail, self.stall_s = fail, stall_s
        self.stock: list[tuple[list[str], list[str] | None]] = []
        self.variants: list[list[str]] = []
        self.orders: list[str] = []

    async def sku_for_inventory_item(self, inventory_item_id: int) -> str | None:
        await asyncio.sleep(self.stall_s)
        return self.skus.get(inventory_item_id)

    async def invalidate_stock(self, skus: Sequence[str], location_ids: Sequence[str] | None = None) -> int:
        if self.fail:
            self.fail -= 1
            raise StorageUnavailable("cache store down")
        self.stock.append((list(skus), None if location_ids is None else list(location_ids)))
        return len(skus)

    async def invalidate_variants(self, skus: Sequence[str]) -> int:
        self.variants.append(list(skus))
        return len(skus)

    async def invalidate_order(self, number: str) -> None:
        self.orders.append(number)


def signed(
    body: bytes, topic: str | None, webhook_id: str | None = None, secret: str = SECRET
) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {"Content-Type": "application/json", "X-Shopify-Hmac-Sha256": digest}
    if topic is not None:
        headers["X-Shopify-Topic"] = topic
    headers["X-Shopify-Webhook-Id"] = webhook_id or str(uuid.uuid4())
    return headers


def variant(world: World) -> Variant:
    """The variant the tests move (a warehouse carries every SKU)."""
    return world.products[1].variants[0]


def level(world: World) -> dict[str, Any]:
    """An inventory_levels/update payload for the variant at the first Shopify location."""
    location = next(loc for loc in world.locations if loc.shopify_location_id)
    return {
        "inventory_item_id": variant(world).shopify_inventory_item_id,
        "location_id": location.shopify_location_id,
    }


async def wait_for(predicate: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for webhook deliveries"
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def endpoint(
    target: WebhookTarget | None = None, *, seen: IdempotencyStore | None = None, **options: Any
) -> AsyncIterator[str]:
    """The endpoint served over HTTP; yields its URL."""
    routes = webhook_routes(
        secret=options.pop("secret", SECRET), seen=seen or MemoryIdempotencyStore(), target=target, **options
    )
    async with serving(Starlette(routes=routes)) as base:
        yield f"{base}/webhooks/shopify"


@contextlib.asynccontextmanager
async def shop_delivering_to(
    run_system: RunSystem, url: str, **knobs: Any
) -> AsyncIterator[tuple[Shop, RunningSystem]]:
    settings = {"knobs": {**BIG_BUCKET, "webhook_retry_base_s": 0.01, **knobs.pop("knobs", {})}, **knobs}
    async with (
        run_system("shopify", shopify_webhook_url=url, **settings) as system,
        httpx.AsyncClient(base_url=system.url) as client,
    ):
        yield Shop(client), system


async def adjust(shop: Shop, world: World, delta: int = 3) -> None:
    location = level(world)["location_id"]
    change = {
        "delta": delta,
        "inventoryItemId": f"gid://shopify/InventoryItem/{variant(world).shopify_inventory_item_id}",
        "locationId": f"gid://shopify/Location/{location}",
    }
    data = await shop.gql(ADJUST, {"input": {"reason": "received", "name": "available", "changes": [change]}})
    assert data["inventoryAdjustQuantities"]["userErrors"] == []


async def settled(system: RunningSystem, topic: str) -> list[dict[str, Any]]:
    """The sandbox's deliveries of ``topic`` once one of them is delivered or given up."""
    async with httpx.AsyncClient(base_url=system.url) as client:
        for _ in range(500):
            log = (await client.get("/_admin/shopify/webhooks", params={"topic": topic})).json()
            deliveries: list[dict[str, Any]] = log["deliveries"]
            if any(d["state"] != "pending" for d in deliveries):
                return deliveries
            await asyncio.sleep(0.01)
    raise AssertionError(f"no {topic} delivery settled")


# ---------------------------------------------------------------- evictions, fed by the sandbox


async def test_an_inventory_adjustment_in_the_sandbox_evicts_that_skus_stock_at_that_location(
    run_system: RunSystem, world: World
) -> None:
    recorder = Recorder(world)
    async with (
        endpoint(recorder, directory=directory_of(world)) as url,
        shop_delivering_to(run_system, url) as (shop, system),
    ):
        await adjust(shop, world)
        await wait_for(lambda: len(recorder.stock) == 1)
        (delivery,) = await settled(system, "inventory_levels/update")
    location = next(loc for loc in world.locations if loc.shopify_location_id == level(world)["location_id"])
    assert recorder.stock == [([variant(world).sku], [location.code])]
    assert [a["status"] for a in delivery["attempts"]] == [200]


async def test_without_a_directory_the_skus_stock_is_evicted_at_every_location(world: World) -> None:
    recorder = Recorder(world)
    body = orjson.dumps(level(world))
    async with endpoint(recorder) as url, httpx.AsyncClient() as client:
        response = await client.post(url, content=body, headers=signed(body, "inventory_levels/update"))
    assert response.json() == {"status": "handled"}
    assert recorder.stock == [([variant(world).sku], None)]


async def test_a_location_the_directory_does_not_know_evicts_every_location(world: World) -> None:
    recorder = Recorder(world)
    body = orjson.dumps({**level(world), "location_id": 99})
    async with endpoint(recorder, directory=directory_of(world)) as url, httpx.AsyncClient() as client:
        await client.post(url, content=body, headers=signed(body, "inventory_levels/update"))
    assert recorder.stock == [([variant(world).sku], None)]


async def test_an_inventory_item_without_a_known_sku_evicts_nothing_and_is_acknowledged(world: World) -> None:
    recorder = Recorder(world)
    body = orjson.dumps({"inventory_item_id": 1, "location_id": 1})
    async with endpoint(recorder) as url, httpx.AsyncClient() as client:
        response = await client.post(url, content=body, headers=signed(body, "inventory_levels/update"))
    assert (response.status_code, recorder.stock) == (200, [])


async def test_an_order_created_in_the_sandbox_evicts_that_order_and_its_skus_stock(
    run_system: RunSystem, world: World
) -> None:
    recorder = Recorder(world)
    async with endpoint(recorder) as url, shop_delivering_to(run_system, url) as (shop, _):
        created = await shop.gql(CREATE, {"sku": variant(world).sku})
        await wait_for(lambda: bool(recorder.orders) and bool(recorder.stock))
    assert recorder.orders == [created["orderCreate"]["order"]["name"]]
    assert recorder.stock[0][0] == [variant(world).sku]


@pytest.mark.parametrize(
    ("topic", "payload", "evicted"),
    [
        ("orders/cancelled", {"id": 1, "name": "#R100007"}, {"orders": ["R100007"]}),
        ("orders/delete", {"id": 1}, {}),
        ("returns/approve", {"id": 2, "name": "R100001-R2", "order": {"id": 1}}, {"orders": ["R100001"]}),
        (
            "products/update",
            {"id": 3, "variants": [{"sku": "A"}, {"sku": None}, {"sku": "B"}]},
            {"variants": [["A", "B"]]},
        ),
        ("shop/update", {"id": 4}, {}),
    ],
)
async def test_each_topic_evicts_what_it_changes(
    world: World, topic: str, payload: dict[str, Any], evicted: dict[str, Any]
) -> None:
    recorder = Recorder(world)
    body = orjson.dumps(payload)
    async with endpoint(recorder) as url, httpx.AsyncClient() as client:
        response = await client.post(url, content=body, headers=signed(body, topic))
    assert response.json() == {"status": "ignored" if topic == "shop/update" else "handled"}
    wanted = {"orders": [], "variants": [], "stock": [], **evicted}
    assert {"orders": recorder.orders, "variants": recorder.variants, "stock": recorder.stock} == wanted


@pytest.mark.parametrize(
    ("name", "number"),
    [("R100001-R1", "R100001"), ("#1001-R12", "1001"), ("R100001", None), ("-R1", None), ("R1-Rx", None)],
)
def test_a_returns_name_gives_its_order_number(name: str, number: str | None) -> None:
    assert order_number_of_return(name) == number


async def test_a_target_without_order_or_variant_eviction_ignores_those_topics(world: World) -> None:
    class StockOnly:
        async def sku_for_inventory_item(self, inventory_item_id: int) -> str | None:
            return None

        async def invalidate_stock(
            self, skus: Sequence[str], location_ids: Sequence[str] | None = None
        ) -> int:
            return 0

    body = b'{"name": "R100001"}'
    async with endpoint(StockOnly()) as url, httpx.AsyncClient() as client:
        answers = [
            await client.post(url, content=body, headers=signed(body, t))
            for t in ("orders/updated", "products/update")
        ]
    assert [a.json() for a in answers] == [{"status": "ignored"}] * 2


# ---------------------------------------------------------------- what is refused


async def test_a_delivery_signed_with_another_secret_is_refused_401_and_evicts_nothing(
    run_system: RunSystem, world: World
) -> None:
    recorder = Recorder(world)
    async with endpoint(recorder) as url:
        settings = {"shopify_webhook_secret": "not-our-secret", "knobs": {"webhook_max_attempts": 2}}
        async with shop_delivering_to(run_system, url, **settings) as (shop, system):
            await adjust(shop, world)
            deliveries = await settled(system, "inventory_levels/update")
    assert deliveries[0]["state"] == "failed"
    assert [a["status"] for a in deliveries[0]["attempts"]] == [401, 401]
    assert recorder.stock == []


@pytest.mark.parametrize(
    "signature",
    [None, "", "not base64!", base64.b64encode(b"x" * 32).decode()],
    ids=["missing", "empty", "junk", "wrong"],
)
async def test_a_missing_or_wrong_signature_is_a_401_with_invalid_hmac(
    world: World, signature: str | None
) -> None:
    recorder = Recorder(world)
    body = orjson.dumps(level(world))
    headers = signed(body, "inventory_levels/update")
    del headers["X-Shopify-Hmac-Sha256"]
    if signature is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature
    async with endpoint(recorder) as url, httpx.AsyncClient() as client:
        response = await client.post(url, content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_HMAC"
    assert recorder.stock == []


async def test_while_rotating_secrets_a_delivery_signed_with_either_is_accepted(world: World) -> None:
    recorder = Recorder(world)
    body = orjson.dumps(level(world))
    async with endpoint(recorder, secret=["new-secret", SECRET]) as url, httpx.AsyncClient() as client:
        old = await client.post(url, content=body, headers=signed(body, "inventory_levels/update"))
        new = await client.post(
            url, content=body, headers=signed(body, "inventory_levels/update", secret="new-secret")
        )
    assert (old.status_code, new.status_code, len(recorder.stock)) == (200, 200, 2)
    assert not verify_hmac(
        body, signed(body, "x", secret="other")["X-Shopify-Hmac-Sha256"], ["new-secret", SECRET]
    )


@pytest.mark.parametrize(
    ("body", "topic", "code"),
    [
        (b"{not json", "inventory_levels/update", "INVALID_JSON"),
        (b"[1, 2]", "orders/create", "INVALID_JSON"),
        (b"{}", None, "MISSING_TOPIC"),
    ],
)
async def test_a_body_that_is_not_a_json_object_or_a_missing_topic_is_a_400(
    world: World, body: bytes, topic: str | None, code: str
) -> None:
    recorder = Recorder(world)
    async with endpoint(recorder) as url, httpx.AsyncClient() as client:
        response = await client.post(url, content=body, headers=signed(body, topic))
    assert (response.status_code, response.json()["error"]["code"]) == (400, code)
    assert (recorder.stock, recorder.orders) == ([], [])


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_is_refused_413_before_its_signature_is_checked(
    world: World, chunked: bool
) -> None:
    body = b'{"pad": "' + b"x" * 5000 + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    async with endpoint(Recorder(world), max_body_bytes=4096) as url, httpx.AsyncClient() as client:
        headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": "wrong"}
        response = await client.post(url, content=chunks() if chunked else body, headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")


async def test_a_payload_missing_what_its_topic_needs_is_a_400_and_its_id_is_released(world: World) -> None:
    seen = MemoryIdempotencyStore()
    body = b'{"location_id": 1}'
    headers = signed(body, "inventory_levels/update", "hook-400")
    async with endpoint(Recorder(world), seen=seen) as url, httpx.AsyncClient() as client:
        response = await client.post(url, content=body, headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "INVALID_PAYLOAD")
    assert await seen.get("webhook:shopify:hook-400") is None


# ---------------------------------------------------------------- duplicates and failures


async def test_the_sandboxs_duplicate_delivery_is_acknowledged_and_handled_once(
    run_system: RunSystem, world: World
) -> None:
    recorder = Recorder(world)
    async with (
        endpoint(recorder) as url,
        shop_delivering_to(run_system, url, knobs={"webhook_duplicate_rate": 1.0}) as (shop, system),
    ):
        await adjust(shop, world)
        await wait_for(lambda: len(recorder.stock) == 1)
        for _ in range(500):
            (delivery,) = await settled(system, "inventory_levels/update")
            if len(delivery["attempts"]) == 2 and delivery["attempts"][1]["status"] is not None:
                break
            await asyncio.sleep(0.01)
    assert [(a["status"], a["duplicate"]) for a in delivery["attempts"]] == [(200, False), (200, True)]
    assert len(recorder.stock) == 1


async def test_concurrent_duplicates_are_all_acknowledged_and_handled_once(world: World) -> None:
    recorder = Recorder(world, stall_s=0.2)
    body = orjson.dumps(level(world))
    headers = signed(body, "inventory_levels/update", "hook-concurrent")
    async with endpoint(recorder) as url, httpx.AsyncClient() as client:
        answers = await asyncio.gather(*(client.post(url, content=body, headers=headers) for _ in range(10)))
    assert {a.status_code for a in answers} == {200}
    assert sorted(a.json()["status"] for a in answers) == ["duplicate"] * 9 + ["handled"]
    assert len(recorder.stock) == 1


async def test_a_failing_handler_answers_500_and_shopifys_retry_is_handled(
    run_system: RunSystem, world: World
) -> None:
    recorder = Recorder(world, fail=1)
    async with endpoint(recorder) as url, shop_delivering_to(run_system, url) as (shop, system):
        await adjust(shop, world)
        (delivery,) = await settled(system, "inventory_levels/update")
    assert delivery["state"] == "delivered"
    assert [a["status"] for a in delivery["attempts"]] == [500, 200]
    assert recorder.stock == [([variant(world).sku], None)]


async def test_a_handler_slower_than_the_timeout_answers_503_and_the_retry_is_handled(world: World) -> None:
    recorder = Recorder(world, stall_s=1.0)
    body = orjson.dumps(level(world))
    headers = signed(body, "inventory_levels/update", "hook-slow")
    async with endpoint(recorder, handler_timeout=0.1) as url, httpx.AsyncClient() as client:
        slow = await client.post(url, content=body, headers=headers)
        recorder.stall_s = 0.0
        retry = await client.post(url, content=body, headers=headers)
        again = await client.post(url, content=body, headers=headers)
    assert (slow.status_code, slow.json()["error"]["code"]) == (503, "HANDLER_TIMEOUT")
    assert [retry.json(), again.json()] == [{"status": "handled"}, {"status": "duplicate"}]
    assert len(recorder.stock) == 1


class BrokenStore(MemoryIdempotencyStore):
    async def start(self, key: str, fingerprint: str, ttl: float) -> StartResult:
        raise StorageUnavailable("dedupe store down")


async def test_a_failing_dedupe_store_still_gets_the_delivery_handled(world: World) -> None:
    recorder = Recorder(world)
    body = orjson.dumps(level(world))
    headers = signed(body, "inventory_levels/update", "hook-no-store")
    async with endpoint(recorder, seen=BrokenStore()) as url, httpx.AsyncClient() as client:
        answers = [await client.post(url, content=body, headers=headers) for _ in range(2)]
    assert [a.json() for a in answers] == [{"status": "handled"}] * 2
    assert len(recorder.stock) == 2


@contextlib.asynccontextmanager
async def two_stores(
    backend: str, tmp_path: Path, redis_url: str | None
) -> AsyncIterator[list[IdempotencyStore]]:
    """Two clients of one shared store, as two gateway instances would have."""
    if backend == "sqlite":
        stores = [await SqliteIdempotencyStore.open(str(tmp_path / "seen.db")) for _ in range(2)]
        try:
            yield list(stores)
        finally:
            for store in stores:
                await store.close()
        return
    from redis.asyncio import Redis

    from storage.redis import RedisIdempotencyStore

    assert redis_url is not None
    namespace = f"test-{uuid.uuid4().hex[:8]}"
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        yield [RedisIdempotencyStore(client, namespace) for client in clients]
    finally:
        for client in clients:
            await client.aclose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
async def test_two_endpoints_sharing_one_store_handle_a_delivery_once(
    world: World, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    redis_url = request.getfixturevalue("redis_url") if backend == "redis" else None
    recorder = Recorder(world, stall_s=0.1)
    body = orjson.dumps(level(world))
    async with (
        two_stores(backend, tmp_path, redis_url) as (first_store, second_store),
        endpoint(recorder, seen=first_store) as first,
        endpoint(recorder, seen=second_store) as second,
        httpx.AsyncClient() as client,
    ):
        one = signed(body, "inventory_levels/update", "hook-shared-1")
        in_turn = [await client.post(url, content=body, headers=one) for url in (first, second)]
        two = signed(body, "inventory_levels/update", "hook-shared-2")
        at_once = await asyncio.gather(
            *(client.post(url, content=body, headers=two) for url in (first, second))
        )
    assert [a.json()["status"] for a in in_turn] == ["handled", "duplicate"]
    assert sorted(a.json()["status"] for a in at_once) == ["duplicate", "handled"]
    assert len(recorder.stock) == 2


# ---------------------------------------------------------------- observability


async def test_each_delivery_is_one_server_span_with_its_topic_webhook_id_and_outcome(
    world: World, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    recorder = Recorder(world, fail=1)
    body = orjson.dumps(level(world))
    headers = signed(body, "inventory_levels/update", "hook-span")
    async with endpoint(recorder, tracer_provider=provider) as url, httpx.AsyncClient() as client:
        for _ in range(3):
            await client.post(url, content=body, headers=headers)
    finished = exporter.get_finished_spans()
    assert [span.name for span in finished] == ["POST /webhooks/shopify"] * 3
    assert {span.kind for span in finished} == {SpanKind.SERVER}
    assert [dict(span.attributes or {}) for span in finished][1] == {
        "http.request.method": "POST",
        "http.route": "/webhooks/shopify",
        "http.response.status_code": 200,
        "retail.webhook.topic": "inventory_levels/update",
        "retail.webhook.id": "hook-span",
        "retail.webhook.outcome": "handled",
        "retail.webhook.evicted": 1,
    }
    outcomes = [(span.attributes or {})["retail.webhook.outcome"] for span in finished]
    assert outcomes == ["HANDLER_FAILED", "handled", "duplicate"]
    assert [span.status.status_code for span in finished] == [
        StatusCode.ERROR,
        StatusCode.UNSET,
        StatusCode.UNSET,
    ]


# ---------------------------------------------------------------- end to end, with the real connector

SUBSCRIBE = """mutation($url: URL!) { webhookSubscriptionCreate(topic: INVENTORY_LEVELS_UPDATE,
  webhookSubscription: {callbackUrl: $url, format: JSON}) { userErrors { field message } } }"""


def long_lived_stock(settings: ShopifySettings) -> ConnectorPolicies:
    """The connector's default policy, but stock cached for 10 minutes: only an eviction refreshes it."""
    policy = settings.default_policy()
    operations = {
        **policy.operations,
        "stock": OperationPolicy(cache=CachePolicy(ttl=600.0, stale_ttl=600.0)),
    }
    return ConnectorPolicies(systems={"shopify": policy.model_copy(update={"operations": operations})})


async def test_end_to_end_a_sandbox_adjustment_makes_the_connectors_next_stock_read_the_new_figure(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    token = "shpat_webhooks_e2e"
    sku = variant(world).sku
    code = next(loc.code for loc in world.locations if loc.shopify_location_id == level(world)["location_id"])
    knobs = {**BIG_BUCKET, "webhook_retry_base_s": 0.01}
    async with run_system("shopify", knobs=knobs, access_token=token) as system:
        settings = ShopifySettings(base_url=system.url, access_token=token)
        connector = ShopifyConnector(make_live_kit(long_lived_stock(settings)), settings, directory_of(world))
        async with (
            endpoint(connector, directory=directory_of(world)) as url,
            httpx.AsyncClient(base_url=system.url) as client,
        ):
            shop = Shop(client, token=token)
            assert (await shop.gql(SUBSCRIBE, {"url": url}))["webhookSubscriptionCreate"]["userErrors"] == []
            (before,) = await connector.stock([sku], [code])
            (cached,) = await connector.stock([sku], [code])
            await adjust(shop, world, delta=3)
            (delivery,) = await settled(system, "inventory_levels/update")
            (after,) = await connector.stock([sku], [code])
    assert cached == before, "the second read came from the cache"
    assert [a["status"] for a in delivery["attempts"]] == [200]
    assert after.available == (before.available or 0) + 3
    assert after.on_hand == before.on_hand + 3

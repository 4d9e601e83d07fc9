"""Webhook delivery: signed POSTs, at least once, with retries and optional duplicates.

Each event becomes one :class:`Delivery` per matching subscription, with a
``X-Shopify-Webhook-Id`` that stays the same across its retries and duplicates.
While the app's lifespan runs, a worker posts each delivery with httpx and
retries non-2xx answers and connection errors after ``webhook_retry_base_s``
seconds, doubling each time, up to ``webhook_max_attempts``; with probability
``webhook_duplicate_rate`` a delivered webhook is sent once more. Deliveries
published while no lifespan runs wait in the log and go out when one starts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import orjson

from sandbox.shopify.knobs import ShopifyKnobs
from sandbox.shopify.webhooks.subscriptions import Subscription

__all__ = ["Attempt", "Delivery", "WebhookDispatcher", "sign"]

_LOG_LIMIT = 10_000


def sign(body: bytes, secret: str) -> str:
    """The X-Shopify-Hmac-Sha256 header: base64 of the HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass(slots=True)
class Attempt:
    at: datetime
    status: int | None
    error: str | None = None
    duplicate: bool = False


@dataclass(slots=True, eq=False)
class Delivery:
    webhook_id: str
    event_id: str
    topic: str
    url: str
    api_version: str
    subject: str | None
    body: bytes
    triggered_at: datetime
    attempts: list[Attempt] = field(default_factory=list)
    state: Literal["pending", "delivered", "failed"] = "pending"

    def as_json(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "topic": self.topic,
            "url": self.url,
            "api_version": self.api_version,
            "subject": self.subject,
            "state": self.state,
            "triggered_at": self.triggered_at.isoformat(),
            "attempts": [
                {"at": a.at.isoformat(), "status": a.status, "error": a.error, "duplicate": a.duplicate}
                for a in self.attempts
            ],
            "payload": orjson.loads(self.body),
        }


class WebhookDispatcher:
    """The delivery log and, while running, the worker that empties it."""

    def __init__(
        self,
        *,
        secret: str,
        shop_domain: str,
        knobs: Callable[[], ShopifyKnobs],
        rng: random.Random,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.secret, self.shop_domain = secret, shop_domain
        self.knobs, self.rng, self.transport = knobs, rng, transport
        self.deliveries: list[Delivery] = []
        self._queue: asyncio.Queue[Delivery] | None = None
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ publishing

    def publish(
        self, topic: str, payload: dict[str, Any], subject: str | None, subscriptions: Iterable[Subscription]
    ) -> list[Delivery]:
        """Queue one delivery of the event per subscription (same event id for all of them)."""
        event_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        out = []
        for sub in subscriptions:
            body_payload = (
                {k: v for k, v in payload.items() if k in sub.include_fields}
                if sub.include_fields
                else payload
            )
            delivery = Delivery(
                webhook_id=str(uuid.uuid4()),
                event_id=event_id,
                topic=topic,
                url=sub.callback_url,
                api_version=sub.api_version,
                subject=subject,
                body=orjson.dumps(body_payload),
                triggered_at=now,
            )
            out.append(delivery)
            self.deliveries.append(delivery)
            if self._queue is not None:
                self._queue.put_nowait(delivery)
        if len(self.deliveries) > _LOG_LIMIT:
            del self.deliveries[: len(self.deliveries) - _LOG_LIMIT]
        return out

    def clear(self) -> None:
        self.deliveries.clear()

    def headers(self, delivery: Delivery) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": delivery.topic,
            "X-Shopify-Hmac-Sha256": sign(delivery.body, self.secret),
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-API-Version": delivery.api_version,
            "X-Shopify-Webhook-Id": delivery.webhook_id,
            "X-Shopify-Event-Id": delivery.event_id,
            "X-Shopify-Triggered-At": delivery.triggered_at.isoformat().replace("+00:00", "Z"),
        }

    # ------------------------------------------------------------ delivering

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Deliver while the block runs (the app's lifespan)."""
        self._queue = asyncio.Queue()
        self._client = httpx.AsyncClient(transport=self.transport)
        for delivery in self.deliveries:
            if delivery.state == "pending" and not delivery.attempts:
                self._queue.put_nowait(delivery)
        worker = asyncio.create_task(self._work(self._queue))
        try:
            yield
        finally:
            worker.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(worker, *self._tasks, return_exceptions=True)
            await self._client.aclose()
            self._queue, self._client = None, None

    async def _work(self, queue: asyncio.Queue[Delivery]) -> None:
        while True:
            delivery = await queue.get()
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _post(self, delivery: Delivery, *, duplicate: bool = False) -> bool:
        assert self._client is not None
        attempt = Attempt(datetime.now(UTC), None, duplicate=duplicate)
        delivery.attempts.append(attempt)
        try:
            response = await self._client.post(
                delivery.url,
                content=delivery.body,
                headers=self.headers(delivery),
                timeout=self.knobs().webhook_timeout_s,
            )
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
            return False
        attempt.status = response.status_code
        return 200 <= response.status_code < 300

    async def _deliver(self, delivery: Delivery) -> None:
        attempt = 0
        while True:
            attempt += 1
            if await self._post(delivery):
                delivery.state = "delivered"
                if self.rng.random() < self.knobs().webhook_duplicate_rate:
                    await self._post(delivery, duplicate=True)
                return
            knobs = self.knobs()
            if attempt >= knobs.webhook_max_attempts:
                delivery.state = "failed"
                return
            await asyncio.sleep(min(knobs.webhook_retry_base_s * 2 ** (attempt - 1), 3600.0))

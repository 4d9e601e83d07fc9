"""The Shopify webhook endpoint: verify, drop duplicates, evict what changed, answer fast.

``webhook_routes(secret=..., seen=store, target=connector)`` gives Starlette
routes for ``POST /webhooks/shopify``. Each request goes::

    raw body (> max_body_bytes: 413 PAYLOAD_TOO_LARGE, before any hashing)
      ──► X-Shopify-Hmac-Sha256 == base64(HMAC-SHA256(secret, raw body)) for one of the
          secrets (rotation), compared in constant time; else 401 INVALID_HMAC
      ──► X-Shopify-Topic present (400 MISSING_TOPIC), body a JSON object (400 INVALID_JSON)
      ──► no handler for the topic: 200 "ignored" (logged)
      ──► claim X-Shopify-Webhook-Id in ``seen`` ──► already claimed or done: 200 "duplicate"
      ──► handler (evictions only; bounded by handler_timeout)
            ├── done: record kept for seen_ttl (48 h), 200 "handled"
            └── failed: claim released so Shopify's retry is handled;
                400 INVALID_PAYLOAD | 503 HANDLER_TIMEOUT | 500 HANDLER_FAILED

Dedupe rides on :class:`storage.IdempotencyStore`, whose ``start`` is atomic
across every client of the store: memory (one process), SQLite (processes on
one host sharing the file) or Redis (every gateway instance). A claim lives
``claim_ttl`` (60 s) while in progress, so an instance that dies mid-delivery
does not swallow Shopify's retry; ``complete`` extends it to ``seen_ttl``.
If the store itself fails, the delivery is handled anyway (an eviction done
twice is harmless; one missed is a stale figure). Errors answer
``{"error": {"code", "message"}}``. Each request is one SERVER span
(``POST <path>``; ``retail.webhook.topic``, ``.id``, ``.outcome`` = handled |
duplicate | ignored | the error code, ``.evicted`` when the target says how
many entries went) and one log line.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from enum import Enum

import orjson
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, TracerProvider
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers.directory import LocationDirectory
from resolvers.shopify.webhooks_topics import (
    OrderInvalidation,
    TopicHandler,
    VariantInvalidation,
    WebhookDelivery,
    WebhookTarget,
    invalidation_handlers,
    order_number_of_return,
)
from storage import IdempotencyStore, StartStatus, StorageError

__all__ = [
    "OrderInvalidation",
    "ShopifyWebhooks",
    "TopicHandler",
    "VariantInvalidation",
    "WebhookDelivery",
    "WebhookTarget",
    "invalidation_handlers",
    "order_number_of_return",
    "verify_hmac",
    "webhook_routes",
]

_log = logging.getLogger(__name__)
TRACER_NAME = "retail.webhooks"
_HEADER_LIMIT = 200
"""Topic and webhook id are read before the signature is checked: bounded before they reach spans and logs."""


class _Claim(Enum):
    OWNED = "owned"
    DUPLICATE = "duplicate"
    UNTRACKED = "untracked"
    """No webhook id, or the store failed: handled without dedupe."""


class _Reject(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def verify_hmac(body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """True if ``header`` is base64(HMAC-SHA256(secret, body)) for one of ``secrets`` (constant time)."""
    if not header:
        return False
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    matched = False
    for secret in secrets:  # every secret is tried, so timing says nothing about which one matched
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        matched |= hmac.compare_digest(digest, given)
    return matched


def _json(status: int, body: object) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


class ShopifyWebhooks:
    """The endpoint: ``handle(request)`` is a Starlette endpoint (see the module docstring)."""

    def __init__(
        self,
        *,
        secret: str | Sequence[str],
        seen: IdempotencyStore,
        handlers: Mapping[str, TopicHandler],
        max_body_bytes: int = 4 * 1024 * 1024,
        seen_ttl: float = 48 * 3600.0,
        claim_ttl: float = 60.0,
        handler_timeout: float = 4.0,
        tracer_provider: TracerProvider | None = None,
        route: str = "/webhooks/shopify",
    ) -> None:
        self.secrets = (secret,) if isinstance(secret, str) else tuple(secret)
        if not self.secrets or not all(self.secrets):
            raise ValueError("at least one non-empty webhook secret is required")
        self.seen, self.handlers = seen, dict(handlers)
        self.max_body_bytes, self.seen_ttl, self.claim_ttl = max_body_bytes, seen_ttl, claim_ttl
        self.handler_timeout, self.route = handler_timeout, route
        provider = tracer_provider if tracer_provider is not None else trace.get_tracer_provider()
        self._tracer = provider.get_tracer(TRACER_NAME)

    def handler_for(self, topic: str) -> TopicHandler | None:
        """The handler of ``topic``: an exact entry, else its ``family/*`` entry."""
        return self.handlers.get(topic) or self.handlers.get(topic.partition("/")[0] + "/*")

    async def handle(self, request: Request) -> Response:
        topic = (request.headers.get("x-shopify-topic") or "")[:_HEADER_LIMIT]
        webhook_id = (request.headers.get("x-shopify-webhook-id") or "")[:_HEADER_LIMIT] or None
        with self._tracer.start_as_current_span(f"POST {self.route}", kind=SpanKind.SERVER) as span:
            span.set_attributes({"http.request.method": "POST", "http.route": self.route})
            span.set_attributes({"retail.webhook.topic": topic, "retail.webhook.id": webhook_id or ""})
            try:
                outcome, evicted = await self._process(request, topic, webhook_id)
            except _Reject as reject:
                return self._answer(span, reject.status, reject.code, topic, webhook_id, reject.message)
            if evicted is not None:
                span.set_attribute("retail.webhook.evicted", evicted)
            return self._answer(span, 200, outcome, topic, webhook_id)

    def _answer(
        self, span: Span, status: int, outcome: str, topic: str, webhook_id: str | None, message: str = ""
    ) -> Response:
        span.set_attributes({"http.response.status_code": status, "retail.webhook.outcome": outcome})
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR, message))
        level = logging.INFO if status < 400 else logging.WARNING
        _log.log(level, "shopify webhook %s id=%s -> %d %s %s", topic, webhook_id, status, outcome, message)
        if status == 200:
            return _json(200, {"status": outcome})
        return _json(status, {"error": {"code": outcome, "message": message}})

    async def _process(self, request: Request, topic: str, webhook_id: str | None) -> tuple[str, int | None]:
        body = await self._read_body(request)
        if not verify_hmac(body, request.headers.get("x-shopify-hmac-sha256"), self.secrets):
            raise _Reject(401, "INVALID_HMAC", "X-Shopify-Hmac-Sha256 is missing or does not match the body")
        if not topic:
            raise _Reject(400, "MISSING_TOPIC", "X-Shopify-Topic is missing")
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise _Reject(400, "INVALID_JSON", f"the body is not JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise _Reject(400, "INVALID_JSON", "the body is not a JSON object")
        handler = self.handler_for(topic)
        if handler is None:
            return "ignored", None
        claim = await self._claim(webhook_id, topic)
        if claim is _Claim.DUPLICATE:
            return "duplicate", None
        delivery = WebhookDelivery(
            topic=topic,
            webhook_id=webhook_id,
            payload=payload,
            shop_domain=request.headers.get("x-shopify-shop-domain"),
            api_version=request.headers.get("x-shopify-api-version"),
            headers=dict(request.headers),
        )
        try:
            async with asyncio.timeout(self.handler_timeout):
                evicted = await handler(delivery)
        except Exception as exc:
            if claim is _Claim.OWNED:
                await self._release(webhook_id)
            raise self._failure(exc) from exc
        except BaseException:  # cancelled: release if we can (else the claim expires after claim_ttl)
            if claim is _Claim.OWNED:
                await self._release(webhook_id)
            raise
        if claim is _Claim.OWNED:
            await self._done(webhook_id, topic)
        return "handled", evicted

    @staticmethod
    def _failure(exc: Exception) -> _Reject:
        if isinstance(exc, ValidationError):
            return _Reject(400, "INVALID_PAYLOAD", f"the payload lacks what its topic needs: {exc}")
        if isinstance(exc, TimeoutError):
            return _Reject(503, "HANDLER_TIMEOUT", "handling took too long; retry")
        # The endpoint's one broad catch: any failure must become a 5xx so Shopify redelivers.
        _log.error("shopify webhook handler failed", exc_info=exc)
        return _Reject(500, "HANDLER_FAILED", f"{type(exc).__name__}: {exc}")

    async def _read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _Reject(413, "PAYLOAD_TOO_LARGE", f"the body is over {self.max_body_bytes} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body_bytes:
                raise _Reject(413, "PAYLOAD_TOO_LARGE", f"the body is over {self.max_body_bytes} bytes")
        return bytes(body)

    @staticmethod
    def _key(webhook_id: str) -> str:
        return f"webhook:shopify:{webhook_id}"

    async def _claim(self, webhook_id: str | None, topic: str) -> _Claim:
        if webhook_id is None:
            _log.warning("shopify webhook %s without X-Shopify-Webhook-Id: handled without dedupe", topic)
            return _Claim.UNTRACKED
        try:
            started = await self.seen.start(self._key(webhook_id), topic, self.claim_ttl)
        except StorageError:
            _log.warning("webhook dedupe store failed; handling %s anyway", webhook_id, exc_info=True)
            return _Claim.UNTRACKED
        return _Claim.OWNED if started.status is StartStatus.STARTED else _Claim.DUPLICATE

    async def _done(self, webhook_id: str | None, topic: str) -> None:
        assert webhook_id is not None
        try:
            await self.seen.complete(self._key(webhook_id), topic.encode(), self.seen_ttl)
        except StorageError:  # handled already: a redelivery would only evict again
            _log.warning("could not record webhook %s as handled", webhook_id, exc_info=True)

    async def _release(self, webhook_id: str | None) -> None:
        assert webhook_id is not None
        try:
            await self.seen.abandon(self._key(webhook_id))
        except StorageError:  # the claim expires after claim_ttl, then the retry is handled
            _log.warning("could not release webhook %s", webhook_id, exc_info=True)


def webhook_routes(
    path: str = "/webhooks/shopify",
    *,
    secret: str | Sequence[str],
    seen: IdempotencyStore,
    target: WebhookTarget | None = None,
    directory: LocationDirectory | None = None,
    handlers: Mapping[str, TopicHandler] | None = None,
    max_body_bytes: int = 4 * 1024 * 1024,
    seen_ttl: float = 48 * 3600.0,
    claim_ttl: float = 60.0,
    handler_timeout: float = 4.0,
    tracer_provider: TracerProvider | None = None,
) -> list[Route]:
    """Starlette routes for the endpoint at ``path``.

    Topics are handled by ``invalidation_handlers(target, directory)`` (when a
    target is given), then ``handlers`` (added or overriding, same keys:
    ``topic`` or ``family/*``). The rest is :class:`ShopifyWebhooks`.
    """
    table = invalidation_handlers(target, directory) if target is not None else {}
    table.update(handlers or {})
    endpoint = ShopifyWebhooks(
        secret=secret,
        seen=seen,
        handlers=table,
        max_body_bytes=max_body_bytes,
        seen_ttl=seen_ttl,
        claim_ttl=claim_ttl,
        handler_timeout=handler_timeout,
        tracer_provider=tracer_provider,
        route=path,
    )
    return [Route(path, endpoint.handle, methods=["POST"], name="shopify_webhooks")]

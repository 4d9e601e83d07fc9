"""``webhookSubscriptionCreate`` and ``webhookSubscriptionDelete``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sandbox.shopify.context import Info, context_of
from sandbox.shopify.gids import InvalidGid, gid, parse_gid
from sandbox.shopify.resolvers._registry import resolves

__all__: list[str] = []

Payload = dict[str, Any]


def _refused(field: list[str], message: str) -> Payload:
    return {"webhookSubscription": None, "userErrors": [{"field": field, "message": message}]}


@resolves("Mutation", "webhookSubscriptionCreate")
def _create(_: None, info: Info, topic: str, webhookSubscription: dict[str, Any]) -> Payload:
    ctx = context_of(info)
    url = webhookSubscription.get("callbackUrl")
    field = ["webhookSubscription", "callbackUrl"]
    if not url:
        return _refused(field, "Address can't be blank")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _refused(field, "Address is invalid")
    if webhookSubscription.get("format", "JSON") != "JSON":
        return _refused(
            ["webhookSubscription", "format"], "Format is not supported: the sandbox delivers JSON"
        )
    if any(s.topic == topic and s.callback_url == url for s in ctx.state.subscriptions.values()):
        return _refused(field, "Address for this topic has already been taken")
    sub = ctx.state.add_subscription(topic, url, ctx.api_version)
    sub.include_fields = list(webhookSubscription.get("includeFields") or [])
    return {"webhookSubscription": sub, "userErrors": []}


@resolves("Mutation", "webhookSubscriptionDelete")
def _delete(_: None, info: Info, id: str) -> Payload:
    state = context_of(info).state
    try:
        number = parse_gid(id, "WebhookSubscription")
    except InvalidGid:
        number = None
    if number is None or number not in state.subscriptions:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
        }
    del state.subscriptions[number]
    return {"deletedWebhookSubscriptionId": gid("WebhookSubscription", number), "userErrors": []}

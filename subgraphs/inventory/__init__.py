"""The inventory subgraph: ``Variant.availability`` (run with ``python -m subgraphs.inventory``).

It also takes Shopify's webhooks at ``POST /webhooks/shopify`` (HMAC-verified,
de-duplicated by webhook id in shared storage): an ``inventory_levels/update``
evicts that SKU's cached Shopify figures, so availability never waits out a
TTL after a change Shopify told us about.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from resolvers.shopify.webhooks import webhook_routes
from subgraphs.common.app import subgraph_app
from subgraphs.common.settings import SubgraphSettings
from subgraphs.common.systems import Systems
from subgraphs.inventory.schema import schema

__all__ = ["WEBHOOK_PATH", "create_app", "schema"]

WEBHOOK_PATH = "/webhooks/shopify"


def _webhooks(systems: Systems) -> Sequence[BaseRoute]:
    return webhook_routes(
        WEBHOOK_PATH,
        secret=systems.settings.shopify_webhook_secret,
        seen=systems.storage.idempotency,
        target=systems.shopify,
        directory=systems.directory,
    )


def create_app(settings: SubgraphSettings | None = None) -> Starlette:
    return subgraph_app("inventory", schema, settings or SubgraphSettings(), system_routes=[_webhooks])

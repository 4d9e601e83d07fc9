"""What every resolver can reach through ``info.context`` during one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from graphql import GraphQLResolveInfo

from sandbox.shopify.idempotency import IdempotencyStore
from sandbox.shopify.state import ShopState

__all__ = ["Context", "Info", "context_of", "version_at_least"]


@dataclass
class Context:
    state: ShopState
    api_version: str
    shop_domain: str
    idempotency: IdempotencyStore
    search: list[dict[str, Any]] = field(default_factory=list)
    """Warnings about search queries, reported in ``extensions.search``."""


Info = GraphQLResolveInfo[Any]
"""What resolvers receive as their second argument."""


def context_of(info: Info) -> Context:
    return cast(Context, info.context)


def version_at_least(version: str, minimum: str) -> bool:
    """Whether API ``version`` (``2026-04`` or ``unstable``) is ``minimum`` or later."""
    return version == "unstable" or version >= minimum

"""GraphQL errors the Shopify mimic raises from resolvers, with Shopify's ``extensions.code``.

Exception tree (all are ``graphql.GraphQLError``; graphql-core adds ``path`` and ``locations``)::

    GraphQLError
    └── ShopifyError            code in extensions (BAD_REQUEST unless told)
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

__all__ = ["ShopifyError", "bad_request", "user_error"]


class ShopifyError(GraphQLError):
    """A top-level GraphQL error with ``extensions.code``."""

    def __init__(self, message: str, code: str = "BAD_REQUEST", **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def bad_request(message: str) -> ShopifyError:
    return ShopifyError(message, "BAD_REQUEST")


def user_error(field: list[str] | None, message: str, code: str | None = None) -> dict[str, Any]:
    """One entry of a mutation payload's ``userErrors``."""
    return {"field": field, "message": message, "code": code}

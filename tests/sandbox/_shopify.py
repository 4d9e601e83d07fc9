"""Helpers shared by the Shopify sandbox tests (this module holds no tests of its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["BIG_BUCKET", "TOKEN", "Shop", "open_shop"]

TOKEN = "shpat_sandbox_test"
BIG_BUCKET = {"cost_bucket_size": 1_000_000.0, "cost_restore_rate": 1_000_000.0, "max_query_cost": 1_000_000}
"""Knobs that keep the cost bucket out of the way of tests that read a lot."""


class Shop:
    """A thin GraphQL client for the sandbox's Admin API."""

    def __init__(self, client: httpx.AsyncClient, version: str = "2025-01", token: str = TOKEN) -> None:
        self.client, self.version, self.token = client, version, token

    @property
    def path(self) -> str:
        return f"/admin/api/{self.version}/graphql.json"

    async def post(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> httpx.Response:
        body: dict[str, Any] = {"query": query, **extra}
        if variables is not None:
            body["variables"] = variables
        return await self.client.post(self.path, json=body, headers={"X-Shopify-Access-Token": self.token})

    async def raw(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        """The whole response body (HTTP 200 asserted)."""
        response = await self.post(query, variables, **extra)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a response that must have no errors."""
        body = await self.raw(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def every(
        self, field: str, selection: str, query: str | None = None, **args: Any
    ) -> list[dict[str, Any]]:
        """Every node of a root connection, following cursors 250 at a time."""
        nodes: list[dict[str, Any]] = []
        after: str | None = None
        extra = "".join(f", {k}: {v}" for k, v in args.items())
        while True:
            data = await self.gql(
                f"query($after: String, $q: String) {{ {field}(first: 250, after: $after, query: $q{extra}) "
                f"{{ nodes {{ {selection} }} pageInfo {{ hasNextPage endCursor }} }} }}",
                {"after": after, "q": query},
            )
            nodes += data[field]["nodes"]
            if not data[field]["pageInfo"]["hasNextPage"]:
                return nodes
            after = data[field]["pageInfo"]["endCursor"]


def open_shop(
    client_for: Callable[..., httpx.AsyncClient], version: str = "2025-01", **settings: Any
) -> Shop:
    """A Shop over a fresh in-process app (big cost bucket unless knobs are given)."""
    settings.setdefault("knobs", dict(BIG_BUCKET))
    return Shop(client_for("shopify", **settings), version)

"""The customer port over Shopify: by our customer id (metafield ``custom.customer_id``) and by email.

- ``customers_by_email``: ``customers(query: "email:\\"...\\"")`` (Shopify's
  email term matches the whole address, case-insensitively), cached per
  lower-cased address (``customers_by_email``);
- ``customers_by_ids``: Shopify's search has no term for a metafield, so our
  ids go through the id index (:mod:`resolvers.shopify.ids`: learned from every
  answer, else one cached scan) to Shopify's, then one ``nodes(ids:)`` read of
  every id the cache cannot answer (``customers_by_id``, cached per our id).

Records carry Shopify's numeric id as ``system_id`` and our id when the
metafield is set (a customer created in Shopify alone has none).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from resolvers.domain import CustomerRecord, System
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.batches import read_batches
from resolvers.shopify.cost import largest_batch, requested_cost
from resolvers.shopify.documents import CUSTOMERS_BY_IDS, CUSTOMERS_BY_QUERY
from resolvers.shopify.exchange import ShopifyGraphQL, parse
from resolvers.shopify.ids import IdIndex
from resolvers.shopify.mapping import metafield_value, to_customer
from resolvers.shopify.search import gid, quoted
from resolvers.shopify.settings import SYSTEM, ShopifySettings
from resolvers.shopify.wire import CustomerNode

__all__ = ["ShopifyCustomers"]

_MAX_NODES = 250
_EMAIL_MATCHES = 10


class ShopifyCustomers:
    """:class:`~resolvers.ports.CustomerSource` over the Admin API (module docstring)."""

    system: System = "SHOPIFY"

    def __init__(
        self, kit: ConnectorKit, graphql: ShopifyGraphQL, settings: ShopifySettings, customers: IdIndex
    ) -> None:
        self._kit = kit
        self._graphql = graphql
        self._index = customers
        self._ids_most = largest_batch(
            lambda n: requested_cost(CUSTOMERS_BY_IDS, {"ids": [""] * n}), settings.max_query_cost, _MAX_NODES
        )

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        resolved = await self._index.resolve(list(dict.fromkeys(customer_ids)))
        ours = {shopify_id: our_id for our_id, shopify_id in resolved.items()}

        async def fetch(http: UpstreamHttp, missing: list[str]) -> dict[str, Any]:
            variables = {"ids": [gid("Customer", resolved[our_id]) for our_id in missing]}
            data = await self._graphql.query(http, CUSTOMERS_BY_IDS, variables)
            out: dict[str, Any] = {}
            for raw in data.get("nodes") or []:
                if raw:
                    node = parse(CustomerNode, raw, operation="customers_by_id")
                    our_id = ours.get(node.legacyResourceId)
                    if our_id is not None:
                        out[our_id] = raw
            return out

        batch = await read_batches(
            self._kit,
            "customers_by_id",
            list(resolved),
            most=self._ids_most,
            fetch=fetch,
            cost=lambda n: requested_cost(CUSTOMERS_BY_IDS, {"ids": [""] * n}),
        )
        found = {
            our_id: to_customer(parse(CustomerNode, raw, operation="customers_by_id"))
            for our_id, raw in batch.values.items()
        }
        return [found.get(our_id) for our_id in customer_ids]

    async def customers_by_email(self, email: str) -> list[CustomerRecord]:
        address = email.strip().lower()
        if not address:
            return []
        variables = {"q": f"email:{quoted(address, operation='customers_by_email')}", "n": _EMAIL_MATCHES}

        async def fetch(http: UpstreamHttp) -> Any:
            data = await self._graphql.query(http, CUSTOMERS_BY_QUERY, variables)
            customers = data.get("customers")
            nodes = customers.get("nodes") if isinstance(customers, dict) else None
            return [
                parse(CustomerNode, raw, operation="customers_by_email").model_dump(mode="json")
                for raw in nodes or []
            ]

        result = await self._kit.read(
            SYSTEM,
            "customers_by_email",
            fetch,
            cache_key=address,
            cost=requested_cost(CUSTOMERS_BY_QUERY, variables),
        )
        records = []
        for raw in result.value:
            node = parse(CustomerNode, raw, operation="customers_by_email")
            self._index.learn(metafield_value(node.metafield), node.legacyResourceId)
            if (node.email or "").lower() == address:
                records.append(to_customer(node))
        return records

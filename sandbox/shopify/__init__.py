"""A mimic of Shopify's Admin GraphQL API for the retail sandbox.

``POST /admin/api/{version}/graphql.json`` runs a real GraphQL schema
(``schema.graphql``, Shopify's names) over the seeded world's online channel:
products, inventory by quantity name, locations, orders, customers and
returns, with calculated query costs and a leaky bucket, ``@idempotent``
mutations, and signed at-least-once webhooks. Entry point:
:class:`sandbox.shopify.system.ShopifySystem`.
"""

__all__: list[str] = []

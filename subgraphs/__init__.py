"""The process layer: Strawberry Federation 2 subgraphs for the retail capabilities.

catalog, inventory, orders, returns and customers, each one ASGI app; their
business rules live apart from the GraphQL types in :mod:`subgraphs.domain`
as plain, tested functions. Subgraphs reach the systems of record only through
the connectors' ports (:mod:`resolvers.ports`).
"""

"""Query resolvers by resource (registered on import; :mod:`sandbox.shopify.schema` binds them)."""

__all__: list[str] = []

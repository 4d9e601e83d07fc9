"""Mutation resolvers (registered on import): orders, inventory, returns and webhook subscriptions."""

__all__: list[str] = []

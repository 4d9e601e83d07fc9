"""The catalog subgraph: products, variants and locations.

``create_app(settings)`` builds it; ``python -m subgraphs.catalog`` (or ``retail-subgraph catalog``) runs it.
"""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.catalog.schema import schema
from subgraphs.common.app import subgraph_app
from subgraphs.common.settings import SubgraphSettings

__all__ = ["create_app", "schema"]


def create_app(settings: SubgraphSettings | None = None) -> Starlette:
    return subgraph_app("catalog", schema, settings or SubgraphSettings())

"""The customers subgraph: ``Customer`` profiles merged from Shopify, POS and ERP (``create_app``;
run with ``python -m subgraphs.customers``)."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.common.app import subgraph_app
from subgraphs.common.settings import SubgraphSettings
from subgraphs.customers.schema import schema

__all__ = ["create_app", "schema"]


def create_app(settings: SubgraphSettings | None = None) -> Starlette:
    return subgraph_app("customers", schema, settings or SubgraphSettings())

"""The public gateway benchmark's scenario (graphql-hive/graphql-gateways-benchmark), with our own subgraphs.

Four subgraphs (accounts, inventory, products, reviews) with the public
benchmark's schema and data shape, served by :mod:`bench.httpserver`; two
load shapes: ``deep``, the public benchmark's one deep query over users,
top products and reviews, and ``varied``, hundreds of distinct requests so
that de-duplication cannot hide the cost of a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.scenario import LoadShape, Scenario
from bench.scenarios.gateways_benchmark import queries
from bench.scenarios.gateways_benchmark.subgraphs import NAMES, sdl

__all__ = ["GatewaysBenchmark"]

_HERE = Path(__file__).parent


class GatewaysBenchmark(Scenario):
    name = "gateways-benchmark"
    title = "Public gateway benchmark (accounts, inventory, products, reviews)"
    subgraph_names = NAMES
    subgraph_app = "bench.scenarios.gateways_benchmark.subgraphs:build"

    def subgraph_sdl(self, name: str) -> str:
        return sdl(name)

    def supergraph_file(self) -> Path:
        return _HERE / "supergraph.graphql"

    def shapes(self) -> Sequence[LoadShape]:
        return (
            LoadShape(
                "deep", "the public benchmark's deep query (one request, repeated)", queries.deep_requests
            ),
            LoadShape(
                "varied",
                "60 distinct operations x their arguments (528 distinct requests), picked at random",
                queries.varied_requests,
            ),
        )

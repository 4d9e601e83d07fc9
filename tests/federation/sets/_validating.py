"""Kept for the sets that import it: :class:`TestSubgraph` now validates every operation itself."""

from __future__ import annotations

from tests.federation.subgraph import TestSubgraph

__all__ = ["ValidatingSubgraph"]

ValidatingSubgraph = TestSubgraph

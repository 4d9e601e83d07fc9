"""Fixtures of the orders subgraph's tests: the subgraph served over the sandboxes, and their books."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.subgraphs.conftest import GraphQLClient, Sandboxes, ServeSubgraph
from tests.subgraphs.orders._helpers import Books


@pytest.fixture
async def orders(serve_subgraph: ServeSubgraph) -> AsyncIterator[GraphQLClient]:
    """The orders subgraph (with its ERP posting worker) over fresh sandboxes."""
    async with serve_subgraph("orders") as client:
        yield client


@pytest.fixture
def books(sandboxes: Sandboxes) -> Books:
    return Books(sandboxes.apps)

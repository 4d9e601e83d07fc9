"""Deploy a subgraph set for the differential tests: subgraphs, our gateway and Apollo Gateway.

Everything runs on loopback over real HTTP: each subgraph and our gateway
with uvicorn in a thread, Apollo Gateway as a Node process. The supergraph
is composed by @theguild/federation-composition with the subgraphs' real
URLs.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gateway.server import create_app
from gateway.supergraph import parse_supergraph
from tests._servers import free_port
from tests._threaded import serve_in_thread
from tests.federation._node import apollo_gateway, compose
from tests.federation.subgraph import TestSubgraph

__all__ = ["Deployment", "deploy"]


@dataclass
class Deployment:
    supergraph_sdl: str
    subgraphs: dict[str, TestSubgraph]
    ours: str
    apollo: str | None
    client: httpx.Client

    def ask(self, url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.post(url, json={"query": query, "variables": variables or {}})
        body: dict[str, Any] = response.json()
        return body

    def ours_answer(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.ask(self.ours + "/graphql", query, variables)

    def apollo_answer(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        assert self.apollo is not None
        return self.ask(self.apollo, query, variables)


@contextlib.contextmanager
def deploy(subgraphs: list[TestSubgraph], tmp: Path, with_apollo: bool = True) -> Iterator[Deployment]:
    with contextlib.ExitStack() as stack:
        urls = {s.name: stack.enter_context(serve_in_thread(s.app())) + "/graphql" for s in subgraphs}
        sdl = compose([{"name": s.name, "url": urls[s.name], "sdl": s.sdl} for s in subgraphs])
        supergraph_file = tmp / "supergraph.graphql"
        supergraph_file.write_text(sdl)
        ours = stack.enter_context(serve_in_thread(create_app(parse_supergraph(sdl))))
        apollo = stack.enter_context(apollo_gateway(supergraph_file, free_port())) if with_apollo else None
        client = stack.enter_context(httpx.Client(timeout=30))
        yield Deployment(sdl, {s.name: s for s in subgraphs}, ours, apollo, client)


def _numbers_as_json_means(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 4.0 from Python and 4 from JavaScript are the same JSON number
    if isinstance(value, dict):
        return {k: _numbers_as_json_means(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_json_means(v) for v in value]
    return value


def canonical(value: Any) -> str:
    """JSON text that keeps key order (response order matters) for comparisons."""
    return json.dumps(_numbers_as_json_means(value), indent=1)

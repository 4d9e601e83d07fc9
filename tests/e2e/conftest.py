"""End to end through the gateway with `make run`'s topology: every part its own process, real HTTP.

``stack`` runs `retail-gateway stack` once per session on a free block of ports (state in a temp
SQLite file); ``gateway`` is an httpx client for its /graphql with ``op(name, variables)`` that sends
one of the apps' operations from ``schema/operations/<app>/<Name>.graphql``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.world import World, build_world
from tests._stack import RunningStack, running_stack

pytestmark = pytest.mark.slow

OPERATIONS = Path(__file__).resolve().parents[2] / "schema" / "operations"


def operation(path: str) -> str:
    """``"storefront/SubmitOrder"`` -> the document."""
    return (OPERATIONS / f"{path}.graphql").read_text()


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=60)

    def query(self, document: str, variables: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        response = self.client.post(
            self.url, json={"query": document, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def op(self, path: str, variables: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        """Send an app's operation and return ``data``; fails on any error."""
        body = self.query(operation(path), variables, **headers)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(42, "small")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with running_stack(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def gateway(stack: RunningStack) -> Iterator[Gateway]:
    client = Gateway(stack.gateway_url)
    yield client
    client.client.close()

"""Session-wide fixtures: a real Redis server, started once for the whole run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._redis_server import running_redis_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a real Redis server on a free loopback port, for this test session."""
    with running_redis_server() as url:
        yield url

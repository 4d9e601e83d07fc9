"""Our gateway against @apollo/gateway: the same subgraphs, the same queries, the same answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.federation.harness import Deployment, canonical, deploy
from tests.federation.sets import load_set, set_names

pytestmark = pytest.mark.slow

CASES = [(name, query) for name in set_names() for query in load_set(name).QUERIES]


@pytest.fixture(scope="module")
def deployments(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Deployment]]:
    cache: dict[str, Deployment] = {}
    with_stack: list[Any] = []
    import contextlib

    with contextlib.ExitStack() as stack:
        for name in set_names():
            tmp = tmp_path_factory.mktemp(name)
            cache[name] = stack.enter_context(deploy(load_set(name).subgraphs(), Path(tmp)))
        del with_stack
        yield cache


def _error_paths(body: dict[str, Any]) -> list[Any]:
    return sorted(str(e.get("path")) for e in body.get("errors", []))


@pytest.mark.parametrize(("set_name", "case"), CASES, ids=[f"{s}: {q.name}" for s, q in CASES])
def test_our_answer_equals_apollo_gateways(
    deployments: dict[str, Deployment], set_name: str, case: Any
) -> None:
    deployment = deployments[set_name]
    ours = deployment.ours_answer(case.query, case.variables)
    theirs = deployment.apollo_answer(case.query, case.variables)
    assert canonical(ours.get("data")) == canonical(theirs.get("data"))
    assert _error_paths(ours) == _error_paths(theirs)

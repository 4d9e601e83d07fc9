"""Our gateway against @apollo/gateway: the same subgraphs, the same queries, the same answers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.federation.harness import Deployment, canonical, deploy
from tests.federation.sets import Query, load_set, set_names

pytestmark = pytest.mark.slow


def _case(set_name: str, query: Query) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=query.xfail)] if query.xfail else []
    return pytest.param(set_name, query, id=f"{set_name}: {query.name}", marks=marks)


CASES = [_case(name, query) for name in set_names() for query in load_set(name).QUERIES]


class _Deployments:
    """Deploys each set on first use; everything stops at the end of the module."""

    def __init__(self, stack: contextlib.ExitStack, tmp: pytest.TempPathFactory) -> None:
        self.stack = stack
        self.tmp = tmp
        self.cache: dict[str, Deployment] = {}

    def __getitem__(self, name: str) -> Deployment:
        if name not in self.cache:
            folder = Path(self.tmp.mktemp(name))
            self.cache[name] = self.stack.enter_context(deploy(load_set(name).subgraphs(), folder))
        return self.cache[name]


@pytest.fixture(scope="module")
def deployments(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Deployments]:
    with contextlib.ExitStack() as stack:
        yield _Deployments(stack, tmp_path_factory)


def _error_paths(body: dict[str, Any]) -> list[str]:
    return sorted(str(e.get("path")) for e in body.get("errors", []))


@pytest.mark.parametrize(("set_name", "case"), CASES)
def test_our_answer_equals_apollo_gateways(deployments: _Deployments, set_name: str, case: Query) -> None:
    deployment = deployments[set_name]
    ours = deployment.ours_answer(case.query, case.variables)
    theirs = (
        case.expected if case.expected is not None else deployment.apollo_answer(case.query, case.variables)
    )
    assert canonical(ours.get("data")) == canonical(theirs.get("data"))
    assert _error_paths(ours) == _error_paths(theirs)

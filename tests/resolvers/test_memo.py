"""IdentityMemo: results kept by the identity of their inputs."""

from __future__ import annotations

import pytest

from resolvers.kit.memo import IdentityMemo


def _counting() -> tuple[list[str], IdentityMemo[str]]:
    return [], IdentityMemo(size=2)


def _counted(calls: list[str], value: str) -> str:
    calls.append(value)
    return value


def test_the_same_inputs_and_key_give_the_kept_result_without_computing_again() -> None:
    calls, memo = _counting()
    raw = {"name": "R1"}
    first = memo.get((raw,), False, lambda: _counted(calls, "mapped"))
    again = memo.get((raw,), False, lambda: _counted(calls, "other"))
    assert (first, again, len(calls)) == ("mapped", "mapped", 1)


def test_an_equal_but_different_object_or_another_key_is_computed_afresh() -> None:
    calls, memo = _counting()
    raw = {"name": "R1"}
    memo.get((raw,), False, lambda: _counted(calls, "a"))
    assert memo.get(({"name": "R1"},), False, lambda: _counted(calls, "b")) == "b"
    assert memo.get((raw,), True, lambda: _counted(calls, "c")) == "c"  # stale: another key
    assert len(calls) == 3


def test_every_input_must_be_the_same_object() -> None:
    memo: IdentityMemo[str] = IdentityMemo()
    head, shipments = {"id": 1}, [1, 2]
    memo.get((head, shipments), None, lambda: "both")
    assert memo.get((head, [1, 2]), None, lambda: "new shipments") == "new shipments"


def test_the_least_recently_used_result_goes_first_when_full() -> None:
    memo: IdentityMemo[str] = IdentityMemo(size=2)
    a, b, c = object(), object(), object()
    memo.get((a,), None, lambda: "a")
    memo.get((b,), None, lambda: "b")
    memo.get((a,), None, lambda: "a again")  # a is now the most recent
    memo.get((c,), None, lambda: "c")  # b goes
    assert len(memo) == 2
    assert memo.get((a,), None, lambda: "a recomputed") == "a"
    assert memo.get((b,), None, lambda: "b recomputed") == "b recomputed"


def test_a_failing_computation_keeps_nothing() -> None:
    memo: IdentityMemo[str] = IdentityMemo()
    raw = object()

    def boom() -> str:
        raise ValueError("unknown status")

    for _ in range(2):
        with pytest.raises(ValueError, match="unknown status"):
            memo.get((raw,), None, boom)
    assert len(memo) == 0

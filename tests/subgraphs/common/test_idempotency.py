"""Idempotent mutations: one run per key, replays for the same input, conflicts for another, and the
key released whenever the run did not finish (so that a retry, or a waiter, runs it again)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from storage.memory import MemoryIdempotencyStore
from subgraphs.common.idempotency import (
    WORK_TTL_S,
    IdempotentMutations,
    KeyInProgress,
    KeyReused,
    Stored,
    Unstored,
    fingerprint,
    scope_key,
)


class Action:
    """Counts its runs; answers ``answer`` after ``delay`` seconds, or raises ``error``."""

    def __init__(self, answer: Stored | Unstored | None = None, delay: float = 0.0) -> None:
        self.answer = answer or Stored({"number": "R200000001"})
        self.delay = delay
        self.runs = 0
        self.error: BaseException | None = None

    async def __call__(self) -> Stored | Unstored:
        self.runs += 1
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.answer


class Clock:
    """A clock the test moves: the store's records expire by it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _mutations(
    wait_s: float = 2.0, store: MemoryIdempotencyStore | None = None, **options: Any
) -> IdempotentMutations:
    return IdempotentMutations(
        store or MemoryIdempotencyStore(), ttl=60.0, wait_s=wait_s, poll_s=0.01, **options
    )


def test_the_fingerprint_hashes_the_canonical_input_and_the_client() -> None:
    one: dict[str, Any] = {"a": 1, "b": [1, 2]}
    assert fingerprint(one, "app") == fingerprint({"b": [1, 2], "a": 1}, "app")
    assert fingerprint(one, "app") != fingerprint(one, "other-app")
    assert fingerprint(one, "app") != fingerprint({"a": 1, "b": [2, 1]}, "app")


def test_keys_are_scoped_by_operation_and_client() -> None:
    assert scope_key("submitOrder", "web", "k1") == "submitOrder:web:k1"
    assert scope_key("authorizeReturn", "app", "k1") == "authorizeReturn:app:k1"


async def test_the_second_call_replays_the_stored_answer_without_running_again() -> None:
    mutations, action = _mutations(), Action()
    first = await mutations.run("k", "fp", action)
    second = await mutations.run("k", "fp", action)
    assert (first.replayed, second.replayed, action.runs) == (False, True, 1)
    assert second.answer == first.answer == {"number": "R200000001"}


async def test_twenty_concurrent_calls_with_one_key_run_the_action_once_and_nineteen_replay() -> None:
    mutations, action = _mutations(), Action(delay=0.05)
    results = await asyncio.gather(*(mutations.run("k", "fp", action) for _ in range(20)))
    assert action.runs == 1
    assert all(r.answer == {"number": "R200000001"} for r in results)
    assert sorted(r.replayed for r in results) == [False] + [True] * 19


async def test_the_same_key_with_another_input_is_reused_and_runs_nothing() -> None:
    mutations, action = _mutations(), Action()
    await mutations.run("k", "fp", action)
    with pytest.raises(KeyReused) as caught:
        await mutations.run("k", "other", action)
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert action.runs == 1


async def test_another_input_is_reused_while_the_first_still_runs() -> None:
    mutations, slow = _mutations(), Action(delay=0.2)
    first = asyncio.create_task(mutations.run("k", "fp", slow))
    await asyncio.sleep(0.01)
    with pytest.raises(KeyReused):
        await mutations.run("k", "other", Action())
    assert (await first).replayed is False


async def test_one_key_of_two_clients_does_not_collide() -> None:
    mutations, action = _mutations(), Action()
    first = await mutations.run(scope_key("submitOrder", "app-1", "k1"), fingerprint({}, "app-1"), action)
    second = await mutations.run(scope_key("submitOrder", "app-2", "k1"), fingerprint({}, "app-2"), action)
    assert (first.replayed, second.replayed, action.runs) == (False, False, 2)


async def test_a_duplicate_waits_only_so_long_for_the_first_then_is_told_in_progress() -> None:
    mutations, slow = _mutations(wait_s=0.05), Action(delay=0.3)
    first = asyncio.create_task(mutations.run("k", "fp", slow))
    await asyncio.sleep(0.01)
    with pytest.raises(KeyInProgress) as caught:
        await mutations.run("k", "fp", slow)
    assert caught.value.code == "IDEMPOTENCY_KEY_IN_PROGRESS"
    assert (await first).replayed is False
    assert slow.runs == 1


async def test_a_duplicate_that_may_not_wait_is_told_in_progress_at_once() -> None:
    mutations, slow = _mutations(wait_s=0.0), Action(delay=0.1)
    first = asyncio.create_task(mutations.run("k", "fp", slow))
    await asyncio.sleep(0)
    with pytest.raises(KeyInProgress):
        await mutations.run("k", "fp", slow)
    await first


async def test_a_failure_releases_the_key_so_a_retry_runs_again() -> None:
    mutations, action = _mutations(), Action()
    action.error = RuntimeError("down")
    with pytest.raises(RuntimeError):
        await mutations.run("k", "fp", action)
    action.error = None
    assert (await mutations.run("k", "fp", action)).replayed is False
    assert action.runs == 2


async def test_a_cancelled_run_releases_the_key() -> None:
    store = MemoryIdempotencyStore()
    mutations = _mutations(store=store)
    first = asyncio.create_task(mutations.run("k", "fp", Action(delay=10)))
    await asyncio.sleep(0.01)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await store.get("k") is None


async def test_a_waiter_takes_over_when_the_first_fails() -> None:
    mutations, failing, working = _mutations(), Action(delay=0.05), Action()
    failing.error = RuntimeError("down")
    first = asyncio.create_task(mutations.run("k", "fp", failing))
    await asyncio.sleep(0.01)
    second = await mutations.run("k", "fp", working)
    with pytest.raises(RuntimeError):
        await first
    assert (second.replayed, working.runs) == (False, 1)


async def test_an_unstored_answer_is_answered_but_keeps_no_key() -> None:
    store = MemoryIdempotencyStore()
    mutations = _mutations(store=store)
    refused = await mutations.run("k", "fp", Action(Unstored({"problems": ["OUT_OF_STOCK"]})))
    assert (refused.answer, refused.replayed) == ({"problems": ["OUT_OF_STOCK"]}, False)
    assert await store.get("k") is None
    accepted = await mutations.run("k", "other", Action())  # even another input may use the key now
    assert accepted.replayed is False


async def test_a_run_whose_process_died_frees_its_key_after_the_work_ttl_not_the_ttl() -> None:
    clock = Clock()
    store = MemoryIdempotencyStore(clock=clock)
    mutations = IdempotentMutations(store, ttl=86_400.0, wait_s=0.0, clock=clock)
    stuck = asyncio.create_task(mutations.run("k", "fp", Action(delay=10)))  # as good as dead
    await asyncio.sleep(0.01)
    with pytest.raises(KeyInProgress):
        await mutations.run("k", "fp", Action())
    clock.now += WORK_TTL_S
    assert (await mutations.run("k", "fp", Action())).replayed is False
    stuck.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stuck
    clock.now += 86_400.0 - 1.0
    assert (await mutations.run("k", "fp", Action())).replayed is True
    clock.now += 1.0
    assert await store.get("k") is None

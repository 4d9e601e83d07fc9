"""Idempotent mutations: one run per key, replays for the same input, conflicts for another."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from storage.memory import MemoryIdempotencyStore
from subgraphs.common.idempotency import IdempotentMutations, KeyInProgress, KeyReused, NothingDone


def _mutations(wait_s: float = 2.0) -> IdempotentMutations:
    return IdempotentMutations(MemoryIdempotencyStore(), ttl=60, wait_s=wait_s, poll_s=0.01)


async def test_twenty_concurrent_calls_with_one_key_run_the_action_once_and_nineteen_replay() -> None:
    mutations = _mutations()
    runs = 0

    async def action() -> dict[str, Any]:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.05)
        return {"order": "R200001"}

    results = await asyncio.gather(
        *(mutations.run("submitOrder", "app", "k1", {"sku": "A"}, action) for _ in range(20))
    )
    assert runs == 1
    assert all(r.answer == {"order": "R200001"} for r in results)
    assert sorted(r.replayed for r in results) == [False] + [True] * 19


async def test_the_same_key_with_another_input_is_reused_and_runs_nothing() -> None:
    mutations = _mutations()

    async def action() -> dict[str, Any]:
        return {"ok": True}

    await mutations.run("submitOrder", "app", "k1", {"sku": "A"}, action)
    with pytest.raises(KeyReused) as caught:
        await mutations.run("submitOrder", "app", "k1", {"sku": "B"}, action)
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"


async def test_one_key_of_two_clients_does_not_collide() -> None:
    mutations = _mutations()

    async def action() -> dict[str, Any]:
        return {"ok": True}

    first = await mutations.run("submitOrder", "app-1", "k1", {"sku": "A"}, action)
    second = await mutations.run("submitOrder", "app-2", "k1", {"sku": "A"}, action)
    assert (first.replayed, second.replayed) == (False, False)


async def test_a_duplicate_waits_only_so_long_for_the_first_then_is_told_in_progress() -> None:
    mutations = _mutations(wait_s=0.05)
    release = asyncio.Event()

    async def slow() -> dict[str, Any]:
        await release.wait()
        return {"ok": True}

    first = asyncio.create_task(mutations.run("submitOrder", "app", "k1", {}, slow))
    await asyncio.sleep(0.01)
    with pytest.raises(KeyInProgress) as caught:
        await mutations.run("submitOrder", "app", "k1", {}, slow)
    assert caught.value.code == "IDEMPOTENCY_KEY_IN_PROGRESS"
    release.set()
    assert (await first).replayed is False


async def test_an_action_that_did_nothing_releases_the_key_for_a_retry() -> None:
    mutations = _mutations()
    answers = iter([{"userErrors": ["OUT_OF_STOCK"]}, {"order": "R1"}])

    async def action() -> dict[str, Any]:
        answer = next(answers)
        if "userErrors" in answer:
            raise NothingDone(answer)
        return answer

    first = await mutations.run("submitOrder", "app", "k1", {}, action)
    second = await mutations.run("submitOrder", "app", "k1", {}, action)
    assert first.answer == {"userErrors": ["OUT_OF_STOCK"]} and not first.replayed
    assert second.answer == {"order": "R1"} and not second.replayed

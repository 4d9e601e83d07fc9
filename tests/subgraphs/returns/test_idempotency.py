"""The idempotency gate and the RMA numbers: at most once per (client, key), the same RMA on retries."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from storage.memory import MemoryIdempotencyStore
from subgraphs.returns.idempotency import (
    IdempotencyGate,
    KeyInProgress,
    KeyReused,
    Stored,
    Unstored,
    fingerprint,
    record_key,
)
from subgraphs.returns.rma import RmaAllocator, rma_number


class Action:
    """Counts its runs; answers ``answer`` after ``delay`` seconds, or raises ``error``."""

    def __init__(self, answer: Stored | Unstored | None = None, delay: float = 0.0) -> None:
        self.answer = answer or Stored({"rma": "RMA-1-01"})
        self.delay = delay
        self.runs = 0
        self.error: Exception | None = None

    async def __call__(self) -> Stored | Unstored:
        self.runs += 1
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.answer


def gate(wait_s: float = 1.0) -> IdempotencyGate:
    return IdempotencyGate(MemoryIdempotencyStore(), ttl=60.0, wait_s=wait_s, poll_s=0.01)


def test_the_fingerprint_hashes_the_canonical_input_and_the_client() -> None:
    one: dict[str, Any] = {"a": 1, "b": [1, 2]}
    assert fingerprint(one, "app") == fingerprint({"b": [1, 2], "a": 1}, "app")
    assert fingerprint(one, "app") != fingerprint(one, "other-app")
    assert record_key("app", "k1") == "authorizeReturn:app:k1"


async def test_the_second_call_replays_the_stored_answer_without_running_again() -> None:
    g, action = gate(), Action()
    first = await g.run("k", "fp", action)
    second = await g.run("k", "fp", action)
    assert (first.replayed, second.replayed, action.runs) == (False, True, 1)
    assert second.answer == first.answer == {"rma": "RMA-1-01"}


async def test_the_same_key_with_another_fingerprint_is_refused() -> None:
    g = gate()
    await g.run("k", "fp", Action())
    with pytest.raises(KeyReused):
        await g.run("k", "other", Action())


async def test_a_concurrent_duplicate_waits_for_the_first_and_replays_it() -> None:
    g, action = gate(), Action(delay=0.1)
    first, second = await asyncio.gather(g.run("k", "fp", action), g.run("k", "fp", action))
    assert action.runs == 1
    assert sorted([first.replayed, second.replayed]) == [False, True]


async def test_a_duplicate_past_the_wait_bound_is_told_the_key_is_in_progress() -> None:
    g, action = gate(wait_s=0.05), Action(delay=0.3)
    first = asyncio.create_task(g.run("k", "fp", action))
    await asyncio.sleep(0.01)
    with pytest.raises(KeyInProgress):
        await g.run("k", "fp", action)
    assert (await first).replayed is False


async def test_a_failure_releases_the_key_so_a_retry_runs_again() -> None:
    g, action = gate(), Action()
    action.error = RuntimeError("down")
    with pytest.raises(RuntimeError):
        await g.run("k", "fp", action)
    action.error = None
    assert (await g.run("k", "fp", action)).replayed is False
    assert action.runs == 2


async def test_a_waiter_takes_over_when_the_first_fails() -> None:
    g, failing, working = gate(), Action(delay=0.05), Action()
    failing.error = RuntimeError("down")
    first = asyncio.create_task(g.run("k", "fp", failing))
    await asyncio.sleep(0.01)
    second = await g.run("k", "fp", working)
    with pytest.raises(RuntimeError):
        await first
    assert (second.replayed, working.runs) == (False, 1)


async def test_an_unstored_answer_is_answered_but_keeps_no_key() -> None:
    g = gate()
    refused = await g.run("k", "fp", Action(Unstored({"problems": []})))
    accepted = await g.run("k", "other", Action())
    assert refused.answer == {"problems": []}
    assert accepted.replayed is False


def test_rma_numbers_carry_the_orders_digits_and_a_two_digit_count() -> None:
    assert rma_number("R100015", 2) == "RMA-100015-02"
    assert rma_number("R100015", 123) == "RMA-100015-123"
    assert rma_number("no-digits-", 1) is None


async def test_rma_numbers_skip_taken_ones_and_never_go_to_two_requests() -> None:
    rmas = RmaAllocator(MemoryIdempotencyStore(), ttl=60.0)
    first = await rmas.allocate("app:k1", "fp1", "R100015", {"RMA-100015-01"})
    second = await rmas.allocate("app:k2", "fp2", "R100015", {"RMA-100015-01"})
    assert (first, second) == ("RMA-100015-02", "RMA-100015-03")


async def test_a_retried_request_gets_its_rma_number_back() -> None:
    rmas = RmaAllocator(MemoryIdempotencyStore(), ttl=60.0)
    assert await rmas.assigned("app:k1", "fp1") is None
    rma = await rmas.allocate("app:k1", "fp1", "R100015", set())
    assert await rmas.assigned("app:k1", "fp1") == rma
    assert await rmas.assigned("app:k1", "another-input") is None
    assert await rmas.allocate("app:k1", "fp1", "R100015", {rma}) == rma  # its own claim stays its own

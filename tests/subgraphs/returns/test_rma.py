"""RMA numbers: the order's digits and a count, never one number for two requests, the same on retries."""

from __future__ import annotations

from storage.memory import MemoryIdempotencyStore
from subgraphs.returns.rma import RmaAllocator, rma_number


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

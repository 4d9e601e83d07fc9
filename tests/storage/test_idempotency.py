"""Contract tests for ``storage.idempotency.IdempotencyStore``, run against every implementation."""

from __future__ import annotations

import asyncio

import pytest

from storage.errors import IdempotencyStateError
from storage.idempotency import IdempotencyRecord, IdempotencyStore, RecordState, StartResult, StartStatus
from tests.storage.conftest import Backend


async def test_the_first_start_on_a_key_is_started(idempotency_backend: Backend[IdempotencyStore]) -> None:
    result = await idempotency_backend.store.start("order-1", "fp-a", ttl=10)
    assert result == StartResult(StartStatus.STARTED, "fp-a", None)


async def test_a_repeated_start_sees_the_record_in_progress(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    store = idempotency_backend.store
    await store.start("order-1", "fp-a", ttl=10)
    assert await store.start("order-1", "fp-a", ttl=10) == StartResult(StartStatus.IN_PROGRESS, "fp-a")


async def test_a_start_with_a_different_fingerprint_sees_the_stored_one(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    store = idempotency_backend.store
    await store.start("order-1", "fp-a", ttl=10)
    other = await store.start("order-1", "fp-b:ünïcode", ttl=10)
    assert other.status is StartStatus.IN_PROGRESS
    assert other.fingerprint == "fp-a"


async def test_a_completed_key_replays_its_result_and_fingerprint(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    store = idempotency_backend.store
    await store.start("order-1", "fp:ü:1", ttl=10)
    await store.complete("order-1", b'{"id": 7}\x00\xff', ttl=10)
    replay = await store.start("order-1", "fp-other", ttl=10)
    assert replay == StartResult(StartStatus.DONE, "fp:ü:1", b'{"id": 7}\x00\xff')


async def test_an_empty_result_is_still_a_done_record(idempotency_backend: Backend[IdempotencyStore]) -> None:
    store = idempotency_backend.store
    await store.start("k", "fp", ttl=10)
    await store.complete("k", b"", ttl=10)
    assert await store.start("k", "fp", ttl=10) == StartResult(StartStatus.DONE, "fp", b"")


async def test_get_returns_the_record_as_it_stands(idempotency_backend: Backend[IdempotencyStore]) -> None:
    store = idempotency_backend.store
    assert await store.get("k") is None
    await store.start("k", "fp", ttl=10)
    assert await store.get("k") == IdempotencyRecord("k", RecordState.IN_PROGRESS, "fp", None)
    await store.complete("k", b"result", ttl=10)
    assert await store.get("k") == IdempotencyRecord("k", RecordState.DONE, "fp", b"result")


async def test_an_in_progress_record_expires_after_its_ttl(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    store = idempotency_backend.store
    await store.start("k", "fp-a", ttl=0.2)
    await idempotency_backend.advance(0.3)
    assert await store.get("k") is None
    assert await store.start("k", "fp-b", ttl=10) == StartResult(StartStatus.STARTED, "fp-b")


async def test_a_done_record_lives_for_the_ttl_given_to_complete(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    store = idempotency_backend.store
    await store.start("short", "fp", ttl=0.2)
    await store.complete("short", b"r", ttl=10)
    await store.start("long", "fp", ttl=10)
    await store.complete("long", b"r", ttl=0.2)
    await idempotency_backend.advance(0.3)
    assert (await store.start("short", "fp", ttl=10)).status is StartStatus.DONE
    assert (await store.start("long", "fp", ttl=10)).status is StartStatus.STARTED


async def test_complete_after_the_record_expired_raises(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    store = idempotency_backend.store
    await store.start("k", "fp", ttl=0.2)
    await idempotency_backend.advance(0.3)
    with pytest.raises(IdempotencyStateError) as caught:
        await store.complete("k", b"late", ttl=10)
    assert caught.value.code == "IDEMPOTENCY_STATE_INVALID"


async def test_complete_without_start_or_twice_raises(idempotency_backend: Backend[IdempotencyStore]) -> None:
    store = idempotency_backend.store
    with pytest.raises(IdempotencyStateError):
        await store.complete("never", b"r", ttl=10)
    await store.start("k", "fp", ttl=10)
    await store.complete("k", b"first", ttl=10)
    with pytest.raises(IdempotencyStateError):
        await store.complete("k", b"second", ttl=10)
    assert await store.get("k") == IdempotencyRecord("k", RecordState.DONE, "fp", b"first")


async def test_abandon_deletes_an_in_progress_record_so_the_key_can_start_again(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    store = idempotency_backend.store
    await store.start("k", "fp-a", ttl=10)
    assert await store.abandon("k") is True
    assert await store.get("k") is None
    assert (await store.start("k", "fp-b", ttl=10)).status is StartStatus.STARTED
    assert await store.abandon("missing") is False


async def test_abandon_leaves_a_done_record_alone(idempotency_backend: Backend[IdempotencyStore]) -> None:
    store = idempotency_backend.store
    await store.start("k", "fp", ttl=10)
    await store.complete("k", b"r", ttl=10)
    assert await store.abandon("k") is False
    assert (await store.start("k", "fp", ttl=10)).status is StartStatus.DONE


async def test_twenty_concurrent_starts_let_exactly_one_caller_proceed(
    idempotency_backend: Backend[IdempotencyStore],
) -> None:
    # Redis: 20 clients with their own connections; SQLite: 20 connections to one file.
    stores = [await idempotency_backend.peer() for _ in range(20)]
    for round_number in range(3):
        key = f"race-{round_number}"
        results = await asyncio.gather(*(s.start(key, f"fp-{i}", ttl=10) for i, s in enumerate(stores)))
        winners = [r for r in results if r.status is StartStatus.STARTED]
        assert len(winners) == 1
        others = [r for r in results if r.status is not StartStatus.STARTED]
        assert all(r.status is StartStatus.IN_PROGRESS for r in others)
        assert {r.fingerprint for r in others} == {winners[0].fingerprint}


@pytest.mark.parametrize("ttl", [0, -1, float("nan")])
async def test_nonsense_ttls_are_rejected(idempotency_backend: Backend[IdempotencyStore], ttl: float) -> None:
    with pytest.raises(ValueError):
        await idempotency_backend.store.start("k", "fp", ttl=ttl)

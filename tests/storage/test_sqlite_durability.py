"""What only the SQLite backends promise: state survives a restart, and processes sharing a file stay safe."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from storage.errors import StorageUnavailable
from storage.idempotency import StartResult, StartStatus
from storage.sqlite import SqliteIdempotencyStore, SqliteStream
from tests.storage.conftest import FakeClock

_REPO = Path(__file__).resolve().parents[2]


def _run_children(args: list[list[str]]) -> list[object]:
    """Start one ``_race_child`` per argument list at once; return each one's JSON output."""
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.storage._race_child", *child_args],
            cwd=_REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for child_args in args
    ]
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        outputs.append(json.loads(out))
    return outputs


async def test_idempotency_records_survive_closing_and_reopening_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    store = await SqliteIdempotencyStore.open(path)
    await store.start("done", "fp-1", ttl=60)
    await store.complete("done", b"result", ttl=60)
    await store.start("busy", "fp-2", ttl=60)
    await store.close()

    reopened = await SqliteIdempotencyStore.open(path)
    try:
        assert await reopened.start("done", "fp-1", ttl=60) == StartResult(
            StartStatus.DONE, "fp-1", b"result"
        )
        assert await reopened.start("busy", "fp-3", ttl=60) == StartResult(StartStatus.IN_PROGRESS, "fp-2")
    finally:
        await reopened.close()


async def test_the_stream_survives_closing_and_reopening_the_file(tmp_path: Path, clock: FakeClock) -> None:
    path = str(tmp_path / "outbox.db")
    stream = await SqliteStream.open(path, clock=clock)
    first = await stream.append("outbox", b"order-1")
    second = await stream.append("outbox", b"order-2")
    doomed = await stream.append("outbox", b"order-3")
    assert [e.id for e in await stream.read("outbox", "erp", "worker-1", count=3)] == [first, second, doomed]
    await stream.ack("outbox", "erp", first)
    await stream.dead_letter("outbox", "erp", doomed, "ERP rejected it")
    await stream.close()  # worker-1 "crashes" holding order-2

    clock.advance(60)
    reopened = await SqliteStream.open(path, clock=clock)
    try:
        later = await reopened.append("outbox", b"order-4")
        assert [(e.id, e.payload) for e in await reopened.read("outbox", "erp", "worker-2")] == [
            (later, b"order-4")
        ]
        claimed = await reopened.claim_stale("outbox", "erp", "worker-2", min_idle_seconds=30)
        assert [(e.id, e.payload, e.delivery_count) for e in claimed] == [(second, b"order-2", 2)]
        [letter] = await reopened.dead_letters("outbox")
        assert (letter.entry_id, letter.payload, letter.reason) == (doomed, b"order-3", "ERP rejected it")
    finally:
        await reopened.close()


async def test_a_blocked_read_wakes_for_an_append_through_the_same_stream(tmp_path: Path) -> None:
    """Polled only hourly and blocked for an hour, the read still hands the entry over: woken by it."""
    stream = await SqliteStream.open(str(tmp_path / "outbox.db"), poll_interval=3600)
    try:
        await stream.read("outbox", "erp", "worker-1", block_seconds=0)  # the group exists
        reading = asyncio.create_task(stream.read("outbox", "erp", "worker-1", block_seconds=3600))
        await asyncio.sleep(0.1)
        queued = await stream.append("outbox", b"order-1")
        assert [e.id for e in await asyncio.wait_for(reading, 60)] == [queued]
    finally:
        await stream.close()


async def test_processes_racing_on_one_file_start_each_key_exactly_once(tmp_path: Path) -> None:
    path = str(tmp_path / "race.db")
    await (await SqliteIdempotencyStore.open(path)).close()  # create the schema up front
    start_at = str(time.time() + 1.5)
    keys = 40
    outputs = await asyncio.to_thread(_run_children, [["idempotency", path, start_at, str(keys)]] * 4)
    for i in range(keys):
        statuses = Counter(output[f"key-{i}"] for output in outputs)  # type: ignore[index]
        assert statuses == {"STARTED": 1, "IN_PROGRESS": 3}, f"key-{i}: {statuses}"


async def test_processes_reading_one_stream_file_get_disjoint_entries_covering_all(tmp_path: Path) -> None:
    path = str(tmp_path / "outbox.db")
    stream = await SqliteStream.open(path)
    try:
        appended = {await stream.append("outbox", f"order-{i}".encode()) for i in range(60)}
    finally:
        await stream.close()
    start_at = str(time.time() + 1.5)
    outputs = await asyncio.to_thread(_run_children, [["stream", path, start_at]] * 3)
    received = [entry_id for output in outputs for entry_id in output]  # type: ignore[attr-defined]
    assert sorted(received) == sorted(appended)  # every entry, none twice


async def test_a_write_lock_held_too_long_raises_storage_unavailable(tmp_path: Path) -> None:
    path = str(tmp_path / "locked.db")
    store = await SqliteIdempotencyStore.open(path, busy_timeout=0.1)
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageUnavailable) as caught:
            await store.start("k", "fp", ttl=10)
        assert caught.value.code == "STORAGE_UNAVAILABLE"
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        blocker.execute("ROLLBACK")
        assert (await store.start("k", "fp", ttl=10)).status is StartStatus.STARTED
    finally:
        blocker.close()
        await store.close()

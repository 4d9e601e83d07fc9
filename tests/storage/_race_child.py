"""Child process for the cross-process SQLite race tests (run with ``python -m``).

``idempotency PATH START_AT KEYS``: at wall-clock START_AT, call ``start`` on
``key-0 .. key-{KEYS-1}`` in order; print ``{key: status}`` as JSON.
``stream PATH START_AT``: at START_AT, read the stream ``outbox`` in group
``workers`` until it is empty; print the ids received as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from storage.sqlite import SqliteIdempotencyStore, SqliteStream


async def _wait_until(start_at: float) -> None:
    await asyncio.sleep(max(0.0, start_at - time.time()))


async def _idempotency(path: str, start_at: float, keys: int) -> dict[str, str]:
    store = await SqliteIdempotencyStore.open(path, busy_timeout=30)
    try:
        await _wait_until(start_at)
        statuses = {}
        for i in range(keys):
            result = await store.start(f"key-{i}", f"pid-{os.getpid()}", ttl=60)
            statuses[f"key-{i}"] = result.status.value
        return statuses
    finally:
        await store.close()


async def _stream(path: str, start_at: float) -> list[str]:
    stream = await SqliteStream.open(path, busy_timeout=30)
    try:
        await _wait_until(start_at)
        received: list[str] = []
        while batch := await stream.read("outbox", "workers", f"pid-{os.getpid()}", count=3):
            received.extend(entry.id for entry in batch)
        return received
    finally:
        await stream.close()


def main(argv: list[str]) -> None:
    mode, path, start_at = argv[0], argv[1], float(argv[2])
    if mode == "idempotency":
        print(json.dumps(asyncio.run(_idempotency(path, start_at, int(argv[3])))))
    else:
        print(json.dumps(asyncio.run(_stream(path, start_at))))


if __name__ == "__main__":
    main(sys.argv[1:])

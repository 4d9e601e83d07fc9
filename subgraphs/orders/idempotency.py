"""Idempotent mutations (DESIGN.md, "Idempotency"): claim a key before any side effect, replay after.

Reusable by any mutation that takes an ``idempotencyKey`` (``submitOrder``
here; ``authorizeReturn`` follows the same rules)::

    claimed = await claim(store, scope_key("submitOrder", client, key), fingerprint(input, client), ...)
    OWNER        do the work; then store.complete(key, result) - or store.abandon(key) when it
                 failed before any side effect, so that a retry may do it again
    REPLAY       the first call's result (``claimed.result``): answer it with replayed = true
    REUSED       the key was used with another input: IDEMPOTENCY_KEY_REUSED
    IN_PROGRESS  the first call with this key is still running after ``wait_s``:
                 IDEMPOTENCY_KEY_IN_PROGRESS

A concurrent duplicate waits (polling, bounded by ``wait_s``) for the first
call to finish and then replays its result; if the first call abandons the
key, the waiter claims it and does the work itself. The in-progress record
lives ``WORK_TTL_S`` (a process that dies mid-way frees the key then); the
result is kept for ``ttl``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson

from storage import IdempotencyStore, RecordState, StartStatus

__all__ = ["WORK_TTL_S", "Claim", "Claimed", "claim", "fingerprint", "scope_key"]

WORK_TTL_S = 300.0
"""How long an unfinished claim holds its key (far longer than one mutation takes)."""


class Claim(Enum):
    OWNER = "OWNER"
    REPLAY = "REPLAY"
    REUSED = "REUSED"
    IN_PROGRESS = "IN_PROGRESS"


@dataclass(frozen=True, slots=True)
class Claimed:
    outcome: Claim
    result: bytes | None = None
    """The first call's stored result (REPLAY only)."""


def scope_key(mutation: str, client: str, key: str) -> str:
    """``<mutation>:<client>:<key>``: keys of different clients never meet."""
    return f"{mutation}:{client}:{key}"


def fingerprint(value: Any, client: str) -> str:
    """A stable hash of the canonical JSON of ``value`` (sorted keys) and the client."""
    canonical = orjson.dumps({"client": client, "input": value}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


async def claim(
    store: IdempotencyStore,
    key: str,
    print_: str,
    *,
    wait_s: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Claimed:
    """Claim ``key`` for the input whose fingerprint is ``print_`` (see the module docstring)."""
    deadline = clock() + wait_s
    delay = 0.02
    while True:
        started = await store.start(key, print_, WORK_TTL_S)
        if started.status is StartStatus.STARTED:
            return Claimed(Claim.OWNER)
        if started.fingerprint != print_:
            return Claimed(Claim.REUSED)
        if started.status is StartStatus.DONE:
            return Claimed(Claim.REPLAY, started.result)
        while True:  # the first call with this key is running: wait for its result
            left = deadline - clock()
            if left <= 0:
                return Claimed(Claim.IN_PROGRESS)
            await sleep(min(delay, left))
            delay = min(delay * 2, 0.25)
            record = await store.get(key)
            if record is None:
                break  # abandoned (or expired): claim it ourselves
            if record.state is RecordState.DONE:
                if record.fingerprint != print_:
                    return Claimed(Claim.REUSED)
                return Claimed(Claim.REPLAY, record.result)

"""Idempotent mutations (submitOrder, authorizeReturn) on the shared idempotency store.

DESIGN.md's rule, in one place for every mutation::

    fingerprint = hash(canonical input JSON + client)
    start(key) ─► STARTED: run the action
    │              ├── it answers ─► complete(key, answer) ─► Replayable(answer, replayed=False)
    │              └── it raises before any side effect (``NothingDone``) ─► abandon(key) ─► re-raise
    │                  (any other failure keeps the key in progress until its ttl: a retry must not
    │                   redo half-done side effects; the caller sees the error)
    ├─► DONE, same fingerprint ─► the stored answer, replayed=True
    ├─► DONE or IN_PROGRESS, other fingerprint ─► KeyReused (IDEMPOTENCY_KEY_REUSED)
    └─► IN_PROGRESS, same fingerprint ─► poll until DONE (replayed=True) for at most ``wait_s``,
                                          then KeyInProgress (IDEMPOTENCY_KEY_IN_PROGRESS)

Keys are ``{operation}:{client}:{key}`` so two clients' keys never collide.
Answers are stored as JSON (``orjson``): the action returns a JSON-able dict.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from storage import IdempotencyStore
from storage.idempotency import StartStatus

__all__ = [
    "IdempotencyConflict",
    "IdempotentMutations",
    "KeyInProgress",
    "KeyReused",
    "NothingDone",
    "Replayable",
]


class IdempotencyConflict(Exception):
    """The key cannot be used for this call; ``code`` is the userError code to answer."""

    code = "IDEMPOTENCY_CONFLICT"


class KeyReused(IdempotencyConflict):
    code = "IDEMPOTENCY_KEY_REUSED"


class KeyInProgress(IdempotencyConflict):
    code = "IDEMPOTENCY_KEY_IN_PROGRESS"


class NothingDone(Exception):
    """Raised (or raised from) by an action that failed before any side effect: the key is released.

    ``answer`` is an answer to return without storing it (e.g. validation userErrors), or None to
    re-raise the cause.
    """

    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        super().__init__("nothing done")
        self.answer = answer


@dataclass(frozen=True, slots=True)
class Replayable:
    answer: dict[str, Any]
    replayed: bool


def fingerprint(payload: Any, client: str) -> str:
    canonical = orjson.dumps({"input": payload, "client": client}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


class IdempotentMutations:
    """Runs mutations at most once per (operation, client, key); see the module docstring."""

    def __init__(
        self,
        store: IdempotencyStore,
        *,
        ttl: float,
        wait_s: float,
        poll_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._wait_s = wait_s
        self._poll_s = poll_s
        self._clock = clock

    async def run(
        self,
        operation: str,
        client: str,
        key: str,
        payload: Any,
        action: Callable[[], Awaitable[dict[str, Any]]],
    ) -> Replayable:
        """The action's answer, run once; raises KeyReused / KeyInProgress (see module docstring)."""
        record_key = f"{operation}:{client}:{key}"
        mine = fingerprint(payload, client)
        deadline = self._clock() + self._wait_s
        while True:
            started = await self._store.start(record_key, mine, self._ttl)
            if started.fingerprint != mine:
                raise KeyReused(f"idempotency key {key!r} was used with a different input")
            if started.status is StartStatus.DONE:
                assert started.result is not None
                return Replayable(orjson.loads(started.result), replayed=True)
            if started.status is StartStatus.STARTED:
                return await self._first(record_key, action)
            if self._clock() >= deadline:
                raise KeyInProgress(f"a request with idempotency key {key!r} is still being processed")
            await asyncio.sleep(self._poll_s)

    async def _first(self, record_key: str, action: Callable[[], Awaitable[dict[str, Any]]]) -> Replayable:
        try:
            answer = await action()
        except NothingDone as nothing:
            await self._store.abandon(record_key)
            if nothing.answer is not None:
                return Replayable(nothing.answer, replayed=False)
            raise
        await self._store.complete(record_key, orjson.dumps(answer), self._ttl)
        return Replayable(answer, replayed=False)

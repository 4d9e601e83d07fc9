"""Idempotent ``authorizeReturn``: DESIGN.md's rule on the shared idempotency store.

::

    fingerprint = sha256(canonical input JSON + client)
    start(key) ─► STARTED: run the action
    │              ├── it answers Stored(answer) ─► complete(key, answer) ─► (answer, replayed False)
    │              ├── it answers Unstored(answer) (validation userErrors: nothing was done)
    │              │                                ─► abandon(key) ─► (answer, replayed False)
    │              └── it raises ─► abandon(key) ─► re-raise
    ├─► DONE, same fingerprint ─► the stored answer, replayed True
    ├─► DONE or IN_PROGRESS, other fingerprint ─► KeyReused (IDEMPOTENCY_KEY_REUSED)
    └─► IN_PROGRESS, same fingerprint ─► wait, polling, until it is DONE (replayed True) or gone
                                          (the first failed: start again), for at most ``wait_s``;
                                          then KeyInProgress (IDEMPOTENCY_KEY_IN_PROGRESS)

A failure abandons the key even after side effects here, because every side
effect of a return is repeatable: the RMA number a key gets is fixed for that
key and input (:mod:`subgraphs.returns.rma`) and every system dedupes a create
by it, so a retry finishes the half-done work instead of doubling it.

Keys are ``authorizeReturn:<client>:<idempotency key>``: two clients' keys never meet.
(The orders subgraph has its own; the two may be unified later.)
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from storage import IdempotencyStore, StartStatus

__all__ = [
    "IdempotencyGate",
    "KeyInProgress",
    "KeyReused",
    "Outcome",
    "Stored",
    "Unstored",
    "fingerprint",
    "record_key",
]

OPERATION = "authorizeReturn"


class KeyReused(Exception):
    """The key was used before with another input (or by the same client for something else)."""

    code = "IDEMPOTENCY_KEY_REUSED"


class KeyInProgress(Exception):
    """A request with the key is still running after the wait bound."""

    code = "IDEMPOTENCY_KEY_IN_PROGRESS"


@dataclass(frozen=True, slots=True)
class Stored:
    """An answer after side effects: kept with the key and replayed."""

    answer: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Unstored:
    """An answer with nothing done (validation userErrors): the key is released, nothing kept."""

    answer: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    answer: dict[str, Any]
    replayed: bool


def fingerprint(payload: Any, client: str) -> str:
    """The hash of the canonical input (sorted keys) and the client."""
    canonical = orjson.dumps({"client": client, "input": payload}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def record_key(client: str, key: str) -> str:
    return f"{OPERATION}:{client}:{key}"


class IdempotencyGate:
    """Runs an action at most once per (client, key); see the module docstring."""

    def __init__(
        self,
        store: IdempotencyStore,
        *,
        ttl: float,
        wait_s: float,
        poll_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.ttl = ttl
        self._wait_s = wait_s
        self._poll_s = poll_s
        self._clock = clock

    async def run(self, key: str, mine: str, action: Callable[[], Awaitable[Stored | Unstored]]) -> Outcome:
        """The action's answer for record ``key`` and fingerprint ``mine``, the action run at most once."""
        deadline = self._clock() + self._wait_s
        while True:
            started = await self.store.start(key, mine, self.ttl)
            if started.fingerprint != mine:
                raise KeyReused("this idempotency key was already used with a different input")
            if started.status is StartStatus.STARTED:
                return await self._first(key, action)
            if started.status is StartStatus.DONE and started.result is not None:
                return Outcome(orjson.loads(started.result), replayed=True)
            if self._clock() >= deadline:
                raise KeyInProgress("a request with this idempotency key is still being processed")
            await asyncio.sleep(self._poll_s)

    async def _first(self, key: str, action: Callable[[], Awaitable[Stored | Unstored]]) -> Outcome:
        try:
            result = await action()
        except BaseException:
            await asyncio.shield(self.store.abandon(key))
            raise
        if isinstance(result, Unstored):
            await self.store.abandon(key)
            return Outcome(result.answer, replayed=False)
        await self.store.complete(key, orjson.dumps(result.answer), self.ttl)
        return Outcome(result.answer, replayed=False)

"""Idempotent mutations (``submitOrder``, ``authorizeReturn``): DESIGN.md's rule, in one place.

A mutation that takes an ``idempotencyKey`` runs its action through
:class:`IdempotentMutations` on the shared :class:`storage.IdempotencyStore`::

    scope = scope_key(operation, client, key)     # "submitOrder:<client>:<key>"
    print_ = fingerprint(canonical_input, client)  # sha256 of the canonical JSON and the client
    start(scope) ─► STARTED: run the action (in-progress record kept ``work_ttl_s``)
    │              ├── Stored(answer)   ─► complete(scope, answer, ttl) ─► Outcome(answer, replayed=False)
    │              ├── Unstored(answer) ─► abandon(scope) ─► Outcome(answer, replayed=False)
    │              │   (validation userErrors, OUT_OF_STOCK: nothing was done, nothing is kept)
    │              └── it raises (or is cancelled) ─► abandon(scope) ─► re-raise
    ├─► DONE, same fingerprint ─► Outcome(the stored answer, replayed=True)
    ├─► DONE or IN_PROGRESS, other fingerprint ─► KeyReused (IDEMPOTENCY_KEY_REUSED)
    └─► IN_PROGRESS, same fingerprint ─► poll (backing off) until it is DONE (replay it) or gone
                                          (its owner abandoned it, or died and its record expired:
                                          start again and own it), for at most ``wait_s``; then
                                          KeyInProgress (IDEMPOTENCY_KEY_IN_PROGRESS)

**The rule on failure: abandon the key.** Any failure of the action, before or
after side effects, releases the key, so that a retry with the same key and
input runs the action again. That is only safe because every side effect of
an idempotent mutation must be keyed by a value fixed per (scope,
fingerprint) and deduplicated downstream by it: ``submitOrder``'s order number
and draft (:mod:`subgraphs.orders.numbers`) and ``authorizeReturn``'s RMA
number (:mod:`subgraphs.returns.rma`), each kept in the idempotency store, so
a retry completes the half-done work instead of doubling it. An action that
cannot promise this must not use this module.

The in-progress record lives ``work_ttl_s`` (:data:`WORK_TTL_S`, far longer
than one mutation takes), so a process that dies mid-way frees its key; the
answer is kept ``ttl``. Answers are JSON objects (``orjson``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from storage import IdempotencyStore, RecordState, StartStatus

__all__ = [
    "WORK_TTL_S",
    "IdempotencyConflict",
    "IdempotentMutations",
    "KeyInProgress",
    "KeyReused",
    "Outcome",
    "Stored",
    "Unstored",
    "fingerprint",
    "scope_key",
]

WORK_TTL_S = 300.0
"""How long an unfinished run holds its key (a process that died mid-way frees it then)."""


class IdempotencyConflict(Exception):
    """The key cannot be used for this call; ``code`` is the userError code to answer with."""

    code = "IDEMPOTENCY_CONFLICT"


class KeyReused(IdempotencyConflict):
    """The key was used before with another input."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self) -> None:
        super().__init__("This idempotency key was used with a different input.")


class KeyInProgress(IdempotencyConflict):
    """A request with the key is still running after the wait bound."""

    code = "IDEMPOTENCY_KEY_IN_PROGRESS"

    def __init__(self) -> None:
        super().__init__("A request with this idempotency key is still being processed; retry later.")


@dataclass(frozen=True, slots=True)
class Stored:
    """An answer after side effects: kept with the key and replayed to every later call."""

    answer: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Unstored:
    """An answer with nothing done (validation userErrors, OUT_OF_STOCK): the key is released."""

    answer: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a call answers: the action's answer, or the first call's when ``replayed``."""

    answer: dict[str, Any]
    replayed: bool


def scope_key(operation: str, client: str, key: str) -> str:
    """``<operation>:<client>:<key>``: keys of different clients (or mutations) never meet."""
    return f"{operation}:{client}:{key}"


def fingerprint(payload: Any, client: str) -> str:
    """A stable hash of the canonical JSON of ``payload`` (sorted keys) and the client."""
    canonical = orjson.dumps({"client": client, "input": payload}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


_Action = Callable[[], Awaitable[Stored | Unstored]]


class IdempotentMutations:
    """Runs an action at most once in effect per scope (see the module docstring)."""

    def __init__(
        self,
        store: IdempotencyStore,
        *,
        ttl: float,
        wait_s: float,
        work_ttl_s: float = WORK_TTL_S,
        poll_s: float = 0.02,
        max_poll_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._ttl, self._work_ttl_s = ttl, work_ttl_s
        self._wait_s, self._poll_s, self._max_poll_s = wait_s, poll_s, max_poll_s
        self._clock, self._sleep = clock, sleep

    async def run(self, scope: str, print_: str, action: _Action) -> Outcome:
        """The action's answer for ``scope`` and input fingerprint ``print_``, or the first call's.

        Raises :class:`KeyReused` or :class:`KeyInProgress`, and whatever the action raises."""
        deadline = self._clock() + self._wait_s
        delay = self._poll_s
        while True:
            started = await self._store.start(scope, print_, self._work_ttl_s)
            if started.status is StartStatus.STARTED:
                return await self._first(scope, action)
            if started.fingerprint != print_:
                raise KeyReused()
            if started.status is StartStatus.DONE and started.result is not None:
                return Outcome(orjson.loads(started.result), replayed=True)
            while True:  # the first call with this key is running: wait for its answer
                left = deadline - self._clock()
                if left <= 0:
                    raise KeyInProgress()
                await self._sleep(min(delay, left))
                delay = min(delay * 2, self._max_poll_s)
                record = await self._store.get(scope)
                if record is None:
                    break  # abandoned, or expired: start again (and own it)
                if record.state is RecordState.DONE and record.result is not None:
                    if record.fingerprint != print_:
                        raise KeyReused()
                    return Outcome(orjson.loads(record.result), replayed=True)

    async def _first(self, scope: str, action: _Action) -> Outcome:
        try:
            result = await action()
        except BaseException:
            await asyncio.shield(self._store.abandon(scope))
            raise
        if isinstance(result, Unstored):
            await self._store.abandon(scope)
        else:
            await self._store.complete(scope, orjson.dumps(result.answer), self._ttl)
        return Outcome(result.answer, replayed=False)

"""The ``@idempotent(key:)`` directive on mutations, as Shopify implements it.

* The same key with the same arguments within 24 hours replays the first
  result without doing anything again. The replayed payload is resolved
  against the current state (as Shopify builds replays from its database).
* The same key with other arguments (or on another mutation) answers a user
  error ``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``; a key whose first request has
  not finished answers ``IDEMPOTENCY_CONCURRENT_REQUEST`` (retry later, same key).
* From API version 2026-04 the inventory mutations require the directive:
  without it the field errors with ``BAD_REQUEST`` and resolves to null.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLResolveInfo, get_directive_values

from sandbox.shopify.errors import ShopifyError, user_error

__all__ = ["RETENTION_S", "IdempotencyStore", "run_idempotent"]

RETENTION_S = 24 * 3600.0
MISMATCH = "The same idempotency key cannot be used with different operation parameters."
CONCURRENT = "This request is currently in progress, please try again."
REQUIRED = "The @idempotent directive is required for this mutation but was not provided."

Payload = dict[str, Any]


@dataclass(slots=True)
class _Entry:
    fingerprint: bytes
    at: float
    result: Payload | None = None


class IdempotencyStore:
    """Keys seen in the last 24 hours and the payloads they produced."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[str, _Entry] = {}
        self._clock = clock

    def __len__(self) -> int:
        return len(self._entries)

    def run(
        self,
        key: str,
        fingerprint: bytes,
        action: Callable[[], Payload],
        refuse: Callable[[Payload], Payload],
    ) -> Payload:
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry.at > RETENTION_S:
            entry = None
        if entry is not None:
            if entry.fingerprint != fingerprint:
                return refuse(user_error(None, MISMATCH, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"))
            if entry.result is None:
                return refuse(user_error(None, CONCURRENT, "IDEMPOTENCY_CONCURRENT_REQUEST"))
            return entry.result
        entry = self._entries[key] = _Entry(fingerprint, now)
        try:
            entry.result = action()
        except BaseException:
            del self._entries[key]
            raise
        return entry.result


def _key_of(info: GraphQLResolveInfo[Any]) -> str | None:
    directive = info.schema.get_directive("idempotent")
    assert directive is not None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
    return None if values is None else str(values["key"])


def run_idempotent(
    info: GraphQLResolveInfo[Any],
    store: IdempotencyStore,
    args: dict[str, Any],
    action: Callable[[], Payload],
    refuse: Callable[[Payload], Payload],
    *,
    required: bool = False,
) -> Payload:
    """Run a mutation under its ``@idempotent`` key, if any; ``refuse`` wraps a user error as the payload."""
    key = _key_of(info)
    if key is None:
        if required:
            raise ShopifyError(REQUIRED, "BAD_REQUEST")
        return action()
    fingerprint = orjson.dumps(
        {"field": info.field_name, "args": args}, option=orjson.OPT_SORT_KEYS, default=str
    )
    return store.run(key, fingerprint, action, refuse)

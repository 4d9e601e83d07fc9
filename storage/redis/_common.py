"""What every Redis backend shares: key naming, reply decoding and error translation.

Keys follow ``<namespace>:<feature>:<identity>[:<field>]``; the namespace is
per instance so that several deployments (or tests) share one server without
seeing each other. Where several keys must meet in one Redis Cluster slot
(a stream and its dead letters, touched by one script) the identity is
wrapped in a hash tag: ``retail:stream:{orders}:entries``.

redis-py errors are translated here, once: connection and timeout errors
become ``StorageUnavailable``, every other ``RedisError`` a ``StorageError``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from storage.errors import StorageDataInvalid, StorageError, StorageUnavailable

__all__ = ["Keyspace", "as_bytes", "as_text", "escape_glob", "translate_errors"]

_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


class Keyspace:
    """Builds the keys of one feature under one namespace."""

    def __init__(self, namespace: str, feature: str) -> None:
        if not namespace or any(ch.isspace() for ch in namespace):
            raise ValueError(f"namespace must be non-empty without whitespace, got {namespace!r}")
        self.prefix = f"{namespace}:{feature}:"

    def key(self, identity: str, field: str | None = None) -> str:
        """``<namespace>:<feature>:<identity>`` plus ``:<field>`` when given."""
        return f"{self.prefix}{identity}" if field is None else f"{self.prefix}{identity}:{field}"

    def tagged(self, identity: str, field: str) -> str:
        """``<namespace>:<feature>:{<identity>}:<field>``: every field of one identity shares a slot."""
        return f"{self.prefix}{{{identity}}}:{field}"


def escape_glob(text: str) -> str:
    """Escape ``text`` for a Redis ``MATCH`` / ``KEYS`` pattern, so it matches itself only."""
    return _GLOB_SPECIAL.sub(r"\\\1", text)


def as_bytes(value: object) -> bytes:
    """A reply value that must be bytes (clients here never decode responses)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise StorageDataInvalid(f"expected bytes from redis, got {type(value).__name__}")


def as_text(value: object) -> str:
    """A reply value that must be text (ids, field names, fingerprints)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, int):
        return str(value)
    raise StorageDataInvalid(f"expected text from redis, got {type(value).__name__}")


@contextlib.contextmanager
def translate_errors(operation: str) -> Iterator[None]:
    """Re-raise redis-py errors from the body as this layer's errors, keeping the cause."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise StorageUnavailable(f"redis {operation}: {exc}") from exc
    except RedisError as exc:
        raise StorageError(f"redis {operation}: {exc}") from exc

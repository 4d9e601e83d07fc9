"""The storage layer's one exception tree.

Every error a storage backend raises is a :class:`StorageError`; each class
carries a stable ``code`` (SHOUTY_SNAKE_CASE) that callers may surface as
``extensions.code``. Vendor errors (redis-py, sqlite3) are translated at the
backend boundary with ``raise ... from exc`` so the cause stays attached::

    StorageError                     STORAGE_ERROR
    ├── StorageUnavailable           STORAGE_UNAVAILABLE      backend unreachable, timed out or locked
    ├── StorageDataInvalid           STORAGE_DATA_INVALID     a stored value has an unexpected shape
    ├── StorageUrlInvalid            STORAGE_URL_INVALID      the factory cannot build a backend from a URL
    ├── IdempotencyStateError        IDEMPOTENCY_STATE_INVALID complete() on a record that is not in progress
    └── StreamEntryNotFound          STREAM_ENTRY_NOT_FOUND   no such pending entry / dead letter

Programming errors (a negative TTL, a cost below zero) raise ``ValueError``
instead: they are bugs in the caller, not states of the store.
"""

from __future__ import annotations

__all__ = [
    "IdempotencyStateError",
    "StorageDataInvalid",
    "StorageError",
    "StorageUnavailable",
    "StorageUrlInvalid",
    "StreamEntryNotFound",
]


class StorageError(Exception):
    """Base of every error the storage layer raises."""

    code: str = "STORAGE_ERROR"


class StorageUnavailable(StorageError):
    """The backend could not be reached, timed out, or stayed locked too long."""

    code = "STORAGE_UNAVAILABLE"


class StorageDataInvalid(StorageError):
    """A stored value could not be decoded (written by something else, or corrupted)."""

    code = "STORAGE_DATA_INVALID"


class StorageUrlInvalid(StorageError):
    """The storage URL has an unknown scheme or a malformed path."""

    code = "STORAGE_URL_INVALID"


class IdempotencyStateError(StorageError):
    """``complete()`` was called for a key that has no in-progress record."""

    code = "IDEMPOTENCY_STATE_INVALID"


class StreamEntryNotFound(StorageError):
    """The stream entry is not pending for the group, or the dead letter does not exist."""

    code = "STREAM_ENTRY_NOT_FOUND"

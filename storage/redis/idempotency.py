"""Idempotency records in Redis: one string key per record, claimed by one small script.

A record is encoded as ``<state><n>:<fingerprint><result>``: state ``P``
(in progress) or ``D`` (done), ``n`` the fingerprint's length in bytes, and
the result bytes (empty while in progress). ``start`` is one script (the
equivalent of ``SET key P.. NX GET PX ttl``, which needs Redis >= 7.0, while
a script runs on any server): the one caller whose SET lands gets STARTED,
every other one gets the record that was there, atomically.
``complete`` and ``abandon`` are small scripts that check the state first,
so a done record is never overwritten or deleted by mistake.
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from storage._validate import require_positive
from storage.errors import IdempotencyStateError, StorageDataInvalid
from storage.idempotency import IdempotencyRecord, RecordState, StartResult, StartStatus
from storage.redis._common import Keyspace, as_bytes, translate_errors

__all__ = ["RedisIdempotencyStore"]

# KEYS[1] record; ARGV: in-progress record, ttl ms. The record that was there, or false after claiming it.
_START = """
local raw = redis.call('GET', KEYS[1])
if raw then
  return raw
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""

# KEYS[1] record; ARGV: result, ttl ms. 1 if completed, 0 if there was no in-progress record.
_COMPLETE = """
local raw = redis.call('GET', KEYS[1])
if not raw or string.sub(raw, 1, 1) ~= 'P' then
  return 0
end
redis.call('SET', KEYS[1], 'D' .. string.sub(raw, 2) .. ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS[1] record. 1 if an in-progress record was deleted, else 0.
_ABANDON = """
local raw = redis.call('GET', KEYS[1])
if raw and string.sub(raw, 1, 1) == 'P' then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""

_STATES = {b"P": RecordState.IN_PROGRESS, b"D": RecordState.DONE}


def _encode_in_progress(fingerprint: str) -> bytes:
    raw = fingerprint.encode()
    return b"P%d:%s" % (len(raw), raw)


def _decode(raw: bytes) -> tuple[RecordState, str, bytes]:
    try:
        state = _STATES[raw[:1]]
        colon = raw.index(b":", 1)
        end = colon + 1 + int(raw[1:colon])
        fingerprint = raw[colon + 1 : end].decode()
    except (KeyError, ValueError) as exc:
        raise StorageDataInvalid(f"undecodable idempotency record {raw[:40]!r}") from exc
    return state, fingerprint, raw[end:]


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


class RedisIdempotencyStore:
    """An :class:`~storage.idempotency.IdempotencyStore` in Redis under ``<namespace>:idem:<key>``.

    The client is borrowed: whoever made it closes it.
    """

    def __init__(self, client: Redis, namespace: str) -> None:
        self._client = client
        self._keys = Keyspace(namespace, "idem")
        self._start = client.register_script(_START)
        self._complete = client.register_script(_COMPLETE)
        self._abandon = client.register_script(_ABANDON)

    async def start(self, key: str, fingerprint: str, ttl: float) -> StartResult:
        require_positive("ttl", ttl)
        with translate_errors("idempotency start"):
            previous = await self._start(
                keys=[self._keys.key(key)], args=[_encode_in_progress(fingerprint), _ms(ttl)]
            )
        if previous is None:
            return StartResult(StartStatus.STARTED, fingerprint)
        state, stored_fingerprint, result = _decode(as_bytes(previous))
        if state is RecordState.DONE:
            return StartResult(StartStatus.DONE, stored_fingerprint, result)
        return StartResult(StartStatus.IN_PROGRESS, stored_fingerprint)

    async def complete(self, key: str, result: bytes, ttl: float) -> None:
        require_positive("ttl", ttl)
        with translate_errors("idempotency complete"):
            done = await self._complete(keys=[self._keys.key(key)], args=[bytes(result), _ms(ttl)])
        if done != 1:
            raise IdempotencyStateError(f"idempotency key {key!r} has no in-progress record")

    async def abandon(self, key: str) -> bool:
        with translate_errors("idempotency abandon"):
            return bool(await self._abandon(keys=[self._keys.key(key)]) == 1)

    async def get(self, key: str) -> IdempotencyRecord | None:
        with translate_errors("idempotency get"):
            raw = await self._client.get(self._keys.key(key))
        if raw is None:
            return None
        state, fingerprint, result = _decode(as_bytes(raw))
        return IdempotencyRecord(key, state, fingerprint, result if state is RecordState.DONE else None)

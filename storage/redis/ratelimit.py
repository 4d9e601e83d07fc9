"""Token buckets in Redis: one hash per bucket, changed only by one Lua script.

The script reads the server's ``TIME``, so every gateway instance refills
against the same clock, and does refill + take (or overwrite, for ``sync``)
in one atomic step. State is ``{tokens, ts}``; the key expires once the
bucket would be full again, since a missing bucket *is* a full one (a
bucket that never refills never expires). Numbers
leave Lua as strings: Redis would truncate a Lua float reply to an integer.
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from storage._validate import require_finite
from storage.errors import StorageDataInvalid
from storage.ratelimit import BucketResult, check_bucket_args
from storage.redis._common import Keyspace, as_text, translate_errors

__all__ = ["RedisTokenBuckets"]

# KEYS[1] bucket; ARGV: mode ('acquire' | 'sync'), cost or available, capacity, refill per second.
# Returns {allowed (0/1), tokens left, retry after seconds (-1 = never)}.
_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local mode = ARGV[1]
local amount = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local tokens
if mode == 'sync' then
  tokens = math.min(capacity, math.max(0, amount))
else
  local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
  local level = tonumber(state[1])
  local ts = tonumber(state[2])
  if level == nil or ts == nil then
    tokens = capacity
  else
    tokens = math.min(capacity, level + math.max(0, now - ts) * rate)
  end
end
local allowed = 0
local retry = 0
if mode == 'acquire' then
  if tokens >= amount then
    tokens = tokens - amount
    allowed = 1
  elseif amount > capacity or rate <= 0 then
    retry = -1
  else
    retry = (amount - tokens) / rate
  end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
if rate > 0 then
  local ms = math.min(math.ceil((capacity - tokens) / rate * 1000) + 1000, 100000000000)
  redis.call('PEXPIRE', KEYS[1], string.format('%d', ms))
else
  redis.call('PERSIST', KEYS[1])
end
return {allowed, string.format('%.17g', tokens), string.format('%.17g', retry)}
"""


class RedisTokenBuckets:
    """:class:`~storage.ratelimit.TokenBuckets` in Redis under ``<namespace>:bucket:<key>``.

    The client is borrowed: whoever made it closes it.
    """

    def __init__(self, client: Redis, namespace: str) -> None:
        self._keys = Keyspace(namespace, "bucket")
        self._script = client.register_script(_BUCKET)

    async def _call(self, mode: str, key: str, amount: float, capacity: float, rate: float) -> list[object]:
        with translate_errors(f"bucket {mode}"):
            reply = await self._script(
                keys=[self._keys.key(key)], args=[mode, repr(amount), repr(capacity), repr(rate)]
            )
        if not isinstance(reply, list) or len(reply) != 3:
            raise StorageDataInvalid(f"unexpected token bucket reply {reply!r}")
        return reply

    async def acquire(self, key: str, cost: float, capacity: float, refill_per_second: float) -> BucketResult:
        check_bucket_args(cost, capacity, refill_per_second)
        allowed, tokens, retry = await self._call(
            "acquire", key, float(cost), float(capacity), float(refill_per_second)
        )
        wait = float(as_text(retry))
        return BucketResult(
            allowed=allowed == 1,
            remaining=float(as_text(tokens)),
            retry_after_seconds=math.inf if wait < 0 else wait,
        )

    async def sync(self, key: str, available: float, capacity: float, refill_per_second: float) -> None:
        check_bucket_args(0.0, capacity, refill_per_second)
        require_finite("available", available)
        await self._call("sync", key, float(available), float(capacity), float(refill_per_second))

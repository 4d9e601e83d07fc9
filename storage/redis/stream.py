"""A durable stream on Redis Streams, with its dead letters in a sibling stream.

Keys share a hash tag, so the scripts that touch both meet in one cluster
slot: ``<ns>:stream:{<name>}:entries`` (entries carry one field ``p``, the
payload) and ``<ns>:stream:{<name>}:dead`` (fields ``e`` entry id, ``g``
group, ``p`` payload, ``r`` reason, ``n`` delivery count, ``t`` ms).

``read`` is ``XREADGROUP ... >`` (the group is made on demand with
``XGROUP CREATE ... 0 MKSTREAM``); long blocks are cut into short ones so the
client's socket timeout never fires. ``claim_stale``, ``dead_letter`` and
``replay`` are scripts, so each is atomic: ``XAUTOCLAIM`` plus ``XPENDING``
for the delivery counts; ``XPENDING`` + ``XRANGE`` + ``XADD`` + ``XACK``;
``XRANGE`` + ``XADD`` + ``XDEL``.
"""

from __future__ import annotations

import re
import time

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from storage._validate import require_non_negative, require_positive
from storage.errors import StreamEntryNotFound
from storage.redis._common import Keyspace, as_bytes, as_text, translate_errors
from storage.stream import DeadLetter, StreamEntry

__all__ = ["RedisStream"]

_ID = re.compile(r"\A\d+-\d+\Z")
_MAX_BLOCK_MS = 1000
_CLAIM_ROUNDS = 10

# KEYS[1] entries; ARGV: group, consumer, min idle ms, count, max rounds.
# Returns flat {id, payload, deliveries, id, payload, deliveries, ...}.
_CLAIM = """
local out = {}
local want = tonumber(ARGV[4])
local claimed = 0
local cursor = '0-0'
local rounds = 0
repeat
  local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], cursor, 'COUNT', want - claimed)
  cursor = reply[1]
  for _, entry in ipairs(reply[2]) do
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'p' then
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
        table.insert(out, entry[1])
        table.insert(out, fields[i + 1])
        table.insert(out, pending[1][4])
        claimed = claimed + 1
      end
    end
  end
  rounds = rounds + 1
until cursor == '0-0' or claimed >= want or rounds >= tonumber(ARGV[5])
return out
"""

# KEYS[1] entries, KEYS[2] dead; ARGV: group, id, reason. The dead letter id, or false if not pending.
_DEAD_LETTER = """
local ok, pending = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if not ok or #pending == 0 then
  return false
end
local entries = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #entries == 0 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return false
end
local payload = ''
local fields = entries[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'p' then payload = fields[i + 1] end
end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[2], 'g', ARGV[1], 'p', payload,
  'r', ARGV[3], 'n', pending[1][4], 't', now_ms)
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return id
"""

# KEYS[1] entries, KEYS[2] dead; ARGV[1] dead letter id. The new entry id, or false if none.
_REPLAY = """
local dead = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if #dead == 0 then
  return false
end
local payload = ''
local fields = dead[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'p' then payload = fields[i + 1] end
end
local id = redis.call('XADD', KEYS[1], '*', 'p', payload)
redis.call('XDEL', KEYS[2], ARGV[1])
return id
"""


def _is_missing_group(exc: ResponseError) -> bool:
    return str(exc).startswith("NOGROUP")


def _fields(raw: object) -> dict[bytes, bytes]:
    if isinstance(raw, dict):
        return {as_bytes(k): as_bytes(v) for k, v in raw.items()}
    if isinstance(raw, list | tuple):
        return {as_bytes(raw[i]): as_bytes(raw[i + 1]) for i in range(0, len(raw) - 1, 2)}
    return {}


class RedisStream:
    """A :class:`~storage.stream.DurableStream` on Redis Streams under ``<namespace>:stream:{<name>}``.

    The client is borrowed: whoever made it closes it.
    """

    def __init__(self, client: Redis, namespace: str) -> None:
        self._client = client
        self._keys = Keyspace(namespace, "stream")
        self._claim = client.register_script(_CLAIM)
        self._dead_letter = client.register_script(_DEAD_LETTER)
        self._replay = client.register_script(_REPLAY)

    def _entries(self, stream: str) -> str:
        return self._keys.tagged(stream, "entries")

    def _dead(self, stream: str) -> str:
        return self._keys.tagged(stream, "dead")

    async def append(self, stream: str, payload: bytes) -> str:
        with translate_errors("stream append"):
            return as_text(await self._client.xadd(self._entries(stream), {"p": bytes(payload)}))

    async def _create_group(self, key: str, group: str) -> None:
        try:
            await self._client.xgroup_create(key, group, id="0", mkstream=True)
        except ResponseError as exc:
            if not str(exc).startswith("BUSYGROUP"):  # another consumer made it first: fine
                raise

    async def _read_once(
        self, key: str, group: str, consumer: str, count: int, block_ms: int
    ) -> list[StreamEntry]:
        block = block_ms if block_ms > 0 else None
        try:
            reply = await self._client.xreadgroup(group, consumer, {key: ">"}, count=count, block=block)
        except ResponseError as exc:
            if not _is_missing_group(exc):
                raise
            await self._create_group(key, group)
            reply = await self._client.xreadgroup(group, consumer, {key: ">"}, count=count, block=block)
        batches = list(reply.values()) if isinstance(reply, dict) else [batch[1] for batch in reply or []]
        return [
            StreamEntry(as_text(entry_id), _fields(fields).get(b"p", b""), 1)
            for batch in batches
            for entry_id, fields, *_ in batch
        ]

    async def read(
        self, stream: str, group: str, consumer: str, count: int = 10, block_seconds: float = 0.0
    ) -> list[StreamEntry]:
        require_positive("count", count)
        require_non_negative("block_seconds", block_seconds)
        key = self._entries(stream)
        deadline = time.monotonic() + block_seconds
        with translate_errors("stream read"):
            while True:
                left_ms = int((deadline - time.monotonic()) * 1000)
                entries = await self._read_once(key, group, consumer, count, min(left_ms, _MAX_BLOCK_MS))
                if entries or left_ms <= _MAX_BLOCK_MS:
                    return entries

    async def ack(self, stream: str, group: str, entry_id: str) -> bool:
        if not _ID.match(entry_id):
            return False
        with translate_errors("stream ack"):
            try:
                return await self._client.xack(self._entries(stream), group, entry_id) > 0
            except ResponseError as exc:
                if _is_missing_group(exc):
                    return False
                raise

    async def claim_stale(
        self, stream: str, group: str, consumer: str, min_idle_seconds: float, count: int = 10
    ) -> list[StreamEntry]:
        require_non_negative("min_idle_seconds", min_idle_seconds)
        require_positive("count", count)
        args: list[str | int] = [group, consumer, int(min_idle_seconds * 1000), count, _CLAIM_ROUNDS]
        with translate_errors("stream claim_stale"):
            try:
                flat = await self._claim(keys=[self._entries(stream)], args=args)
            except ResponseError as exc:
                if _is_missing_group(exc):
                    return []
                raise
        return [
            StreamEntry(as_text(flat[i]), as_bytes(flat[i + 1]), int(flat[i + 2]))
            for i in range(0, len(flat), 3)
        ]

    async def dead_letter(self, stream: str, group: str, entry_id: str, reason: str) -> str:
        missing = StreamEntryNotFound(f"entry {entry_id!r} is not pending in group {group!r} of {stream!r}")
        if not _ID.match(entry_id):
            raise missing
        with translate_errors("stream dead_letter"):
            try:
                dead_id = await self._dead_letter(
                    keys=[self._entries(stream), self._dead(stream)], args=[group, entry_id, reason]
                )
            except ResponseError as exc:
                if _is_missing_group(exc):
                    raise missing from exc
                raise
        if dead_id is None:
            raise missing
        return as_text(dead_id)

    async def dead_letters(self, stream: str, count: int = 100) -> list[DeadLetter]:
        require_positive("count", count)
        with translate_errors("stream dead_letters"):
            rows = await self._client.xrange(self._dead(stream), "-", "+", count=count)
        letters = []
        for dead_id, raw in rows or []:
            fields = _fields(raw)
            letters.append(
                DeadLetter(
                    id=as_text(dead_id),
                    entry_id=fields.get(b"e", b"").decode(),
                    group=fields.get(b"g", b"").decode(),
                    payload=fields.get(b"p", b""),
                    reason=fields.get(b"r", b"").decode(),
                    delivery_count=int(fields.get(b"n", b"0")),
                    dead_at=int(fields.get(b"t", b"0")) / 1000,
                )
            )
        return letters

    async def replay(self, stream: str, dead_letter_id: str) -> str:
        if not _ID.match(dead_letter_id):
            raise StreamEntryNotFound(f"no dead letter {dead_letter_id!r} in {stream!r}")
        with translate_errors("stream replay"):
            new_id = await self._replay(
                keys=[self._entries(stream), self._dead(stream)], args=[dead_letter_id]
            )
        if new_id is None:
            raise StreamEntryNotFound(f"no dead letter {dead_letter_id!r} in {stream!r}")
        return as_text(new_id)

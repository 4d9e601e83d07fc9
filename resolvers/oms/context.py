"""What the OMS connector's parts share: the kit, the settings, the HTTP helper, and small memos.

- :meth:`OmsContext.read` / :meth:`OmsContext.write`: the kit's calls under the system name ``oms``;
- :meth:`OmsContext.forget`: drop a cached answer after a write of ours changed it (a failing
  cache store is logged, never fails the write that already happened);
- :meth:`OmsContext.each`: one call per key, at most ``settings.concurrency`` in flight, for the
  lookups the OMS only answers one key at a time (orders by name, returns by order);
- :class:`Memo`: a bounded map for facts that never change (order name <-> order id,
  reservation id -> its reference), so that ids are resolved without a lookup call.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from resolvers.kit.cache import JSON_CODEC, Codec
from resolvers.kit.call import ConnectorKit, LandedCheck, UpstreamCall, UpstreamFn
from resolvers.oms.exchange import OmsHttp
from resolvers.oms.settings import SYSTEM, OmsSettings
from storage import StorageError

__all__ = ["Memo", "OmsContext"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

_log = logging.getLogger(__name__)


class Memo(Generic[K, V]):
    """A least-recently-used map of at most ``size`` entries."""

    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


class OmsContext:
    """The kit bound to the OMS, with the connector's settings and memos."""

    def __init__(self, kit: ConnectorKit, settings: OmsSettings) -> None:
        self.kit = kit
        self.settings = settings
        self.oms = OmsHttp(settings)
        self.order_ids: Memo[str, str] = Memo()
        """orderName -> orderId."""
        self.order_names: Memo[str, str] = Memo()
        """orderId -> orderName."""

    def remember_order(self, order_id: str, order_name: str | None) -> None:
        if order_name:
            self.order_ids.put(order_name, order_id)
            self.order_names.put(order_id, order_name)

    async def read(
        self,
        operation: str,
        fn: UpstreamFn[T],
        *,
        cache_key: object | None = None,
        codec: Codec[T] = JSON_CODEC,
    ) -> UpstreamCall[T]:
        return await self.kit.read(SYSTEM, operation, fn, cache_key=cache_key, codec=codec)

    async def write(
        self,
        operation: str,
        fn: UpstreamFn[T],
        *,
        idempotent: bool = False,
        landed: LandedCheck[T] | None = None,
    ) -> T:
        return (await self.kit.write(SYSTEM, operation, fn, idempotent=idempotent, landed=landed)).value

    async def forget(self, operation: str, cache_key: object) -> None:
        """Drop the cached answer of ``operation`` for ``cache_key`` (ours changed it upstream)."""
        if self.kit.cache is None:
            return
        try:
            await self.kit.cache.invalidate(self.kit.cache_key(SYSTEM, operation, cache_key))
        except StorageError:
            _log.warning("could not drop the cached %s %r; it expires with its ttl", operation, cache_key)

    async def forget_all(self, operation: str) -> None:
        """Drop every cached answer of ``operation`` (a write of ours changed what any may hold)."""
        if self.kit.cache is None:
            return
        try:
            await self.kit.cache.invalidate_operation(SYSTEM, operation)
        except StorageError:
            _log.warning("could not drop the cached %s answers; they expire with their ttl", operation)

    async def each(self, keys: Sequence[K], fetch: Callable[[K], Awaitable[V]]) -> list[V]:
        """``fetch(key)`` for every key (answers in key order), ``settings.concurrency`` at a time."""
        if len(keys) == 1:
            return [await fetch(keys[0])]
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def one(key: K) -> V:
            async with gate:
                return await fetch(key)

        return list(await asyncio.gather(*(one(key) for key in keys)))

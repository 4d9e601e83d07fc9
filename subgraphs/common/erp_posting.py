"""Posting to the ERP through the durable outbox: the handler and worker both mutations share.

submitOrder queues sales orders (``erp-postings``) and authorizeReturn customer
returns (``erp-return-postings``); both are posted by an :class:`OutboxWorker`
in consumer group ``erp`` with an :class:`ErpPosting` handler: ``deliver``
calls the connector's create (which looks the business key up first, so a
redelivery never makes a second document), ``probe`` asks the ERP for a key
no cache holds (is it back?), and an error the kit would serve stale for
(unreachable, timeout, 5xx, breaker open) counts as an outage, not as a
failed try of the entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import orjson

from resolvers.errors import ConnectorError
from subgraphs.common.app import Background
from subgraphs.common.outbox import OutboxPolicy, OutboxWorker
from subgraphs.common.systems import Systems

__all__ = ["ERP_GROUP", "ErpPosting", "erp_posting_worker", "running_in_background"]

ERP_GROUP = "erp"


class ErpPosting:
    """An outbox handler posting one kind of ERP document (module docstring)."""

    def __init__(
        self,
        *,
        key: Callable[[bytes], str],
        create: Callable[[bytes], Awaitable[str]],
        probe: Callable[[], Awaitable[object]],
        result_field: str,
    ) -> None:
        self._key = key
        self._create = create
        self._probe = probe
        self._field = result_field

    def key(self, payload: bytes) -> str:
        return self._key(payload)

    async def deliver(self, payload: bytes) -> bytes:
        document = await self._create(payload)
        return orjson.dumps({"at": datetime.now(UTC).isoformat(), self._field: document})

    async def probe(self) -> None:
        await self._probe()

    def is_outage(self, error: Exception) -> bool:
        return isinstance(error, ConnectorError) and error.serve_stale


def erp_posting_worker(
    systems: Systems, handler: ErpPosting, *, stream: str, policy: OutboxPolicy | None = None
) -> OutboxWorker:
    """The worker posting ``stream`` with ``handler`` in group ``erp``, under a unique consumer name."""
    return OutboxWorker(
        systems.storage.stream,
        systems.storage.idempotency,
        handler,
        stream=stream,
        group=ERP_GROUP,
        consumer=f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
        policy=policy or OutboxPolicy(attempts=systems.settings.orders.erp_posting_attempts),
    )


def running_in_background(make: Callable[[Systems], OutboxWorker], name: str) -> Background:
    """A worker as a subgraph background task: it runs while the app serves, cancelled at shutdown."""

    @contextlib.asynccontextmanager
    async def run(systems: Systems) -> AsyncIterator[None]:
        task = asyncio.create_task(make(systems).run(), name=name)
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return run

"""The systems of record as one subgraph process reaches them: storage, HTTP, kit and four connectors.

Opened once per process in the app's lifespan (:func:`open_systems`) and
closed at shutdown; resolvers reach it through the request context. Nothing
here runs at import time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from opentelemetry.trace import TracerProvider

from resolvers.directory import LocationDirectory
from resolvers.erp import ErpConnector
from resolvers.http import HttpClient, HttpSettings
from resolvers.kit import ConnectorKit
from resolvers.oms import OmsConnector
from resolvers.pos import PosConnector
from resolvers.shopify import ShopifyConnector
from storage import StorageBackends, open_storage
from subgraphs.common.settings import SubgraphSettings

__all__ = ["Systems", "open_systems"]


@dataclass
class Systems:
    """Everything a subgraph's resolvers call: one per process."""

    settings: SubgraphSettings
    storage: StorageBackends
    http: HttpClient
    kit: ConnectorKit
    directory: LocationDirectory
    oms: OmsConnector
    erp: ErpConnector
    pos: PosConnector
    shopify: ShopifyConnector


@contextlib.asynccontextmanager
async def open_systems(
    settings: SubgraphSettings, *, tracer_provider: TracerProvider | None = None
) -> AsyncIterator[Systems]:
    """Open storage, the HTTP client and the connectors; close them all on exit."""
    async with contextlib.AsyncExitStack() as stack:
        storage = await open_storage(settings.storage_url, namespace="retail")
        stack.push_async_callback(storage.close)
        http = HttpClient(HttpSettings())
        await http.start()
        stack.push_async_callback(http.close)
        kit = ConnectorKit(
            http,
            settings.connector_policies(),
            storage.buckets,
            cache=storage.cache,
            tracer_provider=tracer_provider,
        )
        oms = OmsConnector(kit, settings.oms)
        directory = LocationDirectory(oms)
        yield Systems(
            settings=settings,
            storage=storage,
            http=http,
            kit=kit,
            directory=directory,
            oms=oms,
            erp=ErpConnector(kit, settings.erp, directory=directory),
            pos=PosConnector(kit, settings.pos, directory=directory),
            shopify=ShopifyConnector(kit, settings.shopify, directory=directory),
        )

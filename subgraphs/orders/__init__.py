"""The orders subgraph: order reads, submitOrder and the ERP outbox worker (``create_app``).

Run it with ``python -m subgraphs.orders``; the ERP posting worker runs in
the same process when ``settings.run_outbox_worker`` (the default), and alone
with ``python -m subgraphs.orders.worker``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.common.app import subgraph_app
from subgraphs.common.outbox import OutboxPolicy
from subgraphs.common.settings import SubgraphSettings
from subgraphs.orders.posting import erp_outbox_worker
from subgraphs.orders.schema import schema

__all__ = ["create_app", "schema"]


def create_app(settings: SubgraphSettings | None = None, *, outbox: OutboxPolicy | None = None) -> Starlette:
    """The orders subgraph app; ``outbox`` tunes its ERP posting worker (default: from ``settings``)."""
    chosen = settings or SubgraphSettings()
    background = [erp_outbox_worker(outbox)] if chosen.run_outbox_worker else []
    return subgraph_app("orders", schema, chosen, background=background)

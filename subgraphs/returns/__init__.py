"""The returns subgraph: return authorisations (``create_app``; run with ``python -m subgraphs.returns``).

Owns ``Return`` (key: its RMA number) and adds ``returns`` to ``Order`` and
``Customer``; ``Query.returnAuthorization``, ``Mutation.authorizeReturn``.
Reads merge the OMS's, ERP's and Shopify's copies of each return
(:mod:`~subgraphs.returns.reads`); the mutation validates with the domain
rules, names an RMA and creates it in every system that holds the order,
idempotently (:mod:`~subgraphs.returns.authorize`). Returns the ERP could not
take are queued in the ERP outbox (:mod:`subgraphs.common.outbox`) and
posted by a worker in this process when ``run_outbox_worker`` is set
(:mod:`~subgraphs.returns.postings`).
"""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.common.app import subgraph_app
from subgraphs.common.outbox import OutboxPolicy
from subgraphs.common.settings import SubgraphSettings
from subgraphs.returns.postings import erp_return_worker
from subgraphs.returns.schema import schema

__all__ = ["create_app", "schema"]


def create_app(settings: SubgraphSettings | None = None, *, outbox: OutboxPolicy | None = None) -> Starlette:
    """The returns subgraph app; ``outbox`` tunes its ERP posting worker (default: from ``settings``)."""
    chosen = settings or SubgraphSettings()
    background = [erp_return_worker(outbox)] if chosen.run_outbox_worker else []
    return subgraph_app("returns", schema, chosen, background=background)

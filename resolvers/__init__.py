"""The system layer: one connector per system of record, and the resilience kit they share.

The subgraphs reach ERP, OMS, POS and Shopify only through these connectors
(``resolvers.erp``, ``resolvers.oms``, ``resolvers.pos``, ``resolvers.shopify``).
Each one speaks its system's wire shapes over the shared pieces here:

- ``resolvers.http``: :class:`HttpClient`, the process's one pooled aiohttp session;
- ``resolvers.policy``: :class:`ConnectorPolicies`, timeouts / cache / pacing /
  retry / breaker settings per system and per operation;
- ``resolvers.kit``: :class:`ConnectorKit`, the one way a connector calls its
  system (cache -> breaker -> pacing -> retry -> traced request);
- ``resolvers.errors`` (the exception tree, stable codes) and
  ``resolvers.translate`` (transport exceptions and HTTP statuses into it).

This package imports ``storage`` and nothing else of ours.
"""

from __future__ import annotations

from resolvers.errors import ConnectorError
from resolvers.http import HttpClient, HttpResponse, HttpSettings
from resolvers.kit.call import ConnectorKit, UpstreamCall
from resolvers.kit.upstream import UpstreamHttp
from resolvers.policy import ConnectorPolicies, OperationPolicy, SystemPolicy

__all__ = [
    "ConnectorError",
    "ConnectorKit",
    "ConnectorPolicies",
    "HttpClient",
    "HttpResponse",
    "HttpSettings",
    "OperationPolicy",
    "SystemPolicy",
    "UpstreamCall",
    "UpstreamHttp",
]

"""The ERP sandbox: a stand-in for SAP S/4HANA's OData V2 APIs.

``system`` (the :class:`~sandbox.erp.system.ErpSystem` the app factory
builds), ``endpoint`` (logon, CSRF, routing to a service), ``security``
(Basic auth and X-CSRF-Token sessions), ``knobs`` (paging and CSRF token
lifetime), ``catalog`` (read-only ERP views of the world: materials, plants,
partners, stock), ``documents`` and ``state`` (sales orders and customer
returns, seeded from the world, mutable), ``odata/`` (the generic OData V2
server core) and ``services/`` (the five API services).
"""

__all__: list[str] = []

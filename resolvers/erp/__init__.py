"""The ERP connector: SAP S/4HANA's OData V2 APIs behind the ports.

:class:`ErpConnector` ``(kit, settings, directory)`` implements

- ``StockSource`` over ``API_MATERIAL_STOCK_SRV`` (``A_MatlStkInAcctMod``, or
  ``A_MaterialStock`` with its rows inline when that many rows would not fit
  one page): physical stock per plant, quality inspection and blocked stock
  as ``unavailable``; plants <-> our locations through the
  :class:`~resolvers.directory.LocationDirectory` (the ERP plant is each
  location's ``ExternalRef("ERP", plant)``);
- ``OrderSource`` / ``OrderSink`` over ``API_SALES_ORDER_SRV`` (``A_SalesOrder``
  with ``to_Item``; our order number is ``PurchaseOrderByCustomer``), plus a
  guarded change (``set_delivery_block``: ``If-Match`` with the ETag, 412 ->
  ``UpstreamConflict``);
- ``CustomerSource`` over ``API_BUSINESS_PARTNER`` (our customer id is
  ``BusinessPartnerIDByExtSystem``; email lives on the partner's address);
- ``ReturnSource`` / ``ReturnSink`` over ``API_CUSTOMER_RETURN_SRV``
  (``A_CustomerReturn``; our RMA number is ``PurchaseOrderByCustomer``, the
  order is the ``ReferenceSDDocument`` sales order).

**Batched**: every ``*_by_*`` method and ``stock`` asks for all its keys in one
request with a ``$filter`` ``or`` chain (split only when the URL would grow
past ``max_filter_length``), sized to fit one Gateway page; ``__next`` is
followed only when SAP actually pages. 50 SKUs at 30 locations is one request.
:meth:`ErpConnector.loaders` gathers a GraphQL request's keys per tick.

**Cached** (read-through, stale-if-error, see ``ErpSettings.default_policy``):
stock for seconds with a long stale window (an ERP outage answers the last
figures, marked stale, and an open breaker answers them without a request);
partners for minutes; orders and returns for seconds. Writes are never cached.

**Retried**: reads on timeouts, 429 (after Retry-After), 502/503/504 and
connection errors. Writes are not idempotent in SAP (no idempotency key), so
a write is retried only when it certainly did not land (refused connection,
429, a CSRF 403) or when the ``landed`` check, a look-up by the business key
(``PurchaseOrderByCustomer``), finds nothing; a create looks the key up first,
so a retried draft never makes a second document. Every write carries the
CSRF token, fetched once per connector and again once after a 403.
"""

from __future__ import annotations

from resolvers.erp.connector import ErpConnector, ErpLoaders
from resolvers.erp.settings import ErpSettings
from resolvers.erp.writes import ErpVersion

__all__ = ["ErpConnector", "ErpLoaders", "ErpSettings", "ErpVersion"]

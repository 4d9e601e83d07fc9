"""The OMS connector: an OFBiz/HotWax-style order management system over REST + JSON.

:class:`OmsConnector` ``(kit, settings)`` speaks to ``{base_url}/rest/s1/oms``
through the :class:`~resolvers.kit.ConnectorKit` only (system name ``oms``;
records carry System ``"OMS"``), with ``Authorization: Bearer <token>`` (or an
``api_key`` header) when :class:`OmsSettings` carries a token. Errors arrive
in the OMS's envelope and leave as the matching connector error with
``upstream_code`` = the OMS's ``errorId`` (:mod:`resolvers.oms.exchange`).

Ports and endpoints (operation names in the kit, spans and cache keys):

===================  ==========================================  =======================================
port                 operation: endpoint                         batching / caching
===================  ==========================================  =======================================
LocationSource       ``locations``: GET /facilities              all pages in one operation (250 a page,
                                                                 one call for the usual estate); 5 min
                                                                 fresh, a day stale-if-error
StockSource          ``stock``: POST /inventory/search           500 SKUs x 500 facilities per call (50 x
                                                                 30 is one call); 3 s fresh, 5 min stale
ReservationPort      ``reserve``: POST /reservations             one per facility, concurrent, undone if
                     ``confirm_reservation``, ``release_         any is refused; never cached
                     reservation``, ``reservation`` (GET)
OrderSource          ``orders_by_number``: GET /orders?orderName one call per number (the OMS filters one
                     ``order_shipments``: GET /orders/{id}/      name at a time), 8 in flight; shipments
                     shipments; ``orders_for_customer``          only for orders that have some; 2 s fresh,
                                                                 10 min stale
OrderSink (+)        ``create_order``, ``order`` (GET by id),    writes invalidate the cached reads they
                     ``set_order_status``, ``set_shipment_       change (and ``orders_listing``, the
                     status``                                    orders subgraph's GET /orders pages,
                                                                 2 s fresh, 10 min stale)
ReturnSource         ``returns_for_order``: GET /returns?orderId one call per order (by RMA: the order
                     ``return_reasons``: GET /return-reasons     named in the RMA number); reasons hourly
ReturnSink           ``create_return``, ``return`` (GET by id)
===================  ==========================================  =======================================

What is retried, and why it is safe: reads on timeouts, 429 and 502-504 (the
kit's rules). Every write here is marked idempotent because the OMS makes a
repeat harmless: orders are deduped by ``orderName`` (our order number) and
returns by ``externalId`` (our RMA number), both answered with the existing
record (409 ``ORDER_EXISTS``/``RETURN_EXISTS`` -> that record); reservations
carry ``externalId = <reference>@<facility>``, which the OMS answers with the
reservation it already holds; setting a status an order or shipment already
has, confirming for the same order and releasing twice change nothing.

Stock figures: ``reserved`` is the OMS's ``reservedQuantity`` (committed to
open order items plus soft reservations; the wire does not split them, so
``committed`` stays 0), ``unavailable`` = damaged + QC, ``available`` = the
OMS's signed ATP. Statuses stay as the OMS spells them (``ORDER_APPROVED``,
``SHIPMENT_PACKED``, ``RETURN_ACCEPTED``); the sales channel becomes our
Channel; reservation statuses drop their ``RESERVATION_`` prefix.
"""

from __future__ import annotations

from resolvers.oms.connector import OmsConnector, OmsLoaders
from resolvers.oms.settings import OmsSettings

__all__ = ["OmsConnector", "OmsLoaders", "OmsSettings"]

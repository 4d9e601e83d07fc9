"""The POS connector: the retailer's stores on Square (API v2), behind the ports of :mod:`resolvers.ports`.

:class:`PosConnector` ``(kit, settings, directory)`` implements

* **StockSource** ``stock(skus, location_ids)``: ONE
  ``POST /v2/inventory/counts/batch-retrieve`` for all SKUs x stores (states
  IN_STOCK, RESERVED_FOR_SALE, WASTE; ``on_hand`` is their sum, ``reserved``
  RESERVED_FOR_SALE, ``unavailable`` WASTE; see :mod:`resolvers.pos.mapping`);
  the cursor is followed only when Square pages the answer (1000 counts a page);
* **OrderSource** ``orders_by_numbers`` (our number is Square's
  ``reference_id``, which Square cannot search: an in-process index learnt by
  scanning the stores' orders, then ``POST /v2/orders/batch-retrieve``) and
  ``orders_for_customer`` (``POST /v2/orders/search`` with ``customer_filter``);
  the orders subgraph's listing reads ``POST /v2/orders/search`` pages as
  ``orders_listing`` (cached 2 s, stale for 10 minutes if the POS fails);
* **OrderSink** ``create_order``: ``POST /v2/orders`` with
  ``idempotency_key`` = the draft's key;
* **ReturnSource** ``returns_for_orders``: a sale's refunds and returned goods
  (:mod:`resolvers.pos.returns`; Square keeps no RMA numbers, so such a return is
  matched to the other systems' copies by the subgraphs, or named ``POS-<refund id>``);
* **CustomerSource** ``customers_by_ids`` / ``customers_by_email``
  (``POST /v2/customers/search`` by ``reference_id`` / ``email_address``) with
  loyalty from ``POST /v2/loyalty/accounts/search`` and the program's reward tiers;

and ``loaders()`` (per-request DataLoaders: stock, orders by number, customers by id).

**Batched**: stock (one request for every pair), catalog lookups (250 SKUs /
1000 ids a request), order retrieval (100 ids), order searches (10 stores a
request: Square's bound), loyalty accounts (30 customers). Customer searches
by our id are one request per id, concurrently: Square's filters cannot be or-ed.

**Cached** (kit cache, stale-if-error; TTLs in :meth:`PosSettings.default_policy`):
stock for seconds, orders for seconds, customers for a minute, catalog and
the loyalty program for an hour. SKU <-> variation ids are also kept in
process (master data), so a warm stock read is one inventory call: one
request, or one per 1000 counts when Square pages the answer (50 SKUs at 25
stores hold about 1,150 counts: two).

**Retried** by the kit: reads on timeouts, 429 (after Square's ``Retry-After``:
Square's error envelope becomes the matching :class:`~resolvers.errors.ConnectorError`
with ``upstream_code`` = Square's code) and 502/503/504. ``create_order`` is
retried too (``idempotent=True``): Square replays the first answer for a
repeated ``idempotency_key`` with the same body, so a retry after a timeout
that landed returns the order already made instead of a second one.
"""

from __future__ import annotations

from resolvers.pos.client import PosConnector, PosLoaders
from resolvers.pos.settings import PosSettings

__all__ = ["PosConnector", "PosLoaders", "PosSettings"]

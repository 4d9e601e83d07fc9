"""The POS sandbox: a mimic of Square API v2 (Connect v2) for the retailer's stores.

Modules (wire conventions first, then one per Square API):

* ``errors``, ``wire``, ``endpoint``, ``idempotency``: error envelope, money/time/quantity/cursor
  conventions, auth and body validation, idempotency keys;
* ``locations``; ``catalog`` + ``catalog_api``; ``inventory`` + ``inventory_api``;
* ``order_model``, ``order_seed``, ``order_book``, ``order_input``, ``orders_api``, ``orders_search``,
  ``refunds_api``;
* ``customers`` + ``customers_api``; ``loyalty`` + ``loyalty_api``;
* ``store`` (all state), ``system`` (:class:`PosSystem`, what ``retail-sandbox pos`` runs).
"""

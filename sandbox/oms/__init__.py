"""The OMS sandbox: an OFBiz/HotWax-style order management system over REST + JSON.

Base path ``/rest/s1/oms``. Orders with items, ship groups, shipments, status
history and payment preferences; returns; facilities (the master of
locations); inventory positions with ATP and soft reservations with a TTL.
Status changes follow the StatusValidChange table in
:mod:`sandbox.oms.statuses`; errors use the Moqui envelope in
:mod:`sandbox.oms.errors`. Modules:

========================  ========================================================
``system``                the System for :func:`sandbox.app.build_app`
``state``                 the mutable books over one world, rebuilt on reset
``statuses``              status items and their allowed transitions
``canonical``             canonical (world) vocabulary -> OMS ids
``seed``                  world orders and returns as OMS records
``records``               the mutable records
``orders`` / ``intake``   the order book / order creation
``lifecycle``             what order and shipment status changes do
``returns``               the return book
``inventory``             positions, ATP and the atomic reserve
``reservations``          soft reservations with expiry
``facilities``            locations as facilities
``views``                 wire JSON of orders, shipments, returns
``models``                request bodies
``api_*``                 the HTTP endpoints
``endpoint``, ``errors``  auth, error envelope, the one catch
========================  ========================================================
"""

from sandbox.oms.system import OmsSystem

__all__ = ["OmsSystem"]

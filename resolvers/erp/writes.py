"""Writes to the ERP: create sales orders and customer returns, change a sales order's delivery block.

SAP has no idempotency key, so a create is made safe by its business key
(``PurchaseOrderByCustomer``: our order number, or the RMA number):

1. look it up first (``order_lookup`` / ``return_lookup``, never cached): a
   retry of a draft that already landed (an outbox replay, a retry after our
   own crash) returns the existing document;
2. POST the deep insert through :class:`~resolvers.erp.csrf.CsrfSession`
   (token fetched once; fetched again once after a CSRF 403);
3. if the POST fails in a way that may have taken effect (a timeout, a
   reset connection), the kit runs the ``landed`` check, the same lookup,
   with the *read* timeout: an order it finds is the answer and the POST is
   not sent again; only when it finds none is the POST retried.

The sandbox (as SAP) takes a second POST with the same PurchaseOrderByCustomer
as a second order: it never answers "already exists", so steps 1 and 3 are
the whole defence.

A change goes with ``If-Match``: the entity's ETag (``__metadata.etag`` or
the ``ETag`` header) from a read the caller made (:class:`ErpVersion`) or
from a fresh one; a 412 (someone changed it since) is ``UpstreamConflict``
with SAP's code ``/IWBEP/CM_MGW_RT/190``. A PATCH that may have landed is
checked by reading the field back.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.directory import LocationDirectory
from resolvers.domain import OrderDraft, ReturnDraft
from resolvers.erp.bodies import delivery_block_body, order_body, return_body
from resolvers.erp.csrf import CsrfSession, CsrfToken
from resolvers.erp.odata import OData, eq, literal
from resolvers.erp.queries import CUSTOMER_RETURN, SALES_ORDER, find_order, find_return
from resolvers.erp.wire import CustomerReturn, ReturnWithOrder, SalesOrder, SalesOrderKey
from resolvers.errors import UpstreamNotFound
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp

__all__ = ["ErpVersion", "ErpWrites"]

SYSTEM = "erp"
_VERSION_FIELDS = "SalesOrder,PurchaseOrderByCustomer,DeliveryBlockReason"


@dataclass(frozen=True, slots=True)
class ErpVersion:
    """A sales order's key and version (ETag) as last read or written, for a guarded change."""

    sales_order: str
    number: str
    etag: str
    delivery_block: str = ""


def _version(order: SalesOrderKey, etag: str | None = None) -> ErpVersion | None:
    tag = etag or order.etag
    if not tag:
        return None
    return ErpVersion(order.SalesOrder, order.PurchaseOrderByCustomer, tag, order.DeliveryBlockReason)


class ErpWrites:
    """The write flows (see the module docstring); :class:`~resolvers.erp.ErpConnector` delegates here."""

    def __init__(
        self, kit: ConnectorKit, odata: OData, csrf: CsrfSession, directory: LocationDirectory
    ) -> None:
        self._kit = kit
        self._odata = odata
        self._csrf = csrf
        self._directory = directory

    def _read_timeout(self, operation: str) -> float:
        return self._kit.policies.resolve(SYSTEM, operation).timeout

    async def lookup_order(self, number: str) -> SalesOrder | None:
        """The sales order for our order ``number`` as the ERP has it now (not cached)."""

        async def fetch(http: UpstreamHttp) -> SalesOrder | None:
            return await find_order(self._odata, http, number)

        return (await self._kit.read(SYSTEM, "order_lookup", fetch)).value

    async def lookup_return(self, rma_number: str) -> ReturnWithOrder | None:
        async def fetch(http: UpstreamHttp) -> ReturnWithOrder | None:
            return await find_return(self._odata, http, rma_number)

        return (await self._kit.read(SYSTEM, "return_lookup", fetch)).value

    async def create_order(self, draft: OrderDraft, sold_to: str) -> SalesOrder:
        """The sales order for ``draft``: the existing one, or a new one (``sold_to``: the partner)."""
        existing = await self.lookup_order(draft.number)
        if existing is not None:
            return existing
        plants = (await self._directory.map()).system_ids("ERP")
        body = order_body(draft, sold_to=sold_to, plants=plants, settings=self._odata.settings)
        odata, timeout = self._odata, self._read_timeout("order_lookup")

        async def send(http: UpstreamHttp, token: CsrfToken) -> SalesOrder:
            response = await http.post(
                odata.url(SALES_ORDER, "A_SalesOrder"),
                params=odata.params(),
                headers=odata.headers(token.headers()),
                json=body,
                check=False,
            )
            return odata.entity(http, response, SalesOrder)

        async def landed(http: UpstreamHttp) -> SalesOrder | None:
            return await find_order(odata, http, draft.number, request_timeout=timeout)

        return await self._csrf.write("create_order", SALES_ORDER, send, landed=landed)

    async def create_return(self, draft: ReturnDraft) -> ReturnWithOrder:
        """The customer return for ``draft``: the existing one, or a new one against the sales order."""
        existing = await self.lookup_return(draft.rma_number)
        if existing is not None:
            return existing
        order = await self.lookup_order(draft.order_number)
        if order is None:
            raise UpstreamNotFound(
                f"order {draft.order_number} is not in the ERP: no sales order to return against",
                system=SYSTEM,
                operation="create_return",
                maybe_landed=False,
            )
        locations = await self._directory.map()
        plant = locations.system_id("ERP", draft.drop_off_location_id) if draft.drop_off_location_id else None
        body = return_body(draft, order, drop_off_plant=plant, settings=self._odata.settings)
        odata, timeout = self._odata, self._read_timeout("return_lookup")
        items = [item.SalesOrderItem for item in order.to_Item]

        async def send(http: UpstreamHttp, token: CsrfToken) -> ReturnWithOrder:
            response = await http.post(
                odata.url(CUSTOMER_RETURN, "A_CustomerReturn"),
                params=odata.params(),
                headers=odata.headers(token.headers()),
                json=body,
                check=False,
            )
            created = odata.entity(http, response, CustomerReturn)
            return ReturnWithOrder(ret=created, order_number=draft.order_number, order_items=items)

        async def landed(http: UpstreamHttp) -> ReturnWithOrder | None:
            return await find_return(odata, http, draft.rma_number, request_timeout=timeout)

        return await self._csrf.write("create_return", CUSTOMER_RETURN, send, landed=landed)

    async def sales_order_version(self, number: str) -> ErpVersion | None:
        """The current version of our order ``number``'s sales order (None if the ERP has none)."""
        odata = self._odata

        async def fetch(http: UpstreamHttp) -> ErpVersion | None:
            params = {"$filter": eq("PurchaseOrderByCustomer", number), "$select": _VERSION_FIELDS}
            found = await odata.get_all(http, SALES_ORDER, "A_SalesOrder", SalesOrderKey, params)
            versions = [v for v in (_version(order) for order in found) if v is not None]
            return min(versions, key=lambda v: v.sales_order) if versions else None

        return (await self._kit.read(SYSTEM, "order_version", fetch)).value

    async def set_delivery_block(self, number: str, reason: str, *, version: ErpVersion | None) -> ErpVersion:
        """PATCH ``DeliveryBlockReason`` with ``If-Match``; the order's new version."""
        current = version or await self.sales_order_version(number)
        if current is None:
            raise UpstreamNotFound(
                f"order {number} is not in the ERP",
                system=SYSTEM,
                operation="update_order",
                maybe_landed=False,
            )
        odata = self._odata
        path = f"A_SalesOrder({literal(current.sales_order)})"
        timeout = self._read_timeout("order_version")

        async def read_back(http: UpstreamHttp, request_timeout: float | None = None) -> ErpVersion | None:
            response = await http.get(
                odata.url(SALES_ORDER, path),
                params=odata.params({"$select": _VERSION_FIELDS}),
                headers=odata.headers(),
                timeout=request_timeout,
                check=False,
            )
            return _version(odata.entity(http, response, SalesOrderKey), response.headers.get("etag"))

        async def send(http: UpstreamHttp, token: CsrfToken) -> ErpVersion:
            response = await http.request(
                "PATCH",
                odata.url(SALES_ORDER, path),
                params=odata.params(),
                headers=odata.headers({**token.headers(), "If-Match": current.etag}),
                json=delivery_block_body(reason),
                check=False,
            )
            odata.check(http, response)
            etag = response.headers.get("etag")
            if etag:
                return ErpVersion(current.sales_order, current.number, etag, reason)
            changed = await read_back(http)  # a Gateway that answers 204 without the new ETag
            return changed or ErpVersion(current.sales_order, current.number, "", reason)

        async def landed(http: UpstreamHttp) -> ErpVersion | None:
            found = await read_back(http, timeout)
            return found if found is not None and found.delivery_block == reason else None

        return await self._csrf.write("update_order", SALES_ORDER, send, landed=landed)

"""The ERP reads, as exchanges over one :class:`~resolvers.kit.upstream.UpstreamHttp` handle.

Each function is the body of one kit call (or part of one): it sends the
requests, validates the answers into :mod:`resolvers.erp.wire` models and
returns them. Which entity sets and keys:

==========================  ============================================================================
stock                       ``A_MatlStkInAcctMod`` by Material and Plant, or (more rows than a page)
                            ``A_MaterialStock`` by Material with ``$expand=to_MatlStkInAcctMod``
orders                      ``A_SalesOrder`` by PurchaseOrderByCustomer (our order number), ``to_Item``
orders of a customer        ``A_SalesOrder`` by SoldToParty, newest first, ``$top``
partners                    ``A_BusinessPartner`` by BusinessPartnerIDByExtSystem (our customer id)
partners by email           ``A_AddressEmailAddress`` by SearchEmailAddress -> ``A_BusinessPartnerAddress``
                            by AddressID -> ``A_BusinessPartner`` (SAP has no email on the partner)
returns                     ``A_CustomerReturn`` by PurchaseOrderByCustomer (the RMA) or by
                            ReferenceSDDocument (the sales order), plus the sales orders' numbers
==========================  ============================================================================

Why two shapes of stock read: the Gateway pages a collection after
``page_size`` rows, and 50 SKUs at 30 plants are ~1,300 stock rows. When
SKUs x plants x :data:`STOCK_TYPES_PER_PAIR` could overflow a page, the read
goes per material instead (one entity per SKU, its rows at every plant
inline, so 1,000 SKUs fit a page) and drops the plants not asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers.erp.odata import OData, any_of, encoded_length, eq
from resolvers.erp.wire import (
    BusinessPartner,
    CustomerReturn,
    EmailRef,
    MaterialStock,
    PartnerAddressRef,
    ReturnWithOrder,
    SalesOrder,
    SalesOrderKey,
    StockRow,
)
from resolvers.kit.upstream import UpstreamHttp

__all__ = [
    "BUSINESS_PARTNER",
    "CUSTOMER_RETURN",
    "MATERIAL_STOCK",
    "SALES_ORDER",
    "STOCK_TYPES_PER_PAIR",
    "find_order",
    "find_orders",
    "find_return",
    "orders_of_partner",
    "partners_by_email",
    "partners_by_ids",
    "per_material",
    "returns_by_rma",
    "returns_for_orders",
    "stock_rows",
]

MATERIAL_STOCK = "API_MATERIAL_STOCK_SRV"
SALES_ORDER = "API_SALES_ORDER_SRV"
CUSTOMER_RETURN = "API_CUSTOMER_RETURN_SRV"
BUSINESS_PARTNER = "API_BUSINESS_PARTNER"

STOCK_TYPES_PER_PAIR = 3
"""Rows one (material, plant) can have: unrestricted, quality inspection, blocked."""
_STOCK_FIELDS = ("Material", "Plant", "StorageLocation", "InventoryStockType", "MatlWrhsStkQtyInMatlBaseUnit")
_PARTNER_EXPAND = "to_BusinessPartnerAddress/to_EmailAddress,to_BusinessPartnerAddress/to_PhoneNumber"
_ORDER_KEYS = {"$select": "SalesOrder,PurchaseOrderByCustomer,to_Item/SalesOrderItem", "$expand": "to_Item"}
_WITH_ITEMS = {"$expand": "to_Item"}


def _rank(number: str) -> tuple[int, str]:
    """Document numbers in numeric order (SAP numbers are digits; anything else sorts last)."""
    return (int(number), number) if number.isdigit() else (1 << 62, number)


def _sales_order_rank(order: SalesOrder | SalesOrderKey) -> tuple[int, str]:
    return _rank(order.SalesOrder)


def per_material(odata: OData, materials: int, plants: Sequence[str]) -> bool:
    """Whether a stock read should go per material (see the module docstring)."""
    too_many_rows = materials * len(plants) * STOCK_TYPES_PER_PAIR > odata.settings.page_size
    too_long = encoded_length(any_of("Plant", plants)) > odata.settings.max_filter_length // 2
    return too_many_rows or too_long


async def stock_rows(
    odata: OData, http: UpstreamHttp, materials: Sequence[str], plants: Sequence[str]
) -> list[StockRow]:
    """Stock rows of ``materials`` at ``plants`` (sizing the request to fit one page)."""
    if not per_material(odata, len(materials), plants):
        params = {"$select": ",".join(_STOCK_FIELDS)}
        return await odata.get_by_keys(
            http, MATERIAL_STOCK, "A_MatlStkInAcctMod", StockRow, "Material", materials, params,
            also=any_of("Plant", plants),
        )  # fmt: skip
    params = {
        "$expand": "to_MatlStkInAcctMod",
        "$select": "Material," + ",".join(f"to_MatlStkInAcctMod/{name}" for name in _STOCK_FIELDS),
    }
    wanted = set(plants)
    stocks = await odata.get_by_keys(
        http, MATERIAL_STOCK, "A_MaterialStock", MaterialStock, "Material", materials, params
    )
    return [row for stock in stocks for row in stock.to_MatlStkInAcctMod if row.Plant in wanted]


async def find_orders(odata: OData, http: UpstreamHttp, numbers: Sequence[str]) -> list[SalesOrder]:
    """Sales orders (with items) whose PurchaseOrderByCustomer is one of ``numbers``, oldest first."""
    orders = await odata.get_by_keys(
        http, SALES_ORDER, "A_SalesOrder", SalesOrder, "PurchaseOrderByCustomer", numbers, _WITH_ITEMS
    )
    return sorted(orders, key=_sales_order_rank)


async def find_order(
    odata: OData, http: UpstreamHttp, number: str, *, request_timeout: float | None = None
) -> SalesOrder | None:
    """The (first) sales order for our order ``number``, or None: the check before and after a create."""
    params = {**_WITH_ITEMS, "$filter": eq("PurchaseOrderByCustomer", number)}
    orders = await odata.get_all(
        http, SALES_ORDER, "A_SalesOrder", SalesOrder, params, request_timeout=request_timeout
    )
    return min(orders, key=_sales_order_rank) if orders else None


async def orders_of_partner(odata: OData, http: UpstreamHttp, partner: str, first: int) -> list[SalesOrder]:
    """The business partner's sales orders, newest first, at most ``first``."""
    params = {
        **_WITH_ITEMS,
        "$filter": eq("SoldToParty", partner),
        "$orderby": "CreationDate desc,SalesOrder desc",
        "$top": str(first),
    }
    return await odata.get_all(http, SALES_ORDER, "A_SalesOrder", SalesOrder, params, limit=first)


async def partners_by_ids(
    odata: OData, http: UpstreamHttp, customer_ids: Sequence[str]
) -> list[BusinessPartner]:
    """Business partners whose BusinessPartnerIDByExtSystem is one of our ``customer_ids``."""
    return await odata.get_by_keys(
        http, BUSINESS_PARTNER, "A_BusinessPartner", BusinessPartner, "BusinessPartnerIDByExtSystem",
        customer_ids, {"$expand": _PARTNER_EXPAND},
    )  # fmt: skip


async def partners_by_email(odata: OData, http: UpstreamHttp, email: str) -> list[BusinessPartner]:
    """Business partners with an address whose email is ``email`` (case-insensitive)."""
    wanted = email.strip().casefold()
    params = {
        "$filter": eq("SearchEmailAddress", email.strip().upper()[:20]),
        "$select": "AddressID,EmailAddress",
    }
    refs = await odata.get_all(http, BUSINESS_PARTNER, "A_AddressEmailAddress", EmailRef, params)
    address_ids = [ref.AddressID for ref in refs if ref.EmailAddress.casefold() == wanted]
    if not address_ids:
        return []
    owners = await odata.get_by_keys(
        http, BUSINESS_PARTNER, "A_BusinessPartnerAddress", PartnerAddressRef, "AddressID", address_ids,
        {"$select": "BusinessPartner,AddressID"},
    )  # fmt: skip
    partners = sorted({owner.BusinessPartner for owner in owners})
    if not partners:
        return []
    return await odata.get_by_keys(
        http, BUSINESS_PARTNER, "A_BusinessPartner", BusinessPartner, "BusinessPartner", partners,
        {"$expand": _PARTNER_EXPAND},
    )  # fmt: skip


def _joined(returns: Sequence[CustomerReturn], orders: Sequence[SalesOrderKey]) -> list[ReturnWithOrder]:
    by_key = {order.SalesOrder: order for order in orders}
    out = []
    for ret in sorted(returns, key=lambda r: _rank(r.CustomerReturn)):
        order = by_key.get(ret.ReferenceSDDocument)
        out.append(
            ReturnWithOrder(
                ret=ret,
                order_number=(order.PurchaseOrderByCustomer or None) if order else None,
                order_items=[item.SalesOrderItem for item in order.to_Item] if order else [],
            )
        )
    return out


async def _with_orders(
    odata: OData, http: UpstreamHttp, returns: list[CustomerReturn], request_timeout: float | None = None
) -> list[ReturnWithOrder]:
    """``returns`` with their order numbers and order items (one more read, of the sales orders)."""
    references = sorted({ret.ReferenceSDDocument for ret in returns if ret.ReferenceSDDocument})
    if not references:
        return _joined(returns, [])
    orders = await odata.get_by_keys(
        http, SALES_ORDER, "A_SalesOrder", SalesOrderKey, "SalesOrder", references, _ORDER_KEYS,
        request_timeout=request_timeout,
    )  # fmt: skip
    return _joined(returns, orders)


async def returns_by_rma(
    odata: OData, http: UpstreamHttp, rma_numbers: Sequence[str]
) -> list[ReturnWithOrder]:
    """Customer returns whose PurchaseOrderByCustomer is one of ``rma_numbers``, with their order numbers."""
    returns = await odata.get_by_keys(
        http, CUSTOMER_RETURN, "A_CustomerReturn", CustomerReturn, "PurchaseOrderByCustomer", rma_numbers,
        _WITH_ITEMS,
    )  # fmt: skip
    return await _with_orders(odata, http, returns)


async def find_return(
    odata: OData, http: UpstreamHttp, rma_number: str, *, request_timeout: float | None = None
) -> ReturnWithOrder | None:
    """The (first) customer return for ``rma_number``, or None: the check before and after a create."""
    params = {**_WITH_ITEMS, "$filter": eq("PurchaseOrderByCustomer", rma_number)}
    returns = await odata.get_all(
        http, CUSTOMER_RETURN, "A_CustomerReturn", CustomerReturn, params, request_timeout=request_timeout
    )
    joined = await _with_orders(odata, http, returns, request_timeout) if returns else []
    return joined[0] if joined else None


async def returns_for_orders(
    odata: OData, http: UpstreamHttp, order_numbers: Sequence[str]
) -> list[ReturnWithOrder]:
    """Customer returns referencing the sales orders of our ``order_numbers``."""
    orders = await odata.get_by_keys(
        http,
        SALES_ORDER,
        "A_SalesOrder",
        SalesOrderKey,
        "PurchaseOrderByCustomer",
        order_numbers,
        _ORDER_KEYS,
    )
    if not orders:
        return []
    returns = await odata.get_by_keys(
        http, CUSTOMER_RETURN, "A_CustomerReturn", CustomerReturn, "ReferenceSDDocument",
        [order.SalesOrder for order in orders], _WITH_ITEMS,
    )  # fmt: skip
    return _joined(returns, orders)

"""The GraphQL documents the connector sends, one per operation, sized by variables.

Page sizes travel as variables (``$n``, ``$v``, ``$lines`` ...) so that one
document text serves every batch size (Shopify, and the sandbox, cache a
parsed document per text) and :func:`resolvers.shopify.cost.requested_cost`
prices each request exactly. No fragments: selections are composed here as
text. Our ids live in metafields: ``custom.product_id`` on products,
``custom.customer_id`` on customers. The calculated cost of each is in the
comment above it (n = ``$n`` etc.).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "CREATE_ORDER",
    "CREATE_RETURN",
    "CUSTOMERS_BY_IDS",
    "CUSTOMERS_BY_QUERY",
    "CUSTOMER_INDEX",
    "INVENTORY_ITEM_SKU",
    "ORDERS",
    "ORDER_NAMES",
    "PRODUCTS_BY_IDS",
    "PRODUCTS_PAGE",
    "PRODUCT_INDEX",
    "QUANTITY_NAMES",
    "RETURNS_BY_ORDER",
    "RETURN_PRESENCE",
    "VARIANTS",
    "stock_document",
]

QUANTITY_NAMES = (
    "available",
    "committed",
    "reserved",
    "on_hand",
    "damaged",
    "safety_stock",
    "quality_control",
    "incoming",
)

_PRODUCT_ID = 'metafield(namespace: "custom", key: "product_id") { value }'
_CUSTOMER_ID = 'metafield(namespace: "custom", key: "customer_id") { value }'
_MONEY = "shopMoney { amount currencyCode }"

_VARIANT = f"""legacyResourceId sku barcode title price
  product {{ legacyResourceId title vendor {_PRODUCT_ID} }}"""
# per product: 1 + metafield 1 + variants (2 + v)
_PRODUCT = f"""legacyResourceId title description vendor {_PRODUCT_ID}
  variants(first: $v) {{ nodes {{ legacyResourceId sku barcode title price }} pageInfo {{ hasNextPage }} }}"""

# 2 + 3n
VARIANTS = f"""query Variants($q: String!, $n: Int!, $after: String) {{
  productVariants(first: $n, after: $after, query: $q) {{
    nodes {{ {_VARIANT} }} pageInfo {{ hasNextPage endCursor }} }} }}"""

# 2 + n(4 + v)
PRODUCTS_PAGE = f"""query Products($n: Int!, $after: String, $q: String, $v: Int!) {{
  products(first: $n, after: $after, query: $q) {{
    nodes {{ {_PRODUCT} }} pageInfo {{ hasNextPage endCursor }} }} }}"""

# len(ids) * (4 + v)
PRODUCTS_BY_IDS = f"""query ProductsByIds($ids: [ID!]!, $v: Int!) {{
  nodes(ids: $ids) {{ ... on Product {{ {_PRODUCT} }} }} }}"""

# 2 + 2n
PRODUCT_INDEX = f"""query ProductIndex($n: Int!, $after: String) {{
  products(first: $n, after: $after) {{
    nodes {{ legacyResourceId {_PRODUCT_ID} }} pageInfo {{ hasNextPage endCursor }} }} }}"""

# 1
INVENTORY_ITEM_SKU = """query InventoryItemSku($id: ID!) { inventoryItem(id: $id) { sku } }"""


@lru_cache(maxsize=64)
def stock_document(locations: int) -> str:
    """Quantities of ``$n`` inventory items (by SKU search) at ``locations`` locations ``$l0``...

    One aliased ``inventoryLevel(locationId:)`` per location, so a level is
    asked only where we want it and a location without the item is a null.
    Cost 2 + n * (1 + 2 * locations): 1 per item, 2 per (item, location).
    """
    names = ", ".join(f'"{name}"' for name in QUANTITY_NAMES)
    params = "".join(f", $l{i}: ID!" for i in range(locations))
    levels = " ".join(
        f"l{i}: inventoryLevel(locationId: $l{i}) {{ quantities(names: [{names}]) {{ name quantity }} }}"
        for i in range(locations)
    )
    return f"""query Stock($q: String!, $n: Int!{params}) {{
  inventoryItems(first: $n, query: $q) {{ nodes {{ legacyResourceId sku {levels} }} }} }}"""


_CUSTOMER = f"""legacyResourceId email phone firstName lastName createdAt updatedAt {_CUSTOMER_ID}
  addresses(first: 5) {{ address1 address2 city provinceCode zip countryCodeV2 }}"""

# 2 + 7n
CUSTOMERS_BY_QUERY = f"""query Customers($q: String!, $n: Int!) {{
  customers(first: $n, query: $q) {{ nodes {{ {_CUSTOMER} }} }} }}"""

# 7 * len(ids)
CUSTOMERS_BY_IDS = f"""query CustomersByIds($ids: [ID!]!) {{
  nodes(ids: $ids) {{ ... on Customer {{ {_CUSTOMER} }} }} }}"""

# 2 + 2n
CUSTOMER_INDEX = f"""query CustomerIndex($n: Int!, $after: String) {{
  customers(first: $n, after: $after) {{
    nodes {{ legacyResourceId {_CUSTOMER_ID} }} pageInfo {{ hasNextPage endCursor }} }} }}"""

# per order: 1 + customer 2 + total 2 + address 1 + lines (2 + 3 lines)
#            + fulfillments * (5 + 2 lines) + fulfillment orders 10
_ORDER = f"""id legacyResourceId name createdAt processedAt updatedAt cancelledAt cancelReason
  displayFinancialStatus displayFulfillmentStatus email currencyCode sourceName tags
  customer {{ legacyResourceId {_CUSTOMER_ID} }}
  totalPriceSet {{ {_MONEY} }}
  shippingAddress {{ address1 address2 city provinceCode zip countryCodeV2 }}
  lineItems(first: $lines) {{
    nodes {{ id sku quantity currentQuantity unfulfilledQuantity originalUnitPriceSet {{ {_MONEY} }} }}
    pageInfo {{ hasNextPage }} }}
  fulfillments(first: $fulfillments) {{
    legacyResourceId name status displayStatus updatedAt location {{ legacyResourceId }}
    trackingInfo(first: 1) {{ company number }}
    fulfillmentLineItems(first: $lines) {{ nodes {{ id quantity lineItem {{ id }} }} }} }}
  fulfillmentOrders(first: 2) {{
    nodes {{ assignedLocation {{ location {{ legacyResourceId }} }} deliveryMethod {{ methodType }} }} }}"""

ORDERS = f"""query Orders($q: String!, $n: Int!, $lines: Int!, $fulfillments: Int!, $reverse: Boolean!) {{
  orders(first: $n, query: $q, sortKey: PROCESSED_AT, reverse: $reverse) {{ nodes {{ {_ORDER} }} }} }}"""

# 2 + n: the names of a search's orders, newest first (the orders themselves by name, cached per order)
ORDER_NAMES = """query OrderNames($q: String!, $n: Int!) {
  orders(first: $n, query: $q, sortKey: PROCESSED_AT, reverse: true) { nodes { name } } }"""

# 10 + the order's connections (payload objects are free)
CREATE_ORDER = f"""mutation CreateOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput,
    $key: String!, $lines: Int!, $fulfillments: Int!) {{
  orderCreate(order: $order, options: $options) @idempotent(key: $key) {{
    order {{ {_ORDER} }} userErrors {{ field message code }} }} }}"""

# per return: 1 + lines (2 + 3 lines)
_RETURN = """id name status createdAt requestApprovedAt closedAt
  returnLineItems(first: $lines) { nodes { quantity returnReason returnReasonNote
    ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id } } } } }"""

# per order: 1 + lines (2 + lines) + fulfillments * (3 + 2 lines) + returns (2 + returns * (3 + 3 lines))
RETURNS_BY_ORDER = f"""query ReturnsByOrder($q: String!, $n: Int!, $lines: Int!, $fulfillments: Int!,
    $returns: Int!) {{
  orders(first: $n, query: $q) {{ nodes {{ id name
    lineItems(first: $lines) {{ nodes {{ id sku }} }}
    fulfillments(first: $fulfillments) {{ status
      fulfillmentLineItems(first: $lines) {{ nodes {{ id quantity lineItem {{ id }} }} }} }}
    returns(first: $returns) {{ nodes {{ {_RETURN} }} }} }} }} }}"""

# 2 + 4n: whether each order has a return at all (most have none; RETURNS_BY_ORDER is ~250 an order)
RETURN_PRESENCE = """query ReturnPresence($q: String!, $n: Int!) {
  orders(first: $n, query: $q) { nodes { name returns(first: 1) { nodes { id } } } } }"""

CREATE_RETURN = f"""mutation CreateReturn($input: ReturnInput!, $key: String!, $lines: Int!) {{
  returnCreate(returnInput: $input) @idempotent(key: $key) {{
    return {{ {_RETURN} }} userErrors {{ field message code }} }} }}"""

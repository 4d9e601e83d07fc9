"""@requires: several required fields, nested required selections ("dimensions { size weight }"),
a required list of value objects, a @requires field that takes arguments, requirements that live
in a third subgraph (and in two other subgraphs at once), and @requires fields under lists
(orders -> lines -> product), client aliases that collide with the required fields' names, and
entities missing in the subgraphs that provide the requirements.

- products: Product @key("id") { name price dimensions parts }; Dimensions is a @shareable value type.
- inventory: Product { warehouse stockLevel }.
- shipping: Product { shippingCost(zone, express) @requires("price dimensions { size weight }"),
  deliveryEstimate @requires("warehouse") (from inventory), canShipToday @requires("stockLevel
  warehouse price") (from inventory and products), packageGrams @requires("parts { weight }") }.
- orders: Order { lines: [OrderLine] } whose products are references only.
"""

from __future__ import annotations

from typing import Any

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

PRODUCTS = [
    {
        "id": "p1",
        "name": "Desk",
        "price": 420,
        "dimensions": {"size": "L", "weight": 30.2, "unit": "kg"},
        "parts": [{"size": "L", "weight": 22.6, "unit": "kg"}, {"size": "S", "weight": 7.6, "unit": "kg"}],
    },
    {
        "id": "p2",
        "name": "Sofa",
        "price": 1850,
        "dimensions": {"size": "XL", "weight": 55.4, "unit": "kg"},
        "parts": [{"size": "XL", "weight": 55.4, "unit": "kg"}],
    },
    {
        "id": "p3",
        "name": "Mug",
        "price": 9,
        "dimensions": {"size": "S", "weight": 0.5, "unit": "kg"},
        "parts": [],
    },
    {"id": "p4", "name": "Gift card", "price": 25, "dimensions": None, "parts": []},
    # not listed by Query.products; only order o4 reaches it
    {
        "id": "p5",
        "name": "Lamp",
        "price": 60,
        "dimensions": {"size": "S", "weight": 2.5, "unit": "kg"},
        "parts": [],
    },
]
STOCK = [
    {"id": "p1", "warehouse": "OSL", "stockLevel": 4},
    {"id": "p2", "warehouse": "MIL", "stockLevel": 0},
    {"id": "p3", "warehouse": "OSL", "stockLevel": 250},
    {"id": "p4", "warehouse": None, "stockLevel": None},
]
ORDERS = [
    {"id": "o1", "buyer": "ada", "lines": [("p1", 1), ("p3", 4)]},
    {"id": "o2", "buyer": "alan", "lines": [("p2", 1), ("p4", 2), ("p3", 1)]},
    {"id": "o3", "buyer": "grace", "lines": []},
    # p9 is unknown everywhere; p5 is in products and shipping but not in inventory
    {"id": "o4", "buyer": "edsger", "lines": [("p9", 1), ("p5", 2)]},
]
ZONES = {"EU": 5, "US": 15, "ASIA": 25}
DELIVERY = {"OSL": "1-2 days", "MIL": "3-5 days"}


def _product(p: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Product", **p}


def _shipping_cost(o: dict[str, Any], a: dict[str, Any]) -> int | None:
    dims = o.get("dimensions")
    if dims is None:
        return None
    base = ZONES[a["zone"]] + int(dims["weight"] * 2) + {"S": 0, "L": 10, "XL": 40}[dims["size"]]
    if o["price"] >= 1000:
        base = base // 2
    return base + (20 if a["express"] else 0)


def _can_ship_today(o: dict[str, Any], _a: dict[str, Any]) -> bool:
    return bool(o.get("stockLevel")) and o.get("warehouse") == "OSL" and o["price"] < 1000


def _order(o: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "Order",
        "id": o["id"],
        "buyer": o["buyer"],
        "lines": [
            {"__typename": "OrderLine", "quantity": q, "product": {"__typename": "Product", "id": pid}}
            for pid, q in o["lines"]
        ],
    }


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "products",
            LINK
            + """
            type Query { products: [Product!]! product(id: ID!): Product }
            type Product @key(fields: "id") {
              id: ID!
              name: String!
              price: Int!
              dimensions: Dimensions
              parts: [Dimensions!]!
            }
            type Dimensions @shareable { size: String! weight: Float! unit: String }
            """,
            tables={"Product": [_product(p) for p in PRODUCTS]},
            resolvers={
                "Query.products": lambda _o, _a: [_product(p) for p in PRODUCTS[:4]],
                "Query.product": lambda _o, a: next(
                    (_product(p) for p in PRODUCTS if p["id"] == a["id"]), None
                ),
            },
        ),
        TestSubgraph(
            "inventory",
            LINK
            + """
            type Product @key(fields: "id") { id: ID! warehouse: String stockLevel: Int }
            """,
            tables={"Product": [_product(s) for s in STOCK]},
        ),
        TestSubgraph(
            "shipping",
            LINK
            + """
            type Product @key(fields: "id") {
              id: ID!
              price: Int! @external
              dimensions: Dimensions @external
              parts: [Dimensions!]! @external
              warehouse: String @external
              stockLevel: Int @external
              shippingCost(zone: Zone!, express: Boolean = false): Int
                @requires(fields: "price dimensions { size weight }")
              deliveryEstimate: String @requires(fields: "warehouse")
              canShipToday: Boolean! @requires(fields: "stockLevel warehouse price")
              packageGrams: Int! @requires(fields: "parts { weight }")
            }
            type Dimensions @shareable { size: String! weight: Float! }
            enum Zone { EU US ASIA }
            """,
            # shipping stores nothing but ids: everything it computes comes from the representations
            tables={"Product": [{"__typename": "Product", "id": p["id"]} for p in PRODUCTS]},
            resolvers={
                "Product.shippingCost": _shipping_cost,
                "Product.deliveryEstimate": lambda o, _a: DELIVERY.get(o.get("warehouse") or "", "unknown"),
                "Product.canShipToday": _can_ship_today,
                "Product.packageGrams": lambda o, _a: round(
                    sum(part["weight"] for part in o["parts"]) * 1000
                ),
            },
        ),
        TestSubgraph(
            "orders",
            LINK
            + """
            type Query { orders: [Order!]! order(id: ID!): Order }
            type Order @key(fields: "id") { id: ID! buyer: String! lines: [OrderLine!]! }
            type OrderLine { quantity: Int! product: Product }
            type Product @key(fields: "id", resolvable: false) { id: ID! }
            """,
            tables={"Order": [_order(o) for o in ORDERS]},
            resolvers={
                "Query.orders": lambda _o, _a: [_order(o) for o in ORDERS[:3]],
                "Query.order": lambda _o, a: next((_order(o) for o in ORDERS if o["id"] == a["id"]), None),
            },
        ),
    ]


QUERIES = [
    Query("requires several fields with a nested selection", "{ products { name shippingCost(zone: EU) } }"),
    Query(
        "a field with arguments, aliased twice, with variables",
        """
        query ($zone: Zone!, $fast: Boolean) {
          products { id eu: shippingCost(zone: EU) there: shippingCost(zone: $zone, express: $fast) }
        }
        """,
        {"zone": "ASIA", "fast": True},
    ),
    Query(
        "requirement from a third subgraph",
        '{ product(id: "p2") { name deliveryEstimate } }',
    ),
    Query(
        "requirements from two other subgraphs at once",
        "{ products { id canShipToday deliveryEstimate stockLevel } }",
    ),
    Query("a required list of value objects", "{ products { name packageGrams parts { size } } }"),
    Query(
        "requires under lists of lists",
        """
        { orders { id lines { quantity product { name shippingCost(zone: US) canShipToday packageGrams } } } }
        """,
    ),
    Query(
        "requires straight from an entity reference",
        '{ order(id: "o2") { buyer lines { product { deliveryEstimate } } } }',
    ),
    Query(
        "client aliases named like the required fields",
        "{ products { price: name dimensions: id shippingCost(zone: EU) } }",
        expected={
            "data": {
                "products": [
                    {"price": "Desk", "dimensions": "p1", "shippingCost": 75},
                    {"price": "Sofa", "dimensions": "p2", "shippingCost": 77},
                    {"price": "Mug", "dimensions": "p3", "shippingCost": 6},
                    {"price": "Gift card", "dimensions": "p4", "shippingCost": None},
                ]
            }
        },
        why="Apollo's plan reuses the client's `price: name` and `dimensions: id` as the requirement "
        '(it sends price "Desk" and dimensions "p1" to shipping), so shippingCost comes back null; '
        "the representation must carry Product.price and Product.dimensions",
    ),
    Query(
        "client aliases named like requirements from a third subgraph, after the @requires field",
        "{ products { id canShipToday stockLevel: price warehouse: name } }",
        expected={
            "data": {
                "products": [
                    {"id": "p1", "canShipToday": True, "stockLevel": 420, "warehouse": "Desk"},
                    {"id": "p2", "canShipToday": False, "stockLevel": 1850, "warehouse": "Sofa"},
                    {"id": "p3", "canShipToday": True, "stockLevel": 9, "warehouse": "Mug"},
                    {"id": "p4", "canShipToday": False, "stockLevel": 25, "warehouse": "Gift card"},
                ]
            }
        },
        why="Apollo's inventory fetch writes the required stockLevel and warehouse over the client's "
        "`stockLevel: price` and `warehouse: name` (data null: 'Cannot return null for non-nullable field')",
    ),
    Query(
        "required fields also asked by the client",
        "{ products { price dimensions { weight unit } shippingCost(zone: US, express: true) warehouse } }",
    ),
    Query(
        "fragments and typename around requires",
        """
        query {
          __typename
          orders { __typename lines { ...Line } }
        }
        fragment Line on OrderLine { __typename product { __typename ...Ship } }
        fragment Ship on Product { id ... on Product { deliveryEstimate cost: shippingCost(zone: EU) } }
        """,
    ),
    Query(
        "skip and include on requires fields",
        """
        query ($cost: Boolean!, $fast: Boolean!) {
          products {
            id
            shippingCost(zone: EU) @include(if: $cost)
            canShipToday @skip(if: $cost)
            ... @include(if: $fast) { deliveryEstimate packageGrams }
            ... @skip(if: $fast) { stockLevel }
          }
        }
        """,
        {"cost": False, "fast": True},
    ),
    Query(
        "a client alias named like a required field, after the @requires field",
        "{ products { id shippingCost(zone: EU) price: name } }",
        expected={
            "data": {
                "products": [
                    {"id": "p1", "shippingCost": 75, "price": "Desk"},
                    {"id": "p2", "shippingCost": 77, "price": "Sofa"},
                    {"id": "p3", "shippingCost": 6, "price": "Mug"},
                    {"id": "p4", "shippingCost": None, "price": "Gift card"},
                ]
            }
        },
        why="Apollo's plan drops the client's `price: name` (it fetches only the requirement's price) "
        "and then rejects the Int as a String: data null with 'Invalid value found for field Product.price'",
    ),
    Query(
        "requires on entities missing in the providing subgraphs",
        """
        { order(id: "o4") {
            buyer lines { quantity product { id shippingCost(zone: EU) deliveryEstimate } } } }
        """,
    ),
]

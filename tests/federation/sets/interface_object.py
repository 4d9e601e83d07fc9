"""``@interfaceObject`` (federation v2.3): the catalog owns the entity interface ``Product`` (``@key`` on
the interface) and its implementations; inventory and reviews see ``Product`` as an object type and add
fields to every implementation; a fourth subgraph extends two concrete implementations. Queries start
from the interface-owning side (asking interfaceObject fields) and from the interfaceObject side (root
fields returning the interface), where ``__typename``, concrete-type fragments and interface fields of
the owner need a fetch from the catalog first; one interfaceObject subgraph's objects are completed by
the other. Also: entities missing in a subgraph, lists with nulls, and a subgraph error.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

PRODUCTS: list[dict[str, Any]] = [
    {"__typename": "Shoe", "id": "s1", "name": "Trail Runner", "price": 120, "size": 42.5},
    {"__typename": "Shirt", "id": "t1", "name": "Oxford Shirt", "price": 60, "color": "blue"},
    {"__typename": "Hat", "id": "h1", "name": "Panama", "price": 45, "brim": True},
    {"__typename": "Shoe", "id": "s2", "name": "Loafer", "price": 150, "size": 41.5},
    {"__typename": "Shirt", "id": "t2", "name": "Linen Tee", "price": 25, "color": None},
]
WAREHOUSES = {"BER": {"code": "BER", "city": "Berlin"}, "LIS": {"code": "LIS", "city": "Lisbon"}}
# t2 is missing from inventory: its stock is null.
STOCK: list[dict[str, Any]] = [
    {"id": "s1", "stock": 3, "warehouse": "BER", "restockDate": "2024-05-01"},
    {"id": "t1", "stock": 0, "warehouse": "BER", "restockDate": None},
    {"id": "h1", "stock": 12, "warehouse": "LIS", "restockDate": "2024-06-15"},
    {"id": "s2", "stock": 2, "warehouse": None, "restockDate": "2024-05-20"},
]
# Averages are never whole numbers: JSON text of 4.0 (Python) and 4 (JavaScript) would differ.
REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "stars": 5, "author": "ann", "product": "s1"},
    {"id": "r2", "stars": 4, "author": "bob", "product": "h1"},
    {"id": "r3", "stars": 4, "author": "cy", "product": "s1"},
    {"id": "r4", "stars": 2, "author": "dee", "product": "t2"},
    {"id": "r5", "stars": 4, "author": "eve", "product": "s2"},
    {"id": "r6", "stars": 3, "author": "fay", "product": "h1"},
    {"id": "r7", "stars": 5, "author": "gus", "product": "s2"},
    {"id": "r8", "stars": 3, "author": "hal", "product": "t2"},
]
FITS: dict[str, Any] = {"s1": ["narrow", "regular"], "s2": ["wide"], "t1": "slim", "t2": "loose"}


def _product(product_id: str) -> dict[str, Any] | None:
    return next((dict(p) for p in PRODUCTS if p["id"] == product_id), None)


def _stock(row: dict[str, Any]) -> dict[str, Any]:
    warehouse = WAREHOUSES.get(row["warehouse"]) if row["warehouse"] else None
    return {"__typename": "Product", **row, "warehouse": warehouse}


def _restock(obj: dict[str, Any], _args: dict[str, Any]) -> Any:
    if obj["id"] == "s2":
        raise GraphQLError("the restock planner is offline for s2")
    return obj.get("restockDate")


def _review(r: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Review", **r, "product": {"__typename": "Product", "id": r["product"]}}


def _average(obj: dict[str, Any], _args: dict[str, Any]) -> float | None:
    stars = [r["stars"] for r in REVIEWS if r["product"] == obj["id"]]
    return sum(stars) / len(stars) if stars else None


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "catalog",
            LINK
            + """
            type Query { products: [Product!]! product(id: ID!): Product }
            interface Product @key(fields: "id") { id: ID! name: String! price: Int }
            type Shoe implements Product @key(fields: "id") { id: ID! name: String! price: Int size: Float }
            type Shirt implements Product @key(fields: "id") {
              id: ID!
              name: String!
              price: Int
              color: String
            }
            type Hat implements Product @key(fields: "id") { id: ID! name: String! price: Int brim: Boolean }
            """,
            tables={
                name: [dict(p) for p in PRODUCTS if p["__typename"] == name]
                for name in ("Shoe", "Shirt", "Hat")
            },
            resolvers={
                "Query.products": lambda _o, _a: [dict(p) for p in PRODUCTS],
                "Query.product": lambda _o, a: _product(a["id"]),
            },
        ),
        TestSubgraph(
            "inventory",
            LINK
            + """
            type Query { lowStock(max: Int = 5): [Product!]! inWarehouse(code: String!): [Product] }
            type Product @key(fields: "id") @interfaceObject {
              id: ID!
              stock: Int
              warehouse: Warehouse
              restockDate: String
            }
            type Warehouse { code: String! city: String }
            """,
            tables={"Product": [_stock(s) for s in STOCK]},
            resolvers={
                "Query.lowStock": lambda _o, a: [_stock(s) for s in STOCK if s["stock"] <= a["max"]],
                "Query.inWarehouse": lambda _o, a: [
                    _stock(s) if s["warehouse"] == a["code"] else None for s in STOCK
                ],
                "Product.restockDate": _restock,
            },
        ),
        TestSubgraph(
            "reviews",
            LINK
            + """
            type Query { topReviewed: Product recentReviews(limit: Int = 3): [Review!]! }
            type Product @key(fields: "id") @interfaceObject {
              id: ID!
              reviews: [Review!]!
              averageRating: Float
            }
            type Review { id: ID! stars: Int author: String product: Product }
            """,
            tables={"Product": [{"__typename": "Product", "id": p["id"]} for p in PRODUCTS]},
            resolvers={
                "Query.topReviewed": lambda _o, _a: {"__typename": "Product", "id": "s1"},
                "Query.recentReviews": lambda _o, a: [_review(r) for r in reversed(REVIEWS)][: a["limit"]],
                "Product.reviews": lambda o, _a: [_review(r) for r in REVIEWS if r["product"] == o["id"]],
                "Product.averageRating": _average,
            },
        ),
        TestSubgraph(
            "fitting",
            LINK
            + """
            type Shoe @key(fields: "id") { id: ID! widths: [String!] }
            type Shirt @key(fields: "id") { id: ID! fit: String }
            """,
            tables={
                "Shoe": [
                    {"__typename": "Shoe", "id": k, "widths": v} for k, v in FITS.items() if k[0] == "s"
                ],
                "Shirt": [{"__typename": "Shirt", "id": k, "fit": v} for k, v in FITS.items() if k[0] == "t"],
            },
        ),
    ]


QUERIES = [
    Query(
        "from the owning side: fields of two interfaceObject subgraphs on every implementation",
        "{ products { __typename id name stock averageRating } }",
    ),
    Query(
        "from the interfaceObject side: only its own fields",
        "{ lowStock { id stock warehouse { code city } } }",
    ),
    Query(
        "from the interfaceObject side: __typename needs the owner",
        "{ lowStock(max: 2) { __typename id stock } }",
    ),
    Query(
        "from the interfaceObject side: concrete fragments, one with a third subgraph's field",
        """{ lowStock(max: 3) { id stock ... on Shoe { size widths } ... on Shirt { color fit }
             ... on Hat { brim } } }""",
    ),
    Query(
        "from the interfaceObject side: the owner's interface fields, a list with nulls",
        '{ inWarehouse(code: "BER") { name price stock warehouse { city } } }',
    ),
    Query(
        "from one interfaceObject subgraph to the other and to the owner",
        "{ recentReviews(limit: 4) { stars author product { id stock name reviews { author } } } }",
    ),
    Query(
        "concrete fragments on the owning side with interfaceObject fields under them",
        """{ products { ... on Shoe { name stock widths } ... on Hat { brim reviews { stars } }
             ... on Shirt { fit averageRating } } }""",
    ),
    Query(
        "a missing entity and an unknown id",
        """{ a: product(id: "t2") { name stock restockDate reviews { author } }
             b: product(id: "zz") { name stock } }""",
    ),
    Query(
        "a subgraph error from an interfaceObject field",
        "{ products { id restockDate } }",
    ),
    Query(
        "aliases, variables, skip and include across both sides",
        """query ($max: Int, $withCatalog: Boolean!, $noReviews: Boolean!) {
             lowStock(max: $max) { units: stock label: name @include(if: $withCatalog)
               ... on Shoe @include(if: $withCatalog) { size }
               reviews @skip(if: $noReviews) { stars } } }""",
        {"max": 3, "withCatalog": True, "noReviews": False},
    ),
    Query(
        "skip the catalog from the interfaceObject side",
        """query ($max: Int, $withCatalog: Boolean!, $noReviews: Boolean!) {
             lowStock(max: $max) { units: stock label: name @include(if: $withCatalog)
               ... on Shoe @include(if: $withCatalog) { size }
               reviews @skip(if: $noReviews) { stars } } }""",
        {"max": 3, "withCatalog": False, "noReviews": True},
    ),
    Query(
        "named fragments on the interface from an interfaceObject root field",
        """query Top { topReviewed { ...Card } recentReviews(limit: 2) { product { ...Card } } }
           fragment Card on Product { id averageRating ...Details }
           fragment Details on Product { name ... on Shoe { size } stock }""",
    ),
    Query(
        "typename at every level",
        """{ __typename topReviewed { __typename reviews { __typename product { __typename id } } }
             inWarehouse(code: "LIS") { __typename warehouse { __typename code } } }""",
    ),
    Query(
        "an inline fragment on the interface itself from the interfaceObject side",
        "{ topReviewed { ... on Product { averageRating name } stock } }",
    ),
]

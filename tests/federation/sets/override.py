"""@override: fields (and a root field) moved out of a legacy subgraph, an overridden field that stays
the legacy subgraph's @key (``usedOverridden``), an override from a subgraph that no longer exists,
and progressive override with labels (federation v2.7): ``percent(0)`` and a custom label that no
one turns on, so those fields stay with the legacy subgraph.

The legacy subgraph still implements every field it lost, with stale values ("(legacy)" names,
old prices, old stock), so an answer shows which subgraph served each field.

- legacy: Product @key("upc") @key("sku") with everything; its sku is overridden but stays its key.
- catalog: Query.product @override(from: "legacy"); Product.sku, Product.name @override(from: "legacy");
  Product.description @override(from: "cms") (no such subgraph).
- pricing: Product.price @override(from: "legacy").
- inventory: Product @key("sku") { inStock @override(label: "percent(0)"), rating @override(label:
  "reviews-v2"), warehouse }.
"""

from __future__ import annotations

from typing import Any

from tests.federation.sets import Query
from tests.federation.subgraph import TestSubgraph

LINK_27 = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", '
    '"@external", "@requires", "@provides", "@override"])\n'
)

PRODUCTS = [
    {"upc": "u1", "sku": "TBL-1", "name": "Table", "price": 899, "inStock": True, "rating": 4.5},
    {"upc": "u2", "sku": "CCH-2", "name": "Couch", "price": 1299, "inStock": False, "rating": 3.5},
    {"upc": "u3", "sku": "CHR-3", "name": "Chair", "price": 54, "inStock": True, "rating": None},
]
# what the legacy subgraph still answers for the fields it lost
LEGACY = {
    "u1": {"name": "TABLE (legacy)", "price": 799, "inStock": False, "rating": 2.5},
    "u2": {"name": "COUCH (legacy)", "price": 1199, "inStock": True, "rating": 1.5},
    "u3": {"name": "CHAIR (legacy)", "price": 44, "inStock": False, "rating": 0.5},
}
DESCRIPTIONS = {"u1": "Solid oak", "u2": None, "u3": "Stackable"}
WAREHOUSES = {"TBL-1": "OSL", "CCH-2": "MIL", "CHR-3": "OSL"}
NEW_ARRIVALS = ["u3", "u1"]
RELATED = {"u1": ["u3"], "u2": ["u1", "u3"], "u3": []}


def _legacy(p: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Product", "upc": p["upc"], "sku": p["sku"], "reviewsCount": 2, **LEGACY[p["upc"]]}


def _catalog(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "Product",
        "upc": p["upc"],
        "sku": p["sku"],
        "name": p["name"],
        "description": DESCRIPTIONS[p["upc"]],
    }


def _inventory(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "Product",
        "sku": p["sku"],
        "inStock": p["inStock"],
        "rating": p["rating"],
        "warehouse": WAREHOUSES[p["sku"]],
    }


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "legacy",
            LINK_27
            + """
            type Query { products: [Product!]! product(upc: String!): Product bySku(sku: String!): Product }
            type Product @key(fields: "upc") @key(fields: "sku") {
              upc: String!
              sku: String!
              name: String!
              price: Int
              inStock: Boolean
              rating: Float
              reviewsCount: Int
              related: [Product!]!
            }
            """,
            tables={"Product": [_legacy(p) for p in PRODUCTS]},
            resolvers={
                "Query.products": lambda _o, _a: [_legacy(p) for p in PRODUCTS],
                "Query.product": lambda _o, a: next(
                    (_legacy(p) for p in PRODUCTS if p["upc"] == a["upc"]), None
                ),
                "Query.bySku": lambda _o, a: next(
                    (_legacy(p) for p in PRODUCTS if p["sku"] == a["sku"]), None
                ),
                "Product.related": lambda o, _a: [
                    _legacy(p) for p in PRODUCTS if p["upc"] in RELATED[o["upc"]]
                ],
            },
        ),
        TestSubgraph(
            "catalog",
            LINK_27
            + """
            type Query {
              product(upc: String!): Product @override(from: "legacy")
              newArrivals: [Product!]!
            }
            type Product @key(fields: "upc") @key(fields: "sku") {
              upc: String!
              sku: String! @override(from: "legacy")
              name: String! @override(from: "legacy")
              description: String @override(from: "cms")
            }
            """,
            tables={"Product": [_catalog(p) for p in PRODUCTS]},
            resolvers={
                "Query.product": lambda _o, a: next(
                    (_catalog(p) for p in PRODUCTS if p["upc"] == a["upc"]), None
                ),
                "Query.newArrivals": lambda _o, _a: [
                    _catalog(p) for upc in NEW_ARRIVALS for p in PRODUCTS if p["upc"] == upc
                ],
            },
        ),
        TestSubgraph(
            "pricing",
            LINK_27
            + """
            type Query { cheapest: Product }
            type Product @key(fields: "upc") {
              upc: String!
              price: Int @override(from: "legacy")
              currency: String
              name: String! @external
              priceTag: String @requires(fields: "name")
            }
            """,
            tables={
                "Product": [
                    {"__typename": "Product", "upc": p["upc"], "price": p["price"], "currency": "EUR"}
                    for p in PRODUCTS
                ]
            },
            resolvers={
                "Product.priceTag": lambda o, _a: f"{o['name']}: {o['price']} {o['currency']}",
                "Query.cheapest": lambda _o, _a: {
                    "__typename": "Product",
                    "upc": "u3",
                    "price": PRODUCTS[2]["price"],
                    "currency": "EUR",
                },
            },
        ),
        TestSubgraph(
            "inventory",
            LINK_27
            + """
            type Query { lowStock: [Product!]! }
            type Product @key(fields: "sku") {
              sku: String!
              inStock: Boolean @override(from: "legacy", label: "percent(0)")
              rating: Float @override(from: "legacy", label: "reviews-v2")
              warehouse: String
            }
            """,
            tables={"Product": [_inventory(p) for p in PRODUCTS]},
            resolvers={
                "Query.lowStock": lambda _o, _a: [_inventory(p) for p in PRODUCTS if not p["inStock"]],
            },
        ),
    ]


QUERIES = [
    Query("overridden fields come from their new subgraphs", "{ products { upc name price currency } }"),
    Query(
        "an overridden root field",
        '{ product(upc: "u2") { upc sku name description price reviewsCount } }',
    ),
    Query(
        "the overridden key still enters the legacy subgraph",
        "{ newArrivals { sku name reviewsCount } }",
    ),
    Query(
        "asking the overridden key field itself from the legacy subgraph",
        "query ($sku: String!) { bySku(sku: $sku) { sku upc name } }",
        {"sku": "CHR-3"},
    ),
    Query(
        "override from a subgraph that does not exist",
        "{ products { name description } }",
    ),
    Query(
        "percent(0) keeps the field in the legacy subgraph",
        "{ products { sku inStock warehouse } }",
    ),
    Query(
        "an unset label keeps the field in the legacy subgraph",
        "{ newArrivals { name rating reviewsCount } }",
    ),
    Query(
        "progressive fields asked from the subgraph they are moving to",
        "{ lowStock { sku warehouse inStock rating } }",
    ),
    Query(
        "every kind of override in one query, aliases and typename",
        """
        { __typename
          all: products { __typename id: upc title: name cost: price stock: inStock stars: rating }
          one: product(upc: "u1") { __typename name price warehouse }
          cheap: cheapest { name price reviewsCount sku } }
        """,
    ),
    Query(
        "fragments on moved fields",
        """
        query { products { ...Moved ...Progressive } }
        fragment Moved on Product { name ... on Product { price description } }
        fragment Progressive on Product { inStock rating ... on Product { warehouse } }
        """,
    ),
    Query(
        "skip and include on moved fields",
        """
        query ($new: Boolean!) {
          newArrivals { sku name @include(if: $new) price @skip(if: $new) description @include(if: $new) }
        }
        """,
        {"new": False},
    ),
    Query(
        "null root entity",
        '{ product(upc: "u404") { name price } cheapest { sku warehouse } }',
    ),
    Query(
        "a requirement on an overridden field comes from the new subgraph",
        "{ products { priceTag } cheapest { priceTag } }",
    ),
    Query(
        "lists of lists through the legacy subgraph",
        "{ products { upc related { name price inStock related { sku description } } } }",
    ),
]

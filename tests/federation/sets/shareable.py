"""@shareable: root fields offered by several subgraphs (one of which alone can resolve part of the
selection), shareable entity fields that the current subgraph resolves without a jump, and
@shareable value types (Shop, Address, Category, Money) returned by several subgraphs.

- catalog: Query.shop/products @shareable; Product { name category @shareable, price: Money };
  Address.zip only here.
- search: Query.shop/products @shareable, Query.search; Product { name category @shareable, score }.
- reviews: Product { name @shareable, reviews }, Review { pricePaid: Money, product }.
"""

from __future__ import annotations

from typing import Any

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

CATEGORIES = {
    "furniture": {"slug": "furniture", "title": "Furniture"},
    "kitchen": {"slug": "kitchen", "title": "Kitchen"},
}
PRODUCTS = [
    {"id": "p1", "name": "Oak Table", "category": "furniture", "price": 899, "score": 0.25},
    {"id": "p2", "name": "Velvet Couch", "category": "furniture", "price": 1299, "score": 0.75},
    {"id": "p3", "name": "Chair", "category": None, "price": 54, "score": 0.5},
    {"id": "p4", "name": "Kettle", "category": "kitchen", "price": 35, "score": 0.125},
]
REVIEWS = [
    {"id": "r1", "product": "p1", "rating": 5, "text": "Sturdy", "paid": 850},
    {"id": "r2", "product": "p1", "rating": 3, "text": None, "paid": 899},
    {"id": "r3", "product": "p2", "rating": 4, "text": "Comfy", "paid": 1199},
    {"id": "r4", "product": "p3", "rating": 2, "text": "Wobbly", "paid": 54},
]
SHOP = {"name": "Nordic Home", "currency": "EUR"}
ADDRESS = {"street": "Storgata 1", "city": "Oslo", "country": "NO"}


def _category(slug: str | None) -> dict[str, Any] | None:
    return None if slug is None else {"__typename": "Category", **CATEGORIES[slug]}


def _catalog(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "Product",
        "id": p["id"],
        "name": p["name"],
        "category": _category(p["category"]),
        "price": {"__typename": "Money", "amount": p["price"], "currency": "EUR"},
    }


def _search(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "Product",
        "id": p["id"],
        "name": p["name"],
        "category": _category(p["category"]),
        "score": p["score"],
    }


def _review(r: dict[str, Any]) -> dict[str, Any]:
    product = next(p for p in PRODUCTS if p["id"] == r["product"])
    return {
        "__typename": "Review",
        "id": r["id"],
        "rating": r["rating"],
        "text": r["text"],
        "pricePaid": {"__typename": "Money", "amount": r["paid"], "currency": "EUR"},
        "product": {"__typename": "Product", "id": product["id"], "name": product["name"]},
    }


def _shop(with_zip: bool) -> dict[str, Any]:
    address = {"__typename": "Address", **ADDRESS, **({"zip": "0150"} if with_zip else {})}
    return {"__typename": "Shop", **SHOP, "address": address}


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "catalog",
            LINK
            + """
            type Query { shop: Shop @shareable products: [Product!]! @shareable product(id: ID!): Product }
            type Shop @shareable { name: String! currency: String! address: Address }
            type Address @shareable { street: String city: String! country: String! zip: String }
            type Product @key(fields: "id") {
              id: ID!
              name: String! @shareable
              category: Category @shareable
              price: Money!
            }
            type Category @shareable { slug: String! title: String! }
            type Money @shareable { amount: Int! currency: String! }
            """,
            tables={"Product": [_catalog(p) for p in PRODUCTS]},
            resolvers={
                "Query.shop": lambda _o, _a: _shop(True),
                "Query.products": lambda _o, _a: [_catalog(p) for p in PRODUCTS],
                "Query.product": lambda _o, a: next(
                    (_catalog(p) for p in PRODUCTS if p["id"] == a["id"]), None
                ),
            },
        ),
        TestSubgraph(
            "search",
            LINK
            + """
            type Query {
              shop: Shop @shareable
              products: [Product!]! @shareable
              search(term: String!): [Product!]!
            }
            type Shop @shareable { name: String! currency: String! address: Address }
            type Address @shareable { street: String city: String! country: String! }
            type Product @key(fields: "id") {
              id: ID!
              name: String! @shareable
              category: Category @shareable
              score: Float
            }
            type Category @shareable { slug: String! title: String! }
            """,
            tables={"Product": [_search(p) for p in PRODUCTS]},
            resolvers={
                "Query.shop": lambda _o, _a: _shop(False),
                "Query.products": lambda _o, _a: [_search(p) for p in PRODUCTS],
                "Query.search": lambda _o, a: [
                    _search(p) for p in PRODUCTS if a["term"].lower() in p["name"].lower()
                ],
            },
        ),
        TestSubgraph(
            "reviews",
            LINK
            + """
            type Query { latestReviews(last: Int = 2): [Review!]! }
            type Product @key(fields: "id") { id: ID! name: String! @shareable reviews: [Review!] }
            type Review { id: ID! rating: Int! text: String pricePaid: Money product: Product! }
            type Money @shareable { amount: Int! currency: String! }
            """,
            # the kettle (p4) is unknown to reviews
            tables={
                "Product": [{"__typename": "Product", "id": p["id"], "name": p["name"]} for p in PRODUCTS[:3]]
            },
            resolvers={
                "Query.latestReviews": lambda _o, a: [_review(r) for r in REVIEWS[-a["last"] :]],
                "Product.reviews": lambda o, _a: [_review(r) for r in REVIEWS if r["product"] == o["id"]],
            },
        ),
    ]


QUERIES = [
    Query("a shareable root value type", "{ shop { name currency address { city country } } }"),
    Query(
        "only one subgraph offering a shareable root field can resolve it all", "{ shop { address { zip } } }"
    ),
    Query("shareable root list, local fields only", "{ products { id name category { title } } }"),
    Query("shareable root list needing one subgraph's field", "{ products { name score } }"),
    Query(
        "shareable root list needing both subgraphs", "{ products { name score price { amount currency } } }"
    ),
    Query(
        "the current subgraph resolves the shareable field: no jump back",
        '{ search(term: "o") { name category { slug } score reviews { rating product { name } } } }',
    ),
    Query(
        "shareable fields from the reviews side",
        """
        { latestReviews(last: 3) {
            rating pricePaid { amount } product { name category { title } price { amount } } } }
        """,
    ),
    Query(
        "shareable value type from two subgraphs in one answer",
        """
        { products { name price { ...M } reviews { pricePaid { ...M } } } }
        fragment M on Money { amount currency }
        """,
    ),
    Query(
        "every root at once, aliases and typename",
        """
        { __typename
          s: shop { __typename name address { __typename city } }
          z: shop { address { zip street } }
          all: products { __typename id }
          found: search(term: "couch") { __typename title: name rank: score cost: price { amount } }
          latest: latestReviews { __typename id product { __typename id name } } }
        """,
    ),
    Query(
        "variables, skip and include on shareable fields",
        """
        query ($term: String!, $withPrice: Boolean!, $noReviews: Boolean!) {
          search(term: $term) {
            name
            price @include(if: $withPrice) { amount }
            category @skip(if: $withPrice) { title }
            reviews @skip(if: $noReviews) { text }
          }
        }
        """,
        {"term": "a", "withPrice": True, "noReviews": False},
    ),
    Query(
        "an entity missing in one subgraph",
        '{ product(id: "p4") { name category { slug } reviews { rating } } products { id reviews { id } } }',
    ),
    Query(
        "nested fragments and inline fragments on shareable types",
        """
        query { products { ...Card } }
        fragment Card on Product { id ...Names ... on Product { category { ... on Category { slug } } } }
        fragment Names on Product { name ... @include(if: true) { score } }
        """,
    ),
    Query("a null value type", '{ product(id: "p3") { name category { slug title } score } }'),
]

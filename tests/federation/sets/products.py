"""The classic four subgraphs: entities across graphs, @requires, @provides, @shareable, @inaccessible."""

from __future__ import annotations

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

USERS = [
    {"id": "1", "name": "Ada Lovelace", "username": "@ada", "birthDate": "1815-12-10"},
    {"id": "2", "name": "Alan Turing", "username": "@complete", "birthDate": "1912-06-23"},
]
PRODUCTS = [
    {"upc": "1", "name": "Table", "price": 899, "weight": 100},
    {"upc": "2", "name": "Couch", "price": 1299, "weight": 1000},
    {"upc": "3", "name": "Chair", "price": 54, "weight": 50},
]
REVIEWS = [
    {"id": "1", "authorID": "1", "upc": "1", "body": "Love it!"},
    {"id": "2", "authorID": "1", "upc": "2", "body": "Too expensive."},
    {"id": "3", "authorID": "2", "upc": "3", "body": "Could be better."},
    {"id": "4", "authorID": "2", "upc": "1", "body": "Prefer something else."},
]
IN_STOCK = {"1": True, "2": False, "3": True}


def _review(r: dict[str, str]) -> dict[str, object]:
    author = next(u for u in USERS if u["id"] == r["authorID"])
    return {
        "__typename": "Review",
        "id": r["id"],
        "body": r["body"],
        "author": {"__typename": "User", "id": author["id"], "username": author["username"]},
        "product": {"__typename": "Product", "upc": r["upc"]},
    }


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "accounts",
            LINK
            + """
            type Query { me: User users: [User!]! }
            type User @key(fields: "id") {
              id: ID!
              name: String
              username: String @shareable
              birthDate: String @inaccessible
            }
            """,
            tables={"User": [{"__typename": "User", **u} for u in USERS]},
            resolvers={
                "Query.me": lambda _o, _a: {"__typename": "User", **USERS[0]},
                "Query.users": lambda _o, _a: [{"__typename": "User", **u} for u in USERS],
            },
        ),
        TestSubgraph(
            "products",
            LINK
            + """
            type Query { topProducts(first: Int = 5): [Product] product(upc: String!): Product }
            type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }
            """,
            tables={"Product": [{"__typename": "Product", **p} for p in PRODUCTS]},
            resolvers={
                "Query.topProducts": lambda _o, a: [{"__typename": "Product", **p} for p in PRODUCTS][
                    : a["first"]
                ],
                "Query.product": lambda _o, a: next(
                    ({"__typename": "Product", **p} for p in PRODUCTS if p["upc"] == a["upc"]), None
                ),
            },
        ),
        TestSubgraph(
            "reviews",
            LINK
            + """
            type Review @key(fields: "id") {
              id: ID!
              body: String
              author: User @provides(fields: "username")
              product: Product
            }
            type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
            type Product @key(fields: "upc") { upc: String! reviews: [Review] }
            """,
            tables={
                "Review": [_review(r) for r in REVIEWS],
                "User": [{"__typename": "User", "id": u["id"]} for u in USERS],
                "Product": [{"__typename": "Product", "upc": p["upc"]} for p in PRODUCTS],
            },
            resolvers={
                "User.reviews": lambda o, _a: [_review(r) for r in REVIEWS if r["authorID"] == o["id"]],
                "Product.reviews": lambda o, _a: [_review(r) for r in REVIEWS if r["upc"] == o["upc"]],
            },
        ),
        TestSubgraph(
            "inventory",
            LINK
            + """
            type Product @key(fields: "upc") {
              upc: String!
              weight: Int @external
              price: Int @external
              inStock: Boolean
              shippingEstimate: Int @requires(fields: "price weight")
            }
            """,
            tables={"Product": [{"__typename": "Product", "upc": p["upc"]} for p in PRODUCTS]},
            resolvers={
                "Product.inStock": lambda o, _a: IN_STOCK.get(o["upc"]),
                "Product.shippingEstimate": lambda o, _a: 0 if o["price"] > 1000 else o["weight"] // 2,
            },
        ),
    ]


QUERIES = [
    Query("root field of one subgraph", "{ topProducts { upc name price } }"),
    Query("argument and alias", "{ two: topProducts(first: 2) { upc title: name } }"),
    Query("variables", "query ($n: Int) { topProducts(first: $n) { name } }", {"n": 1}),
    Query("entity jump", "{ topProducts { name reviews { body } } }"),
    Query("two jumps deep", "{ topProducts { name reviews { body author { name } } } }"),
    Query("provides saves a fetch", "{ topProducts { reviews { author { username } } } }"),
    Query("requires", "{ topProducts { name shippingEstimate inStock } }"),
    Query("requires from an entity path", "{ me { reviews { product { shippingEstimate } } } }"),
    Query("two root subgraphs in parallel", "{ me { name } topProducts { name } }"),
    Query("typename everywhere", "{ __typename me { __typename reviews { __typename body } } }"),
    Query(
        "fragments",
        """
        query Q { topProducts { ...P } }
        fragment P on Product { upc ... on Product { name reviews { ...R } } }
        fragment R on Review { body author { name } }
        """,
    ),
    Query(
        "skip and include",
        "query ($s: Boolean!) { me { name @skip(if: $s) username @include(if: $s) } }",
        {"s": True},
    ),
    Query(
        "skip false",
        "query ($s: Boolean!) { me { name @skip(if: $s) username @include(if: $s) } }",
        {"s": False},
    ),
    Query("null entity", '{ product(upc: "404") { name reviews { body } } }'),
    Query("the same entity twice is fetched once", "{ users { reviews { product { name inStock } } } }"),
    Query("a named operation", "query Top { topProducts(first: 1) { name } }"),
]

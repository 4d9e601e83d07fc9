"""Unions across subgraphs: union members owned by different subgraphs (a search subgraph knows only the
members' keys), the same union name with different members per subgraph, unions inside lists and lists
of lists, a union with a non-entity (value type) member next to entity members, fragments per member
with entity jumps (one and two hops) under them, entities missing in their owning subgraph, and a
subgraph error for partial data.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

USERS: list[dict[str, Any]] = [
    {"id": "u1", "name": "Ada Lovelace", "handle": "@ada", "bookmarks": [("Post", "p2"), ("Product", "1")]},
    {"id": "u2", "name": "Grace Hopper", "handle": "@grace", "bookmarks": []},
    {"id": "u3", "name": "Linus Torvalds", "handle": "@linus", "bookmarks": None},
]
POSTS: list[dict[str, Any]] = [
    {
        "id": "p1",
        "title": "Hello federation",
        "body": "Types span graphs.",
        "author": "u1",
        "attachments": [{"__typename": "Image", "url": "a.png", "alt": "a diagram"}, ("Product", "1")],
    },
    {"id": "p2", "title": "Union types", "body": "One of many.", "author": "u2", "attachments": []},
    {
        "id": "p3",
        "title": "Shopping list",
        "body": "What to buy.",
        "author": "u1",
        "attachments": [
            ("Product", "2"),
            ("Product", "3"),
            None,
            {"__typename": "Image", "url": "list.png", "alt": None},
        ],
    },
]
# Product 4 is known to search and users but missing in shop; its price feed fails for product 3.
PRODUCTS: list[dict[str, Any]] = [
    {"upc": "1", "name": "Keyboard", "price": 120, "seller": "u3"},
    {"upc": "2", "name": "Mouse", "price": 40, "seller": "u3"},
    {"upc": "3", "name": "Monitor", "price": 300, "seller": "u2"},
]
BUNDLES: list[dict[str, Any]] = [
    {"__typename": "Bundle", "name": "Desk set", "discount": 15, "items": ["1", "3"]},
    {"__typename": "Bundle", "name": "Empty box", "discount": None, "items": []},
]
# Post p9 was deleted in posts; search still finds it.
INDEX = [
    ("User", "u1", "ada lovelace"),
    ("Post", "p1", "hello federation"),
    ("Product", "1", "keyboard"),
    ("User", "u2", "grace hopper"),
    ("Post", "p2", "union types"),
    ("Product", "3", "monitor"),
    ("Post", "p9", "deleted post"),
    ("Product", "4", "desk lamp"),
    ("Post", "p3", "shopping list"),
    ("Product", "2", "mouse"),
]
# Apollo Gateway maps an error of an entity fetch to the path of the n-th non-null object at the
# fetch's path, counting objects that got no representation (Images, the other member): the Monitor's
# price error (posts[2].attachments[1], the third Product) is reported at posts[2].attachments[0].
APOLLO_ERROR_PATH = (
    "Apollo Gateway reports an entity fetch's error at the path of the n-th object at the fetch path, "
    "counting objects of other types that got no representation: the error path must point at the "
    "field that failed (GraphQL spec, 7.1.2 Errors: path)"
)
KEY = {"User": "id", "Post": "id", "Product": "upc"}


def _ref(typename: str, key: str) -> dict[str, Any]:
    return {"__typename": typename, KEY[typename]: key}


def _attachment(value: Any) -> Any:
    return _ref(*value) if isinstance(value, tuple) else value


def _price(product: dict[str, Any], _args: dict[str, Any]) -> Any:
    if product["upc"] == "3":
        raise GraphQLError("the price feed is down for Monitor")
    return product.get("price")


def _post(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "Post",
        **p,
        "author": _ref("User", p["author"]),
        "attachments": [_attachment(a) for a in p["attachments"]],
    }


def _product(p: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Product", **p, "seller": _ref("User", p["seller"])}


def _bundle(b: dict[str, Any]) -> dict[str, Any]:
    items = [_product(p) for upc in b["items"] for p in PRODUCTS if p["upc"] == upc]
    return {**b, "items": items}


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "search",
            LINK
            + """
            type Query {
              search(text: String!): [SearchResult!]!
              pinned: SearchResult
              trending: [[SearchResult]]!
            }
            union SearchResult = User | Post | Product
            type User @key(fields: "id") { id: ID! }
            type Post @key(fields: "id") { id: ID! }
            type Product @key(fields: "upc") { upc: String! }
            """,
            tables={
                "User": [_ref("User", u["id"]) for u in USERS],
                "Post": [_ref("Post", p["id"]) for p in POSTS],
                "Product": [_ref("Product", p["upc"]) for p in PRODUCTS],
            },
            resolvers={
                "Query.search": lambda _o, a: [
                    _ref(t, k) for t, k, words in INDEX if a["text"].lower() in words
                ],
                "Query.pinned": lambda _o, _a: _ref("Post", "p2"),
                "Query.trending": lambda _o, _a: [
                    [_ref("User", "u2"), _ref("Post", "p1")],
                    [],
                    None,
                    [_ref("Product", "4"), None, _ref("Post", "p9"), _ref("Product", "2")],
                ],
            },
        ),
        TestSubgraph(
            "users",
            LINK
            + """
            type Query { user(id: ID!): User }
            type User @key(fields: "id") { id: ID! name: String handle: String bookmarks: [Bookmark!] }
            union Bookmark = Post | Product
            type Post @key(fields: "id") { id: ID! }
            type Product @key(fields: "upc") { upc: String! }
            """,
            tables={"User": [{"__typename": "User", **u} for u in USERS]},
            resolvers={
                "Query.user": lambda _o, a: next(
                    ({"__typename": "User", **u} for u in USERS if u["id"] == a["id"]), None
                ),
                "User.bookmarks": lambda o, _a: (
                    None if o["bookmarks"] is None else [_ref(*b) for b in o["bookmarks"]]
                ),
            },
        ),
        TestSubgraph(
            "posts",
            LINK
            + """
            type Query { posts: [Post!]! }
            type Post @key(fields: "id") {
              id: ID!
              title: String
              body: String
              author: User
              attachments: [Attachment]
            }
            type User @key(fields: "id") { id: ID! posts: [Post!]! }
            union Attachment = Image | Product
            type Image { url: String! alt: String }
            type Product @key(fields: "upc") { upc: String! }
            """,
            tables={
                "Post": [_post(p) for p in POSTS],
                "User": [_ref("User", u["id"]) for u in USERS],
            },
            resolvers={
                "Query.posts": lambda _o, _a: [_post(p) for p in POSTS],
                "User.posts": lambda o, _a: [_post(p) for p in POSTS if p["author"] == o["id"]],
            },
        ),
        TestSubgraph(
            "shop",
            LINK
            + """
            type Query { deals: [Deal!]! }
            union Deal = Product | Bundle
            type Product @key(fields: "upc") { upc: String! name: String price: Int seller: User }
            type Bundle { name: String discount: Int items: [Product!]! }
            type User @key(fields: "id") { id: ID! }
            """,
            tables={"Product": [_product(p) for p in PRODUCTS]},
            resolvers={
                "Query.deals": lambda _o, _a: [
                    _bundle(BUNDLES[0]),
                    _product(PRODUCTS[1]),
                    _bundle(BUNDLES[1]),
                    _product(PRODUCTS[2]),
                ],
                "Product.price": _price,
            },
        ),
    ]


QUERIES = [
    Query(
        "members owned by three subgraphs, a fragment per member",
        """{ search(text: "o") { __typename ... on User { name handle } ... on Post { title }
             ... on Product { upc name } } }""",
    ),
    Query("only __typename on a union", '{ search(text: "e") { __typename } }'),
    Query(
        "lists of lists of a union with nulls and missing entities",
        """{ trending { __typename ... on User { handle } ... on Post { id title }
             ... on Product { upc name } } }""",
    ),
    Query(
        "entity jumps two deep under a member fragment",
        """{ search(text: "ho") { ... on User { name posts { title author { handle } } }
             ... on Post { title author { name posts { id } } } } }""",
    ),
    Query(
        "a union field of an entity in another subgraph, unions nested in unions' members",
        """{ user(id: "u1") { name bookmarks { __typename
             ... on Post { title attachments { __typename ... on Image { url } ... on Product { name } } }
             ... on Product { name seller { handle } } } } }""",
    ),
    Query(
        "a value-type member next to an entity member, with an error in a list under it",
        """{ deals { __typename ... on Bundle { name discount items { upc name price } }
             ... on Product { upc name seller { name } } } }""",
    ),
    Query(
        "a union inside a list with nulls, members from the local and a remote subgraph",
        """{ posts { id attachments { ... on Image { url alt } ... on Product { name price
             seller { handle } } } } }""",
        expected={
            "data": {
                "posts": [
                    {
                        "id": "p1",
                        "attachments": [
                            {"url": "a.png", "alt": "a diagram"},
                            {"name": "Keyboard", "price": 120, "seller": {"handle": "@linus"}},
                        ],
                    },
                    {"id": "p2", "attachments": []},
                    {
                        "id": "p3",
                        "attachments": [
                            {"name": "Mouse", "price": 40, "seller": {"handle": "@linus"}},
                            {"name": "Monitor", "price": None, "seller": {"handle": "@grace"}},
                            None,
                            {"url": "list.png", "alt": None},
                        ],
                    },
                ]
            },
            "errors": [
                {
                    "message": "the price feed is down for Monitor",
                    "path": ["posts", 2, "attachments", 1, "price"],
                }
            ],
        },
        why=APOLLO_ERROR_PATH,
    ),
    Query(
        "aliases on one union field twice with different member fragments",
        """{ a: pinned { ... on Post { t: title } } b: pinned { __typename ... on Post { body
             by: author { id name } } ... on User { name } } }""",
    ),
    Query(
        "skip and include on member fragments and under them",
        """query ($users: Boolean!, $deep: Boolean!) {
             search(text: "e") { ... on User @include(if: $users) { name }
               ... on Post { title author @include(if: $deep) { handle } }
               ... on Product @skip(if: $deep) { name } } }""",
        {"users": False, "deep": True},
    ),
    Query(
        "named fragments per member, nested, and a variable",
        """query Search($text: String!) { search(text: $text) { ...Result } }
           fragment Result on SearchResult { __typename ...U ...P ... on Product { ...Pr } }
           fragment U on User { name bookmarks { ...Pr ... on Post { title } } }
           fragment P on Post { title author { ...U } }
           fragment Pr on Product { upc name }""",
        {"text": "a"},
    ),
    Query(
        "a union of an entity reached through a jump, then a jump under a member",
        "{ posts { author { handle bookmarks { ... on Product { name seller { name } } } } } }",
    ),
    Query(
        "typename at every level",
        """{ __typename user(id: "u1") { __typename bookmarks { __typename ... on Post { __typename
             attachments { __typename } } } }
             deals { __typename ... on Bundle { items { __typename } } } }""",
    ),
    Query(
        "a subgraph error under a member of a union in a list",
        "{ deals { ... on Product { name price } } }",
    ),
    Query(
        "a subgraph error in an entity fetch under a member fragment",
        '{ search(text: "m") { __typename ... on Product { name price } ... on Post { title } } }',
    ),
]

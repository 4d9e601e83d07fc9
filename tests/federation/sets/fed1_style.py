"""Federation 1 style subgraphs (no @link) composed with federation 2 subgraphs.

Covered: ``extend type Product @key(fields: "upc") { upc: String! @external ... }`` extensions whose base
type lives elsewhere; ``@extends`` on a type definition; fed1 @requires and @provides on @external fields;
``extend type Query`` root fields, one of them in two fed1 subgraphs (implicitly shareable) returning a
value type that each of them completes in part; value types without @shareable in a fed1 subgraph that
the fed2 side declares @shareable, with a deeper value field only the fed1 subgraph resolves, reached
through the entity's key. Also an interface with fragments, lists of lists, nulls, an entity missing
in a fed1 subgraph and a subgraph error.

- products (fed2): Query { topProducts(first) product(upc) }; Product @key("upc") { upc name price
  weight dimensions: Dimensions @shareable media: [Media!]! }; Dimensions @shareable { width height };
  interface Media { url } with Photo and Video.
- inventory (fed1): extend type Query { restocking summary }; Summary { products outOfStock };
  extend type Product @key("upc") { upc @external weight @external price @external inStock
  shippingEstimate @requires("price weight") dimensions location }; Dimensions { width height depth }
  and Location { aisle bins: [[String]] } without @shareable.
- reviews (fed1): extend type Query { topReviews(first) summary }; Summary { products reviews
  averageRating }; Review @key("id") { id body rating author @provides("username") product };
  User @key("id") @extends { id @external username @external reviews };
  extend type Product @key("upc") { upc @external reviews }.
- accounts (fed2): Query { me users }; User @key("id") { id name username @shareable }.

graphql-core cannot build a schema from extensions of types that are never defined, so the fed1
subgraphs (:class:`Fed1Subgraph`) execute against the same SDL with such extensions made definitions,
while ``_service { sdl }`` serves the SDL as written.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, parse, print_ast
from graphql.language import (
    DocumentNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
)

from tests.federation.sets import LINK, Query
from tests.federation.sets._validating import ValidatingSubgraph
from tests.federation.subgraph import TestSubgraph

USERS = [
    {"id": "u1", "name": "Grace Hopper", "username": "@grace"},
    {"id": "u2", "name": "Edsger Dijkstra", "username": "@ewd"},
    {"id": "u3", "name": "Barbara Liskov", "username": "@liskov"},
]
PRODUCTS: list[dict[str, Any]] = [
    {"upc": "1", "name": "Kayak", "price": 899, "weight": 2200, "dims": (60, 30)},
    {"upc": "2", "name": "Paddle", "price": 79, "weight": 900, "dims": (220, 18)},
    {"upc": "3", "name": "Dry Bag", "price": 25, "weight": 150, "dims": None},
    {"upc": "4", "name": "Life Vest", "price": 120, "weight": 700, "dims": (50, 40)},
]
MEDIA: dict[str, list[dict[str, Any]]] = {
    "1": [
        {"__typename": "Photo", "url": "/img/kayak-front.jpg", "width": 1200, "height": 800},
        {"__typename": "Video", "url": "/vid/kayak-roll.mp4", "seconds": 42},
    ],
    "2": [{"__typename": "Photo", "url": "/img/paddle.jpg", "width": 640, "height": 480}],
    "3": [],
    "4": [{"__typename": "Video", "url": "/vid/vest.mp4", "seconds": None}],
}
# Inventory knows products 1-3 (the life vest is missing); depth only here.
STOCK: dict[str, dict[str, Any]] = {
    "1": {"inStock": True, "depth": 45, "aisle": "A", "bins": [["A1", "A2"], ["A7"]]},
    "2": {"inStock": False, "depth": 4, "aisle": "B", "bins": [[], ["B3", None]]},
    "3": {"inStock": True, "depth": None, "aisle": "C", "bins": None},
}
REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "body": "Tracks straight.", "rating": 5, "author": "u1", "upc": "1"},
    {"id": "r2", "body": "Heavy to carry.", "rating": 3, "author": "u2", "upc": "1"},
    {"id": "r3", "body": "Light and stiff.", "rating": 4, "author": "u1", "upc": "2"},
    {"id": "r4", "body": "Leaks a little.", "rating": 2, "author": "u3", "upc": "3"},
    {"id": "r5", "body": "Fits well.", "rating": None, "author": "u2", "upc": "4"},
]


def _as_definitions(sdl: str) -> str:
    """``sdl`` with every ``extend type`` whose type is not defined in it turned into a definition, as
    graphql-core needs for an executable schema (fed1 subgraphs extend types they never define)."""
    document = parse(sdl)
    defined = {
        d.name.value
        for d in document.definitions
        if isinstance(d, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode)
    }
    definitions = []
    for d in document.definitions:
        if isinstance(d, ObjectTypeExtensionNode) and d.name.value not in defined:
            d = ObjectTypeDefinitionNode(
                name=d.name, interfaces=d.interfaces, directives=d.directives, fields=d.fields
            )
        elif isinstance(d, InterfaceTypeExtensionNode) and d.name.value not in defined:
            d = InterfaceTypeDefinitionNode(
                name=d.name, interfaces=d.interfaces, directives=d.directives, fields=d.fields
            )
        definitions.append(d)
    return print_ast(DocumentNode(definitions=tuple(definitions)))


class Fed1Subgraph(ValidatingSubgraph):
    """A federation 1 subgraph: its SDL (served by ``_service``) as written, with type extensions only."""

    def _build(self) -> Any:
        written = self.sdl
        self.sdl = _as_definitions(written)
        try:
            return super()._build()
        finally:
            self.sdl = written


def _product(p: dict[str, Any]) -> dict[str, Any]:
    dims = p["dims"]
    return {
        "__typename": "Product",
        "upc": p["upc"],
        "name": p["name"],
        "price": p["price"],
        "weight": p["weight"],
        "dimensions": None
        if dims is None
        else {"__typename": "Dimensions", "width": dims[0], "height": dims[1]},
        "media": [dict(m) for m in MEDIA[p["upc"]]],
    }


def _stocked(upc: str) -> dict[str, Any] | None:
    stock = STOCK.get(upc)
    if stock is None:
        return None
    dims = next(p["dims"] for p in PRODUCTS if p["upc"] == upc)
    return {
        "__typename": "Product",
        "upc": upc,
        "inStock": stock["inStock"],
        "dimensions": None
        if dims is None
        else {"__typename": "Dimensions", "width": dims[0], "height": dims[1], "depth": stock["depth"]},
        "location": {"__typename": "Location", "aisle": stock["aisle"], "bins": stock["bins"]},
    }


def _shipping(product: dict[str, Any], _a: dict[str, Any]) -> int:
    if product["upc"] == "2":
        raise GraphQLError("no courier takes paddles today")
    return 0 if product["price"] > 500 else product["weight"] // 100


def _average(ratings: list[int | None]) -> float | None:
    given = [r for r in ratings if r is not None]
    return sum(given) / len(given) if given else None


def _review(r: dict[str, Any]) -> dict[str, Any]:
    user = next(u for u in USERS if u["id"] == r["author"])
    return {
        "__typename": "Review",
        **{k: r[k] for k in ("id", "body", "rating")},
        "author": {"__typename": "User", "id": user["id"], "username": user["username"]},
        "product": {"__typename": "Product", "upc": r["upc"]},
    }


def subgraphs() -> list[TestSubgraph]:
    return [
        ValidatingSubgraph(
            "products",
            LINK
            + """
            type Query { topProducts(first: Int = 5): [Product] product(upc: String!): Product }
            type Product @key(fields: "upc") {
              upc: String!
              name: String!
              price: Int
              weight: Int
              dimensions: Dimensions @shareable
              media: [Media!]!
            }
            type Dimensions @shareable { width: Int height: Int }
            interface Media { url: String! }
            type Photo implements Media { url: String! width: Int height: Int }
            type Video implements Media { url: String! seconds: Int }
            """,
            tables={"Product": [_product(p) for p in PRODUCTS]},
            resolvers={
                "Query.topProducts": lambda _o, a: [_product(p) for p in PRODUCTS][: a["first"]],
                "Query.product": lambda _o, a: next(
                    (_product(p) for p in PRODUCTS if p["upc"] == a["upc"]), None
                ),
            },
        ),
        Fed1Subgraph(
            "inventory",
            """
            extend type Query { restocking: [Product] summary: Summary }
            type Summary { products: Int! outOfStock: Int }
            extend type Product @key(fields: "upc") {
              upc: String! @external
              weight: Int @external
              price: Int @external
              inStock: Boolean
              shippingEstimate: Int @requires(fields: "price weight")
              dimensions: Dimensions
              location: Location
            }
            type Dimensions { width: Int height: Int depth: Int }
            type Location { aisle: String! bins: [[String]] }
            """,
            resolvers={
                "Query.restocking": lambda _o, _a: [
                    _stocked(u) for u, s in STOCK.items() if not s["inStock"] or s["depth"] is None
                ],
                "Product.__resolveReference": lambda rep, _a: (
                    None if (found := _stocked(rep["upc"])) is None else {**found, **rep}
                ),
                "Product.shippingEstimate": _shipping,
                "Query.summary": lambda _o, _a: {
                    "products": len(PRODUCTS),
                    "outOfStock": sum(1 for s in STOCK.values() if not s["inStock"]),
                },
            },
        ),
        Fed1Subgraph(
            "reviews",
            """
            extend type Query { topReviews(first: Int = 3): [Review] summary: Summary }
            type Summary { products: Int! reviews: Int averageRating: Float }
            type Review @key(fields: "id") {
              id: ID!
              body: String!
              rating: Int
              author: User @provides(fields: "username")
              product: Product
            }
            type User @key(fields: "id") @extends {
              id: ID! @external
              username: String @external
              reviews: [Review]
            }
            extend type Product @key(fields: "upc") { upc: String! @external reviews: [Review] }
            """,
            tables={"Review": [_review(r) for r in REVIEWS]},
            resolvers={
                "Query.topReviews": lambda _o, a: [_review(r) for r in REVIEWS][: a["first"]],
                "Query.summary": lambda _o, _a: {
                    "products": len(PRODUCTS),
                    "reviews": len(REVIEWS),
                    "averageRating": _average([r["rating"] for r in REVIEWS]),
                },
                "User.__resolveReference": lambda rep, _a: {"id": rep["id"]},
                "Product.__resolveReference": lambda rep, _a: {"upc": rep["upc"]},
                "User.reviews": lambda o, _a: [_review(r) for r in REVIEWS if r["author"] == o["id"]],
                "Product.reviews": lambda o, _a: [_review(r) for r in REVIEWS if r["upc"] == o["upc"]],
            },
        ),
        ValidatingSubgraph(
            "accounts",
            LINK
            + """
            type Query { me: User users: [User!]! }
            type User @key(fields: "id") { id: ID! name: String username: String @shareable }
            """,
            tables={"User": [{"__typename": "User", **u} for u in USERS]},
            resolvers={
                "Query.me": lambda _o, _a: {"__typename": "User", **USERS[0]},
                "Query.users": lambda _o, _a: [{"__typename": "User", **u} for u in USERS],
            },
        ),
    ]


QUERIES = [
    Query(
        "a fed2 root, fields of a fed1 extension, an entity the fed1 subgraph lacks",
        "{ topProducts { upc name inStock location { aisle } } }",
    ),
    Query(
        "fed1 @requires on fields of the fed2 subgraph, with a subgraph error",
        "{ topProducts { name shippingEstimate inStock } }",
    ),
    Query(
        "a value type without @shareable in the fed1 subgraph: its deeper field by the entity's key",
        "{ topProducts { name dimensions { width height depth } } }",
    ),
    Query(
        "a fed1 root returning extended entities: fed2 fields, requires and the shared value type",
        """
        { restocking {
            upc name price shippingEstimate dimensions { width depth } location { aisle bins } } }
        """,
    ),
    Query(
        "fed1 @provides saves a fetch; a sibling field still needs the fed2 owner",
        """
        { provided: topReviews { body author { username } }
          mixed: topReviews(first: 5) { rating author { id username name } } }
        """,
    ),
    Query(
        "a fed2 root into an @extends type of a fed1 subgraph and back",
        "{ users { name reviews { body product { name inStock } } } }",
    ),
    Query(
        "from a fed1 root through fed2 and the other fed1 subgraph, and back again",
        """
        { topReviews(first: 5) {
            id product { name shippingEstimate location { bins }
              reviews { id author { name username } } } } }
        """,
    ),
    Query(
        "typename and fragments on an interface and its types",
        """
        { product(upc: "1") {
            __typename name
            media { __typename ... on Media { url } ... on Photo { width height } ...Clip }
            reviews { __typename rating author { __typename } } } }
        fragment Clip on Video { seconds }
        """,
    ),
    Query(
        "aliases, variables, skip and include across fed1 and fed2",
        """
        query ($upc: String!, $stock: Boolean!, $first: Int) {
          item: product(upc: $upc) {
            title: name
            available: inStock @include(if: $stock)
            where: location @skip(if: $stock) { aisle }
            size: dimensions { w: width d: depth }
            opinions: reviews { stars: rating }
          }
          top: topProducts(first: $first) { upc cost: price @skip(if: $stock) eta: shippingEstimate }
        }
        """,
        {"upc": "2", "stock": True, "first": 2},
    ),
    Query(
        "nested fragments over fed1 extensions and fed2 types",
        """
        query Stock { topProducts { ...Line } }
        fragment Line on Product { upc ...Stocked ... on Product { reviews { ...Opinion } } }
        fragment Stocked on Product { inStock dimensions { ...Size } }
        fragment Size on Dimensions { width ... on Dimensions { depth } }
        fragment Opinion on Review { rating author { ...on User { username } } }
        """,
    ),
    Query(
        "entities missing in a fed1 subgraph, a null value type, an unknown product",
        """
        { vest: product(upc: "4") { name inStock dimensions { width depth } reviews { body } }
          bag: product(upc: "3") { dimensions { width depth } location { bins } }
          none: product(upc: "99") { name inStock } }
        """,
    ),
    Query(
        "a fed2 root user, the fed1 @extends fields, three subgraphs deep",
        """
        { me { __typename name username
            reviews { body product { upc weight media { url } location { aisle } } } } }
        """,
    ),
    Query(
        "a root field of two fed1 subgraphs (implicitly shareable) and their value type merged",
        "{ summary { products outOfStock reviews averageRating } again: summary { __typename products } }",
    ),
    Query(
        "lists of lists from a fed1 value type",
        "{ topProducts(first: 3) { name location { bins } } restocking { location { bins } } }",
    ),
]

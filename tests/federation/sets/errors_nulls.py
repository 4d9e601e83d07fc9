"""Errors and nulls: subgraph errors with paths for some list items (partial data, paths through
aliases and entity fetches), a failing root resolver, an entity fetch whose subgraph fails
outright, non-null fields that come back null (from a missing entity, from a failed fetch, and a
subgraph's own non-null violation) and the null propagating to the nearest nullable parent (or the
root), entities whose key is null (rejected by the subgraph), enums and input types that differ
across subgraphs (output enum = union of values, input enum and input type = intersection),
@inaccessible enum values, types and union members, and introspection mixed with normal fields.

- catalog: products/product/byStatus/featured (raises)/search (a union with an @inaccessible member);
  Status has an @inaccessible value SECRET that p5 carries; Language { EN DE }; SortOrder { ASC DESC
  RANDOM }; Page { first after }; Product @key("id") @key("sku") with a nullable sku (null for p4).
- reviews: Review.body raises for some reviews; p5's entity is refused; Language { EN NO };
  SortOrder { ASC DESC }; Page { first offset }.
- pricing: Product @key("sku") { price currency: Currency! }; rejects a null sku; knows no CHR-3.
- warehouse: Product { stockCount location: String! }: p3's location is null; any fetch with p5 fails.

Where Apollo Gateway reports the null of a non-null field only under ``extensions.valueCompletion``
(no ``errors`` entry, against the GraphQL spec's "raise a field error"), or gives a failed entity
fetch the path ``products.@._entities`` (not a path of the response), the case has ``expected``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

PRODUCTS = [
    {"id": "p1", "sku": "TBL-1", "name": "Table", "status": "ACTIVE", "language": "EN", "description": "Oak"},
    {
        "id": "p2",
        "sku": "CCH-2",
        "name": "Couch",
        "status": "DISCONTINUED",
        "language": "DE",
        "description": None,
    },
    {
        "id": "p3",
        "sku": "CHR-3",
        "name": "Chair",
        "status": "ACTIVE",
        "language": "EN",
        "description": "Pine",
    },
    {
        "id": "p4",
        "sku": None,
        "name": "Gift card",
        "status": "DISCONTINUED",
        "language": None,
        "description": "Any",
    },
    {
        "id": "p5",
        "sku": "PRT-5",
        "name": "Prototype",
        "status": "SECRET",
        "language": "EN",
        "description": "?",
    },
]
PRICES = {"TBL-1": 899, "CCH-2": 1299, "PRT-5": 1}
REVIEWS = [
    {"id": "r1", "product": "p1", "rating": 5, "body": "Great", "language": "EN"},
    {"id": "r2", "product": "p1", "rating": 1, "body": None, "language": "NO"},
    {"id": "r3", "product": "p2", "rating": 4, "body": "BROKEN", "language": "NO"},
    {"id": "r4", "product": "p3", "rating": 3, "body": "Fine", "language": "EN"},
    {"id": "r5", "product": "p3", "rating": 2, "body": "BROKEN", "language": "EN"},
]


def _product(p: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Product", **p, "audit": {"__typename": "Audit", "by": "qa"}}


def _review(r: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Review", **r, "product": {"__typename": "Product", "id": r["product"]}}


def _body(o: dict[str, Any], _a: dict[str, Any]) -> str | None:
    if o["body"] == "BROKEN":
        raise GraphQLError(f"review {o['id']} cannot be decoded")
    return o["body"]


def _featured(_o: dict[str, Any], _a: dict[str, Any]) -> Any:
    raise GraphQLError("the featured list is being rebuilt")


def _prices(_o: dict[str, Any], a: dict[str, Any]) -> list[dict[str, Any] | GraphQLError | None]:
    """Pricing rejects a representation whose key is null (an error for that item only)."""
    out: list[dict[str, Any] | GraphQLError | None] = []
    for rep in a["representations"]:
        sku = rep.get("sku")
        if sku is None:
            out.append(GraphQLError("cannot price a product without a sku"))
        elif sku in PRICES:
            out.append({"__typename": "Product", "sku": sku, "price": PRICES[sku], "currency": "EUR"})
        else:
            out.append(None)
    return out


def _reviewed_products(_o: dict[str, Any], a: dict[str, Any]) -> list[dict[str, Any] | GraphQLError]:
    """One error per embargoed representation (graphql-core raises a returned error for that item only)."""
    return [
        GraphQLError("reviews of prototypes are embargoed")
        if rep["id"] == "p5"
        else {"__typename": "Product", "id": rep["id"]}
        for rep in a["representations"]
    ]


def _warehouse() -> TestSubgraph:
    """Knows every product, but p3 has no location (a non-null field), and fails outright for p5."""
    subgraph = TestSubgraph(
        "warehouse",
        LINK
        + """
        type Product @key(fields: "id") { id: ID! stockCount: Int location: String! }
        """,
        tables={
            "Product": [
                {
                    "__typename": "Product",
                    "id": p["id"],
                    "stockCount": i * 7,
                    "location": None if i == 2 else f"A{i}",
                }
                for i, p in enumerate(PRODUCTS)
            ]
        },
    )

    def entities(_o: dict[str, Any], a: dict[str, Any]) -> list[dict[str, Any] | None]:
        if any(rep.get("id") == "p5" for rep in a["representations"]):
            raise GraphQLError("warehouse database unavailable")
        return [subgraph._entity(rep) for rep in a["representations"]]

    subgraph.resolvers["Query._entities"] = entities
    return subgraph


def subgraphs() -> list[TestSubgraph]:
    warehouse = _warehouse()
    return [
        TestSubgraph(
            "catalog",
            LINK
            + """
            type Query {
              products(page: Page): [Product!]
              product(id: ID!): Product
              byStatus(status: Status!, order: SortOrder = ASC): [Product!]!
              featured: [Product]
              search(text: String!): [SearchResult]
            }
            input Page { first: Int = 10 after: String }
            enum Status { ACTIVE DISCONTINUED SECRET @inaccessible }
            enum SortOrder { ASC DESC RANDOM }
            enum Language { EN DE }
            union SearchResult = Product | Note
            type Note @inaccessible { text: String }
            type Product @key(fields: "id") @key(fields: "sku") {
              id: ID!
              sku: String
              name: String!
              status: Status
              language: Language
              description: String
              audit: Audit @inaccessible
            }
            type Audit @inaccessible { by: String }
            """,
            tables={"Product": [_product(p) for p in PRODUCTS]},
            resolvers={
                "Query.products": lambda _o, a: [_product(p) for p in PRODUCTS][
                    : (a.get("page") or {}).get("first", 10)
                ],
                "Query.product": lambda _o, a: next(
                    (_product(p) for p in PRODUCTS if p["id"] == a["id"]), None
                ),
                "Query.byStatus": lambda _o, a: sorted(
                    (_product(p) for p in PRODUCTS if p["status"] == a["status"]),
                    key=lambda p: p["name"],
                    reverse=a["order"] == "DESC",
                ),
                "Query.featured": _featured,
                "Query.search": lambda _o, a: [
                    *(_product(p) for p in PRODUCTS if a["text"].lower() in p["name"].lower()),
                    {"__typename": "Note", "text": "internal: " + a["text"]},
                ],
            },
        ),
        TestSubgraph(
            "reviews",
            LINK
            + """
            type Query { reviews(page: Page, order: SortOrder): [Review!]! }
            input Page { first: Int = 10 offset: Int }
            enum SortOrder { ASC DESC }
            enum Language { EN NO }
            type Product @key(fields: "id") { id: ID! reviews(minRating: Int = 0): [Review] }
            type Review { id: ID! rating: Int! body: String language: Language product: Product! }
            """,
            resolvers={
                "Query.reviews": lambda _o, a: sorted(
                    (_review(r) for r in REVIEWS), key=lambda r: r["rating"], reverse=a.get("order") == "DESC"
                )[: (a.get("page") or {}).get("first", 10)],
                "Product.reviews": lambda o, a: [
                    _review(r) for r in REVIEWS if r["product"] == o["id"] and r["rating"] >= a["minRating"]
                ],
                "Review.body": _body,
                "Query._entities": _reviewed_products,
            },
        ),
        TestSubgraph(
            "pricing",
            LINK
            + """
            type Product @key(fields: "sku") { sku: String price: Int currency: Currency! }
            enum Currency { EUR USD }
            """,
            resolvers={"Query._entities": _prices},
        ),
        warehouse,
    ]


def _fetch_failed(service: str, message: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": service}}


def _null_error(path: list[str | int], message: str) -> dict[str, Any]:
    return {"message": message, "path": path}


WAREHOUSE_DOWN = _fetch_failed("warehouse", "warehouse database unavailable")
VALUE_COMPLETION = (
    "Apollo reports the non-null violation only under extensions.valueCompletion; the GraphQL spec "
    "(CompleteValue: 'if completedResult is null, raise a field error') puts it in errors at the field's path"
)
ENTITIES_PATH = (
    "Apollo gives the failed fetch the path [products, @, _entities], which is not a path of the response; "
    "an error that belongs to no single response field has no path"
)

QUERIES = [
    Query(
        "errors for some list items and for one entity, paths through aliases",
        "{ items: products { title: name revs: reviews { id text: body rating } } }",
    ),
    Query(
        "errors under a root list, then a jump",
        "{ reviews(order: DESC) { id body product { name } } }",
    ),
    Query(
        "a failing root resolver next to healthy root fields",
        """
        { featured { name }
          product(id: "p1") { name reviews { rating } }
          reviews(page: { first: 1 }) { rating } }
        """,
    ),
    Query(
        "an entity fetch whose subgraph fails outright",
        "{ products { name stockCount } }",
        expected={
            "data": {
                "products": [
                    {"name": "Table", "stockCount": None},
                    {"name": "Couch", "stockCount": None},
                    {"name": "Chair", "stockCount": None},
                    {"name": "Gift card", "stockCount": None},
                    {"name": "Prototype", "stockCount": None},
                ]
            },
            "errors": [WAREHOUSE_DOWN],
        },
        why=ENTITIES_PATH,
    ),
    Query(
        "a failed entity fetch under a non-null field nulls the nullable list",
        "{ products { name location } }",
        expected={"data": {"products": None}, "errors": [WAREHOUSE_DOWN]},
        why=ENTITIES_PATH + " (the null location is that fetch's failure, so no second error)",
    ),
    Query(
        "a missing non-null field nulls the nearest nullable parent",
        '{ product(id: "p3") { name currency } products(page: { first: 3 }) { name currency } }',
        expected={
            "data": {"product": None, "products": None},
            "errors": [
                _null_error(
                    ["product", "currency"], "Cannot return null for non-nullable field Product.currency."
                ),
                _null_error(
                    ["products", 2, "currency"], "Cannot return null for non-nullable field Product.currency."
                ),
            ],
        },
        why=VALUE_COMPLETION,
    ),
    Query(
        "a missing non-null field nulls everything up to the root",
        "{ __typename byStatus(status: ACTIVE) { name currency } }",
        expected={
            "data": None,
            "errors": [
                _null_error(
                    ["byStatus", 0, "currency"], "Cannot return null for non-nullable field Product.currency."
                )
            ],
        },
        why=VALUE_COMPLETION,
    ),
    Query(
        "a subgraph's own non-null violation inside an entity fetch",
        '{ a: product(id: "p1") { name location } b: product(id: "p3") { name stockCount location } }',
    ),
    Query(
        "entities whose key is null are refused by the subgraph",
        """
        { byStatus(status: DISCONTINUED) { name sku price }
          giftCard: product(id: "p4") { name sku price currency } }
        """,
    ),
    Query(
        "an @inaccessible enum value returned by a subgraph",
        '{ product(id: "p5") { name status } byStatus(status: DISCONTINUED) { name status } }',
        expected={
            "data": {
                "product": {"name": "Prototype", "status": None},
                "byStatus": [
                    {"name": "Couch", "status": "DISCONTINUED"},
                    {"name": "Gift card", "status": "DISCONTINUED"},
                ],
            },
            "errors": [_null_error(["product", "status"], 'Enum "Status" cannot represent value: "SECRET"')],
        },
        why="SECRET is not a value of the API schema's Status: serializing it is a field error "
        "(GraphQL spec, Enums: result coercion), which Apollo reports only under extensions.valueCompletion",
    ),
    Query(
        "an @inaccessible union member returned by a subgraph",
        '{ search(text: "a") { __typename ... on Product { name status } } }',
        expected={
            "data": {
                "search": [
                    {"__typename": "Product", "name": "Table", "status": "ACTIVE"},
                    {"__typename": "Product", "name": "Chair", "status": "ACTIVE"},
                    {"__typename": "Product", "name": "Gift card", "status": "DISCONTINUED"},
                    None,
                ]
            },
            "errors": [
                _null_error(["search", 3], "Abstract type SearchResult resolved to an unknown type Note.")
            ],
        },
        why="Note is not a type of the API schema: resolving SearchResult to it is a field error "
        "(GraphQL spec, ResolveAbstractType), which Apollo reports only under extensions.valueCompletion",
    ),
    Query(
        "enums and input types that differ across subgraphs, with variables",
        """
        query ($page: Page, $order: SortOrder!, $status: Status!) {
          reviews(page: $page, order: $order) { rating language product { name language } }
          products(page: $page) { name language reviews(minRating: 3) { language } }
          byStatus(status: $status, order: $order) { name }
        }
        """,
        {"page": {"first": 3}, "order": "DESC", "status": "ACTIVE"},
    ),
    Query(
        "introspection mixed with normal fields",
        """
        { __schema { queryType { name } mutationType { name } }
          __typename
          products(page: { first: 2 }) { __typename name }
          product: __type(name: "Product") { name kind fields { name type { kind name ofType { name } } } } }
        """,
    ),
    Query(
        "introspection of @inaccessible and merged types next to data",
        """
        { status: __type(name: "Status") { enumValues { name } }
          order: __type(name: "SortOrder") { enumValues { name } }
          language: __type(name: "Language") { enumValues { name } }
          note: __type(name: "Note") { name }
          audit: __type(name: "Audit") { name }
          page: __type(name: "Page") { inputFields { name defaultValue } }
          result: __type(name: "SearchResult") { possibleTypes { name } }
          query: __type(name: "Query") { fields { name args { name } } }
          product(id: "p2") { status language } }
        """,
    ),
]

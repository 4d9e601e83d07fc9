"""Keys: several @key per type, a compound key ("id sku"), a nested key ("id organization { id }"),
non-resolvable keys (``resolvable: false``) that only reference an entity, and a chain where the
catalog reaches pricing only through inventory because they share no key (and the reverse chain).

- accounts: User @key("id organization { id }") @key("email") -- the same user id lives in two
  organizations; Organization @key("id"); Product stub (sku, not resolvable) for favourites.
- catalog: Product @key("id") @key("sku"); User and Vendor stubs (not resolvable).
- inventory: Product @key("id sku") @key("upc"); Vendor @key("code").
- pricing: Product @key("upc") only.
"""

from __future__ import annotations

from typing import Any

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

ORGANIZATIONS = [{"id": "acme", "name": "Acme Corp"}, {"id": "globex", "name": "Globex"}]
USERS = [
    {"id": "1", "org": "acme", "name": "Ada", "email": "ada@acme.test", "favorites": ["CCH-2", "LMP-4"]},
    {"id": "2", "org": "acme", "name": "Brian", "email": "brian@acme.test", "favorites": []},
    {"id": "1", "org": "globex", "name": "Carla", "email": "carla@globex.test", "favorites": ["TBL-1"]},
]
PRODUCTS = [
    {"id": "p1", "sku": "TBL-1", "name": "Table", "vendor": "V-OAK", "by": ("1", "acme")},
    {"id": "p2", "sku": "CCH-2", "name": "Couch", "vendor": "V-SOFA", "by": ("1", "globex")},
    {"id": "p3", "sku": "CHR-3", "name": "Chair", "vendor": "V-OAK", "by": ("2", "acme")},
    {"id": "p4", "sku": "LMP-4", "name": "Lamp", "vendor": None, "by": None},
    {"id": "p5", "sku": "RUG-5", "name": "Rug", "vendor": "V-GONE", "by": ("2", "acme")},
]
# inventory knows p1, p2, p3 and p5 (not the lamp); pricing knows every upc but the rug's
STOCK = [
    {"id": "p1", "sku": "TBL-1", "upc": "0001", "stock": 12},
    {"id": "p2", "sku": "CCH-2", "upc": "0002", "stock": 0},
    {"id": "p3", "sku": "CHR-3", "upc": "0003", "stock": 140},
    {"id": "p5", "sku": "RUG-5", "upc": "0005", "stock": 3},
]
PRICES = [
    {"upc": "0001", "price": 899, "currency": "EUR"},
    {"upc": "0002", "price": 1299, "currency": "EUR"},
    {"upc": "0003", "price": 54, "currency": "USD"},
]
VENDORS = [
    {"code": "V-OAK", "name": "Oak & Sons", "country": "NO"},
    {"code": "V-SOFA", "name": "Sofa World", "country": "IT"},
]


def _org(org_id: str) -> dict[str, Any]:
    return next({"__typename": "Organization", **o} for o in ORGANIZATIONS if o["id"] == org_id)


def _user(u: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "User",
        "id": u["id"],
        "name": u["name"],
        "email": u["email"],
        "organization": _org(u["org"]),
        "favorites": [{"__typename": "Product", "sku": sku} for sku in u["favorites"]],
    }


def _find_user(rep: dict[str, Any], _args: dict[str, Any]) -> dict[str, Any] | None:
    for u in USERS:
        if "email" in rep and rep["email"] == u["email"]:
            return _user(u)
        org = rep.get("organization") or {}
        if rep.get("id") == u["id"] and org.get("id") == u["org"]:
            return _user(u)
    return None


def _catalog_product(p: dict[str, Any]) -> dict[str, Any]:
    by = p["by"]
    return {
        "__typename": "Product",
        "id": p["id"],
        "sku": p["sku"],
        "name": p["name"],
        "vendor": None if p["vendor"] is None else {"__typename": "Vendor", "code": p["vendor"]},
        "createdBy": None
        if by is None
        else {"__typename": "User", "id": by[0], "organization": {"__typename": "Organization", "id": by[1]}},
    }


def _stock_product(s: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Product", **s}


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "accounts",
            LINK
            + """
            type Query { users: [User!]! user(email: String!): User organizations: [Organization!]! }
            type Organization @key(fields: "id") { id: ID! name: String! members: [User!]! }
            type User @key(fields: "id organization { id }") @key(fields: "email") {
              id: ID!
              organization: Organization!
              name: String!
              email: String!
              favorites: [Product!]!
            }
            type Product @key(fields: "sku", resolvable: false) { sku: String! }
            """,
            tables={"Organization": [_org(o["id"]) for o in ORGANIZATIONS]},
            resolvers={
                "Query.users": lambda _o, _a: [_user(u) for u in USERS],
                "Query.user": lambda _o, a: _find_user({"email": a["email"]}, {}),
                "Query.organizations": lambda _o, _a: [_org(o["id"]) for o in ORGANIZATIONS],
                "Organization.members": lambda o, _a: [_user(u) for u in USERS if u["org"] == o["id"]],
                "User.__resolveReference": _find_user,
            },
        ),
        TestSubgraph(
            "catalog",
            LINK
            + """
            type Query { products: [Product!]! product(id: ID!): Product productBySku(sku: String!): Product }
            type Product @key(fields: "id") @key(fields: "sku") {
              id: ID!
              sku: String!
              name: String!
              vendor: Vendor
              createdBy: User
            }
            type Vendor @key(fields: "code", resolvable: false) { code: String! }
            type User @key(fields: "id organization { id }", resolvable: false) {
              id: ID!
              organization: Organization!
            }
            type Organization @key(fields: "id", resolvable: false) { id: ID! }
            """,
            tables={"Product": [_catalog_product(p) for p in PRODUCTS]},
            resolvers={
                "Query.products": lambda _o, _a: [_catalog_product(p) for p in PRODUCTS],
                "Query.product": lambda _o, a: next(
                    (_catalog_product(p) for p in PRODUCTS if p["id"] == a["id"]), None
                ),
                "Query.productBySku": lambda _o, a: next(
                    (_catalog_product(p) for p in PRODUCTS if p["sku"] == a["sku"]), None
                ),
            },
        ),
        TestSubgraph(
            "inventory",
            LINK
            + """
            type Query { vendors: [Vendor!]! }
            type Product @key(fields: "id sku") @key(fields: "upc") {
              id: ID!
              sku: String!
              upc: String!
              stock: Int
            }
            type Vendor @key(fields: "code") {
              code: String!
              name: String
              country: String
              products: [Product!]!
            }
            """,
            tables={
                "Product": [_stock_product(s) for s in STOCK],
                "Vendor": [{"__typename": "Vendor", **v} for v in VENDORS],
            },
            resolvers={
                "Query.vendors": lambda _o, _a: [{"__typename": "Vendor", **v} for v in VENDORS],
                "Vendor.products": lambda o, _a: [
                    _stock_product(s)
                    for s in STOCK
                    if any(p["sku"] == s["sku"] and p["vendor"] == o["code"] for p in PRODUCTS)
                ],
            },
        ),
        TestSubgraph(
            "pricing",
            LINK
            + """
            type Query { deals(max: Int): [Product!]! }
            type Product @key(fields: "upc") { upc: String! price: Int currency: String }
            """,
            tables={"Product": [{"__typename": "Product", **p} for p in PRICES]},
            resolvers={
                "Query.deals": lambda _o, a: [
                    {"__typename": "Product", **p}
                    for p in PRICES
                    if a.get("max") is None or p["price"] <= a["max"]
                ],
            },
        ),
    ]


QUERIES = [
    Query("compound key jump, one entity missing", "{ products { id name stock } }"),
    Query("chain catalog -> inventory -> pricing", "{ products { name price currency } }"),
    Query(
        "reverse chain pricing -> inventory -> catalog -> inventory",
        "{ deals(max: 1000) { price name vendor { name country } } }",
    ),
    Query(
        "nested key: the same user id in two organizations",
        "{ products { name createdBy { id name email organization { id name } } } }",
    ),
    Query(
        "non-resolvable reference resolved elsewhere",
        "{ products { sku vendor { code name country } } }",
    ),
    Query(
        "favourites by a non-resolvable sku key, two hops, fragments",
        """
        { users { name favorites { ...P } } }
        fragment P on Product { sku ... on Product { name ...Stock } }
        fragment Stock on Product { stock }
        """,
    ),
    Query(
        "three hops: accounts -> catalog -> inventory -> pricing",
        "{ users { name favorites { price } } }",
    ),
    Query(
        "variables and key fields from three subgraphs",
        "query ($sku: String!) { productBySku(sku: $sku) { id sku upc name price } }",
        {"sku": "CHR-3"},
    ),
    Query(
        "typename everywhere with include and skip",
        """
        query ($withPrice: Boolean!, $noVendor: Boolean!) {
          __typename
          products {
            __typename id
            createdBy { __typename organization { __typename id } }
            price @include(if: $withPrice)
            stock @skip(if: $withPrice)
            vendor @skip(if: $noVendor) { __typename code name }
          }
        }
        """,
        {"withPrice": True, "noVendor": False},
    ),
    Query(
        "lists of lists across four subgraphs",
        "{ organizations { name members { name favorites { name stock } } } }",
    ),
    Query(
        "vendor products jump back to the catalog",
        "{ vendors { code name products { name upc price createdBy { name } } } }",
    ),
    Query(
        "entity missing in the middle of the chain",
        """
        { lamp: product(id: "p4") { name stock price }
          rug: product(id: "p5") { name upc stock price }
          none: product(id: "nope") { name price } }
        """,
    ),
    Query(
        "user by email key, aliases",
        """
        query ($e: String!) {
          user(email: $e) { who: name organization { id name members { email } } favorites { name } }
        }
        """,
        {"e": "carla@globex.test"},
    ),
    Query(
        "the same entity reached by two keys",
        """
        { a: product(id: "p1") { price stock } b: productBySku(sku: "TBL-1") { name price }
          c: deals { upc stock } }
        """,
    ),
]

"""``@provides`` with nested selections (``buyer: User @provides(fields: "name address { city country
{ code } }")``) and on fields returning a union (with inline fragments per member) and an interface;
provided and not-provided fields asked together (the rest must come from the owner, also inside a
provided value type); ``@shareable`` value types (``Money``, ``Address``, ``Country``) returned by
several subgraphs, directly and under entities; entities missing in a subgraph and a subgraph error.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

GB = {"code": "GB", "name": "United Kingdom"}
US = {"code": "US", "name": "United States"}
USERS: list[dict[str, Any]] = [
    {
        "id": "u1",
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "address": {"street": "12 Analytical Row", "city": "London", "country": GB},
    },
    {
        "id": "u2",
        "name": "Grace Hopper",
        "email": "grace@example.org",
        "address": {"street": "1 Navy Yard", "city": "Arlington", "country": US},
    },
    {"id": "u3", "name": "Alan Turing", "email": None, "address": None},
]
# g2 is missing from the catalog: only what orders provides is known of it.
BOOKS: list[dict[str, Any]] = [
    {"upc": "b1", "title": "Dune", "author": "Frank Herbert", "price": {"amount": 999, "currency": "EUR"}}
]
GADGETS: list[dict[str, Any]] = [
    {"upc": "g1", "name": "Pocket Radio", "brand": "Tivoli", "price": {"amount": 2500, "currency": "EUR"}},
]
TITLES = {"b1": "Dune", "g1": "Pocket Radio", "g2": "Smart Kettle"}
CARRIERS: list[dict[str, Any]] = [
    {"__typename": "Courier", "id": "c1", "name": "Speedy", "phone": "+44 20 0000"},
    {"__typename": "PostalService", "id": "p1", "name": "Royal Mail", "country": GB},
    {"__typename": "Courier", "id": "c2", "name": "Slowpoke", "phone": None},
]
ORDERS: list[dict[str, Any]] = [
    {
        "id": "o1",
        "buyer": "u1",
        "total": {"amount": 3499, "currency": "EUR"},
        "lines": [(1, "b1"), (1, "g1")],
        "shipment": {"tracking": "TRK1", "carrier": "c1"},
        "delivery": {"street": "12 Analytical Row", "city": "London", "country": GB},
    },
    {
        "id": "o2",
        "buyer": "u2",
        "total": {"amount": 1998, "currency": "USD"},
        "lines": [(2, "b1")],
        "shipment": None,
        "delivery": {"street": "1 Navy Yard", "city": "Arlington", "country": US},
    },
    {
        "id": "o3",
        "buyer": "u3",
        "total": None,
        "lines": [(1, "g2"), (3, None)],
        "shipment": {"tracking": "TRK3", "carrier": "p1"},
        "delivery": None,
    },
]


def _user_as_provided(user_id: str) -> dict[str, Any]:
    user = next(u for u in USERS if u["id"] == user_id)
    address = user["address"]
    provided = (
        None
        if address is None
        else {"city": address["city"], "country": {"code": address["country"]["code"]}}
    )
    return {"__typename": "User", "id": user_id, "name": user["name"], "address": provided}


def _item(upc: str | None) -> dict[str, Any] | None:
    if upc is None:
        return None
    if upc.startswith("b"):
        return {"__typename": "Book", "upc": upc, "title": TITLES[upc]}
    return {"__typename": "Gadget", "upc": upc, "name": TITLES[upc]}


def _carrier_as_provided(carrier_id: str) -> dict[str, Any]:
    carrier = next(c for c in CARRIERS if c["id"] == carrier_id)
    return {"__typename": carrier["__typename"], "id": carrier_id, "name": carrier["name"]}


def _order(o: dict[str, Any]) -> dict[str, Any]:
    shipment = o["shipment"]
    if shipment is not None:
        shipment = {**shipment, "carrier": _carrier_as_provided(shipment["carrier"])}
    return {
        "__typename": "Order",
        **o,
        "buyer": _user_as_provided(o["buyer"]),
        "lines": [{"quantity": q, "item": _item(upc)} for q, upc in o["lines"]],
        "shipment": shipment,
    }


def _email(user: dict[str, Any], _args: dict[str, Any]) -> Any:
    if user["id"] == "u3":
        raise GraphQLError("email is private for u3")
    return user.get("email")


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "accounts",
            LINK
            + """
            type Query { users: [User!]! }
            type User @key(fields: "id") { id: ID! name: String email: String address: Address }
            type Address @shareable { street: String city: String country: Country }
            type Country @shareable { code: String! name: String }
            """,
            tables={"User": [{"__typename": "User", **u} for u in USERS]},
            resolvers={
                "Query.users": lambda _o, _a: [{"__typename": "User", **u} for u in USERS],
                "User.email": _email,
            },
        ),
        TestSubgraph(
            "catalog",
            LINK
            + """
            type Query { books: [Book!]! }
            type Book @key(fields: "upc") { upc: String! title: String author: String price: Money }
            type Gadget @key(fields: "upc") { upc: String! name: String brand: String price: Money }
            type Money @shareable { amount: Int! currency: String! }
            """,
            tables={
                "Book": [{"__typename": "Book", **b} for b in BOOKS],
                "Gadget": [{"__typename": "Gadget", **g} for g in GADGETS],
            },
            resolvers={"Query.books": lambda _o, _a: [{"__typename": "Book", **b} for b in BOOKS]},
        ),
        TestSubgraph(
            "orders",
            LINK
            + """
            type Query { orders: [Order!]! order(id: ID!): Order }
            type Order @key(fields: "id") {
              id: ID!
              total: Money
              buyer: User @provides(fields: "name address { city country { code } }")
              lines: [Line!]!
              shipment: Shipment
            }
            type Line {
              quantity: Int!
              item: Merchandise @provides(fields: "... on Book { title } ... on Gadget { name }")
            }
            union Merchandise = Book | Gadget
            type Book @key(fields: "upc") { upc: String! title: String @external }
            type Gadget @key(fields: "upc") { upc: String! name: String @external }
            type Shipment {
              tracking: String!
              carrier: Carrier @provides(fields: "... on Courier { name } ... on PostalService { name }")
            }
            interface Carrier { id: ID! name: String }
            type Courier implements Carrier @key(fields: "id") { id: ID! name: String @external }
            type PostalService implements Carrier @key(fields: "id") { id: ID! name: String @external }
            type User @key(fields: "id") { id: ID! name: String @external address: Address @external }
            type Address { city: String @external country: Country @external }
            type Country { code: String! @external }
            type Money @shareable { amount: Int! currency: String! }
            """,
            tables={"Order": [_order(o) for o in ORDERS]},
            resolvers={
                "Query.orders": lambda _o, _a: [_order(o) for o in ORDERS],
                "Query.order": lambda _o, a: next((_order(o) for o in ORDERS if o["id"] == a["id"]), None),
            },
        ),
        TestSubgraph(
            "shipping",
            LINK
            + """
            type Query { carriers: [Carrier!]! }
            type Order @key(fields: "id") { id: ID! deliveryAddress: Address }
            type Address @shareable { street: String city: String country: Country }
            interface Carrier { id: ID! name: String }
            type Courier implements Carrier @key(fields: "id") { id: ID! name: String phone: String }
            type PostalService implements Carrier @key(fields: "id") { id: ID! name: String country: Country }
            type Country @shareable { code: String! name: String }
            """,
            tables={
                name: [dict(c) for c in CARRIERS if c["__typename"] == name]
                for name in ("Courier", "PostalService")
            }
            | {
                "Order": [
                    {"__typename": "Order", "id": o["id"], "deliveryAddress": o["delivery"]} for o in ORDERS
                ]
            },
            resolvers={"Query.carriers": lambda _o, _a: [dict(c) for c in CARRIERS]},
        ),
    ]


QUERIES = [
    Query(
        "nested provides: only provided fields, no fetch from accounts",
        "{ orders { id buyer { id name address { city country { code } } } } }",
    ),
    Query(
        "nested provides: a field outside the provided selection inside the value type",
        "{ orders { id buyer { name address { street city country { code name } } } } }",
    ),
    Query(
        "nested provides next to a field of the owner, with an error",
        "{ orders { buyer { name email address { city } } } }",
    ),
    Query(
        "provides on a union field: provided member fields and fields from the owner",
        """{ orders { lines { quantity item { __typename ... on Book { title author }
             ... on Gadget { name price { amount currency } } } } } }""",
    ),
    Query(
        "provides on a union field: only provided fields, a member missing in its owner",
        """{ order(id: "o3") { lines { quantity item { ... on Gadget { upc name }
             ... on Book { title } } } } }""",
    ),
    Query(
        "provides on an interface field: provided interface field and concrete fields of the owner",
        """{ orders { id shipment { tracking carrier { __typename name ... on Courier { phone }
             ... on PostalService { country { code name } } } } } }""",
    ),
    Query(
        "provides on an interface field: only the provided field",
        "{ orders { shipment { carrier { id name } } } }",
    ),
    Query(
        "shareable value types from several subgraphs side by side",
        """{ users { name address { city country { name } } } books { title price { amount currency } }
             orders { total { amount currency } deliveryAddress { street country { code name } } } }""",
    ),
    Query(
        "a shareable value type under an entity jump and from the serving subgraph",
        """{ carriers { name ... on PostalService { country { code name } } } }""",
    ),
    Query(
        "aliases and variables over provided fields",
        """query ($id: ID!) { order(id: $id) {
             who: buyer { n: name a: address { c: city } full: address { city country { code } } }
             l: lines { q: quantity i: item { ... on Book { t: title by: author } } } } }""",
        {"id": "o1"},
    ),
    Query(
        "skip and include inside provided selections",
        """query ($street: Boolean!, $owner: Boolean!) { orders { buyer { name address { city
             street @include(if: $street) } email @include(if: $owner) }
             lines { item { ... on Book @skip(if: $owner) { title }
               ... on Gadget { name brand @include(if: $owner) } } } } }""",
        {"street": False, "owner": False},
    ),
    Query(
        "skip and include the other way",
        """query ($street: Boolean!, $owner: Boolean!) { orders { buyer { name address { city
             street @include(if: $street) } email @include(if: $owner) }
             lines { item { ... on Book @skip(if: $owner) { title }
               ... on Gadget { name brand @include(if: $owner) } } } } }""",
        {"street": True, "owner": True},
    ),
    Query(
        "named fragments over provided fields and typename at every level",
        """query Orders { __typename orders { __typename ...O } }
           fragment O on Order { buyer { __typename ...U } lines { __typename item { __typename ...M } }
             shipment { __typename carrier { __typename ... on Carrier { name } } } }
           fragment U on User { name address { __typename country { __typename code } } }
           fragment M on Merchandise { ... on Book { title price { __typename amount } }
             ... on Gadget { name } }""",
    ),
]

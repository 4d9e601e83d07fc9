"""Fields whose types differ between fragments or subgraphs.

- ``... on User { id } ... on Admin { id }`` where ``User.id: ID!`` and ``Admin.id: ID`` in one subgraph:
  the subgraph would reject the two as one response key, so the gateway aliases one and undoes it.
- A shareable field that one subgraph types as an object and another as a union of it
  (``@join__field(type:)``): each subgraph is sent only the fragments its own type allows.
"""

from __future__ import annotations

from typing import Any

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

ACCOUNTS: list[dict[str, Any]] = [
    {"__typename": "User", "id": "u1", "name": "Uma", "email": "uma@example.com"},
    {"__typename": "Admin", "id": None, "name": "Root", "level": 3},
    {"__typename": "Admin", "id": "a2", "name": "Ada", "level": 1},
]


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "accounts",
            LINK
            + """
            type Query { accounts: [Account!]! featured: Featured @shareable }
            union Account = User | Admin
            type User @key(fields: "id") { id: ID! name: String email: String }
            type Admin { id: ID name: String level: Int }
            type Featured @shareable { item: User }
            """,
            tables={"User": [a for a in ACCOUNTS if a["__typename"] == "User"]},
            resolvers={
                "Query.accounts": lambda _o, _a: ACCOUNTS,
                "Query.featured": lambda _o, _a: {"item": ACCOUNTS[0]},
            },
        ),
        TestSubgraph(
            "profiles",
            LINK
            + """
            type Query { featured: Featured @shareable }
            type Featured @shareable { item: Item }
            union Item = User | Banner
            type User @key(fields: "id") { id: ID! bio: String }
            type Banner { text: String }
            """,
            tables={"User": [{"__typename": "User", "id": "u1", "bio": "Likes maps."}]},
            resolvers={"Query.featured": lambda _o, _a: {"item": {"__typename": "User", "id": "u1"}}},
        ),
    ]


QUERIES = [
    Query(
        "same key, different nullability in sibling fragments",
        "{ accounts { ... on User { id } ... on Admin { id } } }",
    ),
    Query(
        "aliased and plain fields together with a jump under the user",
        "{ accounts { __typename ... on User { id name bio } ... on Admin { id name level } } }",
    ),
    Query(
        "client aliases that collide with the gateway's own",
        "{ accounts { ... on User { key: id id } ... on Admin { key: id id__alias_0: name } } }",
    ),
    Query(
        "a union in one subgraph, an object in the other",
        "{ featured { item { ... on User { id name bio } } } }",
        expected={"data": {"featured": {"item": {"id": "u1", "name": "Uma", "bio": "Likes maps."}}}},
        why="Apollo Gateway fails to plan it ('Invalid field selection id for union type Item'); the field "
        "is a User in accounts and an Item in profiles, so accounts is asked for the User fields directly",
    ),
    Query(
        "a fragment on a member only one subgraph's type has",
        "{ featured { item { __typename ... on User { id email } ... on Banner { text } } } }",
    ),
    Query("typename only", "{ featured { __typename item { __typename } } }"),
]

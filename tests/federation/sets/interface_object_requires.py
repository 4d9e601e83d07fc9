"""@interfaceObject with @requires, and entity calls with side effects.

The library owns the entity interface ``Media`` (Book, Film, Album); loans sees ``Media`` as an
@interfaceObject with ``label @requires(fields: "title year")``, whose requirement comes from the
library, and has root fields (``overdue``, ``loan``) and mutations (``borrow``, ``giveBack``) returning
the interface, so the concrete type, the owner's fields and the requirement all need the library
first. Every reference resolution (in the library and in loans) consumes a token from a counter they
share, and library objects show the token their resolution took (``stamp``); ``tokensUsed`` tells how
many were taken. So an entity fetch split in two, or one made twice, changes the answer. Every case
that shows tokens is a mutation that starts with ``reset`` (Apollo and we then start from the same
state); the query cases never select them.

- library: Query { item(id) shelf }; Mutation { reset tokensUsed }; interface Media @key("id") { id
  title year stamp } with Book { pages author }, Film { minutes }, Album { discs: [[String!]!] }.
- loans: Query { overdue loan(id) }; Mutation { borrow(mediaId, member) giveBack(loanId) };
  Media @interfaceObject { id title @external year @external label @requires("title year") copies
  loans }; Loan { id member due media }.
- ratings: Media @interfaceObject { id stars }; Film @key("id") { certificate }.

The ratings subgraph also keeps the supergraph right: @theguild/federation-composition 0.27 writes
an interface field's ``@join__field``s (here loans' ``external: true`` on title and year) only when
some subgraph that has the interface lacks the field; without a third subgraph it would tell both
gateways that loans resolves title and year itself.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.sets._validating import ValidatingSubgraph
from tests.federation.subgraph import TestSubgraph

MEDIA: list[dict[str, Any]] = [
    {
        "__typename": "Book",
        "id": "b1",
        "title": "Dune",
        "year": 1965,
        "pages": 412,
        "author": "Frank Herbert",
    },
    {
        "__typename": "Book",
        "id": "b2",
        "title": "Solaris",
        "year": 1961,
        "pages": 204,
        "author": "Stanislaw Lem",
    },
    {"__typename": "Film", "id": "f1", "title": "Stalker", "year": 1979, "minutes": 161},
    {"__typename": "Film", "id": "f2", "title": "Alien", "year": None, "minutes": 117},
    {
        "__typename": "Album",
        "id": "a1",
        "title": "Oxygene",
        "year": 1976,
        "discs": [["Part I", "Part II", "Part III"], ["Part IV"]],
    },
    {"__typename": "Album", "id": "a2", "title": "Kind of Blue", "year": 1959, "discs": []},
]
# Copies held by loans; a2 is unknown to loans, x9 (withdrawn) is unknown to the library.
COPIES = {"b1": 2, "b2": 1, "f1": 1, "f2": 3, "a1": 0, "x9": 1}
INITIAL_LOANS: list[dict[str, Any]] = [
    {"id": "L1", "member": "ann", "media": "b2", "due": "2024-03-01"},
    {"id": "L2", "member": "bob", "media": "f1", "due": "2024-03-04"},
    {"id": "L3", "member": "cy", "media": "a1", "due": None},
    {"id": "L4", "member": "dee", "media": "b1", "due": "2024-02-20"},
    {"id": "L5", "member": "ivy", "media": "x9", "due": None},
]
RATINGS: dict[str, dict[str, Any]] = {
    "b1": {"stars": 4.5},
    "b2": {"stars": 3.75},
    "f1": {"stars": 4.25, "certificate": "PG"},
}


class _State:
    """What the library and loans share: the token counter, the loans, the copies on the shelf."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.tokens = 0
        self.loans = [dict(loan) for loan in INITIAL_LOANS]
        self.copies = dict(COPIES)

    def take(self) -> int:
        self.tokens += 1
        return self.tokens


def _library(state: _State) -> TestSubgraph:
    def resolve(rep: dict[str, Any], _a: dict[str, Any]) -> dict[str, Any] | None:
        token = state.take()
        found = next((m for m in MEDIA if m["id"] == rep["id"]), None)
        if found is None or rep["__typename"] not in ("Media", found["__typename"]):
            return None
        return {**found, "stamp": token}

    def reset(_o: dict[str, Any], _a: dict[str, Any]) -> bool:
        state.reset()
        return True

    return ValidatingSubgraph(
        "library",
        LINK
        + """
        type Query { item(id: ID!): Media shelf: [Media!]! }
        type Mutation { reset: Boolean! tokensUsed: Int! }
        interface Media @key(fields: "id") { id: ID! title: String! year: Int stamp: Int }
        type Book implements Media @key(fields: "id") {
          id: ID!
          title: String!
          year: Int
          stamp: Int
          pages: Int
          author: String
        }
        type Film implements Media @key(fields: "id") {
          id: ID!
          title: String!
          year: Int
          stamp: Int
          minutes: Int
        }
        type Album implements Media @key(fields: "id") {
          id: ID!
          title: String!
          year: Int
          stamp: Int
          discs: [[String!]!]
        }
        """,
        resolvers={
            "Query.item": lambda _o, a: next((dict(m) for m in MEDIA if m["id"] == a["id"]), None),
            "Query.shelf": lambda _o, _a: [dict(m) for m in MEDIA],
            "Mutation.reset": reset,
            "Mutation.tokensUsed": lambda _o, _a: state.tokens,
            **{f"{t}.__resolveReference": resolve for t in ("Media", "Book", "Film", "Album")},
        },
    )


def _loans(state: _State) -> TestSubgraph:
    def media(media_id: str) -> dict[str, Any]:
        return {"__typename": "Media", "id": media_id}

    def loan(row: dict[str, Any]) -> dict[str, Any]:
        return {"__typename": "Loan", **row, "media": media(row["media"])}

    def resolve(rep: dict[str, Any], _a: dict[str, Any]) -> dict[str, Any] | None:
        state.take()
        if rep["id"] not in state.copies:
            return None
        return {**rep, "copies": state.copies[rep["id"]]}

    def label(obj: dict[str, Any], _a: dict[str, Any]) -> str:
        year = obj["year"]
        return obj["title"] if year is None else f"{obj['title']} ({year})"

    def borrow(_o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
        media_id = a["mediaId"]
        if state.copies.get(media_id, 0) < 1:
            raise GraphQLError(f"no copy of {media_id} to lend")
        state.copies[media_id] -= 1
        row = {
            "id": f"L{len(state.loans) + 1}",
            "member": a["member"],
            "media": media_id,
            "due": "2024-04-01",
        }
        state.loans.append(row)
        return loan(row)

    def lend(_o: dict[str, Any], a: dict[str, Any]) -> list[dict[str, Any] | None]:
        """Borrow each item there is a copy of (null for the others)."""
        return [
            borrow(_o, {"mediaId": m, "member": a["member"]}) if state.copies.get(m, 0) > 0 else None
            for m in a["mediaIds"]
        ]

    def give_back(_o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any] | None:
        row = next((r for r in state.loans if r["id"] == a["loanId"]), None)
        if row is None:
            return None
        state.loans.remove(row)
        state.copies[row["media"]] += 1
        return loan(row)

    return ValidatingSubgraph(
        "loans",
        LINK
        + """
        type Query { overdue: [Media!]! loan(id: ID!): Loan }
        type Mutation {
          borrow(mediaId: ID!, member: String!): Loan
          lend(member: String!, mediaIds: [ID!]!): [Loan]!
          giveBack(loanId: ID!): Loan
        }
        type Media @key(fields: "id") @interfaceObject {
          id: ID!
          title: String! @external
          year: Int @external
          label: String @requires(fields: "title year")
          copies: Int
          loans: [Loan!]!
        }
        type Loan { id: ID! member: String! due: String media: Media }
        """,
        resolvers={
            "Query.overdue": lambda _o, _a: [media(r["media"]) for r in state.loans if r["due"] is not None],
            "Query.loan": lambda _o, a: next((loan(r) for r in state.loans if r["id"] == a["id"]), None),
            "Mutation.borrow": borrow,
            "Mutation.lend": lend,
            "Mutation.giveBack": give_back,
            "Media.__resolveReference": resolve,
            "Media.label": label,
            "Media.copies": lambda o, _a: state.copies.get(o["id"]),
            "Media.loans": lambda o, _a: [loan(r) for r in state.loans if r["media"] == o["id"]],
        },
    )


def subgraphs() -> list[TestSubgraph]:
    state = _State()
    return [
        _library(state),
        _loans(state),
        ValidatingSubgraph(
            "ratings",
            LINK
            + """
            type Media @key(fields: "id") @interfaceObject { id: ID! stars: Float }
            type Film @key(fields: "id") { id: ID! certificate: String }
            """,
            tables={
                "Media": [{"__typename": "Media", "id": k, "stars": v["stars"]} for k, v in RATINGS.items()],
                "Film": [
                    {"__typename": "Film", "id": k, "certificate": v["certificate"]}
                    for k, v in RATINGS.items()
                    if "certificate" in v
                ],
            },
        ),
    ]


QUERIES = [
    Query(
        "from the owner's root: the interfaceObject's @requires field gets the owner's fields",
        "{ shelf { __typename title label copies } }",
    ),
    Query(
        "from the interfaceObject's root: the requirement and the concrete type from the owner first",
        "{ overdue { __typename id label ... on Book { author } ... on Film { minutes } } }",
    ),
    Query(
        "two interfaceObject subgraphs and a concrete type's fields; items missing in two of them",
        """
        { film: item(id: "f1") { title label stars copies ... on Film { minutes } }
          album: item(id: "a2") { __typename title label copies stars }
          none: item(id: "zz") { title } }
        """,
    ),
    Query(
        "one subgraph's interfaceObject field and its concrete type's field on one object",
        '{ item(id: "f1") { title stars ... on Film { certificate } } }',
        expected={"data": {"item": {"title": "Stalker", "stars": 4.25, "certificate": "PG"}}},
        why="Apollo's planner fails (\"Was not able to find any options for certificate: This shouldn't "
        'have happened.") and answers no data',
    ),
    Query(
        "a loan's media from the interfaceObject root, lists of lists, the loans of the media",
        """
        { loan(id: "L3") { member due media { __typename label copies
            ... on Album { discs } loans { id member media { id stars } } } } }
        """,
    ),
    Query(
        "an object the owner does not know, without __typename: the requirement cannot be met",
        '{ loan(id: "L5") { member media { id label copies ... on Book { pages } } } }',
    ),
    Query(
        "an object the owner does not know, with __typename",
        '{ loan(id: "L5") { member media { __typename id label } } other: loan(id: "L3") { media { id } } }',
    ),
    Query(
        "nested fragments on the interface and its types, the requirement under other names",
        """
        query Overdue { overdue { ...Card } }
        fragment Card on Media {
          id name: title ...Labelled ... on Book { ...BookInfo } ... on Film { minutes }
        }
        fragment Labelled on Media { title: label ... on Media { stars year } }
        fragment BookInfo on Book { pages author }
        """,
    ),
    Query(
        "variables with skip and include on the required field and its requirement",
        """
        query ($withLabel: Boolean!, $id: ID!) {
          item(id: $id) { title @skip(if: $withLabel) label @include(if: $withLabel) copies }
          overdue { id year @include(if: $withLabel) label @skip(if: $withLabel) }
        }
        """,
        {"withLabel": True, "id": "b2"},
    ),
    Query(
        "a mutation's interface result: one owner fetch for the type, its fields and the requirement",
        """
        mutation { reset
          borrow(mediaId: "b1", member: "eve") {
            id member due media { __typename title label ... on Book { pages stamp } } }
          tokensUsed }
        """,
    ),
    Query(
        "a mutation returning a list: one entity call for all of its objects, whatever their types",
        """
        mutation { reset
          lend(member: "kim", mediaIds: ["f2", "b1", "a1", "f1"]) {
            id media { __typename stamp label ... on Film { minutes } ... on Album { discs } } }
          tokensUsed }
        """,
    ),
    Query(
        "consecutive mutations, each completed with its entity calls before the next",
        """
        mutation {
          reset
          a: borrow(mediaId: "f2", member: "fay") {
            id media { __typename label stamp ... on Film { minutes } }
          }
          b: giveBack(loanId: "L1") { member media { title copies label stamp } }
          c: borrow(mediaId: "b2", member: "gus") { media { label copies stamp stars } }
          tokensUsed
        }
        """,
        expected={
            "data": {
                "reset": True,
                "a": {
                    "id": "L6",
                    "media": {"__typename": "Film", "label": "Alien", "stamp": 1, "minutes": 117},
                },
                "b": {
                    "member": "ann",
                    "media": {"title": "Solaris", "copies": 2, "label": "Solaris (1961)", "stamp": 3},
                },
                "c": {"media": {"label": "Solaris (1961)", "copies": 1, "stamp": 5, "stars": 3.75}},
                "tokensUsed": 6,
            }
        },
        why="Apollo sends the three mutation fields of loans in one fetch and makes their entity calls only "
        "afterwards (in parallel, so its stamps even vary from run to run); the GraphQL spec executes "
        "mutation fields serially, each completed with its subfields before the next begins",
    ),
    Query(
        "a failing mutation between others, aliases and typename",
        """
        mutation {
          __typename
          reset
          none: borrow(mediaId: "a1", member: "hal") { id }
          gone: giveBack(loanId: "L9") { id }
          ok: borrow(mediaId: "b2", member: "hal") {
            __typename id media { __typename kind: __typename stamp name: label } }
          used: tokensUsed
        }
        """,
    ),
    Query(
        "a named mutation with variables and fragments on the interface",
        """
        mutation Lend($media: ID!, $who: String!, $withStars: Boolean!) {
          reset
          borrow(mediaId: $media, member: $who) { ...Lent }
          again: borrow(mediaId: $media, member: $who) { ...Lent }
          tokensUsed
        }
        fragment Lent on Loan {
          id member
          media { ... on Media { label copies } stars @include(if: $withStars) ... on Film { minutes } }
        }
        """,
        {"media": "f2", "who": "jo", "withStars": True},
    ),
]

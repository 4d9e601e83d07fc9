"""Interfaces across subgraphs: an entity interface (``@key`` on the interface, federation v2.3) whose
implementations are extended by other subgraphs, an interface (``Rated``) whose implementations live in
different subgraphs so that its field is resolved by a different subgraph per implementation, fields
asked on the interface and in concrete fragments, fragments that match nothing in the serving subgraph,
lists of lists of an interface, entities missing in a subgraph, and a subgraph error for partial data.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

MEDIA: list[dict[str, Any]] = [
    {"__typename": "Book", "id": "b1", "title": "Dune", "year": 1965},
    {"__typename": "Movie", "id": "m1", "title": "Alien", "year": 1979},
    {"__typename": "Book", "id": "b2", "title": "Neuromancer", "year": 1984},
    {"__typename": "Album", "id": "a1", "title": "OK Computer", "year": 1997},
    {"__typename": "Movie", "id": "m2", "title": "Blade Runner", "year": 1982},
    {"__typename": "Book", "id": "b3", "title": "Snow Crash", "year": None},
    {"__typename": "Movie", "id": "m3", "title": "Arrival", "year": 2016},
]
# b3 is missing from the books subgraph: its books-owned fields resolve to null.
BOOKS: list[dict[str, Any]] = [
    {"__typename": "Book", "id": "b1", "pages": 412, "author": "Frank Herbert", "rating": 4.6},
    {"__typename": "Book", "id": "b2", "pages": 271, "author": "William Gibson", "rating": 4.1},
]
# Movie m3's rating fails in movies (partial data).
MOVIES: list[dict[str, Any]] = [
    {"__typename": "Movie", "id": "m1", "minutes": 117, "director": "Ridley Scott", "rating": 4.5},
    {"__typename": "Movie", "id": "m2", "minutes": 117, "director": "Ridley Scott", "rating": 4.4},
    {"__typename": "Movie", "id": "m3", "minutes": 116, "director": "Denis Villeneuve", "rating": 4.2},
]
REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "stars": 5, "text": "A classic.", "subject": "b1"},
    {"id": "r2", "stars": 4, "text": "Still scary.", "subject": "m1"},
    {"id": "r3", "stars": 3, "text": "Dated.", "subject": "b2"},
    {"id": "r4", "stars": 5, "text": "Timeless.", "subject": "a1"},
    {"id": "r5", "stars": 2, "text": "Slow.", "subject": "m3"},
    {"id": "r6", "stars": 4, "text": "Better on rewatch.", "subject": "m1"},
]
# Apollo Gateway maps an error of an entity fetch to a path by the error's index among the
# representations, but counts every object at the fetch's path, also those the fetch skipped (other
# implementations): "ratings for Arrival" (library[6], the third Movie) is reported at library[2].
APOLLO_ERROR_PATH = (
    "Apollo Gateway reports an entity fetch's error at the path of the n-th object at the fetch path, "
    "counting objects of other types that got no representation: the error path must point at the "
    "field that failed (GraphQL spec, 7.1.2 Errors: path)"
)


def _media(media_id: str) -> dict[str, Any] | None:
    return next((dict(m) for m in MEDIA if m["id"] == media_id), None)


def _stub(media_id: str) -> dict[str, Any]:
    found = _media(media_id)
    assert found is not None
    return {"__typename": found["__typename"], "id": media_id}


def _review(r: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Review", **r, "subject": _stub(r["subject"])}


def _movie_rating(movie: dict[str, Any], _args: dict[str, Any]) -> Any:
    if movie["id"] == "m3":
        raise GraphQLError("ratings for Arrival are embargoed")
    return movie.get("rating")


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "catalog",
            LINK
            + """
            type Query {
              media(id: ID!): Media
              library(kind: String): [Media!]!
              shelves: [[Media]]!
            }
            interface Media @key(fields: "id") { id: ID! title: String! year: Int }
            type Book implements Media @key(fields: "id") { id: ID! title: String! year: Int }
            type Movie implements Media @key(fields: "id") { id: ID! title: String! year: Int }
            type Album implements Media @key(fields: "id") { id: ID! title: String! year: Int }
            """,
            tables={
                name: [dict(m) for m in MEDIA if m["__typename"] == name]
                for name in ("Book", "Movie", "Album")
            },
            resolvers={
                "Query.media": lambda _o, a: _media(a["id"]),
                "Query.library": lambda _o, a: [
                    dict(m) for m in MEDIA if a.get("kind") in (None, m["__typename"])
                ],
                "Query.shelves": lambda _o, _a: [
                    [_media("b1"), _media("a1")],
                    [],
                    None,
                    [_media("m2"), None, _media("b3")],
                ],
            },
        ),
        TestSubgraph(
            "books",
            LINK
            + """
            type Query { topRated(min: Float = 0): [Rated!]! }
            interface Rated { rating: Float }
            type Book implements Rated @key(fields: "id") {
              id: ID!
              pages: Int
              author: String
              rating: Float
            }
            """,
            tables={"Book": BOOKS},
            resolvers={
                "Query.topRated": lambda _o, a: sorted(
                    (dict(b) for b in BOOKS if b["rating"] >= a["min"]), key=lambda b: -b["rating"]
                ),
            },
        ),
        TestSubgraph(
            "movies",
            LINK
            + """
            type Query { nowShowing: [Rated] }
            interface Rated { rating: Float }
            type Movie implements Rated @key(fields: "id") {
              id: ID!
              minutes: Int
              director: String
              rating: Float
            }
            """,
            tables={"Movie": MOVIES},
            resolvers={
                "Query.nowShowing": lambda _o, _a: [dict(MOVIES[2]), None, dict(MOVIES[0])],
                "Movie.rating": _movie_rating,
            },
        ),
        TestSubgraph(
            "reviews",
            LINK
            + """
            type Query { latestReviews(limit: Int = 10): [Review!]! }
            type Review { id: ID! stars: Int text: String subject: Media }
            interface Media @key(fields: "id") { id: ID! reviews: [Review!]! }
            type Book implements Media @key(fields: "id") { id: ID! reviews: [Review!]! }
            type Movie implements Media @key(fields: "id") { id: ID! reviews: [Review!]! }
            type Album implements Media @key(fields: "id") { id: ID! reviews: [Review!]! }
            """,
            tables={
                name: [{"__typename": name, "id": m["id"]} for m in MEDIA if m["__typename"] == name]
                for name in ("Book", "Movie", "Album")
            },
            resolvers={
                "Query.latestReviews": lambda _o, a: [_review(r) for r in reversed(REVIEWS)][: a["limit"]],
                **{
                    f"{name}.reviews": lambda o, _a: [_review(r) for r in REVIEWS if r["subject"] == o["id"]]
                    for name in ("Book", "Movie", "Album")
                },
            },
        ),
    ]


QUERIES = [
    Query("interface fields of one subgraph", "{ library { __typename id title year } }"),
    Query(
        "concrete fragments jump to the subgraph of each implementation",
        "{ library { title ... on Book { pages author } ... on Movie { minutes director } } }",
    ),
    Query(
        "an interface field resolved by a different subgraph per implementation, with an error",
        "{ library { id ... on Rated { rating } } }",
        expected={
            "data": {
                "library": [
                    {"id": "b1", "rating": 4.6},
                    {"id": "m1", "rating": 4.5},
                    {"id": "b2", "rating": 4.1},
                    {"id": "a1"},
                    {"id": "m2", "rating": 4.4},
                    {"id": "b3", "rating": None},
                    {"id": "m3", "rating": None},
                ]
            },
            "errors": [{"message": "ratings for Arrival are embargoed", "path": ["library", 6, "rating"]}],
        },
        why=APOLLO_ERROR_PATH,
    ),
    Query(
        "a root field of another subgraph returning the interface; a fragment that matches nothing there",
        """{ topRated(min: 4.0) { __typename rating ... on Book { title pages year }
             ... on Movie { title minutes } } }""",
    ),
    Query(
        "nulls in a list of an interface, concrete fields of the serving subgraph",
        "{ nowShowing { __typename rating ... on Movie { id director title } } }",
    ),
    Query(
        "entity interface returned by a third subgraph",
        """{ latestReviews(limit: 4) { stars subject { __typename title
             ... on Book { author } ... on Movie { rating } ... on Album { year } } } }""",
    ),
    Query(
        "a field of the entity interface added by another subgraph",
        '{ media(id: "m1") { title reviews { stars text subject { id title } } } }',
    ),
    Query(
        "lists of lists of an interface with nulls",
        "{ shelves { __typename id ... on Album { title reviews { stars } } ... on Book { pages } } }",
    ),
    Query(
        "aliases, variables, a missing entity and an unknown id",
        """query ($id: ID!, $other: ID!) {
             first: media(id: $id) { t: title ... on Book { p: pages by: author r: rating } }
             second: media(id: $other) { title }
             third: media(id: "m2") { ... on Movie { length: minutes } kind: __typename }
           }""",
        {"id": "b3", "other": "nope"},
    ),
    Query(
        "skip and include on interface and concrete fragments",
        """query ($withRating: Boolean!, $noBooks: Boolean!) {
             library(kind: null) { title ... on Rated @include(if: $withRating) { rating }
               ... on Book @skip(if: $noBooks) { pages } ... on Movie { director @skip(if: $noBooks) } }
           }""",
        {"withRating": False, "noBooks": True},
    ),
    Query(
        "skip and include the other way",
        """query ($withRating: Boolean!, $noBooks: Boolean!) {
             library(kind: "Book") { title ... on Rated @include(if: $withRating) { rating }
               ... on Book @skip(if: $noBooks) { pages } ... on Movie { director @skip(if: $noBooks) } }
           }""",
        {"withRating": True, "noBooks": False},
    ),
    Query(
        "named fragments on the interface, nested, with the same field asked twice",
        """query Library { library { id ...M ... on Book { id title author } } }
           fragment M on Media { title ...Details reviews { stars } }
           fragment Details on Media { year ... on Movie { director title } ... on Book { rating } }""",
    ),
    Query(
        "typename at every level",
        """{ __typename latestReviews(limit: 3) { __typename subject { __typename
             ... on Rated { __typename rating } reviews { __typename id } } } }""",
    ),
    Query(
        "an interface inside a list field of an entity reached through a jump",
        """{ topRated { ... on Book { title reviews { text subject { ... on Book { author }
             ... on Movie { director } } } } } }""",
    ),
]

"""Abstract types nested in abstract types: unions whose members have interface- and union-typed
fields (``Block`` -> ``Embed.target: Content``, ``Gallery.items: [Media]``), an interface whose
implementations have list-of-list fields of another interface; interfaces implementing interfaces
(``Content implements Node``); fragments on interfaces inside object selections; the same union and
interface names with different members per subgraph, so that type conditions match nothing in the
subgraph serving the field; a ``@shareable`` value type returned by three subgraphs; entities missing
in a subgraph and a subgraph error.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

PEOPLE: list[dict[str, Any]] = [
    {"id": "u1", "name": "Ada", "avatar": {"url": "ada.png", "width": 64}, "works": ["a1", "v1", "v3"]},
    {"id": "u2", "name": "Grace", "avatar": None, "works": ["a2", "v2"]},
    {"id": "u3", "name": "Linus", "avatar": {"url": "linus.png", "width": None}, "works": []},
]
FRIENDS: dict[str, Any] = {"u1": ["u2", "u3"], "u2": ["u1"], "u3": None}
ARTICLES: list[dict[str, Any]] = [
    {
        "id": "a1",
        "title": "Intro to federation",
        "author": "u1",
        "blocks": [
            {"__typename": "Paragraph", "text": "Hello."},
            {"__typename": "Embed", "caption": "Watch this", "target": "v1"},
            {
                "__typename": "Gallery",
                "title": "Shots",
                "items": [{"url": "x.png", "width": 800}, "v2", None],
            },
        ],
    },
    {
        "id": "a2",
        "title": "Nested types",
        "author": "u2",
        "blocks": [
            {"__typename": "Embed", "caption": None, "target": "a1"},
            {"__typename": "Embed", "caption": "gone", "target": None},
            {"__typename": "Gallery", "title": None, "items": []},
        ],
    },
]
VIDEOS: list[dict[str, Any]] = [
    {"id": "v1", "title": "Federation in five minutes", "author": "u1"},
    {"id": "v2", "title": "Unions explained", "author": None},
    {"id": "v3", "title": "A deprecated talk", "author": "u1"},
]
# v2 is missing from media; v3's thumbnail fails.
MEDIA: dict[str, Any] = {
    "v1": {
        "durationSec": 300,
        "thumbnail": {"url": "v1.jpg", "width": 320},
        "renditions": [
            [
                {"__typename": "Hls", "url": "v1.m3u8", "segments": 60},
                {"__typename": "Mp4", "url": "v1.mp4", "bitrate": 4000},
            ],
            [],
            None,
            [{"__typename": "Mp4", "url": "v1-low.mp4", "bitrate": 800}, None],
        ],
    },
    "v3": {"durationSec": 2700, "thumbnail": None, "renditions": None},
}


# Apollo Gateway maps an error of an entity fetch to the path of the n-th object at the fetch's path,
# counting objects that got no representation (Articles): v3's thumbnail error (me.works[2], the second
# Video) is reported at me.works[1].
APOLLO_ERROR_PATH = (
    "Apollo Gateway reports an entity fetch's error at the path of the n-th object at the fetch path, "
    "counting objects of other types that got no representation: the error path must point at the "
    "field that failed (GraphQL spec, 7.1.2 Errors: path)"
)


def _content(content_id: str | None) -> dict[str, Any] | None:
    if content_id is None:
        return None
    for a in ARTICLES:
        if a["id"] == content_id:
            return {"__typename": "Article", **a, "author": _person_ref(a["author"])}
    for v in VIDEOS:
        if v["id"] == content_id:
            return {"__typename": "Video", **v, "author": _person_ref(v["author"])}
    return None


def _person_ref(person_id: str | None) -> dict[str, Any] | None:
    return None if person_id is None else {"__typename": "Person", "id": person_id}


def _stub(content_id: str) -> dict[str, Any]:
    typename = "Article" if content_id.startswith("a") else "Video"
    return {"__typename": typename, "id": content_id}


def _block(block: dict[str, Any]) -> dict[str, Any]:
    if block["__typename"] == "Embed":
        return {**block, "target": _content(block["target"])}
    if block["__typename"] == "Gallery":
        items = [
            {"__typename": "Image", **i} if isinstance(i, dict) else None if i is None else _content(i)
            for i in block["items"]
        ]
        return {**block, "items": items}
    return block


def _node(_obj: dict[str, Any], args: dict[str, Any]) -> dict[str, Any] | None:
    if any(p["id"] == args["id"] for p in PEOPLE):
        return _person_ref(args["id"])
    return _content(args["id"])


def _all_content() -> list[dict[str, Any]]:
    return [c for c in (_content(i) for i in ("a1", "v1", "a2", "v2", "v3")) if c is not None]


def _person(p: dict[str, Any]) -> dict[str, Any]:
    avatar = None if p["avatar"] is None else {"__typename": "Image", **p["avatar"]}
    return {"__typename": "Person", **p, "avatar": avatar, "works": [_stub(w) for w in p["works"]]}


def _thumbnail(video: dict[str, Any], _args: dict[str, Any]) -> Any:
    if video["id"] == "v3":
        raise GraphQLError("thumbnail rendering failed for v3")
    return video.get("thumbnail")


def _video(video_id: str) -> dict[str, Any]:
    media = MEDIA[video_id]
    thumbnail = media["thumbnail"] and {"__typename": "Image", **media["thumbnail"]}
    return {"__typename": "Video", "id": video_id, **media, "thumbnail": thumbnail}


def subgraphs() -> list[TestSubgraph]:
    return [
        TestSubgraph(
            "content",
            LINK
            + """
            type Query {
              node(id: ID!): Node
              feed(kind: String): [Content!]!
              search(text: String!): [SearchHit!]!
            }
            interface Node { id: ID! }
            interface Content implements Node { id: ID! title: String! author: Person }
            type Article implements Content & Node @key(fields: "id") {
              id: ID!
              title: String!
              author: Person
              blocks: [Block!]!
            }
            type Video implements Content & Node @key(fields: "id") { id: ID! title: String! author: Person }
            type Person implements Node @key(fields: "id") { id: ID! }
            union SearchHit = Article | Video
            union Block = Paragraph | Embed | Gallery
            type Paragraph { text: String! }
            type Embed { caption: String target: Content }
            type Gallery { title: String items: [Media]! }
            union Media = Image | Video
            type Image @shareable { url: String! width: Int }
            """,
            tables={
                name: [c for c in _all_content() if c["__typename"] == name] for name in ("Article", "Video")
            }
            | {"Person": [{"__typename": "Person", "id": p["id"]} for p in PEOPLE]},
            resolvers={
                "Query.node": _node,
                "Query.feed": lambda _o, a: [
                    c for c in _all_content() if a.get("kind") in (None, c["__typename"])
                ],
                "Query.search": lambda _o, a: [
                    c for c in _all_content() if a["text"].lower() in c["title"].lower()
                ],
                "Article.blocks": lambda o, _a: [_block(b) for b in o["blocks"]],
            },
        ),
        TestSubgraph(
            "people",
            LINK
            + """
            type Query { people: [Person!]! me: Person directory(text: String!): [SearchHit] }
            interface Node { id: ID! }
            interface Content implements Node { id: ID! }
            type Person implements Node @key(fields: "id") {
              id: ID!
              name: String!
              avatar: Image
              works: [Content!]!
              friends: [Person!]
            }
            type Article implements Content & Node @key(fields: "id") { id: ID! }
            type Video implements Content & Node @key(fields: "id") { id: ID! }
            union SearchHit = Person | Article
            type Image @shareable { url: String! width: Int }
            """,
            tables={"Person": [_person(p) for p in PEOPLE]},
            resolvers={
                "Query.people": lambda _o, _a: [_person(p) for p in PEOPLE],
                "Query.me": lambda _o, _a: _person(PEOPLE[0]),
                "Query.directory": lambda _o, a: (
                    [_person(p) for p in PEOPLE if a["text"].lower() in p["name"].lower()]
                    + [_stub(w) for p in PEOPLE for w in p["works"] if w.startswith("a")]
                ),
                "Person.friends": lambda o, _a: (
                    None
                    if FRIENDS[o["id"]] is None
                    else [_person(p) for f in FRIENDS[o["id"]] for p in PEOPLE if p["id"] == f]
                ),
            },
        ),
        TestSubgraph(
            "media",
            LINK
            + """
            type Video @key(fields: "id") {
              id: ID!
              durationSec: Int
              thumbnail: Image
              renditions: [[Rendition!]]
            }
            type Image @shareable { url: String! width: Int }
            interface Rendition { url: String! }
            type Hls implements Rendition { url: String! segments: Int }
            type Mp4 implements Rendition { url: String! bitrate: Int }
            """,
            tables={"Video": [_video(v) for v in MEDIA]},
            resolvers={"Video.thumbnail": _thumbnail},
        ),
    ]


QUERIES = [
    Query(
        "an interface implementing an interface: fragments on both and on the implementations",
        """{ feed { __typename ... on Node { id } ... on Content { title author { name } }
             ... on Video { durationSec } ... on Article { blocks { __typename } } } }""",
    ),
    Query(
        "a node that is a person: fragments on interfaces it does not implement match nothing",
        """query ($id: ID!) { node(id: $id) { __typename id ... on Person { name works { __typename title } }
             ... on Content { title } ... on Video { durationSec } } }""",
        {"id": "u2"},
    ),
    Query(
        "union members with interface- and union-typed fields, jumps under them",
        """{ node(id: "a1") { ... on Article { title blocks { __typename ... on Paragraph { text }
             ... on Embed { caption target { __typename title ... on Video { durationSec } } }
             ... on Gallery { title items { __typename ... on Image { url width }
               ... on Video { title thumbnail { url } } } } } } } }""",
    ),
    Query(
        "an interface inside a union inside an interface, with nulls",
        """{ feed(kind: "Article") { ... on Article { id blocks { ... on Embed { caption
             target { id ... on Article { blocks { ... on Paragraph { text } } }
               author { name } } } } } } }""",
    ),
    Query(
        "a union whose member the serving subgraph does not have",
        """{ search(text: "e") { __typename ... on Person { name } ... on Article { title }
             ... on Video { title durationSec } } }""",
    ),
    Query(
        "type conditions that match nothing in the serving subgraph: an interface and an object",
        """{ directory(text: "a") { __typename ... on Node { id } ... on Content { title }
             ... on Video { durationSec } ... on Person { name } } }""",
    ),
    Query(
        "fragments on interfaces inside object selections",
        """{ people { ... on Node { id } name avatar { url }
             friends { ... on Node { ... on Person { name } } }
             works { ... on Node { ... on Content { title } } } } }""",
        expected={
            "data": {
                "people": [
                    {
                        "id": "u1",
                        "name": "Ada",
                        "avatar": {"url": "ada.png"},
                        "friends": [{"name": "Grace"}, {"name": "Linus"}],
                        "works": [
                            {"title": "Intro to federation"},
                            {"title": "Federation in five minutes"},
                            {"title": "A deprecated talk"},
                        ],
                    },
                    {
                        "id": "u2",
                        "name": "Grace",
                        "avatar": None,
                        "friends": [{"name": "Ada"}],
                        "works": [{"title": "Nested types"}, {"title": "Unions explained"}],
                    },
                    {
                        "id": "u3",
                        "name": "Linus",
                        "avatar": {"url": "linus.png"},
                        "friends": None,
                        "works": [],
                    },
                ]
            }
        },
        why=(
            "Apollo Gateway drops `... on Person { name }` nested in `... on Node` on a [Person!] field "
            "(it answers friends: [{}, {}]): Person implements Node, so both fragments apply "
            "(GraphQL spec, 6.3.2 DoesFragmentTypeApply) and name must be in the result"
        ),
    ),
    Query(
        "a round trip through three subgraphs under nested interfaces; a condition no object meets",
        """{ people { name works { ... on Content { title author { name works { ... on Video { durationSec }
             ... on Node { id } } } } } } feed(kind: "Article") { ... on Video { durationSec } } }""",
    ),
    Query(
        "lists of lists of an interface under an interface-typed list",
        """{ feed(kind: "Video") { title ... on Video { renditions { __typename url ... on Hls { segments }
             ... on Mp4 { bitrate } } } } }""",
    ),
    Query(
        "a shareable value type from three subgraphs, a missing entity and an error",
        """{ me { avatar { url width } works { ... on Video { title thumbnail { url width } }
             ... on Article { blocks { ... on Gallery { items { ... on Image { url width } } } } } } } }""",
        expected={
            "data": {
                "me": {
                    "avatar": {"url": "ada.png", "width": 64},
                    "works": [
                        {"blocks": [{}, {}, {"items": [{"url": "x.png", "width": 800}, {}, None]}]},
                        {"title": "Federation in five minutes", "thumbnail": {"url": "v1.jpg", "width": 320}},
                        {"title": "A deprecated talk", "thumbnail": None},
                    ],
                }
            },
            "errors": [
                {"message": "thumbnail rendering failed for v3", "path": ["me", "works", 2, "thumbnail"]}
            ],
        },
        why=APOLLO_ERROR_PATH,
    ),
    Query(
        "named fragments on nested abstract types",
        """query Deep { node(id: "a2") { ...ContentCard } feed(kind: "Video") { ...ContentCard } }
           fragment ContentCard on Content { id title author { ...Who }
             ... on Article { blocks { ...BlockCard } } }
           fragment BlockCard on Block { __typename ... on Embed { target { ...ContentCard2 } } }
           fragment ContentCard2 on Content { id title ... on Video { durationSec } }
           fragment Who on Node { ... on Person { name } }""",
    ),
    Query(
        "skip and include on nested abstract fragments",
        """query ($deep: Boolean!, $media: Boolean!) { feed { id ... on Article @include(if: $deep) {
             blocks { ... on Gallery { items { ... on Video @include(if: $media) { durationSec }
               ... on Image { url } } } } } ... on Video @skip(if: $deep) { durationSec } } }""",
        {"deep": True, "media": False},
    ),
    Query(
        "typename at every level",
        """{ __typename node(id: "a1") { __typename ... on Article { blocks { __typename
             ... on Gallery { items { __typename ... on Video { renditions { __typename } } } } } } } }""",
    ),
    Query(
        "aliases over the same nested abstract field",
        """{ first: node(id: "v1") { ... on Video { r: renditions { u: url } d: durationSec } }
             second: node(id: "v1") { ... on Content { t: title }
               ... on Video { r2: renditions { ... on Mp4 { bitrate } } } } }""",
    ),
]

"""Keyless @shareable value types: a festival (``Query.festival``, @shareable in three subgraphs) whose
value objects (Festival, Stage, Day, Venue, Geo, Plot) get different fields from each subgraph, so one
answer is assembled from several root fetches and merged; lists of value objects (stages, days) and a
list of lists with nulls (the site plan) merged element-wise; a value type under an entity (Act.rider
{ hospitality { catering } }) whose deeper fields live only in another subgraph, reached through the
act's key; a list of value objects under an entity (Act.setlist) completed element-wise the same way;
an interface (Facility) inside a merged list; a subgraph error in one contributor, and an act missing
in the subgraph that owns the deeper fields. Every subgraph validates the operations it is sent.

- lineup: Query { festival @shareable, headliners }; Festival { name edition stages days venue };
  Stage { name sponsor slots }; Slot { start act }; Day { date headliner }; Venue { name geo };
  Geo { lat lng }; Act @key("id") { id name rider setlist }; Rider { drinks hospitality { rooms } };
  Song { title }.
- grounds: Query { festival @shareable }; Festival { name stages days venue plots: [[Plot]] };
  Stage { name capacity covered facilities: [Facility!]! }; Day { date gatesOpen forecast };
  Venue { name address geo }; Geo { lat lng elevation (fails) }; Plot { code use }.
- concessions: Query { festival @shareable }; Festival { name stages plots }; Stage { name foodTrucks };
  Plot { code vendor }.
- artists: Query { act(id) }; Act @key("id") { genre eras: [[String!]] rider setlist };
  Rider { drinks power hospitality { rooms catering } }; Song { title minutes } (a4 is unknown here).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.sets._validating import ValidatingSubgraph
from tests.federation.subgraph import TestSubgraph

FESTIVAL = {"name": "Fjord Sounds", "edition": 7}
STAGES: list[dict[str, Any]] = [
    {
        "name": "Main",
        "sponsor": "Nordlys",
        "capacity": 20000,
        "covered": False,
        "trucks": ["Tacos", "Waffles"],
        "slots": [("18:00", "a2"), ("21:00", "a1")],
        "facilities": [("Bar", "North Bar", 12), ("Toilet", "Main Loos", 40)],
    },
    {
        "name": "Forest",
        "sponsor": None,
        "capacity": 3000,
        "covered": True,
        "trucks": [],
        "slots": [("17:00", "a4"), ("20:00", "a3")],
        "facilities": [("Toilet", "Birch Loos", 8)],
    },
    {
        "name": "Tent",
        "sponsor": "Kaffe",
        "capacity": 800,
        "covered": True,
        "trucks": None,
        "slots": [],
        "facilities": [],
    },
]
DAYS: list[dict[str, Any]] = [
    {"date": "2024-06-21", "headliner": "a1", "gatesOpen": "15:00", "forecast": ("Sunny", 21.5)},
    {"date": "2024-06-22", "headliner": "a3", "gatesOpen": "14:00", "forecast": None},
    {"date": "2024-06-23", "headliner": None, "gatesOpen": None, "forecast": ("Drizzle", 13.5)},
]
VENUE = {"name": "Hardanger Meadow", "street": "Engjavegen 4", "city": "Odda", "lat": 60.0675, "lng": 6.5455}
# The site plan: rows of plots, with an empty cell (null) and an empty row.
PLOTS: list[list[dict[str, Any] | None]] = [
    [
        {"code": "A1", "use": "camping", "vendor": None},
        None,
        {"code": "A3", "use": "food", "vendor": "Tacos"},
    ],
    [{"code": "B1", "use": "parking", "vendor": None}, {"code": "B2", "use": "food", "vendor": "Waffles"}],
    [],
]
# Acts as lineup knows them (name, drinks, rooms) and as artists knows them (the rest); a4 is unknown
# to artists; a3 has no hospitality at all.
ACTS: dict[str, dict[str, Any]] = {
    "a1": {"name": "The Gannets", "drinks": ["water", "cola"], "rooms": 4},
    "a2": {"name": "Mira Vale", "drinks": ["tea"], "rooms": 1},
    "a3": {"name": "Ohm Static", "drinks": [], "rooms": None},
    "a4": {"name": "Brass Tide", "drinks": ["beer"], "rooms": 9},
}
ARTISTS: dict[str, dict[str, Any]] = {
    "a1": {
        "genre": "indie",
        "eras": [["Kim", "Ola"], ["Kim", "Ola", "Siv"]],
        "power": 32,
        "catering": "vegan",
    },
    "a2": {"genre": "folk", "eras": [["Mira"]], "power": 8, "catering": None},
    "a3": {"genre": "electronic", "eras": [], "power": 64, "catering": "halal"},
}

SONGS: dict[str, list[tuple[str, float | None]]] = {
    "a1": [("Low Tide", 3.5), ("Gull Song", None), ("Harbour", 4.25)],
    "a3": [("Ohm", 7.75)],
    "a4": [("Brass Monkey", 2.5)],
}


def _hospitality(act_id: str, with_catering: bool) -> dict[str, Any] | None:
    if act_id == "a3":
        return None
    out: dict[str, Any] = {"__typename": "Hospitality", "rooms": ACTS[act_id]["rooms"]}
    if with_catering:
        out["catering"] = ARTISTS[act_id]["catering"]
    return out


def _lineup_act(act_id: str | None) -> dict[str, Any] | None:
    if act_id is None:
        return None
    act = ACTS[act_id]
    rider = {"__typename": "Rider", "drinks": act["drinks"], "hospitality": _hospitality(act_id, False)}
    setlist = [{"__typename": "Song", "title": t} for t, _m in SONGS.get(act_id, [])]
    return {"__typename": "Act", "id": act_id, "name": act["name"], "rider": rider, "setlist": setlist}


def _artist(act_id: str) -> dict[str, Any] | None:
    if act_id not in ARTISTS:
        return None
    artist = ARTISTS[act_id]
    rider = {
        "__typename": "Rider",
        "drinks": ACTS[act_id]["drinks"],
        "power": artist["power"],
        "hospitality": _hospitality(act_id, True),
    }
    setlist = [{"__typename": "Song", "title": t, "minutes": m} for t, m in SONGS.get(act_id, [])]
    return {
        "__typename": "Act",
        "id": act_id,
        "genre": artist["genre"],
        "eras": artist["eras"],
        "rider": rider,
        "setlist": setlist,
    }


def _lineup_festival() -> dict[str, Any]:
    return {
        "__typename": "Festival",
        **FESTIVAL,
        "stages": [
            {
                "__typename": "Stage",
                "name": s["name"],
                "sponsor": s["sponsor"],
                "slots": [{"__typename": "Slot", "start": t, "act": _lineup_act(a)} for t, a in s["slots"]],
            }
            for s in STAGES
        ],
        "days": [
            {"__typename": "Day", "date": d["date"], "headliner": _lineup_act(d["headliner"])} for d in DAYS
        ],
        "venue": {
            "__typename": "Venue",
            "name": VENUE["name"],
            "geo": {"__typename": "Geo", "lat": VENUE["lat"], "lng": VENUE["lng"]},
        },
    }


def _forecast(d: dict[str, Any]) -> dict[str, Any] | None:
    if d["forecast"] is None:
        return None
    summary, temp = d["forecast"]
    return {"__typename": "Forecast", "summary": summary, "tempC": temp}


def _grounds_festival() -> dict[str, Any]:
    return {
        "__typename": "Festival",
        "name": FESTIVAL["name"],
        "stages": [
            {
                "__typename": "Stage",
                "name": s["name"],
                "capacity": s["capacity"],
                "covered": s["covered"],
                "facilities": [
                    {"__typename": kind, "label": label, ("taps" if kind == "Bar" else "count"): n}
                    for kind, label, n in s["facilities"]
                ],
            }
            for s in STAGES
        ],
        "days": [
            {"__typename": "Day", "date": d["date"], "gatesOpen": d["gatesOpen"], "forecast": _forecast(d)}
            for d in DAYS
        ],
        "venue": {
            "__typename": "Venue",
            "name": VENUE["name"],
            "address": {"__typename": "Address", "street": VENUE["street"], "city": VENUE["city"]},
            "geo": {"__typename": "Geo", "lat": VENUE["lat"], "lng": VENUE["lng"]},
        },
        "plots": [
            [None if p is None else {"__typename": "Plot", "code": p["code"], "use": p["use"]} for p in row]
            for row in PLOTS
        ],
    }


def _concessions_festival() -> dict[str, Any]:
    return {
        "__typename": "Festival",
        "name": FESTIVAL["name"],
        "stages": [{"__typename": "Stage", "name": s["name"], "foodTrucks": s["trucks"]} for s in STAGES],
        "plots": [
            [
                None if p is None else {"__typename": "Plot", "code": p["code"], "vendor": p["vendor"]}
                for p in row
            ]
            for row in PLOTS
        ],
    }


def _plots(*fields: str) -> list[list[dict[str, Any] | None]]:
    return [[None if p is None else {f: p[f] for f in fields} for p in row] for row in PLOTS]


def _elevation(_o: dict[str, Any], _a: dict[str, Any]) -> int:
    raise GraphQLError("the altimeter is offline")


def subgraphs() -> list[TestSubgraph]:
    return [
        ValidatingSubgraph(
            "lineup",
            LINK
            + """
            type Query { festival: Festival @shareable headliners: [Act!]! }
            type Festival @shareable {
              name: String!
              edition: Int!
              stages: [Stage!]!
              days: [Day!]!
              venue: Venue
            }
            type Stage @shareable { name: String! sponsor: String slots: [Slot!]! }
            type Slot { start: String! act: Act }
            type Day @shareable { date: String! headliner: Act }
            type Venue @shareable { name: String! geo: Geo }
            type Geo @shareable { lat: Float! lng: Float! }
            type Act @key(fields: "id") {
              id: ID!
              name: String!
              rider: Rider @shareable
              setlist: [Song!] @shareable
            }
            type Song @shareable { title: String! }
            type Rider @shareable { drinks: [String!]! hospitality: Hospitality }
            type Hospitality @shareable { rooms: Int }
            """,
            tables={"Act": [act for a in ACTS if (act := _lineup_act(a)) is not None]},
            resolvers={
                "Query.festival": lambda _o, _a: _lineup_festival(),
                "Query.headliners": lambda _o, _a: (
                    [_lineup_act(d["headliner"]) for d in DAYS if d["headliner"] is not None]
                    + [_lineup_act("a4")]
                ),
            },
        ),
        ValidatingSubgraph(
            "grounds",
            LINK
            + """
            type Query { festival: Festival @shareable }
            type Festival @shareable {
              name: String!
              stages: [Stage!]!
              days: [Day!]!
              venue: Venue
              plots: [[Plot]!]!
            }
            type Stage @shareable { name: String! capacity: Int! covered: Boolean facilities: [Facility!]! }
            interface Facility { label: String! }
            type Bar implements Facility { label: String! taps: Int }
            type Toilet implements Facility { label: String! count: Int }
            type Day @shareable { date: String! gatesOpen: String forecast: Forecast }
            type Forecast { summary: String! tempC: Float }
            type Venue @shareable { name: String! address: Address geo: Geo }
            type Address { street: String city: String! }
            type Geo @shareable { lat: Float! lng: Float! elevation: Int }
            type Plot @shareable { code: String! use: String }
            """,
            resolvers={"Query.festival": lambda _o, _a: _grounds_festival(), "Geo.elevation": _elevation},
        ),
        ValidatingSubgraph(
            "concessions",
            LINK
            + """
            type Query { festival: Festival @shareable }
            type Festival @shareable { name: String! stages: [Stage!]! plots: [[Plot]!]! }
            type Stage @shareable { name: String! foodTrucks: [String!] }
            type Plot @shareable { code: String! vendor: String }
            """,
            resolvers={"Query.festival": lambda _o, _a: _concessions_festival()},
        ),
        ValidatingSubgraph(
            "artists",
            LINK
            + """
            type Query { act(id: ID!): Act }
            type Act @key(fields: "id") {
              id: ID!
              genre: String
              eras: [[String!]!]
              rider: Rider @shareable
              setlist: [Song!] @shareable
            }
            type Song @shareable { title: String! minutes: Float }
            type Rider @shareable { drinks: [String!]! power: Int hospitality: Hospitality }
            type Hospitality @shareable { rooms: Int catering: String }
            """,
            resolvers={
                "Query.act": lambda _o, a: _artist(a["id"]),
                "Act.__resolveReference": lambda rep, _a: _artist(rep["id"]),
            },
        ),
    ]


QUERIES = [
    Query(
        "one value object from two root subgraphs",
        "{ festival { name edition venue { name address { street city } } } }",
    ),
    Query(
        "a list of value objects merged element-wise from three subgraphs",
        "{ festival { stages { name sponsor capacity covered foodTrucks } } }",
    ),
    Query(
        "a list of lists with nulls merged element-wise",
        "{ festival { plots { code use vendor } } }",
        expected={"data": {"festival": {"plots": _plots("code", "use", "vendor")}}},
        why="Apollo's deepMerge merges lists element-wise only one level deep: the inner lists of the "
        "fetch merged last replace the others, so every plot loses `use` (null instead of its value)",
    ),
    Query(
        "a value type under an entity: deeper fields through the act's key, one act unknown there",
        """
        { festival { stages { name slots { start act {
            id name rider { drinks hospitality { rooms catering } } } } } } }
        """,
    ),
    Query(
        "an interface inside a merged list, with fragments on the interface and its types",
        """
        { festival { stages { name sponsor
            facilities { __typename ... on Facility { label } ... on Bar { taps } ...Loo }
            foodTrucks } } }
        fragment Loo on Toilet { count }
        """,
    ),
    Query(
        "a subgraph error in one contributor keeps the other's fields",
        "{ festival { name edition venue { name geo { lat lng elevation } } } }",
    ),
    Query(
        "aliases and typename at every level of a merged value",
        """
        { __typename
          f: festival { __typename title: name stages { __typename stage: name seats: capacity } }
          again: festival { __typename edition days { __typename day: date gatesOpen } }
          venue: festival { venue { __typename geo { __typename lat } address { __typename city } } } }
        """,
    ),
    Query(
        "variables with skip and include choosing the contributing subgraphs",
        """
        query ($food: Boolean!, $noWeather: Boolean!) {
          festival {
            stages { name foodTrucks @include(if: $food) capacity @skip(if: $food) }
            days { date headliner { name } forecast @skip(if: $noWeather) { summary tempC } }
          }
        }
        """,
        {"food": True, "noWeather": False},
    ),
    Query(
        "nested fragments spread over three contributors",
        """
        query Site { festival { ...Overview } }
        fragment Overview on Festival { name stages { ...StageCard } days { ...DayCard } }
        fragment StageCard on Stage { name ... on Stage { sponsor covered ... { foodTrucks } } }
        fragment DayCard on Day { date ... @include(if: true) { gatesOpen headliner { ...Act } } }
        fragment Act on Act { name ... on Act { genre } }
        """,
    ),
    Query(
        "days merged, a headliner jumping to another subgraph for its rider's deeper fields",
        """
        { festival { days { date gatesOpen forecast { summary }
            headliner { name genre rider { power hospitality { catering rooms } } } } } }
        """,
    ),
    Query(
        "from the artists' root: the value type completed there, a list of lists",
        """
        query ($id: ID!, $none: ID!) {
          act(id: $id) { id name genre eras rider { drinks power hospitality { rooms catering } } }
          missing: act(id: $none) { name rider { drinks } }
        }
        """,
        {"id": "a1", "none": "a9"},
    ),
    Query(
        "a root list of entities whose value type comes from two subgraphs, one entity unknown",
        "{ headliners { id name genre rider { drinks power } } }",
    ),
    Query(
        "a list of value objects under an entity, completed element-wise through the entity's key",
        "{ headliners { name setlist { title minutes } } }",
    ),
    Query(
        "the same value object under three aliases, each asking another subgraph",
        """
        { a: festival { stages { capacity } } b: festival { stages { foodTrucks } }
          festival { stages { name } plots { vendor } } }
        """,
    ),
]

"""Schemathesis against every subgraph's /graphql: no input, however invalid, is a server error (issue 6).

Each subgraph is served over real HTTP against the four sandboxes (fresh per
test). Schemathesis loads its schema by introspection and generates, for every
``Query`` and ``Mutation`` field and for ``_entities`` (the gateway calls it
with whatever representations it holds; :func:`_representation` draws them,
broken ones included), documents valid by the schema with arbitrary argument
values (positive mode) and documents that break it (negative mode: wrong
types, missing or unknown arguments). Mutations run for real: they create
orders and returns in the sandboxes. Handcrafted requests add what the
generator does not reach (:func:`common_probes`, :data:`PROBES`): bodies that
are not GraphQL requests, missing and mistyped variables, huge lists, deep
nesting, keys no record can have.

Every answer is checked (:func:`check_answer`): no 5xx; a JSON object with
``data`` or ``errors``; every error with an ``extensions.code``, none of the
codes that are the subgraph's fault whatever the input (:data:`FAULTS`: an
unexpected exception, or a request to a healthy sandbox it refused); no
traceback or source path anywhere in the answer.

Deterministic: Hypothesis is derandomized (no example database) and runs the
operations in schema order, the world is seed 42's, and the sandboxes are
fresh. The generator runs in a worker thread (Schemathesis calls over
``requests``) while the test's event loop serves the subgraph and sandboxes.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphql
import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes
from schemathesis.schemas import APIOperation
from schemathesis.specs.graphql.schemas import GraphQLSchema

from sandbox.world import World
from subgraphs.common.settings import SubgraphSettings
from subgraphs.orders import listing
from tests.subgraphs.conftest import Sandboxes, ServeSubgraph

pytestmark = pytest.mark.slow
Operation = APIOperation[Any, Any, Any, Any]

SUBGRAPHS = ("catalog", "inventory", "orders", "returns", "customers")
POSITIVE_EXAMPLES = 40
"""Schema-valid documents per subgraph, shared out among its operations."""
NEGATIVE_EXAMPLES = 12
"""Schema-breaking documents per subgraph, shared out likewise."""
MIN_EXAMPLES = 3
"""Examples per operation and mode at least."""

FAULTS = {
    "INTERNAL_SERVER_ERROR": "an unexpected exception in the subgraph",
    "UPSTREAM_REJECTED": "the subgraph sent a healthy sandbox a request it refused (input not validated)",
    "UPSTREAM_REQUEST_INVALID": "the subgraph built a request it cannot send (input not validated)",
}
"""Codes that are the subgraph's fault whatever the input: the sandboxes are healthy here."""
_TRACEBACK = re.compile(r"Traceback|File \"[^\"]*\", line \d+|[\w/]+\.py\b|site-packages|line \d+, in ")


def check_answer(what: str, status: int, text: str) -> dict[str, Any]:
    """The answer's JSON body, after asserting it is a client's error at worst (module docstring)."""
    assert status < 500, f"{what}: HTTP {status}: {text[:2000]}"
    assert not _TRACEBACK.search(text), f"{what}: a traceback or source path leaked: {text[:2000]}"
    try:
        body = json.loads(text)
    except ValueError:
        raise AssertionError(f"{what}: HTTP {status} and not JSON: {text[:2000]}") from None
    assert isinstance(body, dict), f"{what}: not a JSON object: {text[:2000]}"
    assert "data" in body or "errors" in body, f"{what}: neither data nor errors: {text[:2000]}"
    for error in body.get("errors") or []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        assert isinstance(code, str), f"{what}: an error without extensions.code: {error}"
        assert code, f"{what}: an error with an empty extensions.code: {error}"
        assert code not in FAULTS, f"{what}: {FAULTS.get(code)}: {error}"
    return body


SHOPIFY_RESTORE_RATE = 20_000.0
"""Cost points a second Shopify restores, in the sandbox and as the connector paces: its metered reads
(a listing reads dozens of orders) then cost no waiting. Error handling is fuzzed here, not Shopify's
pacing (tested with the connector)."""


@pytest.fixture
def unmetered(sandboxes: Sandboxes) -> SubgraphSettings:
    """The sandboxes' settings, Shopify restoring its cost points at :data:`SHOPIFY_RESTORE_RATE`, and
    the return window open ten years (the seeded orders are weeks old: returns of them may be made)."""
    sandboxes.apps["shopify"].state.runtime.knobs.cost_restore_rate = SHOPIFY_RESTORE_RATE
    base = sandboxes.settings
    shopify = base.shopify.model_copy(update={"restore_rate": SHOPIFY_RESTORE_RATE})
    rules = base.orders.model_copy(update={"return_window_days": 3650})
    return base.model_copy(update={"shopify": shopify, "orders": rules})


# ---------------------------------------------------------------- generated documents


def _object_field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


_KEY_VALUE: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.sampled_from(["TEE-00001-S", "P00001", "R100001", "C000001", "DC01", "RMA-100015-01"]).map(
        nodes.String
    ),
    st.text(max_size=24).map(nodes.String),
    st.integers(-(2**40), 2**40).map(nodes.Int),
    st.just(nodes.Null),
    st.booleans().map(nodes.Boolean),
    st.lists(st.text(max_size=4).map(nodes.String), max_size=2).map(lambda values: nodes.List([*values])),
)
"""A key field's value: one of the world's keys (seed 42), any string, or not a string at all."""
_TYPENAMES = st.sampled_from(["Product", "Variant", "Location", "Order", "Customer", "Return", "Nope", ""])


@st.composite
def _representation(draw: st.DrawFn) -> graphql.ValueNode:
    """An ``_Any`` of ``_entities``: mostly an entity representation, some broken, some not objects."""
    if draw(st.integers(0, 4)) == 0:
        return draw(_KEY_VALUE)
    fields = []
    if draw(st.integers(0, 3)) > 0:
        fields.append(_object_field("__typename", nodes.String(draw(_TYPENAMES))))
    for key in draw(st.lists(st.sampled_from(["id", "sku", "number", "extra"]), max_size=2, unique=True)):
        fields.append(_object_field(key, draw(_KEY_VALUE)))
    return nodes.Object(fields)


schemathesis.graphql.scalar("_Any", _representation())


def _operations(schema: GraphQLSchema) -> list[Operation]:
    """Every Query and Mutation field, and ``_entities`` (which Schemathesis leaves out by default)."""
    found = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        found.append(result.ok())
    query = schema.client_schema.query_type
    if query is not None and "_entities" in query.fields:
        found.append(schema["Query"]["_entities"])
    return found


def _examples(
    operation: Operation, mode: GenerationMode, count: int, send: Callable[[Any], schemathesis.Response]
) -> Callable[[], None]:
    """``count`` of ``operation``'s examples in ``mode``, each sent and its answer checked."""

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = send(case)
        check_answer(f"{operation.label} ({mode.value}): {case.body}", response.status_code, response.text)

    return run


def _fuzz(schema: GraphQLSchema, url: str) -> dict[str, int]:
    """Every operation's examples sent to ``url``; how many requests each operation made."""
    operations = _operations(schema)
    sent = dict.fromkeys((operation.label for operation in operations), 0)
    with requests.Session() as session:
        for mode, budget in (
            (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            count = max(MIN_EXAMPLES, -(-budget // len(operations)))
            for operation in operations:

                def send(case: Any, label: str = operation.label) -> schemathesis.Response:
                    sent[label] += 1
                    response: schemathesis.Response = case.call(base_url=url, session=session, timeout=60)
                    return response

                _examples(operation, mode, count, send)()
    return sent


async def _introspect(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": graphql.get_introspection_query()})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.mark.parametrize("name", SUBGRAPHS)
async def test_generated_queries_and_mutations_are_never_a_server_error(
    serve_subgraph: ServeSubgraph, unmetered: SubgraphSettings, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # A status few orders have makes a listing read up to MAX_SCAN (500) orders, about two OMS calls
    # each (~15 s): a smaller bound takes the same path in a second.
    monkeypatch.setattr(listing, "MAX_SCAN", 30)
    async with serve_subgraph(name, unmetered) as client:
        schema = schemathesis.graphql.from_dict(await _introspect(client))
        sent = await asyncio.to_thread(_fuzz, schema, f"{client.base_url}/graphql")
    assert all(sent.values()), sent  # every operation was fuzzed
    assert sum(sent.values()) >= POSITIVE_EXAMPLES


# ---------------------------------------------------------------- handcrafted requests


@dataclass(frozen=True)
class Probe:
    """One request, the error code its answer must hold (None: any answer the checks pass), and for a
    mutation the userErrors codes it must answer (None: any)."""

    name: str
    body: bytes | dict[str, Any]
    expect: str | None = None
    user_errors: tuple[str, ...] | None = None
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


def _q(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"query": query, "variables": variables or {}}


def _entities(representations: Any, selection: str = "__typename") -> dict[str, Any]:
    return _q(
        "query($r: [_Any!]!) { _entities(representations: $r) { " + selection + " } }", {"r": representations}
    )


def _nested(depth: int) -> str:
    return "{ " + "a { " * depth + "b" + " }" * depth + " }"


_SKIP = "query($x: Boolean!) { __typename @skip(if: $x) }"
JUNK = ["", " ", "\x00", "x" * 10_000, "../../etc/passwd", "' OR 1=1 --", "%00", '"', "\\", "é" * 3]
"""Values for every key and string argument: blank, control characters, huge, quotes, injections."""
MANY = [f"SKU-{i:06d}" for i in range(10_000)]


def common_probes() -> list[Probe]:
    """Requests every subgraph must refuse cleanly: they are not GraphQL requests, or not valid ones."""
    deep_variables = (
        b'{"query": "' + _SKIP.encode() + b'", "variables": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    )
    return [
        Probe("a body that is not JSON", b'{"query": ', "BAD_REQUEST"),
        Probe("a body that is not UTF-8", b'{"query": "\xff\xfe"}', "BAD_REQUEST"),
        Probe("a JSON string body", b'"{ __typename }"', "BAD_REQUEST"),
        Probe("a JSON null body", b"null", "BAD_REQUEST"),
        Probe("a batch (a JSON array)", b'[{"query": "{ __typename }"}]', "BAD_REQUEST"),
        Probe("no query", {}, "BAD_REQUEST"),
        Probe("a query that is not a string", {"query": 42}, "BAD_REQUEST"),
        Probe("an empty query", {"query": ""}, "BAD_REQUEST"),
        Probe(
            "variables that are not an object", {"query": "{ __typename }", "variables": [1]}, "BAD_REQUEST"
        ),
        Probe("a text/plain body", b"{ __typename }", "BAD_REQUEST", headers={"content-type": "text/plain"}),
        Probe("a mutation over GET", b"", "BAD_REQUEST", method="GET", params={"query": "mutation { x }"}),
        Probe("a GET without a query", b"", "NOT_FOUND", method="GET"),
        Probe("variables nested 5000 deep", deep_variables, "BAD_REQUEST"),
        Probe("a lone surrogate in the variables", _q(_SKIP, {"x": "\ud83d"}), "BAD_REQUEST"),
        Probe(
            "an unknown operation name",
            {"query": "query A { __typename }", "operationName": "B"},
            "BAD_REQUEST",
        ),
        Probe("two operations and no operation name", _q("query A { __typename } query B { __typename }")),
        Probe("a syntax error", _q("{ __typename"), "GRAPHQL_PARSE_FAILED"),
        Probe("a NUL in the query", _q("{ __typename\x00 }"), "GRAPHQL_PARSE_FAILED"),
        Probe("selections nested 5000 deep", _q(_nested(5000)), "GRAPHQL_PARSE_FAILED"),
        Probe("a list nested 5000 deep", _q("{ __typename @skip(if: " + "[" * 5000 + "]" * 5000 + ") }")),
        Probe("a lone surrogate in a literal", _q('{ __typename @skip(if: "\\ud83d") }')),
        Probe("an unknown field", _q("{ nope }"), "GRAPHQL_VALIDATION_FAILED"),
        Probe("selections nested 30 deep", _q(_nested(30)), "GRAPHQL_VALIDATION_FAILED"),
        Probe("a subscription", _q("subscription { nope }"), "GRAPHQL_VALIDATION_FAILED"),
        Probe("a fragment cycle", _q("{ ...A } fragment A on Query { ...A }"), "GRAPHQL_VALIDATION_FAILED"),
        Probe("an undeclared variable", _q("{ __typename @skip(if: $x) }"), "GRAPHQL_VALIDATION_FAILED"),
        Probe(
            "an Int beyond 32 bits",
            _q("{ __typename @skip(if: 99999999999999999999) }"),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        Probe("a required variable missing", _q(_SKIP), "BAD_USER_INPUT"),
        Probe("a variable of the wrong type", _q(_SKIP, {"x": "yes"}), "BAD_USER_INPUT"),
        Probe("10000 aliases", _q("{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }")),
        Probe("a 1 MB comment", _q("#" + "x" * 1_000_000 + "\n{ __typename }")),
        Probe("_entities: not an object", _entities(["Variant"]), "BAD_USER_INPUT"),
        Probe("_entities: no __typename", _entities([{"sku": "X", "id": "X"}]), "BAD_USER_INPUT"),
        Probe("_entities: an unknown type", _entities([{"__typename": "Nope", "id": "X"}]), "BAD_USER_INPUT"),
        Probe(
            "_entities: a number for __typename", _entities([{"__typename": 7, "id": "X"}]), "BAD_USER_INPUT"
        ),
    ]


ENTITIES: dict[str, list[tuple[str, str, str]]] = {
    "catalog": [
        ("Variant", "sku", "... on Variant { sku title product { id } }"),
        ("Product", "id", "... on Product { id variants { sku } }"),
        ("Location", "id", "... on Location { id name }"),
    ],
    "inventory": [("Variant", "sku", "... on Variant { availability { availableToSell status } }")],
    "orders": [
        ("Order", "id", "... on Order { id status lines { id } }"),
        ("Customer", "id", "... on Customer { orders(first: 5) { id } }"),
    ],
    "returns": [
        ("Return", "id", "... on Return { id status }"),
        ("Order", "id", "... on Order { returns { id } }"),
        ("Customer", "id", "... on Customer { returns(first: 5) { id } }"),
    ],
    "customers": [("Customer", "id", "... on Customer { id email loyalty { points } }")],
}
"""Each subgraph's entities: (type, key field, a selection that reads through the systems)."""


def _junk_keys(name: str) -> list[Probe]:
    return [
        Probe(
            f"_entities: {typename} {value[:12]!r}",
            _entities([{"__typename": typename, key: value}], selection),
        )
        for typename, key, selection in ENTITIES[name]
        for value in JUNK
    ]


def _catalog(world: World) -> list[Probe]:
    sku = next(iter(world.variants)).sku
    products = (
        "query($f: Int, $a: String, $q: String)"
        " { products(first: $f, after: $a, query: $q) { edges { cursor } } }"
    )
    lookups = "query($i: ID!) { product(id: $i) { id } variant(sku: $i) { sku } location(id: $i) { id } }"
    cursors = ["%%%", "W10=", "bnVsbA==", "WzEsMiwzXQ==", "WyJ4IiwtMV0=", "W251bGwsIDEuNV0="]
    return [
        Probe(
            "variants: 10000 SKUs",
            _q("query($s: [ID!]!) { variants(skus: $s) { sku } }", {"s": MANY}),
            "BAD_USER_INPUT",
        ),
        Probe(
            "variants: junk SKUs", _q("query($s: [ID!]!) { variants(skus: $s) { sku } }", {"s": [*JUNK, sku]})
        ),
        Probe(
            "variant: its variable missing",
            _q("query($s: ID!) { variant(sku: $s) { sku } }"),
            "BAD_USER_INPUT",
        ),
        Probe("products: first not an Int", _q(products, {"f": "ten"}), "BAD_USER_INPUT"),
        Probe("products: first -1", _q(products, {"f": -1}), "BAD_USER_INPUT"),
        Probe("products: a query of 10000 characters", _q(products, {"q": "x" * 10_000})),
        Probe("products: a query with a double quote", _q(products, {"q": 'a "b'}), "BAD_USER_INPUT"),
        *(Probe(f"products: cursor {c!r}", _q(products, {"a": c}), "BAD_USER_INPUT") for c in cursors),
        Probe("products: a cursor 10^12 items on", _q(products, {"a": "W251bGwsMTAwMDAwMDAwMDAwMF0="})),
        *(Probe(f"product/variant/location {value[:12]!r}", _q(lookups, {"i": value})) for value in JUNK),
        Probe(
            "locations: an unknown type",
            _q("query($t: LocationType) { locations(type: $t) { id } }", {"t": "MOON"}),
            "BAD_USER_INPUT",
        ),
        Probe(
            "_entities: 300 variants",
            _entities(
                [{"__typename": "Variant", "sku": f"{sku}-{i}"} for i in range(300)], "... on Variant { sku }"
            ),
        ),
    ]


def _inventory(world: World) -> list[Probe]:
    sku = next(iter(world.variants)).sku
    availability = (
        "query($s: ID!, $c: Channel, $l: [ID!])"
        ' { _entities(representations: [{__typename: "Variant", sku: $s}])'
        " { ... on Variant { availability(channel: $c, locationIds: $l) { availableToSell } } } }"
    )
    return [
        Probe(
            "availability: 10000 unknown locations", _q(availability, {"s": sku, "l": MANY}), "BAD_USER_INPUT"
        ),
        Probe("availability: junk locations", _q(availability, {"s": sku, "l": JUNK}), "BAD_USER_INPUT"),
        Probe("availability: no locations", _q(availability, {"s": sku, "l": []})),
        Probe(
            "availability: an unknown channel", _q(availability, {"s": sku, "c": "MOON"}), "BAD_USER_INPUT"
        ),
        Probe(
            "_entities: 300 variants' availability",
            _entities(
                [{"__typename": "Variant", "sku": f"{sku}-{i}"} for i in range(300)],
                "... on Variant { availability { availableToSell } }",
            ),
        ),
    ]


def _orders(world: World) -> list[Probe]:
    sku, customer = next(iter(world.variants)).sku, world.customers[0]
    submit = (
        "mutation($i: SubmitOrderInput!, $k: ID!) { submitOrder(input: $i, idempotencyKey: $k)"
        " { userErrors { code field } order { id } } }"
    )
    address = {"line1": "1 Main St", "city": "Boston", "postalCode": "02120", "countryCode": "US"}
    good = {
        "channel": "ONLINE",
        "customerId": customer.id,
        "lines": [{"sku": sku, "quantity": 1}],
        "fulfilment": {"type": "SHIP", "shippingAddress": address},
        "paymentReference": "pay-1",
    }
    junk_input = {
        "customerId": "\x00",
        "email": "x" * 10_000,
        "paymentReference": " ",
        "fulfilment": {"type": "PICKUP", "pickupLocationId": "x" * 10_000},
    }
    odd_address = {
        **address,
        "line1": '1 "Main" St\\',
        "line2": "\x00" * 3,
        "region": "é" * 200,
        "city": "' OR 1=1 --",
    }
    odd = {
        **good,
        "fulfilment": {"type": "SHIP", "shippingAddress": odd_address},
        "paymentReference": "%00 " + "p" * 1000,
    }
    orders = "query($f: Int, $a: String) { orders(first: $f, after: $a) { edges { cursor } } }"
    lookups = "query($i: ID!, $n: String!) { order(id: $i) { id } orderByNumber(number: $n) { id } }"
    cursors = ["%%%", "W10=", "bnVsbA==", "WyJ4IiwieSJd", "WyIyMDI0LTAxLTAxIiwieSJd"]
    return [
        Probe(
            "submitOrder: 10000 lines",
            _q(submit, {"i": {**good, "lines": [{"sku": s, "quantity": 1} for s in MANY]}, "k": "f1"}),
        ),
        Probe(
            "submitOrder: junk SKUs",
            _q(submit, {"i": {**good, "lines": [{"sku": s, "quantity": 1} for s in JUNK]}, "k": "f2"}),
        ),
        Probe(
            "submitOrder: quantity 2^31-1",
            _q(submit, {"i": {**good, "lines": [{"sku": sku, "quantity": 2**31 - 1}]}, "k": "f3"}),
        ),
        Probe(
            "submitOrder: quantity 2^31",
            _q(submit, {"i": {**good, "lines": [{"sku": sku, "quantity": 2**31}]}, "k": "f4"}),
            "BAD_USER_INPUT",
        ),
        Probe(
            "submitOrder: fields missing",
            _q(submit, {"i": {"channel": "ONLINE"}, "k": "f5"}),
            "BAD_USER_INPUT",
        ),
        Probe(
            "submitOrder: an unknown channel",
            _q(submit, {"i": {**good, "channel": "MOON"}, "k": "f6"}),
            "BAD_USER_INPUT",
        ),
        Probe("submitOrder: a key of 100000 characters", _q(submit, {"i": good, "k": "k" * 100_000})),
        Probe("submitOrder: junk everywhere", _q(submit, {"i": {**good, **junk_input}, "k": "f7"})),
        Probe("submitOrder: a blank customer id", _q(submit, {"i": {**good, "customerId": ""}, "k": "f8"})),
        Probe(
            "submitOrder: valid, odd strings (creates it)", _q(submit, {"i": odd, "k": "f9"}), user_errors=()
        ),
        Probe(
            "submitOrder: the same key, another input",
            _q(submit, {"i": good, "k": "f9"}),
            user_errors=("IDEMPOTENCY_KEY_REUSED",),
        ),
        Probe("orders: first 101", _q(orders, {"f": 101}), "BAD_USER_INPUT"),
        *(Probe(f"orders: cursor {c!r}", _q(orders, {"a": c}), "BAD_USER_INPUT") for c in cursors),
        *(
            Probe(f"order/orderByNumber {value[:12]!r}", _q(lookups, {"i": value, "n": value}))
            for value in JUNK
        ),
        Probe(
            "Customer.orders: first 1000",
            _entities(
                [{"__typename": "Customer", "id": customer.id}],
                "... on Customer { orders(first: 1000) { id } }",
            ),
            "BAD_USER_INPUT",
        ),
        Probe(
            "_entities: 20 orders",
            _entities(
                [{"__typename": "Order", "id": f"R1{i:05d}"} for i in range(20)], "... on Order { id status }"
            ),
        ),
    ]


def _returns(world: World) -> list[Probe]:
    order = next(
        o for o in world.orders if o.channel == "ONLINE" and o.status == "FULFILLED" and not o.returns
    )
    customer = world.customers[0]
    authorize = (
        "mutation($i: AuthorizeReturnInput!, $k: ID!) { authorizeReturn(input: $i, idempotencyKey: $k)"
        " { userErrors { code field } return { id } } }"
    )
    line = {"orderLineId": f"{order.number}-1", "quantity": 1, "reason": "DAMAGED"}

    def request(key: str, order_id: str = order.number, **changes: Any) -> dict[str, Any]:
        return _q(authorize, {"i": {"orderId": order_id, "lines": [line], **changes}, "k": key})

    rmas = [*JUNK, "RMA-99999999999999999999-x", "RMA--x", f"RMA-{order.number}-"]
    return [
        Probe(
            "authorizeReturn: valid (creates it)", request("f0", refundMethod="STORE_CREDIT"), user_errors=()
        ),
        Probe(
            "authorizeReturn: the same key, another input",
            request("f0", lines=[{**line, "reason": "OTHER"}]),
            user_errors=("IDEMPOTENCY_KEY_REUSED",),
        ),
        Probe(
            "authorizeReturn: the same units again",
            request("f0-again", lines=[{**line, "quantity": 99}]),
            user_errors=("QUANTITY_EXCEEDS_RETURNABLE",),
        ),
        Probe("authorizeReturn: 10000 lines", request("f1", lines=[line] * 10_000)),
        Probe("authorizeReturn: quantity 2^31-1", request("f2", lines=[{**line, "quantity": 2**31 - 1}])),
        Probe(
            "authorizeReturn: an unknown reason",
            request("f3", lines=[{**line, "reason": "BORED"}]),
            "BAD_USER_INPUT",
        ),
        Probe(
            "authorizeReturn: junk line ids", request("f4", lines=[{**line, "orderLineId": v} for v in JUNK])
        ),
        *(
            Probe(f"authorizeReturn: order {v[:12]!r}", request(f"f5-{i}", v, dropOffLocationId=v))
            for i, v in enumerate(JUNK)
        ),
        *(
            Probe(
                f"returnAuthorization {v[:12]!r}",
                _q("query($i: ID!) { returnAuthorization(id: $i) { id } }", {"i": v}),
            )
            for v in rmas
        ),
        Probe(
            "Customer.returns: first -1",
            _entities(
                [{"__typename": "Customer", "id": customer.id}],
                "... on Customer { returns(first: -1) { id } }",
            ),
            "BAD_USER_INPUT",
        ),
        Probe(
            "_entities: 20 orders' returns",
            _entities(
                [{"__typename": "Order", "id": f"R1{i:05d}"} for i in range(20)],
                "... on Order { returns { id } }",
            ),
        ),
    ]


def _customers(world: World) -> list[Probe]:
    customer = world.customers[0]
    emails = [*JUNK, "a@b.c", "A@" + "b" * 300 + ".com", customer.email.upper(), 'a"b@c.de']
    return [
        *(
            Probe(f"customer {v[:12]!r}", _q("query($i: ID!) { customer(id: $i) { id } }", {"i": v}))
            for v in JUNK
        ),
        *(
            Probe(
                f"customerByEmail {v[:12]!r}",
                _q("query($e: String!) { customerByEmail(email: $e) { id } }", {"e": v}),
            )
            for v in emails
        ),
        Probe(
            "_entities: 20 customers",
            _entities(
                [{"__typename": "Customer", "id": f"C{i:06d}"} for i in range(20)],
                "... on Customer { id email }",
            ),
        ),
    ]


PROBES: dict[str, Callable[[World], list[Probe]]] = {
    "catalog": _catalog,
    "inventory": _inventory,
    "orders": _orders,
    "returns": _returns,
    "customers": _customers,
}
"""Each subgraph's own invalid or outsized requests (its entities' junk keys added)."""


async def _send(client: httpx.AsyncClient, probe: Probe) -> httpx.Response:
    if probe.method == "GET":
        return await client.get("/graphql", params=probe.params, headers=probe.headers)
    body = probe.body if isinstance(probe.body, bytes) else json.dumps(probe.body).encode()
    return await client.post(
        "/graphql", content=body, headers={"content-type": "application/json", **probe.headers}
    )


@pytest.mark.parametrize("name", SUBGRAPHS)
async def test_handcrafted_invalid_requests_are_never_a_server_error(
    serve_subgraph: ServeSubgraph, unmetered: SubgraphSettings, world: World, name: str
) -> None:
    failures: list[str] = []
    async with serve_subgraph(name, unmetered) as client:
        for probe in [*common_probes(), *_junk_keys(name), *PROBES[name](world)]:
            response = await _send(client, probe)
            try:
                body = check_answer(probe.name, response.status_code, response.text)
                codes = [error["extensions"]["code"] for error in body.get("errors") or []]
                assert probe.expect in (None, *codes), f"{probe.name}: expected {probe.expect}, got {codes}"
                if probe.user_errors is not None:
                    [payload] = body["data"].values()
                    found = tuple(error["code"] for error in payload["userErrors"])
                    assert found == probe.user_errors, f"{probe.name}: userErrors {found}: {body}"
            except AssertionError as failure:
                failures.append(str(failure).split("\n")[0][:600])
    assert not failures, "\n".join(failures)

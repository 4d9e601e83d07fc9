"""The ERP's OData V2 core without HTTP: $filter, key predicates, wire values, query options."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from sandbox.erp.odata.edm import EntityType, Nav, boolean, date, decimal, string, timestamp
from sandbox.erp.odata.errors import ODataError
from sandbox.erp.odata.filter import parse_filter
from sandbox.erp.odata.query import parse_expand, parse_options, parse_orderby, parse_select
from sandbox.erp.odata.resource import parse_path, resolve_key
from sandbox.erp.odata.values import entity_path, etag_of, parse_date, parse_value, to_json

ORDER = EntityType(
    "OrderType",
    "Orders",
    ("Id",),
    (
        string("Id", 10),
        string("Name", 40),
        decimal("Amount", 16, 3, wire_scale=2),
        date("Created"),
        timestamp("Changed"),
        boolean("Open"),
    ),
    (Nav("to_Item", "Items", many=True),),
    etag="Changed",
)
ITEM = EntityType(
    "ItemType", "Items", ("Id", "Item"), (string("Id", 10), string("Item", 6), string("Sku", 40))
)
TYPES = {"Orders": ORDER, "Items": ITEM}

ROWS: list[dict[str, Any]] = [
    {
        "Id": "1",
        "Name": "O'Brien",
        "Amount": Decimal("10.50"),
        "Created": datetime(2026, 1, 1, tzinfo=UTC),
        "Changed": datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC),
        "Open": True,
    },
    {
        "Id": "2",
        "Name": "Smith",
        "Amount": Decimal("99.99"),
        "Created": datetime(2026, 2, 1, tzinfo=UTC),
        "Changed": datetime(2026, 2, 2, tzinfo=UTC),
        "Open": False,
    },
    {
        "Id": "3",
        "Name": None,
        "Amount": Decimal("0"),
        "Created": datetime(2026, 3, 1, tzinfo=UTC),
        "Changed": datetime(2026, 3, 2, tzinfo=UTC),
        "Open": True,
    },
]


def matching(text: str) -> list[str]:
    compiled = parse_filter(text, ORDER)
    return [row["Id"] for row in ROWS if compiled.predicate(row)]


@pytest.mark.parametrize(
    ("expression", "ids"),
    [
        ("Id eq '1'", ["1"]),
        ("Id ne '1'", ["2", "3"]),
        ("Amount gt 10.5", ["2"]),
        ("Amount ge 10.5M", ["1", "2"]),
        ("Amount lt 1 or Amount gt 50", ["2", "3"]),
        ("Open eq true and Amount gt 5", ["1"]),
        ("not (Id eq '1')", ["2", "3"]),
        ("not Open", ["2"]),
        ("Name eq 'O''Brien'", ["1"]),
        ("Name eq null", ["3"]),
        ("Name ne null and Id ne '2'", ["1"]),
        ("substringof('mit',Name)", ["2"]),
        ("substringof('mit',Name) eq true", ["2"]),
        ("startswith(Name,'O')", ["1"]),
        ("endswith(Name,'th')", ["2"]),
        ("tolower(Name) eq 'smith'", ["2"]),
        ("length(Name) eq 5", ["2"]),
        ("Created ge datetime'2026-02-01T00:00:00'", ["2", "3"]),
        ("Created lt datetime'2026-02-01T00:00'", ["1"]),
        ("Changed gt datetimeoffset'2026-02-01T00:00:00Z'", ["2", "3"]),
        ("year(Created) eq 2026 and month(Created) eq 3", ["3"]),
        ("(Id eq '1' or Id eq '2') and Open eq false", ["2"]),
    ],
)
def test_a_filter_expression_selects_exactly_the_matching_rows(expression: str, ids: list[str]) -> None:
    assert matching(expression) == ids


@pytest.mark.parametrize(
    "expression",
    [
        "Id eq",
        "Id eq '1",
        "Foo eq '1'",
        "Id eq 1",
        "Amount eq '10'",
        "Id eq '1' and",
        "(Id eq '1'",
        "Id",
        "Amount add 1 eq 2",
        "to_Item/Sku eq 'X'",
        "frobnicate(Id) eq '1'",
        "startswith(Id)",
        "Id eq '1' Id",
        "Created eq datetime'2026-13-01T00:00:00'",
        "Id eq time'PT1H'",
        "Id # '1'",
        "",
        "not Id",
    ],
)
def test_an_invalid_filter_is_a_400_odata_error(expression: str) -> None:
    with pytest.raises(ODataError) as caught:
        parse_filter(expression, ORDER)
    assert caught.value.status == 400
    assert caught.value.code == "/IWBEP/CM_MGW_RT/005"


def test_a_long_or_chain_compiles_flat_and_hints_every_value() -> None:
    compiled = parse_filter(" or ".join(f"Id eq '{n}'" for n in range(3000)), ORDER)
    assert len(compiled.hints["Id"]) == 3000
    assert [row["Id"] for row in ROWS if compiled.predicate(row)] == ["1", "2", "3"]


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 150 + "Open" + ")" * 150,
        "not " * 150 + "Open",
        "tolower(" * 150 + "Name" + ")" * 150,
        "Open" + " eq true" * 150,
    ],
)
def test_nesting_beyond_the_limit_is_a_400_not_a_crash(expression: str) -> None:
    with pytest.raises(ODataError) as caught:
        parse_filter(expression, ORDER)
    assert "nested deeper" in caught.value.message
    assert matching("(" * 50 + "Open" + ")" * 50) == ["1", "3"]


def test_filter_hints_name_the_values_a_match_must_have() -> None:
    hints = parse_filter("(Id eq '1' or Id eq '2') and Name eq 'x' and Amount gt 1", ORDER).hints
    assert hints == {"Id": frozenset({"1", "2"}), "Name": frozenset({"x"})}
    assert parse_filter("Id eq '1' or Name eq 'x'", ORDER).hints == {}
    assert parse_filter("Id eq '1' and Id eq '2'", ORDER).hints == {"Id": frozenset()}


def test_key_predicates_resolve_single_and_composite_keys() -> None:
    assert resolve_key("'1000001'", ORDER) == {"Id": "1000001"}
    assert resolve_key("Item='10',Id='1'", ITEM) == {"Id": "1", "Item": "10"}
    assert resolve_key("Id='it''s'", ORDER) == {"Id": "it's"}


@pytest.mark.parametrize(
    ("predicate", "etype"),
    [
        ("1", ORDER),
        ("'1'", ITEM),
        ("Id='1'", ITEM),
        ("Id='1',Id='1'", ITEM),
        ("Nope='1'", ORDER),
        ("Id=", ORDER),
        ("", ORDER),
        ("Id='1' Item='2'", ITEM),
        ("'unterminated", ORDER),
    ],
)
def test_a_malformed_key_predicate_is_a_400(predicate: str, etype: EntityType) -> None:
    with pytest.raises(ODataError) as caught:
        resolve_key(predicate, etype)
    assert caught.value.status == 400


def test_resource_paths_split_on_slashes_outside_quotes_and_note_count() -> None:
    path = parse_path("Orders('a/b')/to_Item/$count")
    assert [(s.name, s.predicate) for s in path.segments] == [("Orders", "'a/b'"), ("to_Item", None)]
    assert path.count
    with pytest.raises(ODataError):
        parse_path("Orders('1'")
    with pytest.raises(ODataError):
        parse_path("Orders/$value")


def test_values_are_written_as_sap_writes_them() -> None:
    row = ROWS[0]
    assert to_json(ORDER.props[2], row["Amount"]) == "10.50"
    assert to_json(ORDER.props[3], row["Created"]) == "/Date(1767225600000)/"
    assert to_json(ORDER.props[4], row["Changed"]) == "/Date(1767323045600+0000)/"
    assert to_json(ORDER.props[1], None) is None
    assert etag_of(ORDER, row) == "W/\"datetime'2026-01-02T03%3A04%3A05.6000000'\""
    assert etag_of(ITEM, {"Id": "1", "Item": "10"}) is None
    assert entity_path(ITEM, {"Id": "a'b", "Item": "10"}) == "Items(Id='a%27%27b',Item='10')"


def test_request_values_are_parsed_strictly_by_type() -> None:
    assert parse_date("/Date(1767225600000)/") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_date("/Date(1767225600000+0100)/") == datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert parse_date("2026-01-01T00:00:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_value(ORDER.props[2], "1.5") == Decimal("1.5")
    assert parse_value(ORDER.props[3], "/Date(1767232800000)/") == datetime(2026, 1, 1, tzinfo=UTC)
    for prop, raw in (
        (ORDER.props[1], 5),
        (ORDER.props[2], "x"),
        (ORDER.props[2], True),
        (ORDER.props[5], "yes"),
        (ORDER.props[3], "tomorrow"),
        (ORDER.props[0], "x" * 11),
    ):
        with pytest.raises(ValueError):
            parse_value(prop, raw)


def test_query_options_reject_unknown_repeated_and_malformed_system_options() -> None:
    assert parse_options([("sap-client", "100"), ("$top", "5")]).top == 5
    for pairs in (
        [("$foo", "1")],
        [("$top", "1"), ("$top", "2")],
        [("$top", "-1")],
        [("$skip", "x")],
        [("$inlinecount", "some")],
        [("$skiptoken", "abc")],
    ):
        with pytest.raises(ODataError) as caught:
            parse_options(pairs)
        assert caught.value.status == 400


def test_select_and_expand_build_trees_and_check_names() -> None:
    expand = parse_expand("to_Item", ORDER, TYPES.__getitem__)
    assert set(expand.children) == {"to_Item"}
    select = parse_select("Id,to_Item/Sku", ORDER, expand, TYPES.__getitem__)
    assert select is not None
    assert select.props == {"Id"}
    child = select.navs["to_Item"]
    assert child is not None
    assert child.props == {"Sku"}
    assert parse_orderby("Amount desc, Id", ORDER) == [("Amount", True), ("Id", False)]
    for bad in (
        lambda: parse_expand("to_Nothing", ORDER, TYPES.__getitem__),
        lambda: parse_select("Nope", ORDER, expand, TYPES.__getitem__),
        lambda: parse_select(
            "to_Item/Sku", ORDER, parse_expand(None, ORDER, TYPES.__getitem__), TYPES.__getitem__
        ),
        lambda: parse_orderby("Amount sideways", ORDER),
        lambda: parse_orderby("Nope", ORDER),
        lambda: parse_expand("/".join(["to_Item"] * 6), ORDER, {**TYPES, "Items": ORDER}.__getitem__),
    ):
        with pytest.raises(ODataError):
            bad()

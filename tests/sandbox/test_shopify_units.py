"""Unit tests of the Shopify mimic's building blocks: search syntax, cursors, idempotency, GIDs, buckets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.shopify.gids import InvalidGid, level_gid, parse_gid, parse_level_gid
from sandbox.shopify.idempotency import RETENTION_S, IdempotencyStore
from sandbox.shopify.paging import PageArgs, paginate, paginate_indexed
from sandbox.shopify.search import BoolOp, Field, Not, SearchSyntaxError, Term, compile_query, parse
from sandbox.shopify.throttle import Buckets

FIELDS = {
    "title": Field("text", lambda r: r["title"]),
    "sku": Field("exact", lambda r: r["skus"]),
    "qty": Field("number", lambda r: r["qty"]),
    "updated_at": Field("date", lambda r: r["updated"]),
}
RECORDS = [
    {
        "title": "Trail Hoodie",
        "skus": ["HOO-1-S", "HOO-1-M"],
        "qty": 3,
        "updated": datetime(2026, 10, 2, tzinfo=UTC),
    },
    {"title": "Urban Tee", "skus": ["TEE-2-S"], "qty": 0, "updated": datetime(2026, 9, 1, tzinfo=UTC)},
    {
        "title": "Hoodie Classic",
        "skus": ["HOO-3-L"],
        "qty": 9,
        "updated": datetime(2026, 10, 1, 12, tzinfo=UTC),
    },
]


def matching(query: str) -> list[str]:
    predicate, _ = compile_query(query, FIELDS, ("title",))
    return [r["title"] for r in RECORDS if predicate is None or predicate(r)]


def test_terms_and_together_and_or_binds_looser() -> None:
    assert parse("title:a sku:b OR qty:1") == BoolOp(
        "OR",
        (
            BoolOp("AND", (Term("title", "=", "a", False), Term("sku", "=", "b", False))),
            Term("qty", "=", "1", False),
        ),
    )


def test_negation_quotes_comparisons_and_prefixes_parse() -> None:
    assert parse('-title:"two words"') == Not(Term("title", "=", "two words", False))
    assert parse("NOT qty:>=3") == Not(Term("qty", ">=", "3", False))
    assert parse("sku:HOO-*") == Term("sku", "=", "HOO-", True)


@pytest.mark.parametrize(
    "query", ['title:"open', "(a OR b", "a OR", "OR a", "title:", ")", "9bad:x", 'ti"tle'], ids=repr
)
def test_malformed_queries_raise_a_syntax_error(query: str) -> None:
    with pytest.raises(SearchSyntaxError):
        parse(query)


def test_text_fields_match_whole_words_case_insensitively() -> None:
    assert matching("title:hoodie") == ["Trail Hoodie", "Hoodie Classic"]
    assert matching("title:hood") == []
    assert matching("title:hood*") == ["Trail Hoodie", "Hoodie Classic"]


def test_exact_fields_match_any_value_of_a_list() -> None:
    assert matching("sku:hoo-1-m") == ["Trail Hoodie"]
    assert matching("sku:HOO-*") == ["Trail Hoodie", "Hoodie Classic"]


def test_numbers_and_dates_compare() -> None:
    assert matching("qty:>0 qty:<9") == ["Trail Hoodie"]
    assert matching("updated_at:>=2026-10-01") == ["Trail Hoodie", "Hoodie Classic"]
    assert matching("updated_at:2026-10-01") == ["Hoodie Classic"]
    assert matching("updated_at:<2026-10-01T12:00:00Z") == ["Urban Tee"]


def test_bare_terms_search_the_default_fields_and_negation_excludes() -> None:
    assert matching("tee") == ["Urban Tee"]
    assert matching("-title:tee") == ["Trail Hoodie", "Hoodie Classic"]
    assert matching("(title:tee OR qty:9) NOT sku:TEE-2-S") == ["Hoodie Classic"]


def test_unknown_fields_match_everything_and_are_named() -> None:
    predicate, unknown = compile_query("colour:red title:tee", FIELDS, ("title",))
    assert predicate is not None
    assert [r["title"] for r in RECORDS if predicate(r)] == ["Urban Tee"]
    assert unknown == ["colour"]


def test_bad_values_for_typed_fields_are_syntax_errors() -> None:
    with pytest.raises(SearchSyntaxError):
        compile_query("qty:many", FIELDS, ("title",))
    with pytest.raises(SearchSyntaxError):
        compile_query("updated_at:>soon", FIELDS, ("title",))


def page(**args: Any) -> PageArgs:
    return PageArgs.from_args(args)


def test_paginate_walks_forward_and_backward_by_cursor() -> None:
    items = list(range(10))
    first = paginate(items, lambda i: (i,), page(first=3))
    assert first.nodes == [0, 1, 2]
    assert first.page_info.has_next_page
    assert not first.page_info.has_previous_page
    second = paginate(items, lambda i: (i,), page(first=3, after=first.page_info.end_cursor))
    assert second.nodes == [3, 4, 5]
    assert second.page_info.has_previous_page
    back = paginate(items, lambda i: (i,), page(last=2, before=second.page_info.start_cursor))
    assert back.nodes == [1, 2]
    reverse = paginate(items, lambda i: (i,), page(first=3, reverse=True))
    assert reverse.nodes == [9, 8, 7]
    reverse_next = paginate(
        items, lambda i: (i,), page(first=3, reverse=True, after=reverse.page_info.end_cursor)
    )
    assert reverse_next.nodes == [6, 5, 4]


def test_a_cursor_survives_an_insert_before_it() -> None:
    items = [10, 20, 30, 40]
    first = paginate(items, lambda i: (i,), page(first=2))
    grown = [5, 10, 15, 20, 30, 40]
    assert paginate(grown, lambda i: (i,), page(first=2, after=first.page_info.end_cursor)).nodes == [30, 40]


def test_paginate_indexed_skips_gaps_both_ways() -> None:
    present = {1, 2, 5, 8, 9}

    def node(i: int) -> int | None:
        return i if i in present else None

    first = paginate_indexed(12, node, page(first=3))
    assert first.nodes == [1, 2, 5]
    assert first.page_info.has_next_page
    assert not first.page_info.has_previous_page
    rest = paginate_indexed(12, node, page(first=3, after=first.page_info.end_cursor))
    assert rest.nodes == [8, 9]
    assert not rest.page_info.has_next_page
    assert rest.page_info.has_previous_page
    last = paginate_indexed(12, node, page(last=2))
    assert last.nodes == [8, 9]
    backwards = paginate_indexed(12, node, page(first=2, reverse=True))
    assert backwards.nodes == [9, 8]


def test_gids_parse_by_resource_and_reject_non_gids() -> None:
    assert parse_gid("gid://shopify/Product/42", "Product") == 42
    assert parse_gid("gid://shopify/Product/42", "Order") is None
    assert parse_level_gid(level_gid(7, 9)) == (7, 9)
    assert parse_level_gid("gid://shopify/InventoryLevel/7") is None
    with pytest.raises(InvalidGid, match="Invalid global id 'Product/42'"):
        parse_gid("Product/42", "Product")


def test_idempotency_replays_refuses_mismatches_and_in_flight_keys_and_expires() -> None:
    now = [0.0]
    store = IdempotencyStore(clock=lambda: now[0])
    calls: list[int] = []

    def refuse(error: dict[str, Any]) -> dict[str, Any]:
        return {"refused": error["code"]}

    def action() -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 1:
            inner = store.run("k", b"same", lambda: {"x": 0}, refuse)
            assert inner == {"refused": "IDEMPOTENCY_CONCURRENT_REQUEST"}
        return {"n": len(calls)}

    assert store.run("k", b"same", action, refuse) == {"n": 1}
    assert store.run("k", b"same", action, refuse) == {"n": 1}
    assert store.run("k", b"other", action, refuse) == {"refused": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"}
    now[0] = RETENTION_S + 1
    assert store.run("k", b"other", action, refuse) == {"n": 2}


def test_a_failed_action_does_not_keep_its_key() -> None:
    store = IdempotencyStore()

    def boom() -> dict[str, Any]:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.run("k", b"f", boom, lambda e: e)
    assert len(store) == 0


def test_buckets_deduct_refund_and_refill() -> None:
    now = [0.0]
    buckets = Buckets(clock=lambda: now[0])
    assert buckets.take("app", 80, 100, 10)
    assert not buckets.take("app", 30, 100, 10)
    buckets.refund("app", 50, 100, 10)
    assert buckets.status("app", 100, 10)["currentlyAvailable"] == 70
    now[0] = 2.0
    assert buckets.status("app", 100, 10)["currentlyAvailable"] == 90
    now[0] = 100.0
    assert buckets.status("app", 100, 10) == {
        "maximumAvailable": 100.0,
        "currentlyAvailable": 100,
        "restoreRate": 10.0,
    }


def test_an_unexpected_resolver_failure_is_masked_as_an_internal_error() -> None:
    from graphql import GraphQLError

    from sandbox.shopify.service import GraphQLService

    failure = GraphQLError(
        "KeyError: 'secret detail'", path=["orders"], original_error=KeyError("secret detail")
    )
    shaped = GraphQLService._error(failure)
    assert shaped == {
        "message": "Internal error. Looks like something went wrong on our end.",
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        "path": ["orders"],
    }

"""The orders subgraph's parts on their own: order numbers, codecs, cursors, listings."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from resolvers.domain import Address, Money, OrderDraft, OrderDraftLine, OrderRecord
from storage.memory import MemoryIdempotencyStore
from subgraphs.common.errors import BadUserInput
from subgraphs.domain.enums import PostingStatus
from subgraphs.orders.listing import decode_cursor, encode_cursor
from subgraphs.orders.numbers import allocate_number
from subgraphs.orders.posting import decode_draft, encode_draft, posting_key
from subgraphs.orders.reads import _merged
from subgraphs.orders.sources import Position, _settle

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DRAFT = OrderDraft(
    number="",
    channel="ONLINE",
    placed_at=T0,
    lines=(OrderDraftLine(1, "TEE-1", 2, Money(Decimal("19.99"), "USD"), "WH01"),),
    currency="USD",
    payment_reference="auth-1",
    fulfilment_type="SHIP",
    idempotency_key="",
    email="a@example.com",
    shipping_address=Address("1 Main St", None, "Boston", "MA", "02120", "US"),
)


# ---------------------------------------------------------------- numbers


async def test_a_number_is_r2_and_eight_digits_and_a_retry_resumes_with_the_stored_draft() -> None:
    store = MemoryIdempotencyStore()
    draft, fresh = await allocate_number(store, DRAFT, scope="s1", print_="p1")
    assert fresh
    assert len(draft.number) == 10
    assert draft.number.startswith("R2")
    assert draft.number[2:].isdigit()
    later = dataclasses.replace(DRAFT, placed_at=T0 + timedelta(minutes=5))
    again, fresh_again = await allocate_number(store, later, scope="s1", print_="p1")
    assert not fresh_again
    assert again == draft  # the first try's time, prices and key


async def test_another_submission_gets_another_number_even_on_a_clash() -> None:
    store = MemoryIdempotencyStore()
    mine, _ = await allocate_number(store, DRAFT, scope="s1", print_="p1")
    other, _ = await allocate_number(store, DRAFT, scope="s1", print_="p2")  # same key, other input
    assert other.number != mine.number
    assert other.idempotency_key != mine.idempotency_key


# ---------------------------------------------------------------- codecs and cursors


def test_a_posting_payload_round_trips_the_draft() -> None:
    draft = dataclasses.replace(DRAFT, number="R212345678", idempotency_key="abc", reservation_id="RSV1+RSV2")
    payload = encode_draft(draft)
    assert decode_draft(payload) == draft
    assert posting_key(payload) == "R212345678"


@pytest.mark.parametrize(
    "payload", [b"", b"[]", b'{"kind": "other", "number": "R1"}', b'{"kind": "erp-posting"}']
)
def test_a_payload_that_is_not_a_posting_is_a_value_error(payload: bytes) -> None:
    with pytest.raises(ValueError, match=r"posting|JSON"):
        posting_key(payload)


def test_a_cursor_round_trips_its_position() -> None:
    position = Position(T0, "R100001")
    assert decode_cursor(encode_cursor(position)) == position


@pytest.mark.parametrize("cursor", ["", "bm90LWpzb24=", "WzEsMl0=", "WyIyMDI2LTAxLTAxIiwgIlIxIl0="])
def test_a_cursor_this_api_did_not_give_out_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInput):
        decode_cursor(cursor)


def test_a_listing_slice_stops_before_an_instant_it_may_not_have_seen_whole() -> None:
    rows = [Position(T0 + timedelta(minutes=m), f"R{m}") for m in (5, 4, 4, 3, 3)]
    settled = _settle(rows, None, exhausted=False)
    assert [p.number for p in settled.positions] == ["R5", "R4"]  # R4 twice is one position
    assert [p.number for p in _settle(rows, None, exhausted=True).positions] == ["R5", "R4", "R3"]
    below = _settle(rows, Position(T0 + timedelta(minutes=4), "R4"), exhausted=True)
    assert [p.number for p in below.positions] == ["R3"]


# ---------------------------------------------------------------- merged views


def test_the_same_records_merge_once_and_another_posting_state_merges_again() -> None:
    record = OrderRecord(
        system="OMS",
        system_id="O1",
        number="R200000001",
        channel="ONLINE",
        status="ORDER_CREATED",
        placed_at=T0,
        lines=(),
        currency="USD",
    )
    view = _merged([record], None)
    assert _merged([record], None) is view  # another list of the very same records
    assert _merged([record], PostingStatus.POSTED) is not view
    assert _merged([dataclasses.replace(record)], None) is not view  # an equal record, a new answer

"""The return state machine, returnable quantities and the checks on a return request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from resolvers.domain import Money, OrderLineRecord, ReturnLineRecord, ReturnRecord
from sandbox.oms.canonical import RETURN_STATUS_IDS
from sandbox.oms.statuses import VALID_CHANGES
from sandbox.shopify.mutations.returns import TRANSITIONS as SHOPIFY_TRANSITIONS
from sandbox.shopify.records import COUNTED_RETURN_STATUSES as SHOPIFY_COUNTED
from sandbox.world import build_world
from subgraphs.domain.errors import InvalidReturnTransition, RecordsMismatch, UnknownStatus
from subgraphs.domain.problems import Problem
from subgraphs.domain.returns import (
    COUNTED_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    RequestedReturnLine,
    can_transition,
    check_return_request,
    combined_return_status,
    returnable_quantities,
    transition,
)
from subgraphs.domain.status import ReturnStatus, return_status

R = ReturnStatus
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def line(no: int, quantity: int, fulfilled: int | None, returned: int | None = None) -> OrderLineRecord:
    return OrderLineRecord(no, f"SKU-{no}", quantity, Money(Decimal("10"), "USD"), fulfilled, returned)


def ret(system: str, status: str, *lines: tuple[int, int], rma: str | None = "RMA-1") -> ReturnRecord:
    return ReturnRecord(
        system,  # type: ignore[arg-type]
        f"{system}-{rma}-{status}",
        rma,
        "R100001",
        status,
        tuple(ReturnLineRecord(no, qty, "CHANGED_MIND") for no, qty in lines),
        T0,
    )


# ---------------------------------------------------------------- the state machine


HAPPY = [R.REQUESTED, R.APPROVED, R.RECEIVED, R.INSPECTED, R.REFUNDED, R.CLOSED]


def test_the_happy_path_is_allowed_step_by_step() -> None:
    current = HAPPY[0]
    for target in HAPPY[1:]:
        current = transition(current, target)
    assert current is R.CLOSED


@pytest.mark.parametrize("target", [R.APPROVED, R.DECLINED, R.CANCELLED])
def test_a_request_may_be_approved_declined_or_cancelled(target: R) -> None:
    assert can_transition(R.REQUESTED, target)


def test_an_approved_return_may_still_be_cancelled_as_the_oms_and_shopify_allow() -> None:
    assert can_transition(R.APPROVED, R.CANCELLED)
    assert "RETURN_CANCELLED" in VALID_CHANGES["RETURN_ACCEPTED"]
    assert "OPEN" in SHOPIFY_TRANSITIONS["returnCancel"][0]


def test_every_move_is_one_the_oms_allows_between_the_same_statuses() -> None:
    oms_id = RETURN_STATUS_IDS
    for current, targets in TRANSITIONS.items():
        for target in targets:
            assert oms_id[target] in VALID_CHANGES.get(oms_id[current], ()), (current, target)
    for source, targets in VALID_CHANGES.items():
        if source.startswith("RETURN_"):
            for target in targets:
                assert can_transition(return_status("OMS", source), return_status("OMS", target))


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (R.REQUESTED, R.RECEIVED),
        (R.APPROVED, R.REFUNDED),
        (R.RECEIVED, R.CANCELLED),
        (R.INSPECTED, R.CLOSED),
        (R.CLOSED, R.APPROVED),
        (R.DECLINED, R.APPROVED),
        (R.CANCELLED, R.REQUESTED),
        (R.APPROVED, R.APPROVED),
    ],
)
def test_skipping_going_back_leaving_a_final_status_or_staying_put_is_invalid(current: R, target: R) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidReturnTransition) as caught:
        transition(current, target)
    assert caught.value.code == "INVALID_RETURN_TRANSITION"
    assert caught.value.allowed == tuple(sorted(TRANSITIONS[current]))
    assert isinstance(caught.value, ValueError)


def test_the_final_open_and_counted_statuses() -> None:
    assert {R.DECLINED, R.CANCELLED, R.CLOSED} == FINAL_STATUSES
    assert {R.REQUESTED, R.APPROVED, R.RECEIVED, R.INSPECTED} == OPEN_STATUSES
    assert set(ReturnStatus) - COUNTED_STATUSES == {R.DECLINED, R.CANCELLED}
    assert set(TRANSITIONS) == set(ReturnStatus)


# ---------------------------------------------------------------- one return, many systems


def test_the_oms_decides_a_returns_status_when_it_holds_the_return() -> None:
    assert combined_return_status([("SHOPIFY", R.CLOSED), ("OMS", R.INSPECTED)]) is R.INSPECTED


def test_without_the_oms_a_decline_or_cancel_wins_else_the_furthest_along() -> None:
    assert combined_return_status([("SHOPIFY", R.APPROVED), ("ERP", R.REFUNDED)]) is R.REFUNDED
    assert combined_return_status([("ERP", R.APPROVED), ("SHOPIFY", R.CANCELLED)]) is R.CANCELLED
    with pytest.raises(RecordsMismatch):
        combined_return_status([])


# ---------------------------------------------------------------- returnable quantities


def test_returnable_is_fulfilled_minus_units_on_returns() -> None:
    lines = [line(1, 3, 3), line(2, 2, 1), line(3, 4, 0)]
    got = returnable_quantities(lines, [ret("OMS", "RETURN_RECEIVED", (1, 1))])
    assert got == {1: 2, 2: 1, 3: 0}


def test_declined_and_cancelled_returns_free_their_units_and_open_ones_hold_them() -> None:
    lines = [line(1, 5, 5)]
    returns = [
        ret("OMS", "RETURN_REQUESTED", (1, 1), rma="A"),
        ret("OMS", "RETURN_REJECTED", (1, 2), rma="B"),
        ret("OMS", "RETURN_CANCELLED", (1, 2), rma="C"),
        ret("OMS", "RETURN_COMPLETED", (1, 1), rma="D"),
    ]
    assert returnable_quantities(lines, returns) == {1: 3}


def test_the_lines_returned_count_and_the_returns_describe_the_same_units_and_are_not_added() -> None:
    # the world counts APPROVED..CLOSED returns in quantity_returned: the same return must count once
    lines = [line(1, 3, 3, returned=2)]
    assert returnable_quantities(lines, [ret("OMS", "RETURN_ACCEPTED", (1, 2))]) == {1: 1}
    assert returnable_quantities(lines, [ret("OMS", "RETURN_REQUESTED", (1, 3))]) == {1: 0}
    assert returnable_quantities(lines, []) == {1: 1}


def test_one_return_held_by_several_systems_counts_once() -> None:
    copies = [ret("OMS", "RETURN_ACCEPTED", (1, 1)), ret("ERP", "A", (1, 1)), ret("SHOPIFY", "OPEN", (1, 1))]
    assert returnable_quantities([line(1, 3, 3)], copies) == {1: 2}


def test_a_return_the_oms_cancelled_frees_its_units_even_if_another_copy_lags() -> None:
    copies = [ret("SHOPIFY", "OPEN", (1, 2)), ret("OMS", "RETURN_CANCELLED", (1, 2))]
    assert returnable_quantities([line(1, 2, 2)], copies) == {1: 2}


def test_returns_without_an_rma_number_count_by_their_own_id() -> None:
    returns = [ret("POS", "COMPLETED", (1, 1), rma=None), ret("POS", "PENDING", (1, 1), rma=None)]
    assert returnable_quantities([line(1, 3, 3)], returns) == {1: 1}


def test_returnable_is_never_negative_and_untracked_fulfilment_is_nothing() -> None:
    assert returnable_quantities([line(1, 2, 1)], [ret("OMS", "RETURN_ACCEPTED", (1, 2))]) == {1: 0}
    assert returnable_quantities([line(1, 2, None)], []) == {1: 0}
    assert returnable_quantities([], [ret("OMS", "RETURN_ACCEPTED", (9, 2))]) == {}


def test_a_return_in_an_unknown_status_is_not_guessed() -> None:
    with pytest.raises(UnknownStatus):
        returnable_quantities([line(1, 1, 1)], [ret("OMS", "RETURN_LOST", (1, 1))])


# ---------------------------------------------------------------- checking a request


def check(lines: list[RequestedReturnLine], returnable: dict[int, int], **kw: object) -> list[Problem]:
    args: dict[str, object] = {"placed_at": T0, "now": T0 + timedelta(days=3)}
    return check_return_request(lines, returnable, **(args | kw))  # type: ignore[arg-type]


def test_a_good_request_has_no_problems() -> None:
    assert check([RequestedReturnLine(1, 2), RequestedReturnLine(2, 1)], {1: 2, 2: 1}) == []


def test_more_than_returnable_is_a_problem_on_that_lines_quantity() -> None:
    got = check([RequestedReturnLine(1, 1), RequestedReturnLine(2, 2)], {1: 2, 2: 1})
    assert [(p.code, p.field) for p in got] == [("QUANTITY_EXCEEDS_RETURNABLE", ("lines", "1", "quantity"))]
    assert "Only 1 unit " in got[0].message
    assert got[0].path == ["lines", "1", "quantity"]


def test_a_line_with_nothing_returnable_left_cannot_be_returned() -> None:
    got = check([RequestedReturnLine(1, 1)], {1: 0})
    assert [p.code for p in got] == ["QUANTITY_EXCEEDS_RETURNABLE"]


def test_an_unknown_line_is_a_problem_on_its_order_line_id() -> None:
    got = check([RequestedReturnLine(None, 1), RequestedReturnLine(7, 1)], {1: 1})
    assert [(p.code, p.field) for p in got] == [
        ("UNKNOWN_ORDER_LINE", ("lines", "0", "orderLineId")),
        ("UNKNOWN_ORDER_LINE", ("lines", "1", "orderLineId")),
    ]


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_a_problem(quantity: int) -> None:
    got = check([RequestedReturnLine(1, quantity)], {1: 5})
    assert [(p.code, p.field) for p in got] == [("QUANTITY_NOT_POSITIVE", ("lines", "0", "quantity"))]


def test_the_same_line_twice_is_a_duplicate_on_the_second() -> None:
    got = check([RequestedReturnLine(1, 1), RequestedReturnLine(1, 1)], {1: 1})
    assert [(p.code, p.field) for p in got] == [("DUPLICATE_LINE", ("lines", "1", "orderLineId"))]


def test_every_problem_is_reported_at_once() -> None:
    got = check(
        [RequestedReturnLine(1, 9), RequestedReturnLine(None, 0), RequestedReturnLine(1, 1)],
        {1: 2},
        now=T0 + timedelta(days=45),
    )
    assert [p.code for p in got] == [
        "RETURN_WINDOW_EXPIRED",
        "QUANTITY_EXCEEDS_RETURNABLE",
        "UNKNOWN_ORDER_LINE",
        "QUANTITY_NOT_POSITIVE",
        "DUPLICATE_LINE",
    ]


def test_the_window_runs_from_the_fulfilment_and_includes_its_last_instant() -> None:
    fulfilled = T0 + timedelta(days=10)
    ok = check(
        [RequestedReturnLine(1, 1)], {1: 1}, fulfilled_at=fulfilled, now=fulfilled + timedelta(days=30)
    )
    assert ok == []
    late = check(
        [RequestedReturnLine(1, 1)],
        {1: 1},
        fulfilled_at=fulfilled,
        now=fulfilled + timedelta(days=30, seconds=1),
    )
    assert [(p.code, p.field) for p in late] == [("RETURN_WINDOW_EXPIRED", ("orderId",))]


def test_without_a_fulfilment_time_the_window_runs_from_the_order_and_is_configurable() -> None:
    assert [p.code for p in check([RequestedReturnLine(1, 1)], {1: 1}, now=T0 + timedelta(days=31))] == [
        "RETURN_WINDOW_EXPIRED"
    ]
    assert check([RequestedReturnLine(1, 1)], {1: 1}, now=T0 + timedelta(days=31), window_days=60) == []


def test_a_request_without_lines_is_a_problem() -> None:
    assert [(p.code, p.field) for p in check([], {1: 1})] == [("NO_LINES", ("lines",))]


def test_the_return_statuses_that_hold_units_agree_with_shopifys() -> None:
    for status in ("REQUESTED", "OPEN", "CLOSED", "DECLINED", "CANCELED"):
        assert (return_status("SHOPIFY", status) in COUNTED_STATUSES) == (status in SHOPIFY_COUNTED)


def test_returnable_quantities_of_every_world_order_with_returns() -> None:
    world = build_world(42, "small")
    checked = 0
    for order in world.orders:
        if not order.returns:
            continue
        lines = [
            line(ln.line_no, ln.quantity, ln.quantity_fulfilled, ln.quantity_returned) for ln in order.lines
        ]
        returns = [
            ret(
                "OMS",
                RETURN_STATUS_IDS[r.status],
                *((rl.line_no, rl.quantity) for rl in r.lines),
                rma=r.rma_number,
            )
            for r in order.returns
        ]
        held = {ln.line_no: 0 for ln in order.lines}
        for r in order.returns:
            if r.status not in ("DECLINED", "CANCELLED"):
                for rl in r.lines:
                    held[rl.line_no] += rl.quantity
        expected = {ln.line_no: ln.quantity_fulfilled - held[ln.line_no] for ln in order.lines}
        assert returnable_quantities(lines, returns) == expected, order.number
        checked += 1
    assert checked > 50

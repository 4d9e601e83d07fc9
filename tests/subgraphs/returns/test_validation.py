"""The checks on a return request, as pure functions over a merged order and its returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from resolvers.domain import Money, ReturnLineRecord, ReturnRecord
from subgraphs.domain.enums import Channel, FinancialStatus, OrderStatus, PostingStatus, ShipmentStatus
from subgraphs.domain.views import OrderLineView, OrderView, ShipmentView
from subgraphs.returns.validation import RequestLine, ReturnRequest, check_request, fulfilled_at, line_number

PLACED = datetime(2026, 9, 1, 12, tzinfo=UTC)
USD = Money(Decimal("10.00"), "USD")


def shipment(status: ShipmentStatus, days: int) -> ShipmentView:
    return ShipmentView(
        "OMS", f"S{days}", status, "DC01", None, None, ((1, 1),), PLACED + timedelta(days=days)
    )


def order(*shipments: ShipmentView) -> OrderView:
    lines = (
        OrderLineView(1, "SKU-1", 2, USD, 2, 0, "DC01"),
        OrderLineView(2, "SKU-2", 1, USD, 1, 0, "DC01"),
    )
    return OrderView(
        "R100001", Channel.ONLINE, PLACED, OrderStatus.FULFILLED, FinancialStatus.PAID, PostingStatus.POSTED,
        "USD", lines, USD, shipments, (), (), "OMS",
    )  # fmt: skip


def request(*lines: tuple[str, int], drop_off: str | None = None) -> ReturnRequest:
    return ReturnRequest(
        "R100001", tuple(RequestLine(i, q, "DAMAGED") for i, q in lines), "ORIGINAL_PAYMENT", drop_off
    )


def problems(
    req: ReturnRequest,
    found: OrderView | None,
    now_days: int = 5,
    *,
    existing: tuple[ReturnRecord, ...] = (),
    mine: str | None = None,
    max_lines: int = 50,
) -> list[tuple[str, list[str] | None]]:
    now = PLACED + timedelta(days=now_days)
    checked = check_request(
        req, found, existing, stores={"ST001"}, now=now, window_days=30, max_lines=max_lines, mine=mine
    )
    return [(p.code, p.path) for p in checked]


def test_a_line_id_is_the_order_number_and_the_line_number() -> None:
    assert line_number("R100001", "R100001-2") == 2
    assert line_number("R100001", " R100001-12 ") == 12
    assert [
        line_number("R100001", bad) for bad in ("R100002-1", "R100001-0", "R100001", "2", "R100001-x")
    ] == [None] * 5


def test_the_order_was_fulfilled_when_its_last_shipment_that_left_was_updated() -> None:
    found = order(
        shipment(ShipmentStatus.DELIVERED, 3),
        shipment(ShipmentStatus.SHIPPED, 6),
        shipment(ShipmentStatus.PENDING, 9),
    )
    assert fulfilled_at(found) == PLACED + timedelta(days=6)
    assert fulfilled_at(order(shipment(ShipmentStatus.PENDING, 2))) is None


def test_an_unknown_order_and_a_drop_off_that_is_not_a_store_are_told_together() -> None:
    assert problems(request(("R100001-1", 1), drop_off="DC01"), None) == [
        ("UNKNOWN_ORDER", ["orderId"]),
        ("UNKNOWN_LOCATION", ["dropOffLocationId"]),
    ]


def test_the_window_counts_from_the_last_fulfilment_else_from_the_placement() -> None:
    late = request(("R100001-1", 1))
    delivered = order(shipment(ShipmentStatus.DELIVERED, 10))
    assert problems(late, delivered, now_days=39) == []
    assert problems(late, delivered, now_days=41) == [("RETURN_WINDOW_EXPIRED", ["orderId"])]
    assert problems(late, order(), now_days=31) == [("RETURN_WINDOW_EXPIRED", ["orderId"])]


def test_units_on_returns_are_not_returnable_except_those_of_this_requests_own_earlier_try() -> None:
    earlier = ReturnRecord(
        "OMS",
        "RET1",
        "RMA-100001-01",
        "R100001",
        "RETURN_REQUESTED",
        (ReturnLineRecord(1, 2, "DAMAGED"),),
        PLACED,
    )
    req = request(("R100001-1", 2))
    assert problems(req, order(), existing=(earlier,)) == [
        ("QUANTITY_EXCEEDS_RETURNABLE", ["lines", "0", "quantity"])
    ]
    assert problems(req, order(), existing=(earlier,), mine="RMA-100001-01") == []


def test_more_lines_than_allowed_is_one_problem_on_the_lines() -> None:
    req = request(("R100001-1", 1), ("R100001-2", 1), ("R100001-3", 1))
    assert problems(req, order(), max_lines=2) == [("TOO_MANY_LINES", ["lines"])]

"""One order (and one return) from the records of every system that holds it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from resolvers.domain import (
    Address,
    ExternalRef,
    Money,
    OrderEventRecord,
    OrderLineRecord,
    OrderRecord,
    ReturnLineRecord,
    ReturnRecord,
    ShipmentRecord,
)
from sandbox.erp.catalog import Catalog
from sandbox.erp.documents import header_status
from sandbox.erp.state import ErpState
from sandbox.oms.canonical import ORDER_STATUS_IDS, PAYMENT_STATUS_IDS
from sandbox.oms.seed import seeded_shipment_status
from sandbox.shopify.statuses import FULFILLMENT_DISPLAY, ORDER_FULFILLMENT_DISPLAY
from sandbox.world import Order, Shipment, World, build_world
from subgraphs.domain.errors import RecordsMismatch, UnknownStatus
from subgraphs.domain.orders import engagement_system, fulfilment_authority, merge_order, merge_return
from subgraphs.domain.status import (
    Channel,
    FinancialStatus,
    OrderStatus,
    PostingStatus,
    ReturnStatus,
    ShipmentStatus,
)

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
USD = "USD"


def money(amount: str) -> Money:
    return Money(Decimal(amount), USD)


def line(
    no: int, qty: int = 1, fulfilled: int | None = None, returned: int | None = None, **kw: object
) -> OrderLineRecord:
    return OrderLineRecord(no, f"SKU-{no}", qty, money("10.00"), fulfilled, returned, **kw)  # type: ignore[arg-type]


def order(system: str, status: str, *lines: OrderLineRecord, **kw: object) -> OrderRecord:
    base: dict[str, object] = {
        "system": system,
        "system_id": f"{system}-1",
        "number": "R100001",
        "placed_at": T0,
        "status": status,
        "lines": lines or (line(1, 2),),
        "currency": USD,
    }
    return OrderRecord(**(base | kw))  # type: ignore[arg-type]


# ---------------------------------------------------------------- who says what


def test_the_system_of_engagement_and_the_fulfilment_authority_by_channel() -> None:
    assert [engagement_system(c) for c in Channel] == ["SHOPIFY", "POS", "OMS", "OMS"]
    assert [fulfilment_authority(c) for c in Channel] == ["OMS", "POS", "OMS", "OMS"]


def test_the_header_of_an_online_order_comes_from_shopify_and_gaps_from_the_next_system() -> None:
    view = merge_order(
        [
            order(
                "OMS",
                "ORDER_APPROVED",
                channel="ONLINE",
                email="oms@x",
                customer_id="C1",
                pickup_location_id="S1",
            ),
            order("SHOPIFY", "IN_PROGRESS", email="shop@x", placed_at=T0 - timedelta(seconds=5)),
        ]
    )
    assert (view.header_system, view.channel, view.email, view.customer_id) == (
        "SHOPIFY",
        Channel.ONLINE,
        "shop@x",
        "C1",
    )
    assert (view.placed_at, view.pickup_location_id) == (T0 - timedelta(seconds=5), "S1")


def test_the_header_of_a_call_centre_order_is_the_omss_and_of_a_store_sale_the_poss() -> None:
    oms = order("OMS", "ORDER_CREATED", channel="CALL_CENTER", email="oms@x")
    assert merge_order([order("ERP", "A", email="erp@x"), oms]).email == "oms@x"
    pos = order("POS", "COMPLETED", channel="STORE", email="pos@x")
    assert merge_order([order("ERP", "C", email="erp@x"), pos]).header_system == "POS"


def test_when_the_engagement_system_lacks_the_order_whatever_exists_gives_the_header() -> None:
    view = merge_order(
        [order("ERP", "B", channel="ONLINE", email="erp@x"), order("OMS", "ORDER_APPROVED", email="oms@x")]
    )
    assert (view.header_system, view.email) == ("OMS", "oms@x")


def test_without_any_channel_a_pos_order_is_a_store_sale_and_anything_else_online() -> None:
    assert merge_order([order("POS", "COMPLETED")]).channel is Channel.STORE
    assert merge_order([order("OMS", "ORDER_CREATED")]).channel is Channel.ONLINE


def test_an_unknown_channel_is_not_guessed() -> None:
    with pytest.raises(UnknownStatus):
        merge_order([order("OMS", "ORDER_CREATED", channel="WEB_SALES_CHANNEL")])


def test_lines_come_from_the_fulfilment_system_with_fulfilled_and_returned_from_whoever_tracks_them() -> None:
    view = merge_order(
        [
            order(
                "SHOPIFY",
                "PARTIALLY_FULFILLED",
                line(1, 2, fulfilled=1),
                line(2, 1, fulfilled=0),
                channel="ONLINE",
            ),
            order("OMS", "ORDER_APPROVED", line(1, 2, returned=1, location_id="WH1"), line(2, 1)),
            order("ERP", "B", line(1, 2, fulfilled=2), line(2, 1), line(3, 5, fulfilled=0)),
        ]
    )
    assert [
        (ln.line_no, ln.quantity, ln.quantity_fulfilled, ln.quantity_returned, ln.location_id)
        for ln in view.lines
    ] == [
        (1, 2, 1, 1, "WH1"),  # the OMS does not track fulfilment: Shopify's before the ERP's
        (2, 1, 0, 0, None),
        (3, 5, 0, 0, None),  # a line only the ERP has
    ]
    assert view.status is OrderStatus.PARTIALLY_FULFILLED


def test_untracked_fulfilment_is_counted_from_shipments_that_left() -> None:
    shipments = (
        ShipmentRecord("OMS", "SHP1", "SHIPMENT_SHIPPED", "WH1", "UPS", "1Z", ((1, 1),), T0),
        ShipmentRecord("OMS", "SHP2", "SHIPMENT_APPROVED", "WH1", None, None, ((1, 1), (2, 1)), T0),
    )
    view = merge_order([order("OMS", "ORDER_APPROVED", line(1, 2), line(2, 1), shipments=shipments)])
    assert [ln.quantity_fulfilled for ln in view.lines] == [1, 0]
    assert view.status is OrderStatus.PARTIALLY_FULFILLED
    assert [s.status for s in view.shipments] == [ShipmentStatus.SHIPPED, ShipmentStatus.PENDING]


def test_a_fulfilled_order_without_fulfilment_figures_counts_every_unit_fulfilled() -> None:
    view = merge_order([order("POS", "COMPLETED", line(1, 3), channel="STORE")])
    assert [ln.quantity_fulfilled for ln in view.lines] == [3]
    assert merge_order([order("POS", "OPEN", line(1, 3))]).lines[0].quantity_fulfilled == 0


def test_shipments_come_from_the_oms_else_shopify_and_pickup_words_read_as_pickup() -> None:
    oms = ShipmentRecord("OMS", "SHP1", "SHIPMENT_PACKED", "S1", None, None, ((1, 2),), T0)
    shop = ShipmentRecord("SHOPIFY", "F1", "SUCCESS", "S1", None, None, ((1, 2),), T0)
    both = [
        order("OMS", "ORDER_APPROVED", shipments=(oms,), fulfilment_type="PICKUP"),
        order("SHOPIFY", "IN_PROGRESS", shipments=(shop,), channel="ONLINE"),
    ]
    assert [(s.system, s.status) for s in merge_order(both).shipments] == [
        ("OMS", ShipmentStatus.READY_FOR_PICKUP)
    ]
    only_shopify = [replace(both[0], shipments=()), both[1]]
    assert [(s.system, s.status) for s in merge_order(only_shopify).shipments] == [
        ("SHOPIFY", ShipmentStatus.PICKED_UP)
    ]


def test_the_financial_status_comes_from_the_channel_else_the_oms_else_the_erp_else_pending() -> None:
    shop = order("SHOPIFY", "FULFILLED", financial_status="PAID", channel="ONLINE")
    oms = order("OMS", "ORDER_COMPLETED", financial_status="PAYMENT_AUTHORIZED")
    erp = order("ERP", "C", financial_status="A")
    assert merge_order([erp, oms, shop]).financial_status is FinancialStatus.PAID
    assert merge_order([erp, oms]).financial_status is FinancialStatus.AUTHORIZED
    assert merge_order([erp]).financial_status is FinancialStatus.AUTHORIZED
    assert merge_order([order("OMS", "ORDER_CREATED")]).financial_status is FinancialStatus.PENDING


def test_a_cancellation_in_shopify_cancels_the_order() -> None:
    view = merge_order([order("OMS", "ORDER_APPROVED"), order("SHOPIFY", "RESTOCKED", channel="ONLINE")])
    assert view.status is OrderStatus.CANCELLED


def test_the_erp_posting_is_posted_when_the_erp_has_it_else_our_outbox_state_else_pending() -> None:
    oms = order("OMS", "ORDER_APPROVED")
    assert (
        merge_order([oms, order("ERP", "B")], posting=PostingStatus.FAILED).erp_posting
        is PostingStatus.POSTED
    )
    assert merge_order([oms], posting=PostingStatus.FAILED).erp_posting is PostingStatus.FAILED
    assert merge_order([oms]).erp_posting is PostingStatus.PENDING


def test_the_total_is_the_headers_else_anyones_else_the_sum_of_the_lines() -> None:
    lines = (line(1, 2), line(2, 1))
    assert merge_order([order("OMS", "ORDER_CREATED", *lines)]).total == money("30.00")
    with_total = [order("OMS", "ORDER_CREATED", *lines), order("ERP", "A", *lines, total=money("29.00"))]
    assert merge_order(with_total).total == money("29.00")


def test_timeline_refs_times_and_staleness_merge_from_every_record() -> None:
    placed = OrderEventRecord(T0, "SHOPIFY", "ORDER_PLACED")
    created = OrderEventRecord(T0 + timedelta(minutes=1), "OMS", "ORDER_CREATED")
    view = merge_order(
        [
            order("OMS", "ORDER_CREATED", events=(created, placed), updated_at=T0, stale=True),
            order(
                "SHOPIFY",
                "UNFULFILLED",
                events=(placed,),
                channel="ONLINE",
                updated_at=T0 + timedelta(hours=1),
            ),
        ]
    )
    assert view.timeline == (placed, created)
    assert view.external_refs == (ExternalRef("OMS", "OMS-1"), ExternalRef("SHOPIFY", "SHOPIFY-1"))
    assert (view.updated_at, view.stale) == (T0 + timedelta(hours=1), True)


def test_records_of_two_orders_none_at_all_or_an_unknown_status_are_refused() -> None:
    with pytest.raises(RecordsMismatch):
        merge_order([])
    with pytest.raises(RecordsMismatch):
        merge_order([order("OMS", "ORDER_CREATED"), order("ERP", "A", number="R100002")])
    with pytest.raises(UnknownStatus):
        merge_order([order("OMS", "ORDER_SHIPPED")])


# ---------------------------------------------------------------- the world, as the connectors would read it


_POS_FINANCIAL = {"PAID": "COMPLETED", "VOIDED": "CANCELED"}


def _records(world: World, erp: ErpState, o: Order) -> list[OrderRecord]:
    def lines(fulfilled: bool, returned: bool) -> tuple[OrderLineRecord, ...]:
        return tuple(
            OrderLineRecord(
                ln.line_no,
                ln.sku,
                ln.quantity,
                Money(Decimal(ln.unit_price_cents) / 100, USD),
                ln.quantity_fulfilled if fulfilled else None,
                ln.quantity_returned if returned else None,
                ln.location_code,
            )
            for ln in o.lines
        )

    def shipments(system: str, word: Callable[[Shipment], str], skip: str = "") -> tuple[ShipmentRecord, ...]:
        return tuple(
            ShipmentRecord(
                system, s.id, word(s), s.location_code, s.carrier, s.tracking_number, s.lines, s.updated_at
            )  # type: ignore[arg-type]
            for s in o.shipments
            if s.status != skip
        )

    common = {
        "number": o.number,
        "placed_at": o.placed_at,
        "currency": USD,
        "fulfilment_type": o.fulfilment_type,
    }
    out = []
    if o.in_oms:
        out.append(
            OrderRecord(
                "OMS",
                o.id,
                status=ORDER_STATUS_IDS[o.status],
                lines=lines(False, True),
                channel=o.channel,
                financial_status=PAYMENT_STATUS_IDS[o.financial_status],
                shipments=shipments("OMS", seeded_shipment_status),
                **common,  # type: ignore[arg-type]
            )
        )
    if o.in_shopify:
        status = "CANCELLED" if o.status == "CANCELLED" else ORDER_FULFILLMENT_DISPLAY[o.status]
        out.append(
            OrderRecord(
                "SHOPIFY",
                str(o.shopify_order_id),
                status=status,
                lines=lines(True, False),
                channel=o.channel,
                financial_status=o.financial_status,
                shipments=shipments("SHOPIFY", lambda s: FULFILLMENT_DISPLAY[s.status], skip="PENDING"),
                **common,  # type: ignore[arg-type]
            )
        )
    if o.in_pos:
        state = "CANCELED" if o.status == "CANCELLED" else "COMPLETED"
        out.append(
            OrderRecord(
                "POS",
                str(o.square_order_id),
                status=state,
                lines=lines(False, False),
                financial_status=_POS_FINANCIAL.get(o.financial_status, o.financial_status),
                **common,  # type: ignore[arg-type]
            )
        )
    if o.erp_posted and o.erp_sales_order:
        doc = erp.sales_orders[o.erp_sales_order]
        h = header_status(doc)
        raw = (
            f"OverallSDProcessStatus={h.process};OverallDeliveryStatus={h.delivery};"
            f"OverallSDDocumentRejectionSts={h.rejection}"
        )
        out.append(OrderRecord("ERP", doc.sales_order, status=raw, lines=lines(True, False), **common))  # type: ignore[arg-type]
    return out


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(42, "small")


def test_every_world_order_merged_from_its_systems_reads_as_the_world_has_it(world: World) -> None:
    erp = ErpState.seeded(Catalog(world))
    for o in world.orders:
        records = _records(world, erp, o)
        view = merge_order(records[::-1], posting=PostingStatus.PENDING)  # input order must not matter
        assert view.status is OrderStatus(o.status), o.number
        assert view.channel is Channel(o.channel)
        partial_refund_in_oms = o.financial_status == "PARTIALLY_REFUNDED" and not (o.in_shopify or o.in_pos)
        expected_financial = "PAID" if partial_refund_in_oms else o.financial_status
        assert view.financial_status is FinancialStatus(expected_financial), o.number
        assert view.erp_posting is (PostingStatus.POSTED if o.erp_posted else PostingStatus.PENDING)
        assert [ln.quantity_fulfilled for ln in view.lines] == [ln.quantity_fulfilled for ln in o.lines], (
            o.number
        )
        assert [ln.quantity_returned for ln in view.lines] == [
            ln.quantity_returned if o.in_oms else 0 for ln in o.lines
        ], o.number
        # the world calls a pickup order's handed-over first parcel SHIPPED; the OMS records it as
        # SHIPMENT_SHIPPED of a STOREPICKUP shipment, i.e. picked up
        pickup = o.fulfilment_type == "PICKUP"
        expected = [
            ShipmentStatus("PICKED_UP" if pickup and s.status == "SHIPPED" else s.status) for s in o.shipments
        ]
        assert [s.status for s in view.shipments] == expected, o.number
        assert view.total.amount * 100 == o.total_cents


# ---------------------------------------------------------------- returns


def rr(system: str, status: str, **kw: object) -> ReturnRecord:
    base: dict[str, object] = {
        "system": system,
        "system_id": f"{system}-R",
        "rma_number": "RMA-100001-01",
        "order_number": None,
        "status": status,
        "lines": (),
        "created_at": T0,
    }
    return ReturnRecord(**(base | kw))  # type: ignore[arg-type]


def test_a_return_reads_the_omss_copy_first_and_fills_gaps_from_the_others() -> None:
    oms_lines = (ReturnLineRecord(1, 1, "DAMAGED"),)
    view = merge_return(
        [
            rr("SHOPIFY", "OPEN", order_number="R100001", lines=(ReturnLineRecord(1, 2, "DEFECTIVE"),)),
            rr(
                "ERP",
                "C",
                created_at=T0 + timedelta(days=1),
                refund=money("10.00"),
                updated_at=T0 + timedelta(days=3),
            ),
            rr(
                "OMS",
                "RETURN_RECEIVED",
                lines=oms_lines,
                refund_method="STORE_CREDIT",
                drop_off_location_id="S1",
            ),
        ]
    )
    assert view.status is ReturnStatus.RECEIVED
    assert (view.lines, view.order_number, view.refund, view.refund_method) == (
        oms_lines,
        "R100001",
        money("10.00"),
        "STORE_CREDIT",
    )
    assert (view.created_at, view.updated_at, view.drop_off_location_id) == (T0, T0 + timedelta(days=3), "S1")
    assert [r.system for r in view.external_refs] == ["ERP", "OMS", "SHOPIFY"]


def test_without_the_oms_a_return_is_as_far_as_any_copy_says() -> None:
    assert merge_return([rr("SHOPIFY", "OPEN"), rr("ERP", "C")]).status is ReturnStatus.REFUNDED
    assert merge_return([rr("SHOPIFY", "CANCELED"), rr("ERP", "A")]).status is ReturnStatus.CANCELLED


def test_a_return_merges_its_timeline_and_refuses_copies_of_two_returns() -> None:
    a, b = (
        OrderEventRecord(T0, "OMS", "RETURN_REQUESTED"),
        OrderEventRecord(T0 + timedelta(hours=1), "SHOPIFY", "X"),
    )
    assert merge_return(
        [rr("SHOPIFY", "OPEN", events=(b,)), rr("OMS", "RETURN_ACCEPTED", events=(a, b))]
    ).timeline == (a, b)
    with pytest.raises(RecordsMismatch):
        merge_return([rr("OMS", "RETURN_ACCEPTED"), rr("ERP", "A", rma_number="RMA-2")])
    with pytest.raises(RecordsMismatch):
        merge_return([])


def test_an_address_and_pickup_fields_pass_through() -> None:
    home = Address("1 Main St", None, "Springfield", "IL", "62701", "US")
    view = merge_order([order("OMS", "ORDER_CREATED", shipping_address=home, fulfilment_type="SHIP")])
    assert (view.shipping_address, view.fulfilment_type, view.pickup_location_id) == (home, "SHIP", None)

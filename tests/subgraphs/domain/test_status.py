"""Status tables: every status each sandbox can emit maps, and maps back to the world's canonical status."""

from __future__ import annotations

import itertools
import typing
from dataclasses import replace

import graphql
import pytest

from resolvers.domain import Money, OrderLineRecord, System
from resolvers.pos.mapping_orders import FINANCIAL_STATUSES
from sandbox.erp.catalog import Catalog
from sandbox.erp.documents import SalesOrder, header_status
from sandbox.erp.state import ErpState
from sandbox.oms import canonical as oms_canonical
from sandbox.oms.statuses import STATUS_ITEMS, STATUS_TYPES
from sandbox.pos.order_model import LEGACY_REFUND_STATUS, PosOrder, Refund
from sandbox.pos.order_seed import REFUND_STATUS
from sandbox.shopify import statuses as shopify
from sandbox.shopify.schema import sdl
from sandbox.world import ORDER_STATUSES, RETURN_STATUSES, SHIPMENT_STATUSES, World, build_world
from subgraphs.domain import _tables
from subgraphs.domain.errors import DomainError, UnknownStatus
from subgraphs.domain.status import (
    Channel,
    FinancialStatus,
    OrderStatus,
    ReturnStatus,
    ShipmentStatus,
    combined_order_status,
    financial_status,
    listed_words,
    order_status,
    parse_channel,
    return_status,
    shipment_status,
    status_from_lines,
)

OS, S, R, F = OrderStatus, ShipmentStatus, ReturnStatus, FinancialStatus


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(42, "small")


def _literal_values(cls: type, attribute: str) -> tuple[str, ...]:
    return typing.get_args(typing.get_type_hints(cls)[attribute])


def _shopify_enum(name: str) -> list[str]:
    enum = graphql.build_schema(sdl()).get_type(name)
    assert isinstance(enum, graphql.GraphQLEnumType)
    return list(enum.values)


def _erp_order_raw(order: SalesOrder) -> str:
    status = header_status(order)
    return (
        f"OverallSDProcessStatus={status.process};OverallDeliveryStatus={status.delivery};"
        f"OverallSDDocumentRejectionSts={status.rejection};DeliveryBlockReason={order.delivery_block}"
    )


# ---------------------------------------------------------------- the contract's enums


def test_the_enums_hold_exactly_the_contracts_values_and_the_worlds() -> None:
    assert list(OrderStatus) == list(ORDER_STATUSES)
    assert list(ShipmentStatus) == list(SHIPMENT_STATUSES)
    assert list(ReturnStatus) == list(RETURN_STATUSES)
    assert [str(c) for c in Channel] == ["ONLINE", "STORE", "CLIENTELING", "CALL_CENTER"]
    assert OrderStatus("FULFILLED") is OrderStatus.FULFILLED
    assert str(OrderStatus.FULFILLED) == "FULFILLED"


# ---------------------------------------------------------------- OMS


OMS_KINDS = {
    "ORDER_STATUS": lambda raw: order_status("OMS", raw),
    "SHIPMENT_STATUS": lambda raw: (shipment_status("OMS", raw), shipment_status("OMS", raw, pickup=True)),
    "ORDER_RETURN_STTS": lambda raw: return_status("OMS", raw),
    "PAYMENT_PREF_STATUS": lambda raw: financial_status("OMS", raw),
}


def test_every_oms_status_type_is_either_mapped_or_knowingly_left_out() -> None:
    assert set(STATUS_TYPES) == set(OMS_KINDS) | {"ORDER_ITEM_STATUS"}


@pytest.mark.parametrize("item", STATUS_ITEMS, ids=lambda item: item.status_id)
def test_every_oms_status_item_maps(item: object) -> None:
    status_type, status_id = item.status_type_id, item.status_id  # type: ignore[attr-defined]
    if status_type in OMS_KINDS:
        assert OMS_KINDS[status_type](status_id) is not None


def test_oms_order_statuses_read_back_as_the_worlds_except_a_partial_one_which_the_lines_tell() -> None:
    for canonical, status_id in oms_canonical.ORDER_STATUS_IDS.items():
        expected = OS.IN_PROGRESS if canonical == "PARTIALLY_FULFILLED" else OS(canonical)
        assert order_status("OMS", status_id) is expected


def test_oms_return_statuses_read_back_exactly() -> None:
    for canonical, status_id in oms_canonical.RETURN_STATUS_IDS.items():
        assert return_status("OMS", status_id) is R(canonical)


def test_oms_payment_statuses_read_back_except_a_partial_refund_which_shows_as_settled() -> None:
    for canonical, status_id in oms_canonical.PAYMENT_STATUS_IDS.items():
        expected = F.PAID if canonical == "PARTIALLY_REFUNDED" else F(canonical)
        assert financial_status("OMS", status_id) is expected


@pytest.mark.parametrize(
    ("raw", "ship", "pickup"),
    [
        ("SHIPMENT_INPUT", S.PENDING, S.PENDING),
        ("SHIPMENT_APPROVED", S.PENDING, S.PENDING),
        ("SHIPMENT_PACKED", S.PENDING, S.READY_FOR_PICKUP),
        ("SHIPMENT_SHIPPED", S.SHIPPED, S.PICKED_UP),
        ("SHIPMENT_DELIVERED", S.DELIVERED, S.PICKED_UP),
        ("SHIPMENT_CANCELLED", S.CANCELLED, S.CANCELLED),
    ],
)
def test_oms_shipment_words_mean_other_things_for_store_pickup(raw: str, ship: S, pickup: S) -> None:
    assert shipment_status("OMS", raw) is ship
    assert shipment_status("OMS", raw, pickup=True) is pickup


# ---------------------------------------------------------------- Shopify


@pytest.mark.parametrize("value", _shopify_enum("OrderDisplayFulfillmentStatus"))
def test_every_shopify_display_fulfillment_status_maps(value: str) -> None:
    assert order_status("SHOPIFY", value) in set(OrderStatus)


@pytest.mark.parametrize("value", _shopify_enum("OrderDisplayFinancialStatus"))
def test_every_shopify_display_financial_status_maps(value: str) -> None:
    assert financial_status("SHOPIFY", value) in set(FinancialStatus)


@pytest.mark.parametrize(
    "value", _shopify_enum("FulfillmentStatus") + _shopify_enum("FulfillmentDisplayStatus")
)
def test_every_shopify_fulfillment_status_and_display_status_maps(value: str) -> None:
    assert shipment_status("SHOPIFY", value) in set(ShipmentStatus)
    assert shipment_status("SHOPIFY", value, pickup=True) in set(ShipmentStatus)


@pytest.mark.parametrize("value", _shopify_enum("ReturnStatus"))
def test_every_shopify_return_status_maps(value: str) -> None:
    assert return_status("SHOPIFY", value) in set(ReturnStatus)


def test_shopify_orders_read_back_as_the_world_and_a_cancellation_comes_from_cancelled_at() -> None:
    for canonical, display in shopify.ORDER_FULFILLMENT_DISPLAY.items():
        if canonical != "CANCELLED":
            assert order_status("SHOPIFY", display) is OS(canonical)
    assert order_status("SHOPIFY", "RESTOCKED") is OS.CANCELLED
    assert order_status("SHOPIFY", "CANCELLED") is OS.CANCELLED


def test_shopify_financial_statuses_are_the_same_words() -> None:
    for status in FinancialStatus:
        assert financial_status("SHOPIFY", str(status)) is status


def test_shopify_fulfillments_read_back_as_the_worlds_shipments() -> None:
    for canonical in shopify.FULFILLMENT_DISPLAY:
        pickup = canonical in ("READY_FOR_PICKUP", "PICKED_UP")
        display = shopify.FULFILLMENT_DISPLAY[canonical]
        assert shipment_status("SHOPIFY", display, pickup=pickup) is S(canonical)
        by_status = shipment_status("SHOPIFY", shopify.FULFILLMENT_STATUS[canonical], pickup=pickup)
        # the coarser status word reads as the earliest shipment state it can mean
        assert by_status is {"DELIVERED": S.SHIPPED}.get(canonical, S(canonical))


def test_shopify_returns_read_back_as_the_earliest_status_each_word_can_mean() -> None:
    earliest = {"REQUESTED": R.REQUESTED, "OPEN": R.APPROVED, "DECLINED": R.DECLINED}
    earliest |= {"CLOSED": R.CLOSED, "CANCELED": R.CANCELLED}
    for canonical, word in shopify.RETURN_STATUS.items():
        assert return_status("SHOPIFY", word) is earliest[word], canonical


def test_shopify_webhook_spellings_in_lower_case_map_too() -> None:
    assert order_status("SHOPIFY", "partial") is OS.PARTIALLY_FULFILLED
    assert order_status("SHOPIFY", " fulfilled ") is OS.FULFILLED
    assert financial_status("SHOPIFY", "partially_refunded") is F.PARTIALLY_REFUNDED


# ---------------------------------------------------------------- POS


def test_every_square_order_state_maps() -> None:
    states = _literal_values(PosOrder, "state")
    assert set(states) == {"OPEN", "COMPLETED", "CANCELED", "DRAFT"}
    assert {state: order_status("POS", state) for state in states} == {
        "OPEN": OS.IN_PROGRESS,
        "COMPLETED": OS.FULFILLED,
        "CANCELED": OS.CANCELLED,
        "DRAFT": OS.PENDING,
    }


def test_every_financial_word_the_pos_connector_answers_maps() -> None:
    assert {word: financial_status("POS", word) for word in FINANCIAL_STATUSES} == {
        "UNPAID": F.PENDING,
        "PAYMENT_PENDING": F.AUTHORIZED,
        "PARTIALLY_PAID": F.PENDING,
        "PAID": F.PAID,
        "PARTIALLY_REFUNDED": F.PARTIALLY_REFUNDED,
        "REFUNDED": F.REFUNDED,
        "FAILED": F.PENDING,
        "CANCELED": F.VOIDED,
    }


def test_every_square_refund_status_and_legacy_refund_status_maps_to_a_return_status() -> None:
    for status in {*_literal_values(Refund, "status"), *LEGACY_REFUND_STATUS.values()}:
        assert return_status("POS", status) in set(ReturnStatus)


def test_square_refunds_read_back_as_the_earliest_return_status_they_can_mean() -> None:
    for canonical, refund in REFUND_STATUS.items():
        got = return_status("POS", refund)
        if refund == "PENDING":
            assert got is R.REQUESTED
        else:
            assert got is {"CLOSED": R.REFUNDED}.get(canonical, R(canonical))


def test_square_payment_words_map_to_financial_statuses() -> None:
    assert financial_status("POS", "CAPTURED") is F.PAID  # what the sandbox's card tenders say
    assert financial_status("POS", "COMPLETED") is F.PAID
    assert financial_status("POS", "APPROVED") is F.AUTHORIZED
    assert financial_status("POS", "CANCELED") is F.VOIDED
    assert financial_status("POS", "PARTIALLY_REFUNDED") is F.PARTIALLY_REFUNDED


@pytest.mark.parametrize(
    ("state", "ship", "pickup"),
    [
        ("PROPOSED", S.PENDING, S.PENDING),
        ("RESERVED", S.PENDING, S.PENDING),
        ("PREPARED", S.PENDING, S.READY_FOR_PICKUP),
        ("COMPLETED", S.SHIPPED, S.PICKED_UP),
        ("CANCELED", S.CANCELLED, S.CANCELLED),
        ("FAILED", S.CANCELLED, S.CANCELLED),
    ],
)
def test_square_fulfillment_states_map_by_fulfillment_type(state: str, ship: S, pickup: S) -> None:
    assert shipment_status("POS", state) is ship
    assert shipment_status("POS", state, pickup=True) is pickup


# ---------------------------------------------------------------- ERP


def test_every_seeded_erp_sales_order_reads_back_as_the_worlds_order_status(world: World) -> None:
    state = ErpState.seeded(Catalog(world))
    seen = set()
    for order in state.sales_orders.values():
        expected = world.orders_by_number[order.purchase_order].status
        assert order_status("ERP", _erp_order_raw(order)) is OS(expected), order.purchase_order
        seen.add(expected)
    assert seen == {"IN_PROGRESS", "PARTIALLY_FULFILLED", "FULFILLED", "CANCELLED"}


def test_erp_orders_created_through_the_api_are_pending_or_on_hold_with_a_delivery_block(
    world: World,
) -> None:
    order = next(iter(ErpState.seeded(Catalog(world)).sales_orders.values()))
    fresh = replace(
        order, released=False, items=tuple(replace(i, delivered=0, rejection_reason="") for i in order.items)
    )
    assert order_status("ERP", _erp_order_raw(fresh)) is OS.PENDING
    assert order_status("ERP", _erp_order_raw(replace(fresh, delivery_block="01"))) is OS.ON_HOLD


def test_every_seeded_erp_customer_return_reads_back_as_the_worlds_return_status(world: World) -> None:
    state = ErpState.seeded(Catalog(world))
    by_rma = {ret.rma_number: ret for order in world.orders for ret in order.returns}
    seen = set()
    for ret in state.returns.values():
        received = "X" if all(item.received for item in ret.items) else ""
        inspected = "A" if all(item.inspected for item in ret.items) else ""
        raw = (
            f"OverallSDProcessStatus={ret.process_status};ReturnsMaterialHasBeenReceived={received};"
            f"RetMatlInspResultCode={inspected}"
        )
        canonical = by_rma[ret.purchase_order].status
        assert return_status("ERP", raw) is {"CLOSED": R.REFUNDED}.get(canonical, R(canonical))
        seen.add(canonical)
    assert seen == {"APPROVED", "RECEIVED", "INSPECTED", "REFUNDED", "CLOSED"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A", OS.PENDING),
        ("B", OS.IN_PROGRESS),
        ("C", OS.FULFILLED),
        ("OverallSDProcessStatus=C;OverallDeliveryStatus=;OverallSDDocumentRejectionSts=C", OS.CANCELLED),
        ("OverallSDProcessStatus=B;OverallTotalDeliveryStatus=B", OS.PARTIALLY_FULFILLED),
        ("overallsdprocessstatus=b; deliveryblockreason=01", OS.ON_HOLD),
        ("OverallSDProcessStatus=C;OverallDeliveryStatus=C;DeliveryBlockReason=01", OS.FULFILLED),
        ("OverallSDProcessStatus=B;OverallDeliveryStatus=C;OverallSDDocumentRejectionSts=B", OS.FULFILLED),
    ],
)
def test_erp_order_status_fields_combine_rejection_delivery_block_and_process(raw: str, expected: OS) -> None:
    assert order_status("ERP", raw) is expected


def test_every_combination_of_erp_header_codes_maps_to_some_order_status() -> None:
    codes = ("A", "B", "C")
    for process in codes:
        for delivery in ("", *codes):
            for rejection in ("", *codes):
                raw = (
                    f"OverallSDProcessStatus={process};OverallDeliveryStatus={delivery};"
                    f"OverallSDDocumentRejectionSts={rejection}"
                )
                assert order_status("ERP", raw) in set(OrderStatus)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "D",
        "OverallSDProcessStatus=",
        "OverallSDProcessStatus=Z",
        "Overall=B",
        "OverallSDProcessStatus=B;OverallDeliveryStatus=Q",
    ],
)
def test_erp_values_outside_sap_codes_are_unknown(raw: str) -> None:
    with pytest.raises(UnknownStatus):
        order_status("ERP", raw)


def test_erp_return_fields_tell_received_from_inspected() -> None:
    assert return_status("ERP", "A") is R.APPROVED
    assert return_status("ERP", "OverallSDProcessStatus=A;ReturnsMaterialHasBeenReceived=X") is R.RECEIVED
    assert return_status("ERP", "B") is R.RECEIVED
    assert return_status("ERP", "OverallSDProcessStatus=B;RetMatlInspResultCode=A") is R.INSPECTED
    assert return_status("ERP", "C") is R.REFUNDED
    with pytest.raises(UnknownStatus):
        return_status("ERP", "OverallSDProcessStatus=B;ReturnsMaterialHasBeenReceived=Y")


def test_erp_billing_and_goods_movement_codes_map() -> None:
    assert [financial_status("ERP", c) for c in "ABC"] == [F.AUTHORIZED, F.AUTHORIZED, F.PAID]
    assert [shipment_status("ERP", c) for c in "ABC"] == [S.PENDING, S.PENDING, S.SHIPPED]


# ---------------------------------------------------------------- unknown words


@pytest.mark.parametrize(
    ("call", "system", "kind"),
    [
        (lambda: order_status("OMS", "ORDER_TELEPORTED"), "OMS", "order"),
        (lambda: order_status("SHOPIFY", None), "SHOPIFY", "order"),
        (lambda: financial_status("POS", ""), "POS", "financial"),
        (lambda: shipment_status("SHOPIFY", "BEAMED"), "SHOPIFY", "shipment"),
        (lambda: return_status("OMS", "ORDER_CREATED"), "OMS", "return"),
        (lambda: return_status("SHOPIFY", "OPENED"), "SHOPIFY", "return"),
        (lambda: order_status("ERP", "OverallSDProcessStatus=X"), "ERP", "order"),
        (lambda: parse_channel("OMS", "WEB_SALES_CHANNEL"), "OMS", "channel"),
    ],
)
def test_an_unknown_status_raises_unknown_status_with_a_stable_code(
    call: typing.Any, system: str, kind: str
) -> None:
    with pytest.raises(UnknownStatus) as caught:
        call()
    error = caught.value
    assert (error.system, error.kind, error.code) == (system, kind, "UNKNOWN_STATUS")
    assert isinstance(error, ValueError)
    assert isinstance(error, DomainError)


def test_a_status_from_a_system_without_that_kind_of_status_is_unknown() -> None:
    with pytest.raises(UnknownStatus):
        return_status("POS", "RETURN_REQUESTED")
    with pytest.raises(UnknownStatus):
        order_status("POS", "ORDER_CREATED")


def test_channels_parse_from_our_names_in_any_case() -> None:
    assert parse_channel("OMS", "call_center") is Channel.CALL_CENTER


# ---------------------------------------------------------------- one order, many systems


def _line(quantity: int, fulfilled: int | None) -> OrderLineRecord:
    return OrderLineRecord(1, "SKU", quantity, Money(0, "USD"), quantity_fulfilled=fulfilled)  # type: ignore[arg-type]


def test_lines_tell_fulfilled_partly_fulfilled_or_nothing() -> None:
    assert status_from_lines([_line(2, 2), _line(1, 1)]) is OS.FULFILLED
    assert status_from_lines([_line(2, 1), _line(1, 0)]) is OS.PARTIALLY_FULFILLED
    assert status_from_lines([_line(2, 0)]) is None
    assert status_from_lines([_line(2, None)]) is None
    assert status_from_lines([]) is None
    assert status_from_lines([_line(2, 2), _line(1, None)]) is OS.PARTIALLY_FULFILLED


def test_a_cancellation_from_any_system_wins() -> None:
    statuses: list[tuple[System, OS]] = [("OMS", OS.IN_PROGRESS), ("SHOPIFY", OS.CANCELLED)]
    assert combined_order_status(statuses, authority="OMS") is OS.CANCELLED


def test_the_fulfilment_authority_decides_over_a_system_that_says_more() -> None:
    statuses: list[tuple[System, OS]] = [
        ("SHOPIFY", OS.FULFILLED),
        ("OMS", OS.IN_PROGRESS),
        ("ERP", OS.FULFILLED),
    ]
    assert combined_order_status(statuses, authority="OMS") is OS.IN_PROGRESS
    assert (
        combined_order_status([("POS", OS.FULFILLED), ("ERP", OS.IN_PROGRESS)], authority="POS")
        is OS.FULFILLED
    )


def test_without_the_authority_the_most_advanced_status_wins() -> None:
    statuses: list[tuple[System, OS]] = [("SHOPIFY", OS.PENDING), ("ERP", OS.PARTIALLY_FULFILLED)]
    assert combined_order_status(statuses, authority="OMS") is OS.PARTIALLY_FULFILLED
    assert combined_order_status([("SHOPIFY", OS.ON_HOLD), ("ERP", OS.PENDING)]) is OS.ON_HOLD


def test_lines_that_say_more_than_the_header_refine_it() -> None:
    approved: list[tuple[System, OS]] = [("OMS", OS.IN_PROGRESS)]
    assert combined_order_status(approved, authority="OMS", lines=[_line(2, 1)]) is OS.PARTIALLY_FULFILLED
    assert combined_order_status(approved, authority="OMS", lines=[_line(2, 2)]) is OS.FULFILLED
    assert combined_order_status([("OMS", OS.PENDING)], authority="OMS", lines=[_line(2, 2)]) is OS.FULFILLED


def test_lines_never_downgrade_a_status_nor_override_a_hold_or_a_cancellation() -> None:
    assert (
        combined_order_status([("OMS", OS.FULFILLED)], authority="OMS", lines=[_line(2, 0)]) is OS.FULFILLED
    )
    assert combined_order_status([("OMS", OS.FULFILLED)], lines=[_line(2, 1)]) is OS.FULFILLED
    assert combined_order_status([("OMS", OS.ON_HOLD)], lines=[_line(2, 1)]) is OS.ON_HOLD
    assert combined_order_status([("OMS", OS.CANCELLED)], lines=[_line(2, 2)]) is OS.CANCELLED


def test_one_order_status_needs_at_least_one_system() -> None:
    with pytest.raises(DomainError):
        combined_order_status([])


# ---------------------------------------------------------------- listing filters


def _tables_words(system: System) -> list[str]:
    return sorted(_tables.ORDER[system])


def test_listed_words_narrow_only_the_statuses_the_authority_decides() -> None:
    assert listed_words("OMS", OS.PENDING) == {"ORDER_CREATED"}
    assert listed_words("POS", OS.IN_PROGRESS) == {"DRAFT", "OPEN"}
    for status in (OS.PARTIALLY_FULFILLED, OS.FULFILLED, OS.CANCELLED):
        assert listed_words("OMS", status) is None
        assert listed_words("POS", status) is None


@pytest.mark.parametrize("authority", ["OMS", "POS"])
def test_an_order_of_a_narrowed_status_is_listed_by_some_system_that_holds_it(authority: System) -> None:
    """Every mix of OMS, POS and Shopify words (or absence) whose merged status is PENDING, ON_HOLD
    or IN_PROGRESS carries a listed word in at least one listing system (OMS, POS) holding it."""
    oms_words = [None, *_tables_words("OMS")]
    pos_words = [None, *_tables_words("POS")]
    shopify_words = [None, "UNFULFILLED", "ON_HOLD", "IN_PROGRESS", "FULFILLED"]
    checked = 0
    for oms, pos, shop in itertools.product(oms_words, pos_words, shopify_words):
        held: dict[System, str | None] = {"OMS": oms, "POS": pos}
        statuses: list[tuple[System, OrderStatus]] = [
            (system, order_status(system, word)) for system, word in held.items() if word
        ]
        if shop:
            statuses.append(("SHOPIFY", order_status("SHOPIFY", shop)))
        if not any(word for word in held.values()):
            continue  # neither listing holds it: no listing could show it
        merged = combined_order_status(statuses, authority=authority)
        words = {system: listed_words(system, merged) for system in held}
        if words["OMS"] is None:
            continue
        assert any(word in (words[system] or ()) for system, word in held.items() if word), (held, shop)
        checked += 1
    assert checked > 20

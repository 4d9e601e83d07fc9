"""Pure parts of the ERP connector: wire parsing, mapping to records, request bodies and filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from resolvers.domain import Address, Money, OrderDraft, OrderDraftLine, ReturnDraft, ReturnDraftLine
from resolvers.erp import ErpSettings
from resolvers.erp.bodies import external_document_id, odata_date, order_body, return_body
from resolvers.erp.mapping import (
    customer_record,
    order_record,
    parse_status,
    return_record,
    stock_levels,
)
from resolvers.erp.odata import OData, any_of, chunk_keys, encoded_length, literal
from resolvers.erp.queries import per_material
from resolvers.erp.wire import (
    BusinessPartner,
    CustomerReturn,
    ReturnWithOrder,
    SalesOrder,
    StockRow,
    codec_for,
)

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def row(material: str, plant: str, stock_type: str, quantity: str, storage: str = "0100") -> StockRow:
    return StockRow.model_validate(
        {
            "__metadata": {"type": "API_MATERIAL_STOCK_SRV.A_MatlStkInAcctModType"},
            "Material": material,
            "Plant": plant,
            "StorageLocation": storage,
            "Batch": "",
            "InventoryStockType": stock_type,
            "MatlWrhsStkQtyInMatlBaseUnit": quantity,
        }
    )


def test_stock_sums_every_physical_unit_and_counts_inspection_and_blocked_as_unavailable() -> None:
    rows = [
        row("SKU-1", "1001", "01", "10.000"),
        row("SKU-1", "1001", "02", "2.000"),
        row("SKU-1", "1001", "07", "1.000"),
        row("SKU-1", "1001", "01", "3.000", storage="0200"),
        row("SKU-1", "2001", "01", "0.000"),
        row("SKU-1", "9999", "01", "5.000"),  # a plant nobody asked for
    ]
    levels = stock_levels(rows, {"1001": ["DC01"], "2001": ["ST01", "ST01-POPUP"]}, as_of=AS_OF, stale=True)
    assert [(lv.location_id, lv.on_hand, lv.unavailable, lv.stale, lv.as_of) for lv in levels] == [
        ("DC01", 16, 3, True, AS_OF),
        ("ST01", 0, 0, True, AS_OF),
        ("ST01-POPUP", 0, 0, True, AS_OF),
    ]
    assert all(lv.available is None and lv.system == "ERP" and lv.sku == "SKU-1" for lv in levels)


def sales_order(**header: Any) -> dict[str, Any]:
    return {
        "__metadata": {
            "uri": "http://erp/A_SalesOrder('1002001')",
            "etag": "W/\"datetime'2026-11-02T15%3A30%3A00.0000000'\"",
        },
        "SalesOrder": "1002001",
        "DistributionChannel": "20",
        "SoldToParty": "1000001",
        "CreationDate": "/Date(1793577600000)/",
        "CustomerPurchaseOrderDate": "/Date(1793577600000)/",
        "LastChangeDateTime": "/Date(1793633400000+0000)/",
        "PurchaseOrderByCustomer": "R100001",
        "TotalNetAmount": "89.97",
        "TransactionCurrency": "USD",
        "OverallSDProcessStatus": "B",
        "OverallDeliveryStatus": "B",
        "OverallSDDocumentRejectionSts": "A",
        "DeliveryBlockReason": "",
        "NewFieldOfALaterRelease": "ignored",
        "to_Item": {
            "results": [
                {"SalesOrderItem": "20", "Material": "B", "RequestedQuantity": "1.000", "NetAmount": "29.99",
                 "ProductionPlant": "9999", "DeliveryStatus": "A"},
                {"SalesOrderItem": "10", "Material": "A", "RequestedQuantity": "2.000", "NetAmount": "59.98",
                 "ProductionPlant": "1001", "DeliveryStatus": "C"},
                {"SalesOrderItem": "30", "Material": "C", "RequestedQuantity": "3.000", "NetAmount": "10.00",
                 "ProductionPlant": "1001", "DeliveryStatus": "B"},
            ]
        },
        **header,
    }  # fmt: skip


def test_a_sales_order_maps_its_sd_statuses_lines_and_dates() -> None:
    order = SalesOrder.model_validate(sales_order())
    record = order_record(order, plant_locations={"1001": "DC01"}, channels={"20": "STORE"}, customer_id="C1")
    assert record.status == (
        "OverallSDProcessStatus=B;OverallDeliveryStatus=B;OverallSDDocumentRejectionSts=A;DeliveryBlockReason="
    )
    assert parse_status(record.status)["OverallDeliveryStatus"] == "B"
    assert (record.system_id, record.number, record.channel, record.customer_id) == (
        "1002001",
        "R100001",
        "STORE",
        "C1",
    )
    assert record.placed_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert record.updated_at == datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    assert record.total == Money(Decimal("89.97"), "USD")
    assert [(ln.line_no, ln.sku, ln.quantity, ln.unit_price.amount, ln.quantity_fulfilled, ln.location_id)
            for ln in record.lines] == [
        (1, "A", 2, Decimal("29.99"), 2, "DC01"),
        (2, "B", 1, Decimal("29.99"), 0, None),
        (3, "C", 3, Decimal("3.33"), None, "DC01"),
    ]  # fmt: skip
    assert [ln.system_line_id for ln in record.lines] == ["10", "20", "30"]
    assert order.etag is not None
    assert order.etag.startswith('W/"datetime')


def test_an_order_without_a_channel_we_know_keeps_none() -> None:
    record = order_record(
        SalesOrder.model_validate(sales_order(DistributionChannel="99")), plant_locations={}, channels={}
    )
    assert record.channel is None


def test_wire_models_survive_the_cache_codec() -> None:
    codec = codec_for(list[SalesOrder])
    orders = [SalesOrder.model_validate(sales_order())]
    again = codec.decode(codec.encode(orders))
    assert again == orders
    assert again[0].CreationDate.tzinfo is UTC
    assert again[0].etag == orders[0].etag


def test_a_return_names_the_order_line_of_its_reference_item() -> None:
    ret = CustomerReturn.model_validate(
        {
            "CustomerReturn": "60000007",
            "PurchaseOrderByCustomer": "RMA-1",
            "ReferenceSDDocument": "1002001",
            "CreationDate": "/Date(1793577600000)/",
            "OverallSDProcessStatus": "B",
            "to_Item": [
                {"CustomerReturnItem": "10", "Material": "C", "RequestedQuantity": "1.000",
                 "ReturnReason": "105", "ReferenceSDDocumentItem": "30",
                 "ReturnsMaterialHasBeenReceived": "X", "RetMatlInspResultCode": "A"},
                {"CustomerReturnItem": "20", "Material": "A", "RequestedQuantity": "2.000",
                 "ReturnReason": "999", "ReferenceSDDocumentItem": "10",
                 "ReturnsMaterialHasBeenReceived": "X"},
            ],
        }
    )  # fmt: skip
    found = ReturnWithOrder(ret=ret, order_number="R100001", order_items=["30", "10", "20"])
    record = return_record(found, reasons={"105": "SIZE_OR_FIT"})
    assert [(ln.line_no, ln.sku, ln.quantity, ln.reason) for ln in record.lines] == [
        (3, "C", 1, "SIZE_OR_FIT"),
        (1, "A", 2, "999"),
    ]
    assert parse_status(record.status) == {
        "OverallSDProcessStatus": "B",
        "ReturnsMaterialHasBeenReceived": "X",
        "RetMatlInspResultCode": "",  # only one of the two items is inspected
    }
    assert (record.rma_number, record.order_number, record.created_at) == (
        "RMA-1",
        "R100001",
        datetime(2026, 11, 2, tzinfo=UTC),
    )


def test_a_partner_maps_its_addresses_default_email_and_phone() -> None:
    partner = BusinessPartner.model_validate(
        {
            "BusinessPartner": "1000001",
            "BusinessPartnerIDByExtSystem": "C000001",
            "FirstName": "Ava",
            "LastName": "Cohen",
            "CreationDate": "/Date(1763424000000)/",
            "to_BusinessPartnerAddress": {
                "results": [
                    {"AddressID": "1", "Country": "US", "to_EmailAddress": {"results": [
                        {"EmailAddress": "old@example.com", "IsDefaultEmailAddress": False},
                        {"EmailAddress": "ava@example.com", "IsDefaultEmailAddress": True},
                    ]}, "to_PhoneNumber": {"results": [{"PhoneNumber": "5550000001",
                                                         "InternationalPhoneNumber": "+15550000001"}]}},
                    {"AddressID": "2", "StreetName": "Elm St", "HouseNumber": "9241",
                     "HouseNumberSupplementText": "Apt 2", "CityName": "Chicago", "PostalCode": "60632",
                     "Region": "IL", "Country": "US",
                     "to_EmailAddress": {"__deferred": {"uri": "..."}}},
                ]
            },
        }
    )  # fmt: skip
    record = customer_record(partner)
    assert (record.system_id, record.customer_id, record.email, record.phone) == (
        "1000001",
        "C000001",
        "ava@example.com",
        "+15550000001",
    )
    assert record.addresses == (Address("9241 Elm St", "Apt 2", "Chicago", "IL", "60632", "US"),)
    assert record.created_at == datetime(2025, 11, 18, tzinfo=UTC)


def test_filters_quote_literals_and_split_only_past_the_budget() -> None:
    assert literal("O'Brien") == "'O''Brien'"
    assert any_of("Material", ["A", "B"]) == "(Material eq 'A' or Material eq 'B')"
    keys = [f"R1{n:05d}" for n in range(100)]
    assert chunk_keys("PurchaseOrderByCustomer", keys + keys[:3], 100_000) == [keys]
    chunks = chunk_keys("PurchaseOrderByCustomer", keys, 500)
    assert [k for chunk in chunks for k in chunk] == keys
    assert all(encoded_length(any_of("PurchaseOrderByCustomer", chunk)) <= 500 for chunk in chunks)
    assert len(chunks) > 1


def test_stock_reads_go_per_material_only_when_rows_could_overflow_a_page() -> None:
    odata = OData(ErpSettings(page_size=1000))
    plants = [str(1000 + n) for n in range(30)]
    assert per_material(odata, 50, plants)
    assert not per_material(odata, 11, plants)
    assert per_material(odata, 1, [str(n) for n in range(1000, 1400)])  # the plant list alone is too long


def draft() -> OrderDraft:
    line = OrderDraftLine(2, "SKU-2", 3, Money(Decimal("5.00"), "USD"), "ST01")
    first = OrderDraftLine(1, "SKU-1", 1, Money(Decimal("9.00"), "USD"), "NOWHERE")
    return OrderDraft(
        number="R100001",
        channel="STORE",
        placed_at=datetime(2026, 11, 2, 15, 30, tzinfo=UTC),
        lines=(line, first),
        currency="USD",
        payment_reference="p",
        fulfilment_type="PICKUP",
        idempotency_key="k" * 64,
    )


def test_an_order_body_numbers_items_by_line_and_sends_no_prices() -> None:
    body = order_body(draft(), sold_to="1000001", plants={"ST01": "2001"}, settings=ErpSettings())
    assert {k: v for k, v in body.items() if k != "to_Item"} == {
        "SalesOrderType": "OR",
        "SalesOrganization": "1000",
        "DistributionChannel": "20",
        "OrganizationDivision": "00",
        "SoldToParty": "1000001",
        "PurchaseOrderByCustomer": "R100001",
        "CustomerPurchaseOrderDate": odata_date(datetime(2026, 11, 2, 15, 30, tzinfo=UTC)),
        "ExternalDocumentID": external_document_id("k" * 64),
        "TransactionCurrency": "USD",
    }
    assert body["to_Item"] == [
        {
            "SalesOrderItem": "10",
            "Material": "SKU-1",
            "RequestedQuantity": "1",
            "RequestedQuantityUnit": "EA",
        },
        {
            "SalesOrderItem": "20",
            "Material": "SKU-2",
            "RequestedQuantity": "3",
            "RequestedQuantityUnit": "EA",
            "ProductionPlant": "2001",
        },
    ]
    assert len(body["ExternalDocumentID"]) == 40
    assert external_document_id("short") == "short"
    assert odata_date(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)) == "/Date(1000)/"
    with pytest.raises(ValueError, match="DistributionChannel"):
        order_body(replace(draft(), channel="KIOSK"), sold_to="x", plants={}, settings=ErpSettings())


def test_a_return_body_references_the_sales_order_and_its_items() -> None:
    order = SalesOrder.model_validate(sales_order(SalesOrganization="1000", OrganizationDivision="00"))
    ret = ReturnDraft(
        rma_number="RMA-1",
        order_number="R100001",
        lines=(ReturnDraftLine(3, "C", 1, "DAMAGED"), ReturnDraftLine(1, "A", 2, "SIZE_OR_FIT")),
        refund_method="ORIGINAL_PAYMENT",
        created_at=AS_OF,
        idempotency_key="k",
    )
    body = return_body(ret, order, drop_off_plant="2001", settings=ErpSettings())
    assert (body["ReferenceSDDocument"], body["SoldToParty"], body["DistributionChannel"]) == (
        "1002001",
        "1000001",
        "20",
    )
    assert body["SDDocumentReason"] == "105"  # the first line's reason
    assert [(i["ReferenceSDDocumentItem"], i["Material"], i["ReturnReason"], i["ProductionPlant"])
            for i in body["to_Item"]] == [("10", "A", "105", "2001"), ("30", "C", "101", "2001")]  # fmt: skip

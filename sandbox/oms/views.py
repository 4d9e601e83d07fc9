"""Wire JSON of orders, their items, ship groups and shipments, and returns (OFBiz field names)."""

from __future__ import annotations

from typing import Any

from sandbox.oms._wire import iso, money
from sandbox.oms.records import OrderRecord, ReturnRecord, ShipmentRecord, StatusRow

__all__ = ["order_json", "return_json", "shipment_json", "statuses_json"]


def statuses_json(rows: list[StatusRow]) -> list[dict[str, Any]]:
    return [
        {
            "statusId": row.status_id,
            "statusDatetime": iso(row.at),
            "changedByUserLogin": row.by,
            "changeReason": row.reason,
        }
        for row in rows
    ]


def shipment_json(shipment: ShipmentRecord) -> dict[str, Any]:
    return {
        "shipmentId": shipment.shipment_id,
        "shipmentTypeId": "SALES_SHIPMENT",
        "primaryOrderId": shipment.order_id,
        "primaryShipGroupSeqId": shipment.ship_group_seq_id,
        "statusId": shipment.status_id,
        "originFacilityId": shipment.facility_id,
        "shipmentMethodTypeId": shipment.method,
        "carrierPartyId": shipment.carrier_party_id,
        "trackingIdNumber": shipment.tracking_id,
        "items": [
            {"shipmentItemSeqId": f"{n:05d}", "orderItemSeqId": seq, "quantity": qty}
            for n, (seq, qty) in enumerate(shipment.items, start=1)
        ],
        "statuses": statuses_json(shipment.statuses),
        "createdDate": iso(shipment.created_at),
        "lastUpdatedStamp": iso(shipment.updated_at),
    }


def order_json(order: OrderRecord) -> dict[str, Any]:
    shipped = order.shipped_quantities()
    return {
        "orderId": order.order_id,
        "orderName": order.order_name,
        "externalId": order.external_id,
        "orderTypeId": "SALES_ORDER",
        "productStoreId": "STORE",
        "salesChannelEnumId": order.channel_enum_id,
        "statusId": order.status_id,
        "orderDate": iso(order.order_date),
        "entryDate": iso(order.entry_date),
        "partyId": order.party_id,
        "emailAddress": order.email,
        "currencyUom": order.currency,
        "grandTotal": money(order.grand_total_cents),
        "lastUpdatedStamp": iso(order.updated_at),
        "items": [
            {
                "orderItemSeqId": item.seq_id,
                "shipGroupSeqId": item.ship_group_seq_id,
                "productId": item.product_id,
                "itemDescription": item.description,
                "quantity": item.quantity,
                "cancelQuantity": item.cancel_quantity,
                "shippedQuantity": shipped[item.seq_id],
                "unitPrice": money(item.unit_price_cents),
                "statusId": item.status_id,
                "externalId": item.external_id,
            }
            for item in order.items
        ],
        "shipGroups": [
            {
                "shipGroupSeqId": group.seq_id,
                "facilityId": group.facility_id,
                "shipmentMethodTypeId": group.method,
                "carrierPartyId": group.carrier_party_id,
                "postalAddress": group.postal_address,
                "pickupFacilityId": group.facility_id if group.method == "STOREPICKUP" else None,
            }
            for group in order.ship_groups
        ],
        "shipments": [
            {"shipmentId": s.shipment_id, "statusId": s.status_id, "shipGroupSeqId": s.ship_group_seq_id}
            for s in order.shipments
        ],
        "statuses": statuses_json(order.statuses),
        "paymentPreferences": [
            {
                "orderPaymentPreferenceId": p.preference_id,
                "paymentMethodTypeId": p.method_type_id,
                "statusId": p.status_id,
                "maxAmount": money(p.max_amount_cents),
                "refundedAmount": money(p.refunded_cents),
                "manualRefNum": p.reference,
            }
            for p in order.payments
        ],
    }


def return_json(ret: ReturnRecord) -> dict[str, Any]:
    return {
        "returnId": ret.return_id,
        "returnName": ret.return_name,
        "externalId": ret.external_id,
        "returnHeaderTypeId": "CUSTOMER_RETURN",
        "statusId": ret.status_id,
        "orderId": ret.order_id,
        "fromPartyId": ret.party_id,
        "toPartyId": "COMPANY",
        "returnChannelEnumId": ret.channel_enum_id,
        "destinationFacilityId": ret.destination_facility_id,
        "currencyUomId": ret.currency,
        "returnTotal": money(ret.return_total_cents),
        "refundAmount": money(ret.refund_cents),
        "entryDate": iso(ret.created_at),
        "lastUpdatedStamp": iso(ret.updated_at),
        "items": [
            {
                "returnItemSeqId": item.seq_id,
                "orderId": ret.order_id,
                "orderItemSeqId": item.order_item_seq_id,
                "productId": item.product_id,
                "returnQuantity": item.quantity,
                "receivedQuantity": item.received_quantity,
                "returnReasonId": item.reason_id,
                "returnTypeId": item.return_type_id,
                "returnPrice": money(item.unit_price_cents),
            }
            for item in ret.items
        ],
        "statuses": statuses_json(ret.statuses),
    }

"""Stored replays and queued ERP postings read back the same; enum values read leniently."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from resolvers.domain import (
    ExternalRef,
    Money,
    OrderEventRecord,
    ReturnDraft,
    ReturnDraftLine,
    ReturnLineRecord,
)
from subgraphs.domain.enums import ReturnStatus
from subgraphs.domain.views import ReturnView
from subgraphs.returns.codec import view_from_json, view_to_json
from subgraphs.returns.postings import decode_draft, encode_draft, posting_key
from subgraphs.returns.types import RefundMethod, ReturnReason

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_a_return_view_survives_the_round_trip_through_json() -> None:
    view = ReturnView(
        rma_number="RMA-100015-02",
        order_number="R100015",
        status=ReturnStatus.APPROVED,
        lines=(ReturnLineRecord(1, 2, "DAMAGED", "SKU-1"), ReturnLineRecord(3, 1, "OTHER", None)),
        created_at=AT,
        timeline=(OrderEventRecord(AT, "OMS", "RETURN_REQUESTED"), OrderEventRecord(AT, "ERP", "X", "m")),
        external_refs=(ExternalRef("OMS", "RET1"), ExternalRef("ERP", "60000001")),
        refund_method="STORE_CREDIT",
        refund=Money(Decimal("12.50"), "USD"),
        drop_off_location_id="ST003",
        updated_at=AT,
    )
    assert view_from_json(view_to_json(view)) == view
    bare = ReturnView("RMA-1-01", None, ReturnStatus.REQUESTED, (), AT, (), ())
    assert view_from_json(view_to_json(bare)) == bare


def test_a_return_draft_survives_the_round_trip_through_the_erp_queue() -> None:
    draft = ReturnDraft(
        rma_number="RMA-100015-02",
        order_number="R100015",
        lines=(ReturnDraftLine(1, "SKU-1", 2, "DAMAGED"),),
        refund_method="ORIGINAL_PAYMENT",
        created_at=AT,
        idempotency_key="RMA-100015-02:abc",
        drop_off_location_id=None,
        currency="EUR",
    )
    assert decode_draft(encode_draft(draft)) == draft
    assert posting_key(encode_draft(draft)) == "RMA-100015-02"


def test_a_payload_that_is_not_a_return_posting_is_refused() -> None:
    for payload in (
        b"{",
        b"[]",
        b'{"kind": "erp-posting", "number": "R1"}',
        b'{"kind": "erp-return-posting"}',
    ):
        with pytest.raises(ValueError, match="not"):
            decode_draft(payload)


def test_unknown_reasons_read_as_other_and_unknown_refund_methods_as_original_payment() -> None:
    assert ReturnReason.read(" size_or_fit ") is ReturnReason.SIZE_OR_FIT
    assert ReturnReason.read("COLOR") is ReturnReason.OTHER
    assert ReturnReason.read(None) is ReturnReason.OTHER
    assert RefundMethod.read("STORE_CREDIT") is RefundMethod.STORE_CREDIT
    assert RefundMethod.read(None) is RefundMethod.ORIGINAL_PAYMENT

"""One customer profile from Shopify, POS and ERP records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resolvers.domain import Address, CustomerRecord, ExternalRef, Loyalty
from subgraphs.domain.errors import RecordsMismatch
from subgraphs.domain.profile import address_key, merge_customer

HOME = Address("1 Main St.", None, "Springfield", "IL", "62701", "US")
WORK = Address("200 Market Street", "Suite 4", "Chicago", "IL", "60601", "US")


def rec(system: str, system_id: str, **kw: object) -> CustomerRecord:
    base: dict[str, object] = {
        "system": system,
        "system_id": system_id,
        "customer_id": "C000001",
        "email": None,
    }
    return CustomerRecord(**(base | kw))  # type: ignore[arg-type]


def test_contact_details_come_from_shopify_then_the_pos_then_the_erp() -> None:
    profile = merge_customer(
        [
            rec("ERP", "1000001", email="erp@example.com", phone="+1 555 0100"),
            rec("POS", "SQ1", email="pos@example.com", phone="+1 555 0101"),
            rec("SHOPIFY", "77", email="shop@example.com"),
        ]
    )
    assert profile.email == "shop@example.com"
    assert profile.phone == "+1 555 0101"  # Shopify has none: the next system's


def test_blank_values_do_not_count_as_values() -> None:
    profile = merge_customer(
        [rec("SHOPIFY", "77", email="  ", phone=""), rec("ERP", "1", email="erp@example.com")]
    )
    assert (profile.email, profile.phone) == ("erp@example.com", None)


def test_first_and_last_name_come_together_from_one_record() -> None:
    profile = merge_customer(
        [
            rec("SHOPIFY", "77", first_name="Jon", last_name=None),
            rec("POS", "SQ1", first_name="Jonathan", last_name="Smith-Jones"),
        ]
    )
    assert (profile.first_name, profile.last_name) == ("Jon", None)


def test_addresses_are_deduplicated_by_a_normalised_compare_keeping_the_first_spelling_and_order() -> None:
    shouty = Address("1 MAIN ST", "", "springfield", "il", "62 701", "us")
    profile = merge_customer(
        [
            rec("ERP", "1", addresses=(shouty, WORK)),
            rec("SHOPIFY", "77", addresses=(HOME,)),
            rec("POS", "SQ1"),
        ]
    )
    assert profile.addresses == (HOME, WORK)
    assert address_key(HOME) == address_key(shouty)
    assert address_key(HOME) != address_key(WORK)


def test_loyalty_comes_from_the_pos_only() -> None:
    gold = Loyalty("GOLD", 1200)
    assert merge_customer([rec("SHOPIFY", "77"), rec("POS", "SQ1", loyalty=gold)]).loyalty == gold
    assert merge_customer([rec("ERP", "1", loyalty=Loyalty("X", 1))]).loyalty is None


def test_every_record_is_an_external_ref_sorted_by_system() -> None:
    profile = merge_customer(
        [rec("SHOPIFY", "77"), rec("ERP", "1000001"), rec("POS", "SQ1"), rec("POS", "SQ1")]
    )
    assert profile.external_refs == (
        ExternalRef("ERP", "1000001"),
        ExternalRef("POS", "SQ1"),
        ExternalRef("SHOPIFY", "77"),
    )


def test_the_id_is_the_one_the_records_share_and_times_span_them() -> None:
    early, late = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    profile = merge_customer(
        [
            rec("SHOPIFY", "77", created_at=late, updated_at=late),
            rec("ERP", "1", customer_id=None, created_at=early),
        ]
    )
    assert (profile.id, profile.created_at, profile.updated_at) == ("C000001", early, late)


def test_a_single_record_is_a_profile() -> None:
    profile = merge_customer([rec("POS", "SQ1", email="a@b.c", first_name="A", addresses=(HOME,))])
    assert (profile.email, profile.first_name, profile.addresses) == ("a@b.c", "A", (HOME,))


def test_no_records_or_records_of_two_customers_are_refused() -> None:
    with pytest.raises(RecordsMismatch):
        merge_customer([])
    with pytest.raises(RecordsMismatch):
        merge_customer([rec("POS", "SQ1"), rec("ERP", "1", customer_id="C000002")])

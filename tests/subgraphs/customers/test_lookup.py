"""Finding one customer across Shopify, POS and ERP: batching, failures, e-mail rules (fake sources)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from resolvers.domain import CustomerRecord, Loyalty, System
from resolvers.errors import UpstreamTimeout, UpstreamUnavailable
from subgraphs.common.errors import BadUserInput
from subgraphs.customers.lookup import (
    EMAIL_SEARCHES,
    CustomerLookup,
    choose_customer_id,
    normalise_email,
    valid_customer_id,
)


def rec(system: System, customer_id: str | None, **kw: object) -> CustomerRecord:
    base: dict[str, object] = {
        "system": system,
        "system_id": f"{system.lower()}-{customer_id}",
        "customer_id": customer_id,
        "email": f"{(customer_id or 'x').lower()}@example.com",
    }
    return CustomerRecord(**(base | kw))  # type: ignore[arg-type]


@dataclass
class FakeSource:
    system: System
    records: list[CustomerRecord] = field(default_factory=list)
    error: Exception | None = None
    delay: float = 0.0
    batches: list[list[str]] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        self.batches.append(list(customer_ids))
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        by_id = {r.customer_id: r for r in self.records}
        return [by_id.get(customer_id) for customer_id in customer_ids]

    async def customers_by_email(self, email: str) -> list[CustomerRecord]:
        self.searches.append(email)
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return [r for r in self.records if (r.email or "").lower() == email]


@dataclass
class ScanningSource(FakeSource):
    """A source whose look-up by id scans unless the id is in ``indexed`` (Shopify's id index)."""

    indexed: set[str] = field(default_factory=set)

    def finds_customer_directly(self, customer_id: str) -> bool:
        return customer_id in self.indexed


def systems(
    shopify: list[CustomerRecord] | None = None,
    pos: list[CustomerRecord] | None = None,
    erp: list[CustomerRecord] | None = None,
) -> tuple[FakeSource, FakeSource, FakeSource]:
    return FakeSource("SHOPIFY", shopify or []), FakeSource("POS", pos or []), FakeSource("ERP", erp or [])


def down(system: System) -> UpstreamUnavailable:
    return UpstreamUnavailable("503", system=system.lower(), operation="customers")


# ---------------------------------------------------------------- by id


async def test_a_customer_known_to_every_system_is_merged_from_all_three() -> None:
    shopify, pos, erp = systems(
        [rec("SHOPIFY", "C1", first_name="Ava")],
        [rec("POS", "C1", loyalty=Loyalty("MEMBER", 40))],
        [rec("ERP", "C1", phone="+1555")],
    )
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert profile is not None
    assert (profile.id, profile.first_name, profile.phone) == ("C1", "Ava", "+1555")
    assert profile.loyalty == Loyalty("MEMBER", 40)
    assert [ref.system for ref in profile.external_refs] == ["ERP", "POS", "SHOPIFY"]


async def test_a_customer_only_one_system_knows_exists() -> None:
    shopify, pos, erp = systems(pos=[rec("POS", "C9")])
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C9")
    assert profile is not None
    assert [(r.system, r.id) for r in profile.external_refs] == [("POS", "pos-C9")]


async def test_a_customer_no_system_knows_is_none() -> None:
    assert await CustomerLookup(systems(pos=[rec("POS", "C9")])).by_id("C404") is None


async def test_the_keys_of_one_tick_cost_one_batch_per_system() -> None:
    shopify, pos, erp = systems([rec("SHOPIFY", f"C{i}") for i in range(20)])
    lookup = CustomerLookup([shopify, pos, erp])
    profiles = await asyncio.gather(*(lookup.by_id(f"C{i}") for i in range(20)))
    assert all(profile is not None for profile in profiles)
    for source in (shopify, pos, erp):
        assert source.batches == [[f"C{i}" for i in range(20)]]


async def test_one_system_down_leaves_the_others_to_answer() -> None:
    shopify, pos, erp = systems([rec("SHOPIFY", "C1")], erp=[rec("ERP", "C1")])
    pos.error = down("POS")
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert profile is not None
    assert [ref.system for ref in profile.external_refs] == ["ERP", "SHOPIFY"]


async def test_a_system_down_for_a_whole_batch_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    shopify, pos, erp = systems([rec("SHOPIFY", f"C{i}") for i in range(20)])
    pos.error = down("POS")
    lookup = CustomerLookup([shopify, pos, erp])
    await asyncio.gather(*(lookup.by_id(f"C{i}") for i in range(20)))
    assert [r.getMessage() for r in caplog.records] == [
        "customers: POS customers_by_id failed: UPSTREAM_UNAVAILABLE (503)"
    ]


async def test_a_failure_is_raised_only_when_no_other_system_knows_the_customer() -> None:
    shopify, pos, erp = systems()
    pos.error = down("POS")
    with pytest.raises(UpstreamUnavailable):
        await CustomerLookup([shopify, pos, erp]).by_id("C1")


async def test_the_first_failure_in_precedence_order_is_the_one_raised() -> None:
    shopify, pos, erp = systems()
    shopify.error = UpstreamTimeout("slow", system="shopify", operation="customers")
    erp.error = down("ERP")
    with pytest.raises(UpstreamTimeout):
        await CustomerLookup([shopify, pos, erp]).by_id("C1")


async def test_an_error_that_is_not_a_system_failure_is_not_swallowed() -> None:
    shopify, pos, erp = systems([rec("SHOPIFY", "C1")])
    erp.error = KeyError("a bug")
    with pytest.raises(KeyError):
        await CustomerLookup([shopify, pos, erp]).by_id("C1")


async def test_a_slow_system_is_not_waited_for_past_patience_once_another_knows_the_customer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shopify, pos, erp = systems([rec("SHOPIFY", "C1")], erp=[rec("ERP", "C1")])
    shopify.delay = 0.5
    started = asyncio.get_running_loop().time()
    profile = await CustomerLookup([shopify, pos, erp], patience=0.05).by_id("C1")
    assert asyncio.get_running_loop().time() - started < 0.4
    assert profile is not None
    assert [ref.system for ref in profile.external_refs] == ["ERP"]
    assert "SHOPIFY customers_by_id failed: UPSTREAM_TIMEOUT" in caplog.text
    await asyncio.sleep(0.5)  # the straggler finishes in the background


async def test_while_nobody_knows_the_customer_a_slow_system_is_waited_for() -> None:
    shopify, pos, erp = systems([rec("SHOPIFY", "C1")])
    shopify.delay = 0.2
    profile = await CustomerLookup([shopify, pos, erp], patience=0.01).by_id("C1")
    assert profile is not None
    assert [ref.system for ref in profile.external_refs] == ["SHOPIFY"]


async def test_a_slow_search_by_email_is_cut_off_too_once_another_names_the_customer() -> None:
    shopify, pos, erp = systems(
        [rec("SHOPIFY", "C1", email="a@example.com")], erp=[rec("ERP", "C1", email="a@example.com")]
    )
    shopify.delay = 0.5
    started = asyncio.get_running_loop().time()
    profile = await CustomerLookup([shopify, pos, erp], patience=0.05).by_email("a@example.com")
    assert asyncio.get_running_loop().time() - started < 0.4  # neither the search nor the by-id waited
    assert profile is not None
    assert (profile.id, shopify.batches) == ("C1", [["C1"]])
    await asyncio.sleep(0.5)


# ---------------------------------------------------------------- a source that would scan


def scanning_shopify(*records: CustomerRecord, indexed: set[str] | None = None) -> ScanningSource:
    return ScanningSource("SHOPIFY", list(records), indexed=indexed or set())


async def test_a_customer_the_shopify_index_has_not_learned_is_found_by_the_email_of_another_record() -> None:
    shopify = scanning_shopify(rec("SHOPIFY", "C1", first_name="Ava"))
    _, pos, erp = systems(pos=[rec("POS", "C1")], erp=[rec("ERP", "C1")])
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert profile is not None
    assert profile.first_name == "Ava"
    assert [ref.system for ref in profile.external_refs] == ["ERP", "POS", "SHOPIFY"]
    assert (shopify.searches, shopify.batches) == (["c1@example.com"], [])


async def test_when_the_email_search_does_not_find_our_id_the_scanning_source_is_asked_by_id() -> None:
    shopify = scanning_shopify(rec("SHOPIFY", "C1", email="changed@example.com"))
    _, pos, erp = systems(pos=[rec("POS", "C1")], erp=[rec("ERP", "C1", email="other@example.com")])
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert profile is not None
    assert [ref.system for ref in profile.external_refs] == ["ERP", "POS", "SHOPIFY"]
    assert sorted(shopify.searches) == ["c1@example.com", "other@example.com"]
    assert shopify.batches == [["C1"]]


async def test_a_record_of_another_customer_with_that_email_is_not_taken() -> None:
    shopify = scanning_shopify(rec("SHOPIFY", "C2", email="c1@example.com"))
    _, pos, erp = systems(pos=[rec("POS", "C1")])
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert profile is not None
    assert [ref.system for ref in profile.external_refs] == ["POS"]
    assert shopify.batches == [["C1"]]


async def test_when_no_other_system_knows_the_customer_the_scanning_source_is_asked_by_id() -> None:
    shopify = scanning_shopify(rec("SHOPIFY", "C1"))
    _, pos, erp = systems()
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert profile is not None
    assert [ref.system for ref in profile.external_refs] == ["SHOPIFY"]
    assert (shopify.searches, shopify.batches) == ([], [["C1"]])


async def test_a_customer_the_index_knows_is_asked_by_id_at_once() -> None:
    shopify = scanning_shopify(rec("SHOPIFY", "C1"), indexed={"C1"})
    _, pos, erp = systems(pos=[rec("POS", "C1")])
    await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert (shopify.searches, shopify.batches) == ([], [["C1"]])


async def test_a_request_searches_by_email_for_a_few_customers_and_asks_for_the_rest_by_id_in_one_batch() -> (
    None
):
    ids = [f"C{i}" for i in range(EMAIL_SEARCHES + 3)]
    shopify = scanning_shopify(*(rec("SHOPIFY", i) for i in ids))
    _, pos, erp = systems(pos=[rec("POS", i) for i in ids])
    lookup = CustomerLookup([shopify, pos, erp])
    profiles = await asyncio.gather(*(lookup.by_id(i) for i in ids))
    assert all(p is not None and len(p.external_refs) == 2 for p in profiles)
    assert len(shopify.searches) == EMAIL_SEARCHES
    assert shopify.batches == [ids[EMAIL_SEARCHES:]]


async def test_a_failed_email_search_falls_back_to_the_look_up_by_id() -> None:
    shopify = scanning_shopify(rec("SHOPIFY", "C1"))
    _, pos, erp = systems(pos=[rec("POS", "C1")])
    original = shopify.customers_by_email

    async def failing(email: str) -> list[CustomerRecord]:
        await original(email)
        raise down("SHOPIFY")

    shopify.customers_by_email = failing  # type: ignore[method-assign]
    profile = await CustomerLookup([shopify, pos, erp]).by_id("C1")
    assert profile is not None
    assert [r.system for r in profile.external_refs] == ["POS", "SHOPIFY"]
    assert (shopify.searches, shopify.batches) == (["c1@example.com"], [["C1"]])


# ---------------------------------------------------------------- by e-mail


async def test_by_email_completes_the_profile_by_id_only_where_the_search_missed_it() -> None:
    shopify, pos, erp = systems(
        [rec("SHOPIFY", "C1", email="ava@example.com")],
        [rec("POS", "C1", email="AVA.typo@example.com", loyalty=Loyalty("MEMBER", 5))],
        [rec("ERP", "C1", email="ava@example.com")],
    )
    profile = await CustomerLookup([shopify, pos, erp]).by_email("ava@example.com")
    assert profile is not None
    assert (profile.id, profile.email, profile.loyalty) == ("C1", "ava@example.com", Loyalty("MEMBER", 5))
    assert (shopify.batches, pos.batches, erp.batches) == ([], [["C1"]], [])


async def test_by_email_with_records_carrying_no_customer_id_is_none() -> None:
    shopify, pos, erp = systems([rec("SHOPIFY", None, email="new@example.com")])
    assert await CustomerLookup([shopify, pos, erp]).by_email("new@example.com") is None


async def test_by_email_raises_a_failure_when_the_others_know_nobody() -> None:
    shopify, pos, erp = systems()
    erp.error = down("ERP")
    with pytest.raises(UpstreamUnavailable):
        await CustomerLookup([shopify, pos, erp]).by_email("ava@example.com")


async def test_by_email_answers_from_the_others_when_one_system_is_down() -> None:
    shopify, pos, erp = systems(erp=[rec("ERP", "C7", email="x@example.com")])
    shopify.error = down("SHOPIFY")
    profile = await CustomerLookup([shopify, pos, erp]).by_email("x@example.com")
    assert profile is not None
    assert profile.id == "C7"


def test_shopify_names_the_customer_when_records_disagree() -> None:
    records = [rec("POS", "C2"), rec("ERP", "C2"), rec("SHOPIFY", "C3")]
    assert choose_customer_id(records) == "C3"


def test_without_shopify_the_id_most_systems_agree_on_wins_then_the_lowest() -> None:
    assert choose_customer_id([rec("POS", "C5"), rec("ERP", "C5"), rec("ERP", "C4")]) == "C5"
    assert choose_customer_id([rec("POS", "C5"), rec("ERP", "C4")]) == "C4"
    assert choose_customer_id([rec("SHOPIFY", "C8"), rec("SHOPIFY", "C6")]) == "C6"


def test_two_profiles_in_one_system_count_as_one_vote() -> None:
    records = [rec("POS", "C5"), rec("POS", "C5", system_id="dup"), rec("ERP", "C4"), rec("POS", "C4")]
    assert choose_customer_id(records) == "C4"


def test_no_record_with_a_customer_id_names_nobody() -> None:
    assert choose_customer_id([rec("SHOPIFY", None)]) is None
    assert choose_customer_id([]) is None


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ava.cohen.1@example.com", "ava.cohen.1@example.com"),
        ("  Ava.Cohen.1@Example.COM \n", "ava.cohen.1@example.com"),
        ("o'brien+tag@mail.example.co.uk", "o'brien+tag@mail.example.co.uk"),
    ],
)
def test_an_email_is_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ava",
        "ava@",
        "@example.com",
        "ava@example",
        "ava@@example.com",
        "a va@example.com",
        "ava@exa_mple.com",
        "ava@-example.com",
        ".ava@example.com",
        "a..va@example.com",
        "ava@example..com",
        "x" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
    ],
)
def test_an_invalid_email_is_bad_user_input(raw: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        normalise_email(raw)
    assert caught.value.extensions() == {"code": "BAD_USER_INPUT", "argument": "email"}


def test_a_customer_id_is_trimmed_and_a_blank_or_odd_one_is_bad_user_input() -> None:
    assert valid_customer_id(" C000001 ") == "C000001"
    for raw in ("", "  ", "C 1", "C\x001", "C" * 65):
        with pytest.raises(BadUserInput):
            valid_customer_id(raw)

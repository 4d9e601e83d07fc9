"""One customer profile from the records Shopify, the POS and the ERP keep of the same customer.

Per-field precedence (first non-empty value wins, systems in this order):

* ``email``, ``phone``: SHOPIFY, POS, ERP, OMS. Shopify is where customers
  maintain their own contact details; the till's are typed by staff; the
  ERP's business partner is created from the first order and rarely edited.
* name: the first record, in that order, that has any name gives *both*
  ``first_name`` and ``last_name``, so two systems' halves are never mixed.
* ``addresses``: every record's addresses in that order, de-duplicated by a
  normalised comparison (case, blanks and punctuation ignored, postal code
  without spaces); the first spelling seen is kept, order kept.
* ``loyalty``: from the POS (the loyalty programme lives there), else none.
* ``external_refs``: ``(system, system_id)`` of every record, sorted by
  system then id, each once.
* ``created_at`` the earliest, ``updated_at`` the latest any record has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from resolvers.domain import Address, CustomerRecord, ExternalRef, Loyalty, System
from subgraphs.domain.errors import RecordsMismatch

__all__ = ["PROFILE_PRECEDENCE", "CustomerProfile", "address_key", "merge_customer"]

PROFILE_PRECEDENCE: tuple[System, ...] = ("SHOPIFY", "POS", "ERP", "OMS")

_NOISE = re.compile(r"[\s.,#'\-/]+")


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    id: str | None
    """Our customer id (C0xxxxx); None only when no record carries one."""
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    addresses: tuple[Address, ...]
    loyalty: Loyalty | None
    external_refs: tuple[ExternalRef, ...]
    created_at: datetime | None = None
    updated_at: datetime | None = None


def address_key(address: Address) -> tuple[str, ...]:
    """What two spellings of one address share: case, blanks and punctuation dropped."""

    def norm(text: str | None) -> str:
        return _NOISE.sub(" ", (text or "").casefold()).strip()

    return (
        norm(address.line1),
        norm(address.line2),
        norm(address.city),
        norm(address.region),
        (address.postal_code or "").replace(" ", "").casefold(),
        (address.country_code or "").strip().upper(),
    )


def _first(values: Sequence[str | None]) -> str | None:
    return next((value.strip() for value in values if value and value.strip()), None)


def merge_customer(records: Sequence[CustomerRecord]) -> CustomerProfile:
    """The profile of one customer from every system's record of them (see the module's rule).

    Raises :class:`RecordsMismatch` for no records, or records of different customer ids.
    """
    if not records:
        raise RecordsMismatch("no customer records to merge")
    ids = {record.customer_id for record in records if record.customer_id}
    if len(ids) > 1:
        raise RecordsMismatch(f"records of different customers: {sorted(ids)}")
    rank = {system: i for i, system in enumerate(PROFILE_PRECEDENCE)}
    ordered = sorted(records, key=lambda record: rank.get(record.system, len(rank)))  # stable
    named = next((r for r in ordered if (r.first_name or "").strip() or (r.last_name or "").strip()), None)
    addresses: dict[tuple[str, ...], Address] = {}
    for record in ordered:
        for address in record.addresses:
            addresses.setdefault(address_key(address), address)
    refs = sorted({ExternalRef(r.system, r.system_id) for r in records}, key=lambda ref: (ref.system, ref.id))
    created = [r.created_at for r in records if r.created_at is not None]
    updated = [r.updated_at for r in records if r.updated_at is not None]
    return CustomerProfile(
        id=next(iter(ids), None),
        email=_first([r.email for r in ordered]),
        phone=_first([r.phone for r in ordered]),
        first_name=_first([named.first_name]) if named else None,
        last_name=_first([named.last_name]) if named else None,
        addresses=tuple(addresses.values()),
        loyalty=next((r.loyalty for r in ordered if r.system == "POS" and r.loyalty is not None), None),
        external_refs=tuple(refs),
        created_at=min(created) if created else None,
        updated_at=max(updated) if updated else None,
    )

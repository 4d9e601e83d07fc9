"""Pure functions from Square's wire payloads to the canonical records: money, stock, customers, loyalty.

Orders are in :mod:`resolvers.pos.mapping_orders`. Nothing here does I/O; the
connector hands in the lookups (variation id -> SKU, Square location id ->
our location id) it resolved.

**Stock** (``BatchRetrieveInventoryCounts``). The POS counts three tracked
states per (variation, store), and they partition the physical units in the
store (``sandbox/pos/inventory.py``)::

    IN_STOCK           units on the shelf, free to sell (may be negative: a till never refuses a sale)
    RESERVED_FOR_SALE  units held for open orders (pickup, ship-from-store)
    WASTE              damaged and quality-control units

so ``on_hand = IN_STOCK + RESERVED_FOR_SALE + WASTE`` (every physical unit),
``reserved = RESERVED_FOR_SALE``, ``unavailable = WASTE``; ``committed``,
``safety_stock`` and ``incoming`` are 0 (Square has no such figures) and
``available`` is None (Square reports no net figure: the subgraph's ATS rule
gives back IN_STOCK). A pair with no count at all (the store does not carry
the SKU) yields no level.

**Loyalty.** Square Loyalty has no membership tiers, only *reward tiers*
(``program.reward_tiers``: a reward costs ``points``) redeemed from the
account's ``balance``. The tier is the name of the best reward tier the
balance reaches (``"$15 off entire sale"``), or :data:`NO_REWARD_TIER` below
the cheapest; ``points`` is the balance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from resolvers.domain import Address, CustomerRecord, Loyalty, Money, StockLevel
from resolvers.pos.wire import (
    InventoryCount,
    LoyaltyAccount,
    LoyaltyProgram,
    SquareAddress,
    SquareCustomer,
    SquareMoney,
)

__all__ = [
    "NO_REWARD_TIER",
    "STOCK_STATES",
    "address",
    "customer_record",
    "loyalty",
    "minor_units",
    "money",
    "quantity",
    "stock_levels",
    "utc",
]

STOCK_STATES = ("IN_STOCK", "RESERVED_FOR_SALE", "WASTE")
"""The inventory states the connector asks for (every physical unit at a store is in one of them)."""
NO_REWARD_TIER = "MEMBER"
"""The tier of an account whose balance reaches no reward tier yet."""

_ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX"})
_ZERO_DECIMAL |= {"VND", "VUV", "XAF", "XOF", "XPF"}
_THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def _exponent(currency: str) -> int:
    if currency in _ZERO_DECIMAL:
        return 0
    return 3 if currency in _THREE_DECIMAL else 2


def money(value: SquareMoney) -> Money:
    """Square's smallest-unit integer as a Decimal amount (``1999 USD`` -> ``19.99``)."""
    return Money(Decimal(value.amount).scaleb(-_exponent(value.currency)), value.currency)


def minor_units(value: Money) -> int:
    """A Money as Square's integer in the currency's smallest unit (rounded half up)."""
    scaled = value.amount.scaleb(_exponent(value.currency))
    return int(scaled.to_integral_value(rounding=ROUND_HALF_UP))


def quantity(text: str) -> int:
    """A Square decimal-string quantity as whole units (``"5"`` -> 5; fractions rounded half up)."""
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal quantity: {text!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite quantity: {text!r}")
    return int(number.to_integral_value(rounding=ROUND_HALF_UP))


def utc(moment: datetime | None) -> datetime | None:
    """An aware datetime in UTC (Square's timestamps carry ``Z`` or an offset)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def stock_levels(
    counts: Iterable[InventoryCount],
    sku_by_variation: Mapping[str, str],
    location_by_square: Mapping[str, str],
    *,
    as_of: datetime | None = None,
    stale: bool = False,
) -> list[StockLevel]:
    """One level per (SKU, location) that has counts; counts for ids not asked about are skipped."""
    figures: dict[tuple[str, str], list[int]] = {}
    for count in counts:
        sku = sku_by_variation.get(count.catalog_object_id)
        location = location_by_square.get(count.location_id)
        if sku is None or location is None or count.state not in STOCK_STATES:
            continue
        slot = figures.setdefault((sku, location), [0, 0, 0])
        slot[STOCK_STATES.index(count.state)] += quantity(count.quantity)
    return [
        StockLevel(
            system="POS",
            sku=sku,
            location_id=location,
            on_hand=in_stock + reserved + waste,
            reserved=reserved,
            unavailable=waste,
            as_of=as_of,
            stale=stale,
        )
        for (sku, location), (in_stock, reserved, waste) in figures.items()
    ]


def address(value: SquareAddress | None) -> Address | None:
    """A Square address; None when it lacks a street, city, postal code or country."""
    if value is None:
        return None
    line1, city, postal, country = (
        value.address_line_1,
        value.locality,
        value.postal_code,
        value.country,
    )
    if not (line1 and city and postal and country):
        return None
    return Address(
        line1=line1,
        line2=value.address_line_2 or None,
        city=city,
        region=value.administrative_district_level_1 or None,
        postal_code=postal,
        country_code=country,
    )


def loyalty(account: LoyaltyAccount, program: LoyaltyProgram | None) -> Loyalty:
    """The account's reward tier (module docstring) and its balance."""
    tier = NO_REWARD_TIER
    if program is not None:
        for reward in sorted(program.reward_tiers, key=lambda t: t.points):
            if account.balance >= reward.points:
                tier = reward.name
    return Loyalty(tier=tier, points=account.balance)


def customer_record(customer: SquareCustomer, loyalty_of: Loyalty | None = None) -> CustomerRecord:
    """A Square customer profile; ``customer_id`` is its ``reference_id`` (our C0xxxxx)."""
    home = address(customer.address)
    return CustomerRecord(
        system="POS",
        system_id=customer.id,
        customer_id=customer.reference_id or None,
        email=customer.email_address or None,
        phone=customer.phone_number or None,
        first_name=customer.given_name or None,
        last_name=customer.family_name or None,
        addresses=(home,) if home is not None else (),
        loyalty=loyalty_of,
        created_at=utc(customer.created_at),
        updated_at=utc(customer.updated_at),
    )

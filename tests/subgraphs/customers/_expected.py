"""What the customers tests share: the profile fields as a query, and the profile the world says to expect."""

from __future__ import annotations

from typing import Any

from sandbox.world import Customer, World

PROFILE = """
    id email phone firstName lastName
    addresses { line1 line2 city region postalCode countryCode }
    loyalty { tier points }
    externalRefs { system id }
"""

REWARD_TIERS = ((500, "$35 off entire sale"), (250, "$15 off entire sale"), (100, "$5 off entire sale"))
"""The sandbox POS's loyalty programme, highest first; below 100 points a member has no reward tier."""


def expected_profile(world: World, customer_id: str) -> dict[str, Any]:
    """The merged profile of a seeded customer, as the world defines them (every system agrees on it)."""
    c: Customer = world.customers_by_id[customer_id]
    refs = [
        ("ERP", c.erp_business_partner),
        ("POS", c.square_customer_id),
        ("SHOPIFY", str(c.shopify_customer_id) if c.shopify_customer_id else None),
    ]
    has_loyalty = c.square_customer_id is not None and c.loyalty_lifetime_points > 0
    tier = next((name for points, name in REWARD_TIERS if c.loyalty_balance >= points), "MEMBER")
    return {
        "id": c.id,
        "email": c.email,
        "phone": c.phone,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "addresses": [
            {
                "line1": a.line1,
                "line2": a.line2,
                "city": a.city,
                "region": a.region,
                "postalCode": a.postal_code,
                "countryCode": a.country_code,
            }
            for a in c.addresses
        ],
        "loyalty": {"tier": tier, "points": c.loyalty_balance} if has_loyalty else None,
        "externalRefs": [{"system": system, "id": ref} for system, ref in refs if ref],
    }

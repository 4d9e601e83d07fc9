"""Square Loyalty: one program ("main") and the accounts of customers with points.

Accounts are seeded from the world's customers that have a Square profile and
loyalty points (``loyalty_lifetime_points > 0``); the account's phone mapping
is the customer's phone (omitted where the customer has none). A completed
sale for a customer with an account accrues one point per whole dollar of the
order total (the program's SPEND accrual rule), raising both ``balance`` and
``lifetime_points``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.pos.locations import Stores
from sandbox.pos.wire import compact, money, now, timestamp
from sandbox.world import EPOCH, World, stable_id

__all__ = ["Loyalty", "LoyaltyAccount"]

_TIERS = ((100, 500), (250, 1500), (500, 3500))
"""(points, dollars-off in cents) per reward tier."""


def _uuid(*parts: object) -> str:
    return str(uuid.UUID(stable_id(*parts, length=32, alphabet="0123456789abcdef")))


@dataclass
class LoyaltyAccount:
    id: str
    program_id: str
    customer_id: str
    phone_number: str | None
    balance: int
    lifetime_points: int
    enrolled_at: datetime
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        mapping = None
        if self.phone_number:
            mapping = {
                "id": _uuid("loyalty-mapping", self.id),
                "created_at": timestamp(self.enrolled_at),
                "phone_number": self.phone_number,
            }
        return compact(
            {
                "id": self.id,
                "program_id": self.program_id,
                "balance": self.balance,
                "lifetime_points": self.lifetime_points,
                "customer_id": self.customer_id,
                "enrolled_at": timestamp(self.enrolled_at),
                "created_at": timestamp(self.enrolled_at),
                "updated_at": timestamp(self.updated_at),
                "mapping": mapping,
            }
        )


class Loyalty:
    """The program and its accounts, indexed by id, customer and phone."""

    def __init__(self, world: World, stores: Stores) -> None:
        self.program_id = _uuid("loyalty-program", world.seed)
        self._created = EPOCH - timedelta(days=1000)
        self._location_ids = [loc.square_location_id for loc in stores.all]
        self.accounts: list[LoyaltyAccount] = []
        for c in world.customers:
            if c.square_customer_id is None or c.loyalty_lifetime_points <= 0:
                continue
            enrolled = c.created_at + timedelta(hours=1)
            self.accounts.append(
                LoyaltyAccount(
                    id=_uuid("loyalty-account", c.id),
                    program_id=self.program_id,
                    customer_id=c.square_customer_id,
                    phone_number=c.phone,
                    balance=c.loyalty_balance,
                    lifetime_points=c.loyalty_lifetime_points,
                    enrolled_at=enrolled,
                    updated_at=max(enrolled, EPOCH - timedelta(days=c.index % 60 + 1)),
                )
            )
        self.by_id = {a.id: a for a in self.accounts}
        self.by_customer = {a.customer_id: a for a in self.accounts}

    def accrue(self, customer_id: str | None, total_cents: int) -> int:
        """Points for a completed sale (one per whole dollar); 0 without an account."""
        account = self.by_customer.get(customer_id or "")
        points = max(0, total_cents // 100)
        if account is None or points == 0:
            return 0
        account.balance += points
        account.lifetime_points += points
        account.updated_at = now()
        return points

    def program_json(self) -> dict[str, Any]:
        created = timestamp(self._created)
        return {
            "id": self.program_id,
            "status": "ACTIVE",
            "reward_tiers": [
                {
                    "id": _uuid("loyalty-tier", self.program_id, points),
                    "points": points,
                    "name": f"${off // 100} off entire sale",
                    "created_at": created,
                    "pricing_rule_reference": {"object_id": stable_id("pricing-rule", points, length=24)},
                }
                for points, off in _TIERS
            ],
            "terminology": {"one": "Point", "other": "Points"},
            "location_ids": self._location_ids,
            "created_at": created,
            "updated_at": created,
            "accrual_rules": [
                {
                    "accrual_type": "SPEND",
                    "points": 1,
                    "spend_data": {"amount_money": money(100), "tax_mode": "BEFORE_TAX"},
                }
            ],
        }

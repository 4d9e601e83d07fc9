"""Customers and loyalty in the POS: Square customer profiles linked by ``reference_id`` (our C0xxxxx).

- by our id: ``POST /v2/customers/search`` with ``filter.reference_id.exact``.
  Square's customer filters take one value each and cannot be or-ed, so
  ``customers_by_ids`` sends one search per id, concurrently, each cached
  (operation ``customers_by_reference``);
- by e-mail: ``filter.email_address.exact`` (case-insensitive in Square),
  every page (operation ``customers_by_email``);
- loyalty: ``POST /v2/loyalty/accounts/search`` with ``query.customer_ids``
  (30 a request; ``loyalty_accounts``) and the program's reward tiers from
  ``GET /v2/loyalty/programs/main`` (``loyalty_program``, master data);
- Square id -> profile, for the customers on orders: ``GET /v2/customers/{id}``
  (``customer_by_id``, kept long: a profile's ``reference_id`` does not change).

Square allows several profiles with one ``reference_id``; ``customers_by_ids``
answers the first Square lists, :meth:`PosCustomers.square_ids` all of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from resolvers.domain import CustomerRecord
from resolvers.errors import UpstreamNotFound
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.pos.api import SquareApi, model_codec, with_cursor
from resolvers.pos.mapping import customer_record, loyalty
from resolvers.pos.wire import (
    CustomerAnswer,
    CustomersAnswer,
    LoyaltyAccount,
    LoyaltyAccountsAnswer,
    LoyaltyProgram,
    ProgramAnswer,
    SquareCustomer,
)

__all__ = ["PosCustomers"]

_LOYALTY_IDS_PER_SEARCH = 30
_CUSTOMERS = model_codec(CustomersAnswer)
_CUSTOMER = model_codec(CustomerAnswer)
_ACCOUNTS = model_codec(LoyaltyAccountsAnswer)
_PROGRAM = model_codec(ProgramAnswer)


class PosCustomers:
    """Customer profiles and their loyalty accounts (see the module docstring)."""

    def __init__(self, kit: ConnectorKit, api: SquareApi) -> None:
        self._kit = kit
        self._api = api

    # ------------------------------------------------------------ the port

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        wanted = list(dict.fromkeys(customer_ids))
        found = await asyncio.gather(*(self.profiles(customer_id) for customer_id in wanted))
        first = {cid: profiles[0] for cid, profiles in zip(wanted, found, strict=True) if profiles}
        records = await self._with_loyalty(first.values())
        by_id = {cid: records[profile.id] for cid, profile in first.items()}
        return [by_id.get(customer_id) for customer_id in customer_ids]

    async def customers_by_email(self, email: str) -> list[CustomerRecord]:
        body = {"query": {"filter": {"email_address": {"exact": email}}}, "limit": 100}
        answer = await self._search("customers_by_email", body, cache_key=email.strip().lower())
        records = await self._with_loyalty(answer.customers)
        return [records[profile.id] for profile in answer.customers]

    # ------------------------------------------------------------ for orders

    async def profiles(self, customer_id: str) -> list[SquareCustomer]:
        """Every Square profile whose ``reference_id`` is our ``customer_id``."""
        body = {"query": {"filter": {"reference_id": {"exact": customer_id}}}, "limit": 100}
        answer = await self._search("customers_by_reference", body, cache_key=customer_id)
        return [c for c in answer.customers if c.reference_id == customer_id]

    async def square_ids(self, customer_id: str) -> list[str]:
        """The Square ids of our customer (empty if the POS does not know them)."""
        return [profile.id for profile in await self.profiles(customer_id)]

    async def by_square_ids(self, square_ids: Iterable[str]) -> dict[str, SquareCustomer]:
        """Square id -> profile, for the ids that exist."""
        wanted = list(dict.fromkeys(square_ids))
        found = await asyncio.gather(*(self._retrieve(sid) for sid in wanted))
        return {sid: profile for sid, profile in zip(wanted, found, strict=True) if profile is not None}

    # ------------------------------------------------------------ exchanges

    async def _search(self, operation: str, body: dict[str, Any], *, cache_key: str) -> CustomersAnswer:
        async def fetch(http: UpstreamHttp) -> CustomersAnswer:
            customers: list[SquareCustomer] = []
            cursor: str | None = None
            while True:
                page = await self._api.post(
                    http, "/customers/search", with_cursor(body, cursor), CustomersAnswer
                )
                customers.extend(page.customers)
                cursor = page.cursor
                if not cursor:
                    return CustomersAnswer(customers=customers)

        result = await self._kit.read("pos", operation, fetch, cache_key=cache_key, codec=_CUSTOMERS)
        return result.value

    async def _retrieve(self, square_id: str) -> SquareCustomer | None:
        async def fetch(http: UpstreamHttp) -> CustomerAnswer:
            return await self._api.get(http, f"/customers/{quote(square_id, safe='')}", CustomerAnswer)

        try:
            result = await self._kit.read(
                "pos", "customer_by_id", fetch, cache_key=square_id, codec=_CUSTOMER
            )
        except UpstreamNotFound:
            return None
        return result.value.customer

    async def _with_loyalty(self, profiles: Iterable[SquareCustomer]) -> dict[str, CustomerRecord]:
        """Square id -> record, each with its loyalty where the customer has an account."""
        listed = list(profiles)
        accounts = await self._accounts([profile.id for profile in listed])
        program = await self._program() if accounts else None
        return {
            profile.id: customer_record(
                profile, loyalty(accounts[profile.id], program) if profile.id in accounts else None
            )
            for profile in listed
        }

    async def _accounts(self, square_ids: list[str]) -> dict[str, LoyaltyAccount]:
        wanted = sorted(set(square_ids))
        chunks = [
            wanted[i : i + _LOYALTY_IDS_PER_SEARCH] for i in range(0, len(wanted), _LOYALTY_IDS_PER_SEARCH)
        ]
        answers = await asyncio.gather(*(self._account_search(chunk) for chunk in chunks))
        return {
            account.customer_id: account
            for answer in answers
            for account in answer.loyalty_accounts
            if account.customer_id is not None
        }

    async def _account_search(self, square_ids: list[str]) -> LoyaltyAccountsAnswer:
        body = {"query": {"customer_ids": square_ids}, "limit": 200}

        async def fetch(http: UpstreamHttp) -> LoyaltyAccountsAnswer:
            accounts: list[LoyaltyAccount] = []
            cursor: str | None = None
            while True:
                page = await self._api.post(
                    http, "/loyalty/accounts/search", with_cursor(body, cursor), LoyaltyAccountsAnswer
                )
                accounts.extend(page.loyalty_accounts)
                cursor = page.cursor
                if not cursor:
                    return LoyaltyAccountsAnswer(loyalty_accounts=accounts)

        result = await self._kit.read("pos", "loyalty_accounts", fetch, cache_key=square_ids, codec=_ACCOUNTS)
        return result.value

    async def _program(self) -> LoyaltyProgram | None:
        async def fetch(http: UpstreamHttp) -> ProgramAnswer:
            return await self._api.get(http, "/loyalty/programs/main", ProgramAnswer)

        try:
            result = await self._kit.read("pos", "loyalty_program", fetch, cache_key="main", codec=_PROGRAM)
        except UpstreamNotFound:  # the seller has no loyalty program
            return None
        return result.value.program
